"""Typed response and request models (frozen attrs classes) and the enums they use.

Models import only attrs and the standard library; decoding lives in :mod:`b3os_async._convert`.
"""

from b3os_async.models._enums import (
    ExecutionNodeStatus,
    OpenEnum,
    PausedReason,
    RunStatus,
    WorkflowStatus,
    WorkflowVisibility,
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
    ConnectorReference,
    ValidationErrorItem,
    ValidationResult,
    Workflow,
    WorkflowDefinition,
    WorkflowInput,
    WorkflowListItem,
    WorkflowNode,
    WorkflowVersionCount,
    WorkflowVisibilityUpdate,
)

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
