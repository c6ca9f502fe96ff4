"""Workflow run notification streams: one workflow's, or many workflows' merged.

A part of :class:`~b3os_async.resources.workflows.Workflows` (``b3.workflows.stream_runs(...)``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async._errors import ConfigurationError
from b3os_async._streams.merge import MergedEventStream
from b3os_async._streams.notifications import RunNotificationStream
from b3os_async._transport.paths import path
from b3os_async.resources._args import id_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async.models.events import RunEvent

__all__ = ["MAX_WORKFLOWS_PER_STREAM", "WorkflowStreams"]

#: ``GET /v1/workflow-runs/stream`` accepts at most this many workflow ids.
MAX_WORKFLOWS_PER_STREAM = 24


class WorkflowStreams(Resource):
    """Run notification streams of workflows; mixed into ``b3.workflows``."""

    __slots__ = ()

    def stream_runs(
        self, workflow_id: str, *, last_event_id: str | None = None
    ) -> RunNotificationStream:
        """Follow a workflow's run notifications (``run_started``, ``run_completed``, ...).

        The stream never ends on its own: close it (``async with``) when done. It resumes
        after reconnects with ``Last-Event-ID``; events are :class:`RunEvent`.
        """
        return RunNotificationStream(
            self._req,
            path("/v1/workflows/{}/runs/stream", workflow_id),
            last_event_id=last_event_id,
        )

    def stream_runs_many(
        self, workflow_ids: Sequence[str], *, last_event_id: str | None = None
    ) -> MergedEventStream[RunEvent]:
        """Follow the run notifications of many workflows as one stream.

        The API accepts at most 24 workflow ids per stream (``/v1/workflow-runs/stream?ids=``),
        so the ids (duplicates removed) are split into groups of 24, one connection each, and
        their events merged in arrival order. Ids the key cannot see are silently dropped by the
        server. ``last_event_id`` is sent by every connection (the ids of these notifications
        are per organization).
        """
        joined = id_list(workflow_ids, "workflow_ids")
        ids = list(dict.fromkeys(joined.split(","))) if joined else []
        if not ids:
            raise ConfigurationError("stream_runs_many() needs at least one workflow id")
        sources = [
            RunNotificationStream(
                self._req,
                "/v1/workflow-runs/stream",
                params={"ids": ",".join(ids[i : i + MAX_WORKFLOWS_PER_STREAM])},
                last_event_id=last_event_id,
            )
            for i in range(0, len(ids), MAX_WORKFLOWS_PER_STREAM)
        ]
        return MergedEventStream(sources)
