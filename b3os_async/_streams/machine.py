"""The event stream shared by every stream of the SDK: read, decode, dedupe, iterate.

Theory of operation
-------------------
An :class:`EventStream` is ONE explicit state machine driven by ``__anext__`` (never an async
generator, whose ``aclose()`` races with a running ``__anext__``). Each call returns the next
buffered event, or makes progress until there is one: connect or reconnect (the rules live in
:mod:`b3os_async._streams.connection`), or read one chunk.

* **Read.** Chunks (``resp.content.readany()``, never ``readline``, which breaks on long lines)
  go into a fresh :class:`~b3os_async.sse.SSEDecoder` per connection. Its size caps raise
  :class:`StreamError`, which ends the stream (not retried).
* **Each dispatched SSE event**: ``event: error`` is mapped exactly like an HTTP error body
  (retryable statuses reconnect, others raise -- either way only after the events before it were
  consumed). Any other event is decoded by the subclass and **deduped**: a key (the run's
  ``seq``, else the event id) at or below the highest one accepted is dropped; non-numeric ids
  are remembered in a small bounded window. An id counts only when this event's block set it
  (the decoder's id is sticky; each connection starts unseeded and a repeated id is ignored), so
  events of a server that sends no ids are never mistaken for duplicates. A new event resets the
  failure budget; duplicates and error frames do not (and a connection that ends without a new
  event is a failure, see :mod:`b3os_async._streams.connection`).
* **Hold.** After a reconnect a subclass may set ``_hold_idless``: if the connection's first event
  has no id, decoding stops before it, ``_on_hold()`` runs (the run stream reconciles there:
  the server did not replay), then the held events are decoded.
* **End of a connection** -- EOF, a network error, an idle timeout -- is recorded and handled once
  the buffered events were consumed: a reconnect is planned, or the error raised.

Lifecycle: NEW -> (connected <-> waiting)* -> DONE. ``aclose()`` (idempotent, safe from another
task while ``__anext__`` is blocked) closes the response, which wakes a pending read, and
resolves the future that interrupts a pending connect, reconcile request or wait; the blocked
``__anext__`` then ends with ``StopAsyncIteration``. ``B3OS.aclose()`` does the same to every open
stream of the client (:meth:`EventStream._on_client_closed`), except that the consumer's pending
or next ``__anext__`` raises :class:`ConfigurationError` ("client was closed") instead of ending
quietly: events stop because of a shutdown, not because the stream is over. An error raised to the
consumer releases the connection first. A cancelled consumer leaves the stream intact
(``aclose()`` / ``async with`` releases it). A stream dropped without ``aclose()`` (a bare
``break``) closes its socket in ``__del__``: aiohttp itself keeps an unreleased response alive
from the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import aiohttp

from b3os_async._errors import ConfigurationError
from b3os_async._retry import Failure, parse_retry_after
from b3os_async._streams.config import DEFAULT_MAX_EVENT_SIZE
from b3os_async._streams.connection import StreamConnection, _Closed, _Ending
from b3os_async._transport.errors import error_from_response
from b3os_async._transport.json_parser import loads
from b3os_async.sse import SSEDecoder

if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import TracebackType

    from b3os_async._retry import RetryPolicy
    from b3os_async._streams.config import ReconnectCallback, StreamTimeouts
    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import SessionManager
    from b3os_async.sse import ServerSentEvent

__all__ = ["EventStream"]

# How many non-numeric event ids are remembered for dedupe (numeric ids need only the maximum).
_RECENT_IDS = 64


class _Event(Protocol):
    @property
    def id(self) -> str | None: ...


E = TypeVar("E", bound=_Event)


class EventStream(StreamConnection, Generic[E]):
    """An async iterator over the typed events of one SSE endpoint that survives reconnects.

    Use it as ``async with stream: async for event in stream: ...`` (or call :meth:`aclose`).
    Subclasses decode events (:meth:`_decode`) and may dedupe, drop or stop differently
    (:meth:`_accept`).
    """

    __slots__ = (
        "_client_gone",
        "_conn_prev_id",
        "_decoder",
        "_ending",
        "_held",
        "_high",
        "_hold_idless",
        "_idless",
        "_max_event_size",
        "_pending",
        "_recent",
    )

    def __init__(
        self,
        session: SessionManager,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        last_event_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> None:
        if last_event_id is not None:
            # The decoder rejects NUL/CR/LF (a header injection); check it before any I/O.
            SSEDecoder(last_event_id=last_event_id)
        super().__init__(
            session,
            path,
            params=params,
            last_event_id=last_event_id,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )
        self._max_event_size = max_event_size
        self._decoder: SSEDecoder | None = None
        self._conn_prev_id = ""
        self._client_gone = False  # closed by B3OS.aclose(): the consumer gets an error
        self._pending: deque[E] = deque()
        self._ending: _Ending | None = None
        self._idless: bool | None = None  # did the last event lack an id? (None: no event yet)
        self._hold_idless = False
        self._held: list[ServerSentEvent] | None = None
        self._high: int | None = None
        self._recent: deque[str] | None = None
        if self._last_event_id is not None:
            self._remember_key(_id_key(self._last_event_id))

    # -- public surface --------------------------------------------------------------------------

    @property
    def last_event_id(self) -> str | None:
        """The id of the last event handed out that carried one (resume a new stream from it)."""
        return self._last_event_id

    @property
    def closed(self) -> bool:
        """True once the stream ended (all events consumed, an error, or :meth:`aclose`)."""
        return self._closed or (self._done and not self._pending)

    def __aiter__(self) -> EventStream[E]:
        return self

    async def __anext__(self) -> E:
        pending = self._pending
        if not pending:
            await self._fill()
        event = pending.popleft()
        event_id = event.id
        if event_id is not None:
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
        if self._resp is not None or self._done or self._closed or self._connections:
            return
        try:
            await self._connect()
        except _Closed:
            self._raise_if_client_closed()
            return
        except Exception:
            self._shutdown()
            raise

    async def aclose(self) -> None:
        """Close the stream and release its connection. Idempotent; safe from any task."""
        if self._closed:
            return
        self._close_now()

    def _on_client_closed(self) -> None:
        """The client is closing (``SessionManager.aclose``): end the stream now.

        Synchronous. Like :meth:`aclose`, but the consumer's pending or next ``__anext__`` raises
        :class:`ConfigurationError` instead of ``StopAsyncIteration``.
        """
        if self._closed or self._done:
            return  # a stream that already ended keeps its buffered events (no I/O needed)
        self._client_gone = True
        self._close_now()

    def _close_now(self) -> None:
        self._closed = True
        # Closing the response wakes a pending read; the future interrupts a connect or a wait.
        self._shutdown()
        fut = self._closed_fut
        if fut is not None and not fut.done():
            fut.set_result(None)

    def _raise_if_client_closed(self) -> None:
        """Raise ConfigurationError when the client of this stream was closed under it."""
        if self._client_gone:
            raise ConfigurationError(
                f"the B3OS client was closed (aclose() was called) while the stream "
                f"{self._shown} was open; its events stop here. Create a new client to go on."
            )

    def _abandon(self) -> None:
        """Mark closed and close the socket, synchronously (for owners that are being freed)."""
        self._closed = True
        self._pending.clear()
        resp = self._resp
        self._resp = None
        if resp is not None:
            _close_quietly(resp)

    def __del__(self) -> None:
        # Why: aiohttp keeps an unreleased response alive from its own connection (a callback on
        # the body reader), so a stream dropped after a bare `break` would hold its socket until
        # the server hangs up. Closing the response is one synchronous call (no task, no await,
        # nothing when the loop is already closed), the same thing aiohttp's response does.
        resp = getattr(self, "_resp", None)
        if resp is not None:
            _close_quietly(resp)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._shown!r}, last_event_id={self._last_event_id!r})"

    # -- the loop ----------------------------------------------------------------------------------

    async def _fill(self) -> None:
        """Make progress until an event is buffered; raise StopAsyncIteration when over."""
        pending = self._pending
        try:
            while not pending:
                if self._closed:
                    raise _Closed
                held = self._held
                if held is not None:
                    self._held = None
                    failed = await self._run_hook(self._on_hold())
                    if failed is not None:
                        self._ending = failed  # the held events go with the connection
                    elif not self._done:
                        self._take(held)
                    continue
                ending = self._ending
                if ending is not None:
                    self._ending = None
                    if ending.fatal and ending.error is not None:
                        raise ending.error
                    await self._plan_reconnect(ending)
                    continue
                if self._done:
                    raise _Closed
                resp = self._resp
                if resp is None:
                    await self._connect()
                    continue
                await self._read(resp)
        except _Closed:
            self._shutdown()
            self._raise_if_client_closed()
            raise StopAsyncIteration from None
        except Exception:
            self._shutdown()
            raise

    async def _read(self, resp: aiohttp.ClientResponse) -> None:
        """Read one chunk of the open response and decode it (or record why it ended)."""
        self._read_since = self._loop_time()  # for the idle watchdog (_stream_connect)
        try:
            if self._deadline_at is None:
                chunk = await resp.content.readany()
            else:
                chunk = await asyncio.wait_for(resp.content.readany(), self._remaining())
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            if self._closed:
                raise _Closed from None
            self._check_deadline()
            idle_fired = self._idle_fired
            self._drop_connection(close=True)
            if idle_fired:  # our watchdog closed the response (aiohttp's timer was lost)
                error = asyncio.TimeoutError(f"no data for {self._timeouts.idle:g}s")
                error.__cause__ = exc
                self._ending = _Ending("idle_timeout", error, Failure.TIMEOUT)
            elif isinstance(exc, asyncio.TimeoutError):
                self._ending = _Ending("idle_timeout", exc, Failure.TIMEOUT)
            else:
                self._ending = _Ending("connection_error", exc, Failure.CONNECTION)
            return
        self._read_since = None
        if self._closed:
            raise _Closed
        if not chunk:
            self._drop_connection(close=False)
            self._ending = self._eof_ending()
            return
        decoder = self._decoder
        assert decoder is not None
        events = decoder.feed(chunk)  # a size cap raises StreamError: not retried
        retry = decoder.retry
        if retry is not None:
            self._retry_s = retry / 1000.0
        if events:
            self._take(events)

    def _take(self, events: list[ServerSentEvent]) -> None:
        """Decode, dedupe and buffer the events of one chunk (the per-event hot path)."""
        pending = self._pending
        accept = self._accept
        prev_id = self._conn_prev_id
        idless = self._idless
        hold = self._hold_idless
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
            if hold:
                # The subclass asked to see whether this connection replays: an event without
                # an id says no. Stop before it; `_fill` runs `_on_hold()` then feeds it again.
                hold = self._hold_idless = False
                if event_id is None:
                    self._held = events[index:]
                    break
            event = accept(sse, event_id)
            if event is None:
                continue
            progressed = True
            pending.append(event)
            if self._done:  # the subclass saw the last event of the stream
                self._drop_connection(close=False)
                break
        self._conn_prev_id = prev_id
        self._idless = idless
        if progressed:
            # Only a new event proves progress: duplicates or error frames must not reset the
            # budget, or a server replaying old events and failing would be retried forever.
            self._conn_progress = True
            self._failures = 0
            self._reconnects = 0

    def _is_duplicate(self, key: int | str) -> bool:
        """Whether ``key`` was accepted before; remembers it when not."""
        if type(key) is int:
            high = self._high
            if high is not None and key <= high:
                return True
            self._high = key
            return False
        recent = self._recent
        if recent is not None and key in recent:
            return True
        self._remember_key(key)
        return False

    def _remember_key(self, key: int | str) -> None:
        if isinstance(key, int):
            self._high = key if self._high is None else max(self._high, key)
            return
        if self._recent is None:
            self._recent = deque(maxlen=_RECENT_IDS)
        self._recent.append(key)

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
        self._drop_connection(close=True)
        fatal = status not in self._policy.retry_statuses
        self._ending = _Ending(f"error_event {status}", error, status, retry_after, fatal=fatal)

    def _shutdown(self) -> None:
        """End the stream for good and release its connection (sync; used on every exit)."""
        self._done = True
        self._pending.clear()
        self._ending = None
        self._drop_connection(close=True)

    def _start_connection(self) -> None:
        self._decoder = SSEDecoder(
            max_line_size=self._max_event_size, max_event_size=self._max_event_size
        )
        self._conn_prev_id = ""

    # -- subclass hooks ----------------------------------------------------------------------------

    def _decode(self, sse: ServerSentEvent, event_id: str | None) -> E:
        """Build the typed event of one SSE event (``event_id`` is None when it set no id)."""
        raise NotImplementedError

    def _accept(self, sse: ServerSentEvent, event_id: str | None) -> E | None:
        """Decode one SSE event and dedupe it by id: the event to hand out, or None to drop it.

        Runs once per event (the hot path): a subclass may replace it whole, e.g. to dedupe by
        another key, drop stale events, or end the stream after an event (set ``_done``).
        """
        event = self._decode(sse, event_id)
        if event_id is not None and self._is_duplicate(_id_key(event_id)):
            return None
        return event

    async def _on_hold(self) -> None:
        """Runs before the events held back by ``_hold_idless`` are decoded."""


def _id_key(event_id: str) -> int | str:
    """Numeric ids compare as numbers (``"10" > "9"``); any other id is an opaque string."""
    if event_id.isascii() and event_id.isdigit() and len(event_id) < 20:
        return int(event_id)
    return event_id


def _close_quietly(resp: aiohttp.ClientResponse) -> None:
    """Close a response from a finalizer: a loop that is already closed is not an error."""
    # RuntimeError: "Event loop is closed" while waking a reader of a loop that is gone.
    with contextlib.suppress(RuntimeError):
        resp.close()
