"""Any SSE endpoint as a stream of raw events: the streaming half of the escape hatch.

``b3.stream("/v1/some/stream")`` follows an endpoint the SDK does not wrap yet with the same
reconnect, resume and dedupe rules as every other stream (:mod:`b3os_async._streams`), yielding
the decoded :class:`~b3os_async.sse.ServerSentEvent` s as they are. It has no terminal event:
it runs until the server answers 204, an error ends it, or it is closed.
"""

from __future__ import annotations

from b3os_async._streams.machine import EventStream
from b3os_async.sse import ServerSentEvent

__all__ = ["RawEventStream"]


def _as_is(sse: ServerSentEvent, event_id: str | None) -> ServerSentEvent:
    return sse


class RawEventStream(EventStream[ServerSentEvent]):
    """Raw Server-Sent Events of any endpoint, deduped by id across reconnects; runs until closed.

    Each event's ``id`` is the SSE id as sent (sticky: an event without its own ``id`` field
    carries the previous one). Get one from ``b3.stream(path)``.
    """

    __slots__ = ()
    _decode = staticmethod(_as_is)
