"""Schedule models: a workflow's next fire time, per-trigger aggregates, runs left after a refill.

(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime

import attrs

__all__ = ["RemainingRuns", "TriggerAggregate", "TriggerAggregates", "WorkflowSchedule"]


@attrs.frozen(kw_only=True)
class WorkflowSchedule:
    """When a scheduled workflow runs next (``None``: nothing scheduled) and the server's time."""

    next_run_at: datetime | None = None
    server_time: datetime | None = None


@attrs.frozen(kw_only=True)
class TriggerAggregate:
    """Run statistics of one trigger node of a workflow."""

    trigger_node_id: str | None = None
    type: str | None = None
    last_fired_at: datetime | None = None
    next_fire_at: datetime | None = None
    run_count: int = 0
    success_count: int = 0
    failure_count: int = 0
    cancelled_count: int = 0


@attrs.frozen(kw_only=True)
class TriggerAggregates:
    """Per-trigger statistics of a workflow (``GET /v1/workflows/{id}/trigger-aggregates``)."""

    workflow_id: str | None = None
    triggers: tuple[TriggerAggregate, ...] = ()


@attrs.frozen(kw_only=True)
class RemainingRuns:
    """Result of ``refill``: how many automatic runs the workflow has left."""

    remain_runs: int | None = None
    workflow_id: str | None = None
