"""Results of the rarer run calls: status counts, synchronous runs, transaction attribution and
node resumes.

Apart from :mod:`b3os_async.models.runs` so that listing and streaming runs, the common path,
does not build these classes at import time (``resources/runs.py`` imports them on first use).
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime

import attrs

from b3os_async.models._enums import RunStatus
from b3os_async.models.runs import ExecutionNode

__all__ = [
    "NodeResumeResult",
    "RunStatusCounts",
    "RunTxAttribution",
    "SyncRunResult",
    "WorkflowRunCounts",
    "WorkflowRunStatusCounts",
]


@attrs.frozen(kw_only=True)
class NodeResumeResult:
    """Result of resuming a waiting node: ``action`` is ``"resumed"`` or ``"skipped"``."""

    action: str | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class WorkflowRunCounts:
    """Run counts by status for one workflow (``GET /v1/workflows/{id}/runs/count``)."""

    total: int = 0
    running: int = 0
    waiting: int = 0
    success: int = 0
    partial: int = 0
    failure: int = 0
    cancelled: int | None = None  # not in the published schema; kept if the server sends it


@attrs.frozen(kw_only=True)
class RunStatusCounts:
    """Run counts by status for the whole organization (``GET /v1/runs/status-counts``)."""

    total: int = 0
    running: int = 0
    waiting: int = 0
    success: int = 0
    partial: int = 0
    failure: int = 0
    cancelled: int | None = None  # not in the published schema; kept if the server sends it


@attrs.frozen(kw_only=True)
class WorkflowRunStatusCounts:
    """Run counts by status of one workflow (``runs.status_counts_by_workflow``)."""

    workflow_id: str | None = None
    total: int = 0
    running: int = 0
    waiting: int = 0
    success: int = 0
    partial: int = 0
    failure: int = 0
    cancelled: int | None = None  # not in the published schema; kept if the server sends it


@attrs.frozen(kw_only=True)
class SyncRunResult:
    """A synchronous run once it ended: its status, per-node state and duration."""

    run_id: str | None = None
    status: RunStatus | None = None
    execution_state: dict[str, ExecutionNode] | None = None
    duration_ms: int | None = None


@attrs.frozen(kw_only=True)
class RunTxAttribution:
    """Which run (and node) executed a blockchain transaction."""

    tx_hash: str | None = None
    run_id: str | None = None
    run_status: RunStatus | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    node_id: str | None = None
    action_type: str | None = None
    started_at: datetime | None = None
