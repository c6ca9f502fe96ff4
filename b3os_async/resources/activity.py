"""``b3.activity``: the organization-wide notification stream."""

from __future__ import annotations

from b3os_async._streams.notifications import ActivityStream
from b3os_async.resources._base import Resource

__all__ = ["Activity"]


class Activity(Resource):
    """Organization activity (``/v1/activity``). Get it as ``b3.activity``."""

    __slots__ = ()

    def stream(self, *, last_event_id: str | None = None) -> ActivityStream:
        """Follow the organization's notifications (``GET /v1/activity/stream``).

        Events are :class:`~b3os_async.ActivityEvent` (``workflow_created``,
        ``workflow_published``, ``run_started``, ``run_completed``, ...; unknown types are
        kept). The stream never ends on its own: close it (``async with``) when done. It
        resumes after reconnects with ``Last-Event-ID`` and never repeats an event.
        """
        return ActivityStream(self._req, "/v1/activity/stream", last_event_id=last_event_id)
