"""One attempt and one open event-stream response: reading it without losing bytes, release.

:func:`open_response` makes one attempt (one request, no retries of its own) and returns the
response, or why it failed. :class:`Connection` is the transport half of a stream: the state
machine (:mod:`b3os_async._streams.machine`) makes one per successful attempt and drops it when
the connection ends. It owns the response, the connection's SSE decoder and two pieces of per-
connection state (the last id it set, whether it brought anything new).

Why :meth:`Connection.read` does not simply call ``readany()``: aiohttp's ``StreamReader`` raises a
pending connection error *before* returning bytes it already buffered. A server (or proxy) that
writes a burst of events and resets the connection in the same moment would lose the burst, the
stream would reconnect asking for the same position, and the same thing would happen again. So
when ``readany()`` raises, the bytes still buffered are returned first and the error is raised by
the next read.

Why a watchdog of our own: aiohttp's ``sock_read`` timer covers a silent server, but aiohttp
drops that timer without waking the reader when the connection is closed under it (a closed
session or connector). The watchdog closes the response itself once ``idle`` seconds passed in a
read without a byte, which wakes the reader with a connection error. Only time spent *waiting in
a read* counts: a consumer busy with buffered events is not a silent server.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import TYPE_CHECKING, Any

import aiohttp

from b3os_async._errors import APIConnectionError, APITimeoutError, redact_url
from b3os_async._retry import Failure
from b3os_async._streams.budget import Ending
from b3os_async._streams.endings import not_an_event_stream, request_error_ending, status_ending
from b3os_async._transport.body import read_error_body as transport_error_body

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async._streams.pacing import Pacer
    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import Requester
    from b3os_async.sse import SSEDecoder

__all__ = ["Connection", "open_response", "read_error_body"]


async def open_response(
    req: Requester,
    path: str,
    params: Mapping[str, QueryValue] | None,
    request: tuple[str, dict[str, str] | None, Any],
    *,
    pacer: Pacer,
    url: str,
) -> aiohttp.ClientResponse | Ending:
    """One attempt: a 2xx ``text/event-stream`` response (or a 204), else why it failed.

    ``request`` is (method, extra headers, JSON body or ``NOT_GIVEN``); ``url`` names the stream
    in messages. A 2xx that is not an event stream raises :class:`StreamError` (not retried).
    """
    method, headers, body = request
    timeouts = req.options.stream_timeouts
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=timeouts.connect, sock_read=timeouts.idle
    )
    limit = timeouts.first_byte
    remaining = pacer.remaining()
    if remaining is not None:
        limit = remaining if limit is None else min(limit, remaining)
    opening = req.manager.open_stream(
        path, req.options, method=method, params=params, headers=headers, json=body,
        timeout=timeout,
    )  # fmt: skip
    policy = pacer.budget.policy
    try:
        resp = await pacer.race(opening, limit)
    except asyncio.TimeoutError as exc:
        pacer.check_deadline(url)
        error = APITimeoutError(
            f"{method} {url} (stream): no response headers within {limit:g}s",
            method=method,
            url=url,
        )
        error.__cause__ = exc
        return Ending("timeout", error, Failure.TIMEOUT)
    except APIConnectionError as exc:
        return request_error_ending(exc, policy)
    status = resp.status
    shown = redact_url(resp.url)
    if 200 <= status < 300:
        if status == 204 or resp.content_type == "text/event-stream":
            return resp
        resp.close()
        raise not_an_event_stream(method, shown, status, resp.headers.get("Content-Type"))
    return status_ending(
        status=status,
        reason=resp.reason,
        headers=resp.headers,
        body=await read_error_body(resp),
        method=method,
        url=shown,
        policy=policy,
    )


class Connection:
    """An adopted event-stream response (see the module docstring)."""

    __slots__ = (
        "__weakref__",
        "_error",
        "_handle",
        "_idle",
        "_read_since",
        "decoder",
        "idle_fired",
        "opened_at",
        "prev_id",
        "progressed",
        "resp",
    )

    def __init__(
        self, resp: aiohttp.ClientResponse, decoder: SSEDecoder, idle: float | None
    ) -> None:
        loop = asyncio.get_running_loop()
        self.resp = resp
        self.decoder = decoder
        self.prev_id = ""  # the id the last event of this connection carried (ids are sticky)
        self.progressed = False  # did it bring a new event or id?
        self.opened_at = loop.time()
        self.idle_fired = False
        self._idle = idle
        self._read_since: float | None = None
        self._error: BaseException | None = None
        self._handle: asyncio.TimerHandle | None = None
        if idle is not None:
            # A weak reference: the timer must not keep an abandoned connection (socket) alive.
            self._handle = loop.call_at(self.opened_at + idle, _tick, weakref.ref(self))

    async def read(self) -> bytes:
        """The next bytes of the body (``b""`` at its end); bytes before a reset come first."""
        error = self._error
        if error is not None:
            self._error = None
            raise error
        content = self.resp.content
        self._read_since = asyncio.get_running_loop().time()
        try:
            return await content.readany()
        except (aiohttp.ClientError, OSError) as exc:
            buffered = _buffered(content)
            if not buffered:
                raise
            self._error = exc
            return buffered
        finally:
            self._read_since = None

    def close(self) -> None:
        """Close the connection (unfinished body): the socket is not reused."""
        self._cancel_watchdog()
        self.resp.close()

    def release(self) -> None:
        """Release the connection after its body ended: it may go back to the pool."""
        self._cancel_watchdog()
        self.resp.release()

    def close_quietly(self) -> None:
        """Close from a finalizer: a loop that is already closed is not an error."""
        # RuntimeError: "Event loop is closed" while waking a reader of a loop that is gone.
        with contextlib.suppress(RuntimeError):
            self.close()

    def _cancel_watchdog(self) -> None:
        handle = self._handle
        if handle is not None:
            self._handle = None
            handle.cancel()

    def _watch(self) -> None:
        """The watchdog fired: close a response whose read waited ``idle`` seconds, else re-arm."""
        self._handle = None
        idle = self._idle
        if idle is None:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        since = self._read_since
        if since is not None and now >= since + idle:
            self.idle_fired = True
            self.resp.close()  # wakes a pending read (ClientConnectionError), even on a dead socket
            return
        due = (now if since is None else since) + idle
        self._handle = loop.call_at(due, _tick, weakref.ref(self))


def _tick(ref: weakref.ref[Connection]) -> None:
    """Timer callback of the idle watchdog (holds the connection weakly)."""
    connection = ref()
    if connection is not None:
        connection._watch()


def _buffered(content: aiohttp.StreamReader) -> bytes:
    """The bytes ``content`` still holds after its reader raised (see the module docstring).

    aiohttp offers no public way to read past a pending error; ``_read_nowait`` is the method its
    own ``readany()`` ends with. If a future aiohttp renames it, we only lose the old behaviour
    (the burst is dropped and re-requested), never correctness.
    """
    if not getattr(content, "_buffer", None):
        return b""
    read_nowait = getattr(content, "_read_nowait", None)
    if read_nowait is None:
        return b""
    try:
        data = read_nowait(-1)
    except Exception:
        return b""
    return bytes(data) if data else b""


async def read_error_body(resp: aiohttp.ClientResponse) -> bytes:
    """The start of a stream attempt's error body (as for requests), then release the response.

    A body that breaks while being read only shortens the message: the status decides.
    """
    try:
        return await transport_error_body(resp)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return b""
    finally:
        resp.release()  # harmless after the close of an over-long body
