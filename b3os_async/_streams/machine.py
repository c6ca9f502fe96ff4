"""The event stream shared by every stream of the SDK: one explicit state machine.

The rules it follows are stated once, in :mod:`b3os_async._streams`; this module implements them.
:class:`EventStream` is driven by ``__anext__`` (never an async generator, whose ``aclose()`` races
with a running ``__anext__``): each call returns the next buffered event, or makes progress until
there is one -- connect or reconnect, or read one chunk. Its state is held by small objects with
one owner each: the current :class:`~b3os_async._streams.connection.Connection`, the
:class:`~b3os_async._streams.budget.ReconnectBudget`, two
:class:`~b3os_async._streams.dedupe.DedupeWindow` (events handed out; ids the server sent), and
the :class:`Phase`. Subclasses say what is specific to an endpoint through five hooks:
``_accept`` (decode + dedupe one event; may end the stream), ``_after_connect``, ``_on_hold``,
``_on_no_content`` and ``_request`` (method, headers and body of an attempt).
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import aiohttp

from b3os_async._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    StreamError,
    redact_url,
)
from b3os_async._retry import Failure, parse_retry_after
from b3os_async._streams.budget import Ending, ReconnectBudget
from b3os_async._streams.config import ReconnectInfo
from b3os_async._streams.connection import Connection, read_error_body
from b3os_async._streams.dedupe import DedupeWindow, id_key
from b3os_async._transport.errors import error_from_response
from b3os_async._transport.http import NOT_GIVEN, classify_exception
from b3os_async._transport.json_parser import loads
from b3os_async.sse import SSEDecoder

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping
    from types import TracebackType

    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import Requester
    from b3os_async.sse import ServerSentEvent

__all__ = ["EventStream", "Phase"]

logger = logging.getLogger("b3os_async")

T = TypeVar("T")


class _Event(Protocol):
    @property
    def id(self) -> str | None: ...


E = TypeVar("E", bound=_Event)


class Phase(enum.Enum):
    """Where a stream is in its life (``IDLE <-> OPEN`` until one of the three ends)."""

    IDLE = "idle"  # no connection: before the first one, or between two
    OPEN = "open"  # a response is being read
    ENDED = "ended"  # nothing more will arrive; events already buffered are still handed out
    CLOSED = "closed"  # aclose(): nothing more is handed out
    CLIENT_CLOSED = "client_closed"  # B3OS.aclose(): the consumer gets ConfigurationError


_STOPPED = (Phase.CLOSED, Phase.CLIENT_CLOSED)


class _Closed(Exception):
    """Raised inside the loop when the stream is over or aclose() interrupted a wait."""


class EventStream(Generic[E]):
    """An async iterator over the typed events of one SSE endpoint that survives reconnects.

    Use it as ``async with stream: async for event in stream: ...`` (or call :meth:`aclose`).
    """

    __slots__ = (
        "__weakref__",
        "_budget",
        "_closed_fut",
        "_conn",
        "_connections",
        "_cursor",
        "_deadline_at",
        "_dedupe",
        "_ending",
        "_held",
        "_hold",
        "_idless",
        "_last_event_id",
        "_params",
        "_path",
        "_pending",
        "_phase",
        "_req",
        "_shown",
        "_wait",
        "_wire",
    )

    def __init__(
        self,
        requester: Requester,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        last_event_id: str | None = None,
    ) -> None:
        if last_event_id is not None:
            # The decoder rejects NUL/CR/LF (a header injection); check it before any I/O.
            SSEDecoder(last_event_id=last_event_id)
        self._req = requester
        self._path = path
        self._params = params
        self._shown = path  # for messages; the full URL is only known to the session
        self._phase = Phase.IDLE
        self._conn: Connection | None = None
        self._connections = 0
        self._budget = ReconnectBudget(requester.options.reconnect)
        self._dedupe = DedupeWindow()  # keys of the events handed out
        self._wire = DedupeWindow()  # ids the server sent (new ones are progress)
        self._cursor = last_event_id or None  # the resume point: the last id the server sent
        self._last_event_id = last_event_id or None  # the last id handed out
        if self._cursor is not None:
            self._dedupe.remember(id_key(self._cursor))
            self._wire.remember(id_key(self._cursor))
        self._pending: deque[E] = deque()
        self._ending: Ending | None = None
        self._held: list[ServerSentEvent] | None = None
        self._hold = False  # stop before the next event if it has no id (see _on_hold)
        self._idless: bool | None = None  # did the last event lack an id? (None: no event yet)
        self._wait: float | None = None
        self._deadline_at: float | None = None
        self._closed_fut: asyncio.Future[None] | None = None
        # aclose() of the client ends this stream (a weak reference: a dropped stream is freed).
        requester.manager.pools.track_stream(self)

    # -- public surface --------------------------------------------------------------------------

    @property
    def last_event_id(self) -> str | None:
        """The id of the last event handed out that carried one (resume a new stream from it)."""
        return self._last_event_id

    @property
    def closed(self) -> bool:
        """True once the stream ended (all events consumed, an error, or :meth:`aclose`)."""
        phase = self._phase
        return phase in _STOPPED or (phase is Phase.ENDED and not self._pending)

    def __aiter__(self) -> EventStream[E]:
        return self

    async def __anext__(self) -> E:
        pending = self._pending
        if not pending:
            await self._fill()
        event = pending.popleft()
        event_id = event.id
        if event_id:
            self._last_event_id = event_id
        return event

    async def __aenter__(self) -> EventStream[E]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def connect(self) -> None:
        """Open the connection now and return once the server's response headers arrived.

        Iterating connects by itself; call this to be sure you are subscribed *before* you
        trigger what produces the events (as :meth:`RunHandle.start` does). Failures are retried
        like reconnects; a stream that is already connected or ended returns at once.
        """
        if self._phase is not Phase.IDLE or self._connections:
            return
        try:
            await self._connect()
        except _Closed:
            self._raise_if_client_closed()
        except Exception:
            self._shutdown()
            raise

    async def aclose(self) -> None:
        """Close the stream and release its connection. Idempotent; safe from any task."""
        if self._phase not in _STOPPED:
            self._stop(Phase.CLOSED)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._shown!r}, last_event_id={self._last_event_id!r})"

    def __del__(self) -> None:
        # Why: aiohttp keeps an unreleased response alive from its own connection (a callback on
        # the body reader), so a stream dropped after a bare `break` would hold its socket until
        # the server hangs up. Closing the response is one synchronous call (no task, no await,
        # nothing when the loop is already closed), the same thing aiohttp's response does.
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close_quietly()

    # -- ending ------------------------------------------------------------------------------------

    def _on_client_closed(self) -> None:
        """The client is closing (``Pools.aclose``): end the stream now, synchronously.

        Like :meth:`aclose`, but the consumer's pending or next ``__anext__`` raises
        :class:`ConfigurationError`. A stream that already ended keeps its buffered events.
        """
        if self._phase not in _STOPPED and self._phase is not Phase.ENDED:
            self._stop(Phase.CLIENT_CLOSED)

    def _stop(self, phase: Phase) -> None:
        self._phase = phase
        self._pending.clear()
        self._ending = None
        # Closing the response wakes a pending read; the future interrupts a connect or a wait.
        self._drop(close=True)
        fut = self._closed_fut
        if fut is not None and not fut.done():
            fut.set_result(None)

    def _abandon(self) -> None:
        """Mark closed and close the socket, synchronously (for owners that are being freed)."""
        self._phase = Phase.CLOSED
        self._pending.clear()
        conn = self._conn
        self._conn = None
        if conn is not None:
            conn.close_quietly()

    def _shutdown(self) -> None:
        """End the stream for good and release its connection (sync; used on every exit)."""
        if self._phase not in _STOPPED:
            self._phase = Phase.ENDED
        self._pending.clear()
        self._ending = None
        self._drop(close=True)

    def _raise_if_client_closed(self) -> None:
        """Raise ConfigurationError when the client of this stream was closed under it."""
        if self._phase is Phase.CLIENT_CLOSED:
            raise ConfigurationError(
                f"the B3OS client was closed (aclose() was called) while the stream "
                f"{self._shown} was open; its events stop here. Create a new client to go on."
            )

    def _end_after_current(self) -> None:
        """No more events after those buffered (a terminal event, say): release the connection."""
        if self._phase not in _STOPPED:
            self._phase = Phase.ENDED
        self._drop(close=False)

    def _drop(self, *, close: bool) -> None:
        """Forget the current connection: ``close`` it (unfinished) or ``release`` it (at EOF)."""
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        if self._phase is Phase.OPEN:
            self._phase = Phase.IDLE
        if close:
            conn.close()
        else:
            conn.release()

    # -- the loop ----------------------------------------------------------------------------------

    async def _fill(self) -> None:
        """Make progress until an event is buffered; raise StopAsyncIteration when over."""
        pending = self._pending
        try:
            while not pending:
                phase = self._phase
                if phase in _STOPPED:
                    raise _Closed
                held = self._held
                if held is not None:
                    self._held = None
                    failed = await self._run_hook(self._on_hold())
                    if failed is not None:
                        self._ending = failed  # the held events go with the connection
                    elif self._phase is not Phase.ENDED:
                        self._take(held)
                    continue
                ending = self._ending
                if ending is not None:
                    self._ending = None
                    if ending.fatal and ending.error is not None:
                        raise ending.error
                    await self._plan_reconnect(ending)
                    continue
                if phase is Phase.ENDED:
                    raise _Closed
                conn = self._conn
                if conn is None:
                    await self._connect()
                else:
                    await self._read(conn)
        except _Closed:
            self._shutdown()
            self._raise_if_client_closed()
            raise StopAsyncIteration from None
        except Exception:
            self._shutdown()
            raise

    async def _read(self, conn: Connection) -> None:
        """Read one chunk of the open connection and decode it (or record why it ended)."""
        try:
            if self._deadline_at is None:
                chunk = await conn.read()
            else:
                chunk = await asyncio.wait_for(conn.read(), self._remaining())
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            if self._phase in _STOPPED:
                raise _Closed from None
            self._check_deadline()
            self._drop(close=True)
            if conn.idle_fired or isinstance(exc, asyncio.TimeoutError):
                error: BaseException = exc
                if conn.idle_fired:  # our watchdog closed the response (aiohttp's timer was lost)
                    idle = self._req.options.stream_timeouts.idle
                    error = asyncio.TimeoutError(f"no data for {idle:g}s")
                    error.__cause__ = exc
                self._ending = Ending("idle_timeout", error, Failure.TIMEOUT)
            else:
                self._ending = Ending("connection_error", exc, Failure.CONNECTION)
            return
        if self._phase in _STOPPED:
            raise _Closed
        if not chunk:
            self._drop(close=False)
            open_for = asyncio.get_running_loop().time() - conn.opened_at
            self._ending = Ending("eof", outcome=self._budget.eof(conn.progressed, open_for))
            return
        decoder = conn.decoder
        events = decoder.feed(chunk)  # a size cap raises StreamError: not retried
        retry = decoder.retry
        if retry is not None:
            self._budget.set_server_retry(retry)
        if events:
            self._take(events, conn)

    def _take(self, events: list[ServerSentEvent], conn: Connection | None = None) -> None:
        """Decode, dedupe and buffer the events of one chunk (the per-event hot path)."""
        conn = conn or self._conn
        pending = self._pending
        accept = self._accept
        seen = self._wire.seen
        prev_id = conn.prev_id if conn is not None else ""
        cursor = self._cursor
        idless = self._idless
        progressed = False
        for index, sse in enumerate(events):
            if sse.event == "error":
                self._error_event(sse)
                break
            sid = sse.id
            if sid and sid != prev_id:
                prev_id = sid
                event_id: str | None = sid
                idless = False
            else:
                event_id = None  # no id, or the sticky id of an earlier event
                idless = True
            if self._hold:
                # The subclass asked whether this connection replays: an event without an id says
                # no. Stop before it; `_fill` runs `_on_hold()`, then takes the held events.
                self._hold = False
                if event_id is None:
                    self._held = events[index:]
                    break
            if event_id is not None:
                cursor = event_id  # the resume point follows every id the server sent
                if not seen(id_key(event_id)):
                    progressed = True  # a new id is new information, even if the event is not
            event = accept(sse, event_id)
            if event is None:
                continue
            progressed = True
            pending.append(event)
            if self._phase is Phase.ENDED:  # the subclass saw the last event of the stream
                break
        if conn is not None:
            conn.prev_id = prev_id
        self._cursor = cursor
        self._idless = idless
        if progressed:
            self._progress()

    def _progress(self) -> None:
        """New information arrived: the failure streak ends and the connection counts as good."""
        self._budget.progress()
        conn = self._conn
        if conn is not None:
            conn.progressed = True

    def _error_event(self, sse: ServerSentEvent) -> None:
        """Map an ``event: error`` frame like an HTTP error response and end the connection."""
        try:
            payload = loads(sse.data)
        except ValueError:
            payload = None
        status = payload.get("status") if isinstance(payload, dict) else None
        if type(status) is not int or not 400 <= status <= 599:
            status = 500  # an error the server did not qualify: treated as a server failure
        hint = payload.get("retryAfter") if isinstance(payload, dict) else None
        retry_after = str(hint) if isinstance(hint, (int, float, str)) else None
        error = error_from_response(
            status=status,
            reason=None,
            headers={},
            body=sse.data.encode(),
            method="GET",
            url=self._shown,
            retry_after=parse_retry_after(retry_after),
        )
        self._drop(close=True)
        fatal = status not in self._budget.policy.retry_statuses
        self._ending = Ending(f"error_event {status}", error, status, retry_after, fatal=fatal)

    # -- connecting --------------------------------------------------------------------------------

    async def _connect(self) -> None:
        """Connect (waiting first when a reconnect is planned); retry failures within budget."""
        loop = asyncio.get_running_loop()
        deadline = self._req.options.stream_timeouts.deadline
        if self._deadline_at is None and deadline is not None:
            self._deadline_at = loop.time() + deadline
        while True:
            delay = self._wait
            if delay is not None:
                self._wait = None
                if self._deadline_at is not None and loop.time() + delay > self._deadline_at:
                    raise self._deadline_error()
                await self._race(asyncio.sleep(delay), None)
            self._check_deadline()
            ending = await self._attempt()
            if ending is None:
                return
            if ending.fatal and ending.error is not None:
                raise ending.error
            await self._plan_reconnect(ending)

    async def _attempt(self) -> Ending | None:
        """One connection attempt: None when connected (or ended by 204), else why it failed."""
        timeouts = self._req.options.stream_timeouts
        method, headers, body = self._request()
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.connect, sock_read=timeouts.idle
        )
        limit = timeouts.first_byte
        remaining = self._remaining()
        if remaining is not None:
            limit = remaining if limit is None else min(limit, remaining)
        opening = self._req.manager.open_stream(
            self._path,
            self._req.options,
            method=method,
            params=self._params,
            headers=headers,
            json=body,
            timeout=timeout,
        )
        try:
            resp = await self._race(opening, limit)
        except asyncio.TimeoutError as exc:
            self._check_deadline()
            error = APITimeoutError(
                f"{method} {self._shown} (stream): no response headers within {limit:g}s",
                method=method,
                url=self._shown,
            )
            error.__cause__ = exc
            return Ending("timeout", error, Failure.TIMEOUT)
        except APIConnectionError as exc:
            failure = _failure_of(exc)
            reason = "timeout" if isinstance(exc, APITimeoutError) else "connection_error"
            return Ending(reason, exc, failure, fatal=failure is Failure.TLS)
        self._shown = redact_url(resp.url)
        status = resp.status
        if status == 204:
            resp.release()
            self._phase = Phase.ENDED
            self._connections += 1
            await self._on_no_content()
            return None
        if 200 <= status < 300:
            if resp.content_type != "text/event-stream":
                resp.close()
                raise StreamError(
                    f"{method} {self._shown} answered {status} with Content-Type "
                    f"{resp.headers.get('Content-Type')!r}, not text/event-stream: this is not "
                    "an event stream (a proxy page, or the wrong base_url?)"
                )
            return await self._adopt(resp)
        body_bytes = await read_error_body(resp)
        retry_after = resp.headers.get("Retry-After")
        status_error = error_from_response(
            status=status,
            reason=resp.reason,
            headers=resp.headers,
            body=body_bytes,
            method=method,
            url=self._shown,
            retry_after=parse_retry_after(retry_after),
        )
        fatal = status not in self._budget.policy.retry_statuses
        return Ending(f"status {status}", status_error, status, retry_after, fatal=fatal)

    async def _adopt(self, resp: aiohttp.ClientResponse) -> Ending | None:
        """Make a good response the current connection, then run ``_after_connect``."""
        size = self._req.options.max_event_size
        decoder = SSEDecoder(max_line_size=size, max_event_size=size)
        self._conn = Connection(resp, decoder, self._req.options.stream_timeouts.idle)
        self._phase = Phase.OPEN
        first = self._connections == 0
        self._connections += 1
        return await self._run_hook(self._after_connect(first))

    async def _run_hook(self, hook: Awaitable[None]) -> Ending | None:
        """Await a subclass hook that may send requests; a failed request ends the connection.

        A request error becomes an ending like a failed attempt: retryable statuses and network
        errors reconnect (within the budget), anything else is raised.
        """
        try:
            await hook
        except APIStatusError as exc:
            self._drop(close=True)
            fatal = exc.status not in self._budget.policy.retry_statuses
            retry_after = exc.headers.get("Retry-After")
            return Ending(f"status {exc.status}", exc, exc.status, retry_after, fatal=fatal)
        except APIConnectionError as exc:
            self._drop(close=True)
            failure = _failure_of(exc)
            return Ending("connection_error", exc, failure, fatal=failure is Failure.TLS)
        return None

    async def _plan_reconnect(self, ending: Ending) -> None:
        """Decide the wait before the next attempt, report it, or give up (StreamError)."""
        plan = self._budget.plan(ending, time.monotonic())
        if plan.give_up is not None:
            last_error = ending.error or _describe(ending.reason)
            raise StreamError(
                f"stream {self._shown} could not be resumed: {plan.give_up} "
                f"(last error: {last_error})"
            ) from ending.error
        info = ReconnectInfo(
            attempt=plan.attempt,
            delay=plan.delay,
            last_event_id=self._cursor,
            reason=ending.reason,
            error=ending.error,
            failures=plan.failures,
        )
        logger.info(
            "stream %s: reconnect attempt %d in %.3fs, resuming after id %s (%s%s)",
            self._shown,
            info.attempt,
            info.delay,
            info.last_event_id or "<none>",
            ending.reason,
            f": {ending.error}" if ending.error is not None else "",
        )
        callback = self._req.options.on_reconnect
        if callback is not None:
            result = callback(info)
            if inspect.isawaitable(result):
                await result
        self._wait = plan.delay

    async def _race(self, awaitable: Awaitable[T], timeout: float | None) -> T:
        """Await ``awaitable`` in a task, unless aclose() (-> _Closed) or ``timeout`` comes first.

        Why a task: aclose() from another task must interrupt a connect, a reconcile request or a
        wait promptly, and cancelling the consumer's own task instead would turn into a
        CancelledError for the caller. Only used around connects and waits, never per event.
        """
        closed = self._closed_fut
        if closed is None:
            closed = self._closed_fut = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait(
                (task, closed), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        except BaseException:
            task.cancel()
            task.add_done_callback(_discard)
            raise
        if task in done:
            return task.result()
        task.cancel()
        task.add_done_callback(_discard)
        if closed.done():
            raise _Closed
        raise asyncio.TimeoutError

    def _remaining(self) -> float | None:
        if self._deadline_at is None:
            return None
        return max(0.0, self._deadline_at - asyncio.get_running_loop().time())

    def _check_deadline(self) -> None:
        if self._deadline_at is not None and self._remaining() == 0.0:
            raise self._deadline_error()

    def _deadline_error(self) -> APITimeoutError:
        deadline = self._req.options.stream_timeouts.deadline
        return APITimeoutError(
            f"stream {self._shown} exceeded its deadline of {deadline:g}s",
            method="GET",
            url=self._shown,
        )

    # -- subclass hooks ----------------------------------------------------------------------------

    def _request(self) -> tuple[str, dict[str, str] | None, Any]:
        """Method, extra headers and body (``NOT_GIVEN``: none) of the next attempt.

        Default: ``GET`` with ``Last-Event-ID`` when a resume point is known.
        """
        cursor = self._cursor
        return "GET", ({"Last-Event-ID": cursor} if cursor else None), NOT_GIVEN

    def _decode(self, sse: ServerSentEvent, event_id: str | None) -> E:
        """Build the typed event of one SSE event (``event_id`` is None when it set no id)."""
        raise NotImplementedError

    def _accept(self, sse: ServerSentEvent, event_id: str | None) -> E | None:
        """Decode one SSE event and dedupe it by id: the event to hand out, or None to drop it.

        Runs once per event (the hot path): a subclass may replace it whole, e.g. to dedupe by
        another key, drop stale events, or end the stream after an event
        (:meth:`_end_after_current`).
        """
        event = self._decode(sse, event_id)
        if event_id is not None and self._dedupe.seen(id_key(event_id)):
            return None
        return event

    async def _after_connect(self, first: bool) -> None:
        """Runs once a connection is established (``first``: the stream's first connection)."""

    async def _on_hold(self) -> None:
        """Runs before the events held back by ``_hold`` are taken."""

    async def _on_no_content(self) -> None:
        """Runs when the server answered 204 (the stream then ends)."""


def _discard(task: asyncio.Future[Any]) -> None:
    """Done-callback of an abandoned task: consume its outcome, close a response it produced."""
    if task.cancelled():
        return
    if task.exception() is None:
        result = task.result()
        if isinstance(result, aiohttp.ClientResponse):
            result.close()


def _describe(reason: str) -> str:
    """Words for a failure that carries no exception (a clean end without a new event)."""
    if reason == "eof":
        return "the server ended the stream without sending a new event"
    return reason


def _failure_of(exc: APIConnectionError) -> Failure:
    """The retry Failure kind of a connection error raised by the session (via its cause)."""
    cause = exc.__cause__
    if cause is not None:
        return classify_exception(cause)[0]
    return Failure.TIMEOUT if isinstance(exc, APITimeoutError) else Failure.CONNECTION
