"""``b3.activity``: the organization-wide notification stream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.resources._base import Resource
from b3os_async.streams import ActivityStream

if TYPE_CHECKING:
    from b3os_async._retry import RetryPolicy
    from b3os_async._streams.config import ReconnectCallback, StreamTimeouts

__all__ = ["Activity"]


class Activity(Resource):
    """Organization activity (``/v1/activity``). Get it as ``b3.activity``."""

    def stream(
        self,
        *,
        last_event_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> ActivityStream:
        """Follow the organization's notifications (``GET /v1/activity/stream``).

        Events are :class:`~b3os_async.ActivityEvent` (``workflow_created``,
        ``workflow_published``, ``run_started``, ``run_completed``, ...; unknown types are
        kept). The stream never ends on its own: close it (``async with``) when done. It
        resumes after reconnects with ``Last-Event-ID`` and never repeats an event.
        """
        return ActivityStream(
            self._session,
            "/v1/activity/stream",
            last_event_id=last_event_id,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )
