"""b3os-async: the async-first Python SDK for the B3OS workflow-automation API.

::

    from b3os_async import B3OS

    async with B3OS() as b3:          # reads B3OS_API_KEY / B3OS_BASE_URL / B3OS_ORG_ID
        async for event in b3.workflows.start(workflow_id, payload={...}):
            print(event.type, event.node_id, event.status)

This module is the one public door. :data:`_EXPORTS` is the ONE list of public names: it drives
``__all__`` and the lazy loading (each name is imported from its module on first use, so
``import b3os_async`` loads no aiohttp and the first call loads only what it needs). The
``TYPE_CHECKING`` imports below repeat it for type checkers; a test checks that both agree.
Models not listed here live in :mod:`b3os_async.models`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async._client import B3OS as B3OS
    from b3os_async._errors import APIConnectionError as APIConnectionError
    from b3os_async._errors import APIStatusError as APIStatusError
    from b3os_async._errors import APITimeoutError as APITimeoutError
    from b3os_async._errors import AuthenticationError as AuthenticationError
    from b3os_async._errors import B3OSError as B3OSError
    from b3os_async._errors import BadRequestError as BadRequestError

    # Caddie (area 9)
    from b3os_async._errors import CaddieError as CaddieError
    from b3os_async._errors import ConfigurationError as ConfigurationError
    from b3os_async._errors import ConfigurationTypeError as ConfigurationTypeError
    from b3os_async._errors import ConflictError as ConflictError
    from b3os_async._errors import InsufficientCreditsError as InsufficientCreditsError
    from b3os_async._errors import InternalServerError as InternalServerError
    from b3os_async._errors import NotFoundError as NotFoundError
    from b3os_async._errors import PermissionDeniedError as PermissionDeniedError
    from b3os_async._errors import RateLimitError as RateLimitError
    from b3os_async._errors import ResponseTooLargeError as ResponseTooLargeError
    from b3os_async._errors import ResponseValidationError as ResponseValidationError
    from b3os_async._errors import StreamError as StreamError
    from b3os_async._errors import WebhookVerificationError as WebhookVerificationError
    from b3os_async._retry import RetryPolicy as RetryPolicy
    from b3os_async._retry import Timeout as Timeout
    from b3os_async._streams.agent_runs import AgentRunFollower as AgentRunFollower
    from b3os_async._streams.chat import ChatStream as ChatStream
    from b3os_async._streams.config import ReconnectInfo as ReconnectInfo
    from b3os_async._streams.config import StreamTimeouts as StreamTimeouts
    from b3os_async._streams.handle import RunHandle as RunHandle
    from b3os_async._streams.machine import EventStream as EventStream
    from b3os_async._streams.merge import MergedEventStream as MergedEventStream
    from b3os_async._streams.notifications import ActivityStream as ActivityStream
    from b3os_async._streams.notifications import RunNotificationStream as RunNotificationStream
    from b3os_async._streams.raw import RawEventStream as RawEventStream
    from b3os_async._streams.runs import RunEventStream as RunEventStream
    from b3os_async._transport.paths import new_run_id as new_run_id
    from b3os_async._transport.raw import RawResponse as RawResponse
    from b3os_async._transport.raw import ResponseMeta as ResponseMeta
    from b3os_async._version import __version__ as __version__
    from b3os_async.models._enums import RunStatus as RunStatus
    from b3os_async.models._enums import WorkflowStatus as WorkflowStatus
    from b3os_async.models.caddie import ChatEvent as ChatEvent
    from b3os_async.models.caddie import ChatResult as ChatResult
    from b3os_async.models.definitions import WorkflowDefinition as WorkflowDefinition
    from b3os_async.models.definitions import WorkflowNode as WorkflowNode
    from b3os_async.models.events import ActivityEvent as ActivityEvent
    from b3os_async.models.events import RunEvent as RunEvent
    from b3os_async.models.runs import Run as Run
    from b3os_async.models.workflows import Workflow as Workflow
    from b3os_async.pagination import AsyncPager as AsyncPager
    from b3os_async.pagination import KeysetPager as KeysetPager
    from b3os_async.pagination import Page as Page
    from b3os_async.sse import ServerSentEvent as ServerSentEvent
    from b3os_async.sse import SSEDecoder as SSEDecoder

_ERRORS = "b3os_async._errors"

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    # the client and its settings
    "B3OS": "b3os_async._client",
    "RetryPolicy": "b3os_async._retry",
    "Timeout": "b3os_async._retry",
    "StreamTimeouts": "b3os_async._streams.config",
    "ReconnectInfo": "b3os_async._streams.config",
    "RawResponse": "b3os_async._transport.raw",
    "ResponseMeta": "b3os_async._transport.raw",
    "new_run_id": "b3os_async._transport.paths",
    "__version__": "b3os_async._version",
    # errors
    "B3OSError": _ERRORS,
    "ConfigurationError": _ERRORS,
    "ConfigurationTypeError": _ERRORS,
    "APIConnectionError": _ERRORS,
    "APITimeoutError": _ERRORS,
    "APIStatusError": _ERRORS,
    "BadRequestError": _ERRORS,
    "AuthenticationError": _ERRORS,
    "InsufficientCreditsError": _ERRORS,
    "PermissionDeniedError": _ERRORS,
    "NotFoundError": _ERRORS,
    "ConflictError": _ERRORS,
    "RateLimitError": _ERRORS,
    "InternalServerError": _ERRORS,
    "ResponseValidationError": _ERRORS,
    "ResponseTooLargeError": _ERRORS,
    "StreamError": _ERRORS,
    "WebhookVerificationError": _ERRORS,
    # paging
    "AsyncPager": "b3os_async.pagination",
    "Page": "b3os_async.pagination",
    # streams and their events
    "EventStream": "b3os_async._streams.machine",
    "RunEventStream": "b3os_async._streams.runs",
    "RunHandle": "b3os_async._streams.handle",
    "RunNotificationStream": "b3os_async._streams.notifications",
    "ActivityStream": "b3os_async._streams.notifications",
    "MergedEventStream": "b3os_async._streams.merge",
    "RawEventStream": "b3os_async._streams.raw",
    "RunEvent": "b3os_async.models.events",
    "ActivityEvent": "b3os_async.models.events",
    "SSEDecoder": "b3os_async.sse",
    "ServerSentEvent": "b3os_async.sse",
    # the models most code names (every model: b3os_async.models)
    "Run": "b3os_async.models.runs",
    "RunStatus": "b3os_async.models._enums",
    "Workflow": "b3os_async.models.workflows",
    "WorkflowStatus": "b3os_async.models._enums",
    "WorkflowDefinition": "b3os_async.models.definitions",
    "WorkflowNode": "b3os_async.models.definitions",
    # Caddie (area 9): the chat stream, its events and outcome, agent-run follow, keyset paging
    "CaddieError": _ERRORS,
    "ChatStream": "b3os_async._streams.chat",
    "ChatEvent": "b3os_async.models.caddie",
    "ChatResult": "b3os_async.models.caddie",
    "AgentRunFollower": "b3os_async._streams.agent_runs",
    "KeysetPager": "b3os_async.pagination",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'b3os_async' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
