"""The event the decoder dispatches and the encoder writes: :class:`ServerSentEvent`."""

from __future__ import annotations

import attrs

__all__ = ["ServerSentEvent"]


@attrs.frozen(kw_only=True)
class ServerSentEvent:
    """One dispatched Server-Sent Event.

    ``event`` is the type (``"message"`` when the block had no non-empty ``event`` field).
    ``data`` is the block's ``data`` lines joined by LF. ``id`` is the last event ID string at
    dispatch: it is sticky, so an event without an ``id`` field carries the previous one (``""``
    when none was ever set, or after an empty ``id`` field reset it). ``retry`` is the
    reconnection time in milliseconds set by a valid ``retry`` field in *this* event's block,
    else ``None`` (the persistent value is :attr:`SSEDecoder.retry`).
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None


# Why: the frozen attrs ``__init__`` goes through ``object.__setattr__`` per field and costs about
# as much as all the rest of decoding a small event. ServerSentEvent has no validators,
# converters or post-init hook, so writing its four slots through their descriptors builds an
# instance identical to ``ServerSentEvent(...)`` (a test checks that this stays true).
_SET_EVENT, _SET_DATA, _SET_ID, _SET_RETRY = (
    ServerSentEvent.__dict__[name].__set__ for name in ("event", "data", "id", "retry")
)


def _new_event(event: str, data: str, id: str, retry: int | None) -> ServerSentEvent:
    """Build a :class:`ServerSentEvent` without its ``__init__`` (see above)."""
    sse: ServerSentEvent = object.__new__(ServerSentEvent)
    _SET_EVENT(sse, event)
    _SET_DATA(sse, data)
    _SET_ID(sse, id)
    _SET_RETRY(sse, retry)
    return sse
