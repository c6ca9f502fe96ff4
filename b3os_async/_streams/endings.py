"""How an attempt or a connection ended, as an :class:`~b3os_async._streams.budget.Ending`.

Mapping only (no I/O, no stream state): an HTTP error status, an ``event: error`` frame inside a
200, a failed request of a subclass hook, a broken or silent body. The same error classes as any
request of the SDK; statuses in the ``reconnect`` policy's ``retry_statuses`` and network errors
are retried, anything else is *fatal* (raised to the consumer), TLS errors included.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import aiohttp

from b3os_async._errors import APIConnectionError, APIStatusError, APITimeoutError, StreamError
from b3os_async._retry import Failure, parse_retry_after
from b3os_async._streams.budget import Ending
from b3os_async._transport.errors import error_from_response
from b3os_async._transport.http import classify_exception, scrub_exception
from b3os_async._transport.json_parser import loads

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async._retry import RetryPolicy
    from b3os_async.sse import ServerSentEvent

__all__ = [
    "describe",
    "discard",
    "error_event_ending",
    "not_an_event_stream",
    "read_error_ending",
    "request_error_ending",
    "status_ending",
]


def status_ending(
    *,
    status: int,
    reason: str | None,
    headers: Mapping[str, str],
    body: bytes,
    method: str,
    url: str,
    policy: RetryPolicy,
) -> Ending:
    """An error response to an attempt (``status`` is not 2xx)."""
    retry_after = headers.get("Retry-After")
    error = error_from_response(
        status=status,
        reason=reason,
        headers=headers,
        body=body,
        method=method,
        url=url,
        retry_after=parse_retry_after(retry_after),
    )
    fatal = status not in policy.retry_statuses
    return Ending(f"status {status}", error, status, retry_after, fatal=fatal)


def not_an_event_stream(
    method: str, url: str, status: int, content_type: str | None
) -> StreamError:
    """The error for a 2xx answer that is not ``text/event-stream`` (raised at once)."""
    return StreamError(
        f"{method} {url} answered {status} with Content-Type {content_type!r}, not "
        "text/event-stream: this is not an event stream (a proxy page, or the wrong base_url?)"
    )


def error_event_ending(sse: ServerSentEvent, url: str, policy: RetryPolicy) -> Ending:
    """An ``event: error`` frame, mapped exactly like an HTTP error body.

    Its JSON may carry ``status`` (400-599; anything else counts as 500, a server failure) and
    ``retryAfter`` (seconds, like a ``Retry-After`` header).
    """
    try:
        payload = loads(sse.data)
    except ValueError:
        payload = None
    status = payload.get("status") if isinstance(payload, dict) else None
    if type(status) is not int or not 400 <= status <= 599:
        status = 500
    hint = payload.get("retryAfter") if isinstance(payload, dict) else None
    retry_after = str(hint) if isinstance(hint, (int, float, str)) else None
    error = error_from_response(
        status=status,
        reason=None,
        headers={},
        body=sse.data.encode(),
        method="GET",
        url=url,
        retry_after=parse_retry_after(retry_after),
    )
    fatal = status not in policy.retry_statuses
    return Ending(f"error_event {status}", error, status, retry_after, fatal=fatal)


def request_error_ending(exc: APIStatusError | APIConnectionError, policy: RetryPolicy) -> Ending:
    """A failed attempt to connect, or a failed request of a subclass hook (a reconcile)."""
    if isinstance(exc, APIStatusError):
        fatal = exc.status not in policy.retry_statuses
        retry_after = exc.headers.get("Retry-After")
        return Ending(f"status {exc.status}", exc, exc.status, retry_after, fatal=fatal)
    failure = _failure_of(exc)
    reason = "timeout" if isinstance(exc, APITimeoutError) else "connection_error"
    return Ending(reason, exc, failure, fatal=failure is Failure.TLS)


def read_error_ending(exc: BaseException, *, idle: float | None, idle_fired: bool) -> Ending:
    """A read of an open body that failed: an idle timeout, or a broken connection."""
    if idle_fired or isinstance(exc, asyncio.TimeoutError):
        error: BaseException = exc
        if idle_fired:  # our watchdog closed the response (aiohttp's timer was lost)
            error = asyncio.TimeoutError(f"no data for {idle:g}s")
            error.__cause__ = exc
        return Ending("idle_timeout", error, Failure.TIMEOUT)
    return Ending("connection_error", scrub_exception(exc), Failure.CONNECTION)


def describe(reason: str) -> str:
    """Words for a failure that carries no exception (a clean end without a new event)."""
    if reason == "eof":
        return "the server ended the stream without sending a new event"
    return reason


def discard(task: asyncio.Future[Any]) -> None:
    """Done-callback of an abandoned task: consume its outcome, close a response it produced."""
    if task.cancelled():
        return
    if task.exception() is None:
        result = task.result()
        if isinstance(result, aiohttp.ClientResponse):
            result.close()


def _failure_of(exc: APIConnectionError) -> Failure:
    """The retry Failure kind of a connection error raised by the session (via its cause)."""
    cause = exc.__cause__
    if cause is not None:
        return classify_exception(cause)[0]
    return Failure.TIMEOUT if isinstance(exc, APITimeoutError) else Failure.CONNECTION
