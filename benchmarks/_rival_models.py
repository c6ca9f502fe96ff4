"""pydantic v2 and msgspec models of the same shape as ``b3os_async.models.runs.Run``.

Same fields, same nesting (``Run`` -> ``executionState: dict[str, ExecutionNode]`` and
``workflowDefinition`` -> ``nodes: dict[str, WorkflowNode]`` -> ``ConnectorReference``), the same
camelCase -> snake_case mapping, timestamps parsed to ``datetime``, statuses to ``str`` enums,
arrays to tuples, unknown keys ignored, frozen instances. Each module is only imported when its
library is installed (``bench`` extra).
"""

from __future__ import annotations

import enum


class RunStatus(str, enum.Enum):
    """Run status (closed enum: the rivals have no open-enum fallback)."""

    RUNNING = "running"
    WAITING = "waiting"
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILURE = "failure"
    CANCELLED = "cancelled"


class ExecutionNodeStatus(str, enum.Enum):
    """Node status (closed enum)."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILURE = "failure"
    SKIPPED = "skipped"
    WAITING = "waiting"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    AUTO_SWAPPING = "auto_swapping"
