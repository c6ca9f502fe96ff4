"""Typed response and request models (frozen attrs classes) and the enums they use.

Models import only attrs and the standard library; decoding lives in :mod:`b3os_async._convert`.
Each name is imported from its module on first use, so loading the run models does not also
build every workflow model (attrs class creation is most of this package's import time).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async.models._enums import (
        ExecutionNodeStatus,
        OpenEnum,
        PausedReason,
        RunStatus,
        WorkflowStatus,
        WorkflowVisibility,
    )
    from b3os_async.models.definitions import (
        ConnectorReference,
        WorkflowDefinition,
        WorkflowInput,
        WorkflowNode,
    )
    from b3os_async.models.runs import (
        ExecutionNode,
        NodeResumeResult,
        Run,
        RunCreated,
        RunListItem,
        RunStatusCounts,
        WorkflowRunCounts,
    )
    from b3os_async.models.workflows import (
        ValidationErrorItem,
        ValidationResult,
        Workflow,
        WorkflowListItem,
        WorkflowVersionCount,
        WorkflowVisibilityUpdate,
    )

_MODULE_OF = {
    "ExecutionNodeStatus": "b3os_async.models._enums",
    "OpenEnum": "b3os_async.models._enums",
    "PausedReason": "b3os_async.models._enums",
    "RunStatus": "b3os_async.models._enums",
    "WorkflowStatus": "b3os_async.models._enums",
    "WorkflowVisibility": "b3os_async.models._enums",
    "ExecutionNode": "b3os_async.models.runs",
    "NodeResumeResult": "b3os_async.models.runs",
    "Run": "b3os_async.models.runs",
    "RunCreated": "b3os_async.models.runs",
    "RunListItem": "b3os_async.models.runs",
    "RunStatusCounts": "b3os_async.models.runs",
    "WorkflowRunCounts": "b3os_async.models.runs",
    "ConnectorReference": "b3os_async.models.definitions",
    "WorkflowDefinition": "b3os_async.models.definitions",
    "WorkflowInput": "b3os_async.models.definitions",
    "WorkflowNode": "b3os_async.models.definitions",
    "ValidationErrorItem": "b3os_async.models.workflows",
    "ValidationResult": "b3os_async.models.workflows",
    "Workflow": "b3os_async.models.workflows",
    "WorkflowListItem": "b3os_async.models.workflows",
    "WorkflowVersionCount": "b3os_async.models.workflows",
    "WorkflowVisibilityUpdate": "b3os_async.models.workflows",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'b3os_async.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULE_OF))


__all__ = [
    "ConnectorReference",
    "ExecutionNode",
    "ExecutionNodeStatus",
    "NodeResumeResult",
    "OpenEnum",
    "PausedReason",
    "Run",
    "RunCreated",
    "RunListItem",
    "RunStatus",
    "RunStatusCounts",
    "ValidationErrorItem",
    "ValidationResult",
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
]
