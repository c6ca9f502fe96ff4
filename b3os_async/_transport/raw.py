"""Raw response access: :class:`RawResponse`, :class:`ResponseMeta` and the capture slot.

:meth:`B3OS.with_raw_response` works through a context variable holding a capture slot: the session
writes the :class:`ResponseMeta` of every final response into the slot that is current in the
calling task's context, so awaiting any SDK coroutine inside :func:`with_raw_response` records its
response metadata without a parallel class hierarchy.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

__all__ = ["RawResponse", "ResponseMeta", "capturing", "record_response", "with_raw_response"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class ResponseMeta:
    """Metadata of the final HTTP response of a call (see :meth:`B3OS.with_raw_response`).

    ``elapsed`` covers the whole call, retries and waits included; ``retries_taken`` is the number
    of attempts after the first; ``request_id`` is the body's ``requestId``, else the
    ``X-Request-ID`` header; ``url`` has credential-bearing query values redacted.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    request_id: str | None
    retries_taken: int
    elapsed: float
    method: str
    url: str


@attrs.frozen(kw_only=True)
class RawResponse(Generic[T]):
    """A parsed result together with the :class:`ResponseMeta` of the response it came from."""

    parsed: T
    meta: ResponseMeta


@attrs.define
class _Capture:
    meta: ResponseMeta | None = None


_capture: ContextVar[_Capture | None] = ContextVar("b3os_async_raw_capture", default=None)


def capturing() -> bool:
    """Whether a :func:`with_raw_response` is waiting for this task's response metadata."""
    return _capture.get() is not None


def record_response(meta: ResponseMeta) -> None:
    """Store ``meta`` in the current capture slot, if a :func:`with_raw_response` is active."""
    slot = _capture.get()
    if slot is not None:
        slot.meta = meta


async def with_raw_response(awaitable: Awaitable[T]) -> RawResponse[T]:
    """Await ``awaitable`` (an SDK coroutine) and return its result with the response metadata.

    Pass the coroutine itself (``with_raw_response(b3.workflows.get(id))``), not a Task: a task
    has already copied its context, so its response could not be captured. When the coroutine
    makes several requests, the metadata is that of the last one.
    """
    import asyncio  # already loaded by then: a running loop awaits this; keeps imports cheap

    if asyncio.isfuture(awaitable):
        raise TypeError(
            "with_raw_response() needs the coroutine itself, not a Task or Future "
            "(a task copies its context when created, so its response cannot be captured)"
        )
    slot = _Capture()
    token = _capture.set(slot)
    try:
        parsed = await awaitable
    finally:
        _capture.reset(token)
    if slot.meta is None:
        raise TypeError("with_raw_response(): the awaited call made no HTTP request")
    return RawResponse(parsed=parsed, meta=slot.meta)
