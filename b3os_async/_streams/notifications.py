"""Notification streams: run notifications of workflows, and the organization's activity.

``/v1/workflows/{id}/runs/stream``, ``/v1/workflow-runs/stream?ids=`` and ``/v1/activity/stream``
have no terminal event and no reconcile: they dedupe by event id, resume with ``Last-Event-ID``
and run until closed (the shared rules are in :mod:`b3os_async._streams`).
"""

from __future__ import annotations

from b3os_async._streams.events import decode_activity_event, decode_run_event
from b3os_async._streams.machine import EventStream
from b3os_async.models.events import ActivityEvent, RunEvent

__all__ = ["ActivityStream", "RunNotificationStream"]


class RunNotificationStream(EventStream[RunEvent]):
    """Run started / finished notifications of one or more workflows; runs until closed.

    Events are :class:`RunEvent` (``run_started``, ``run_completed``, ``run_failed``,
    ``run_cancelled`` with ``run_id``, ``workflow_id`` and ``status``). It dedupes by event id
    and resumes with ``Last-Event-ID``; it has no terminal event and no reconcile.
    """

    __slots__ = ()
    _decode = staticmethod(decode_run_event)


class ActivityStream(EventStream[ActivityEvent]):
    """Organization-wide notifications (``b3.activity.stream()``); runs until closed."""

    __slots__ = ()
    _decode = staticmethod(decode_activity_event)
