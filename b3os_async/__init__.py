"""b3os-async: the async-first Python SDK for the B3OS workflow-automation API.

::

    from b3os_async import B3OS

    async with B3OS() as b3:          # reads B3OS_API_KEY / B3OS_BASE_URL / B3OS_ORG_ID
        async for event in b3.workflows.run_and_stream(workflow_id, payload={...}):
            print(event.type, event.node_id, event.status)

This module is the one public door: every public name is listed in ``__all__`` (a test guards it).
Everything but the client, its configuration and the errors is imported on first use (models,
streams, the pager, the SSE decoder), so ``import b3os_async`` stays cheap and the first call loads
only what it needs; type checkers see them all as normal imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from b3os_async import models as _models
from b3os_async._client import B3OS
from b3os_async._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    B3OSError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    WebhookVerificationError,
)
from b3os_async._retry import RetryPolicy, Timeout
from b3os_async._transport.paths import new_run_id
from b3os_async._transport.raw import RawResponse, ResponseMeta
from b3os_async._version import __version__

if TYPE_CHECKING:
    from b3os_async._streams.config import ReconnectInfo, StreamTimeouts
    from b3os_async._streams.handle import RunHandle
    from b3os_async.models import (
        ConnectorReference,
        ExecutionNode,
        ExecutionNodeStatus,
        NodeResumeResult,
        OpenEnum,
        PausedReason,
        Run,
        RunCreated,
        RunListItem,
        RunStatus,
        RunStatusCounts,
        ValidationErrorItem,
        ValidationResult,
        Workflow,
        WorkflowDefinition,
        WorkflowInput,
        WorkflowListItem,
        WorkflowNode,
        WorkflowRunCounts,
        WorkflowStatus,
        WorkflowVersionCount,
        WorkflowVisibility,
        WorkflowVisibilityUpdate,
    )
    from b3os_async.models.events import ActivityEvent, RunEvent
    from b3os_async.pagination import AsyncPager, Page
    from b3os_async.sse import ServerSentEvent, SSEDecoder
    from b3os_async.streams import (
        ActivityStream,
        EventStream,
        MergedEventStream,
        RunEventStream,
        RunNotificationStream,
    )

# Public name -> module that defines it, for the names imported on first use (see docstring).
# The model names are those of `b3os_async.models`, itself lazy (importing it loads no model).
_LAZY = dict.fromkeys(_models.__all__, "b3os_async.models") | {
    "ActivityEvent": "b3os_async.models.events",
    "ActivityStream": "b3os_async.streams",
    "AsyncPager": "b3os_async.pagination",
    "EventStream": "b3os_async.streams",
    "MergedEventStream": "b3os_async.streams",
    "Page": "b3os_async.pagination",
    "ReconnectInfo": "b3os_async._streams.config",
    "RunEvent": "b3os_async.models.events",
    "RunEventStream": "b3os_async.streams",
    "RunHandle": "b3os_async._streams.handle",
    "RunNotificationStream": "b3os_async.streams",
    "SSEDecoder": "b3os_async.sse",
    "ServerSentEvent": "b3os_async.sse",
    "StreamTimeouts": "b3os_async._streams.config",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'b3os_async' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "ActivityEvent",
    "ActivityStream",
    "AsyncPager",
    "AuthenticationError",
    "B3OS",
    "B3OSError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "ConnectorReference",
    "EventStream",
    "ExecutionNode",
    "ExecutionNodeStatus",
    "InsufficientCreditsError",
    "InternalServerError",
    "MergedEventStream",
    "NodeResumeResult",
    "NotFoundError",
    "OpenEnum",
    "Page",
    "PausedReason",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "ReconnectInfo",
    "ResponseMeta",
    "ResponseValidationError",
    "RetryPolicy",
    "Run",
    "RunCreated",
    "RunEvent",
    "RunEventStream",
    "RunHandle",
    "RunListItem",
    "RunNotificationStream",
    "RunStatus",
    "RunStatusCounts",
    "SSEDecoder",
    "ServerSentEvent",
    "StreamError",
    "StreamTimeouts",
    "Timeout",
    "ValidationErrorItem",
    "ValidationResult",
    "WebhookVerificationError",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowInput",
    "WorkflowListItem",
    "WorkflowNode",
    "WorkflowRunCounts",
    "WorkflowStatus",
    "WorkflowVersionCount",
    "WorkflowVisibility",
    "WorkflowVisibilityUpdate",
    "__version__",
    "new_run_id",
]
