"""Workflow methods about time: next fire time, per-trigger aggregates, refilling ``maxRuns``.

A part of :class:`~b3os_async.resources.workflows.Workflows` (``b3.workflows.schedule(...)``),
kept in its own module so that no module grows past a few hundred lines.
"""

from __future__ import annotations

from b3os_async._errors import ConfigurationError
from b3os_async.models.workflow_schedules import RemainingRuns, TriggerAggregates, WorkflowSchedule
from b3os_async.resources._base import Resource

__all__ = ["WorkflowSchedules"]


class WorkflowSchedules(Resource):
    """Schedules of workflows; mixed into ``b3.workflows``."""

    __slots__ = ()

    async def schedule(self, workflow_id: str) -> WorkflowSchedule:
        """When the workflow's schedule fires next (``next_run_at``) and the server's time."""
        return await self._get(WorkflowSchedule, "/v1/workflows/{}/schedule", workflow_id)

    async def trigger_aggregates(self, workflow_id: str) -> TriggerAggregates:
        """Per trigger node: runs started, successes, failures, last and next fire time."""
        return await self._get(
            TriggerAggregates, "/v1/workflows/{}/trigger-aggregates", workflow_id
        )

    async def refill(self, workflow_id: str, remain_runs: int) -> RemainingRuns:
        """Set how many automatic runs the workflow has left (``maxRuns`` accounting).

        A workflow the platform paused because it ran out (``paused_reason``
        ``max_runs_exhausted``) resumes. The value is absolute, so resending it is safe and the
        call is retried like a PUT.
        """
        checked: object = remain_runs  # callers may pass anything: check at runtime
        if isinstance(checked, bool) or not isinstance(checked, int) or checked < 1:
            raise ConfigurationError(f"remain_runs must be an integer >= 1, got {remain_runs!r}")
        return await self._post(
            RemainingRuns,
            "/v1/workflows/{}/refill",
            workflow_id,
            json={"remainRuns": remain_runs},
            idempotent=True,
        )
