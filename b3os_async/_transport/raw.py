"""Raw response access: :class:`RawResponse` and :class:`ResponseMeta`.

:meth:`B3OS.with_raw_response` works through a context variable holding a capture slot
(:mod:`b3os_async._transport.capture`, which the session imports without these classes): the session
writes the :class:`ResponseMeta` of every final response into the slot that is current in the
calling task's context, so awaiting any SDK coroutine inside :func:`with_raw_response` records its
response metadata without a parallel class hierarchy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from b3os_async._transport.capture import Capture, capture_slot

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

__all__ = ["RawResponse", "ResponseMeta", "with_raw_response"]

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
    slot = Capture()
    token = capture_slot.set(slot)
    try:
        parsed = await awaitable
    finally:
        capture_slot.reset(token)
    if slot.meta is None:
        raise TypeError("with_raw_response(): the awaited call made no HTTP request")
    return RawResponse(parsed=parsed, meta=slot.meta)
