"""The event stream shared by every stream of the SDK: one explicit state machine.

The rules it follows are stated once, in :mod:`b3os_async._streams`; this module implements them.
:class:`EventStream` is driven by ``__anext__`` (never an async generator, whose ``aclose()`` races
with a running ``__anext__``): each call returns the next buffered event, or makes progress until
there is one -- connect or reconnect, or read one chunk. Its state is held by small objects with
one owner each: the current :class:`~b3os_async._streams.connection.Connection`, the
:class:`~b3os_async._streams.pacing.Pacer` (reconnect budget, waits, deadline), two
:class:`~b3os_async._streams.dedupe.DedupeWindow` (events handed out; ids the server sent), and
the :class:`~b3os_async._streams.lifecycle.Phase` (how a stream ends, in every way, is in
:mod:`b3os_async._streams.lifecycle`). How an attempt or a connection ended is mapped by
:mod:`b3os_async._streams.endings`. Subclasses say what is specific to an endpoint through five
hooks: ``_accept`` (decode + dedupe one event; may end the stream, or raise :class:`Hold`),
``_after_connect``, ``_on_hold``, ``_on_no_content`` and ``_request`` (method, headers and body of
an attempt).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import aiohttp

from b3os_async._errors import APIConnectionError, APIStatusError, redact_url
from b3os_async._streams.budget import Ending
from b3os_async._streams.connection import Connection, open_response
from b3os_async._streams.dedupe import DedupeWindow, id_key
from b3os_async._streams.endings import error_event_ending, read_error_ending, request_error_ending
from b3os_async._streams.lifecycle import STOPPED, Lifecycle, Phase
from b3os_async._streams.pacing import Closed, Pacer
from b3os_async._transport.http import NOT_GIVEN
from b3os_async.sse import SSEDecoder

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping
    from types import TracebackType

    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import Requester
    from b3os_async.sse import ServerSentEvent

__all__ = ["EventStream", "Hold"]


class _Event(Protocol):
    @property
    def id(self) -> str | None: ...


E = TypeVar("E", bound=_Event)
T = TypeVar("T")


class Hold(Exception):
    """Raised by ``_accept`` to stop before an event: ``_on_hold()`` runs, then it is retaken."""


class EventStream(Lifecycle, Generic[E]):
    """An async iterator over the typed events of one SSE endpoint that survives reconnects.

    Use it as ``async with stream: async for event in stream: ...`` (or call :meth:`aclose`).
    """

    __slots__ = (
        "__weakref__",
        "_connections",
        "_cursor",
        "_dedupe",
        "_held",
        "_hold_until",
        "_idless",
        "_last_event_id",
        "_pacer",
        "_params",
        "_path",
        "_req",
        "_shown",
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
        options = requester.options
        self._req = requester
        self._path = path
        self._params = params
        self._shown = path  # for messages; the full URL is only known to the session
        self._phase = Phase.IDLE
        self._conn: Connection | None = None
        self._connections = 0
        self._pacer = Pacer(options.reconnect, options.stream_timeouts.deadline)
        self._dedupe = DedupeWindow()  # keys of the events handed out
        self._wire = DedupeWindow()  # ids the server sent (new ones are progress)
        self._cursor = last_event_id or None  # the resume point: the newest id the server sent
        self._last_event_id = last_event_id or None  # the last id handed out
        if self._cursor is not None:
            self._dedupe.remember(id_key(self._cursor))
            self._wire.remember(id_key(self._cursor))
        self._pending: deque[E] = deque()
        self._ending: Ending | None = None
        self._held: list[ServerSentEvent] | None = None  # events waiting for `_on_hold()`
        # While set (a loop time), the subclass waits for the connection's first event: reads
        # stop then, and `_on_hold()` runs as if that event had raised Hold (see `_read`).
        self._hold_until: float | None = None
        # Did the last event come without any id (none set on its connection)? None: no event yet.
        self._idless: bool | None = None
        # aclose() of the client ends this stream (a weak reference: a dropped stream is freed).
        requester.manager.pools.track_stream(self)

    # -- public surface --------------------------------------------------------------------------

    @property
    def last_event_id(self) -> str | None:
        """The id of the last event handed out that carried one (resume a new stream from it)."""
        return self._last_event_id

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
        except Closed:
            self._raise_if_client_closed()
        except Exception:
            self._shutdown()
            raise

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._shown!r}, last_event_id={self._last_event_id!r})"

    # -- the loop ----------------------------------------------------------------------------------

    async def _fill(self) -> None:
        """Make progress until an event is buffered; raise StopAsyncIteration when over."""
        pending = self._pending
        try:
            while not pending:
                phase = self._phase
                if phase in STOPPED:
                    raise Closed
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
                    raise Closed
                conn = self._conn
                if conn is None:
                    await self._connect()
                else:
                    await self._read(conn)
        except Closed:
            self._shutdown()
            self._raise_if_client_closed()
            raise StopAsyncIteration from None
        except Exception:
            self._shutdown()
            raise

    async def _read(self, conn: Connection) -> None:
        """Read one chunk of the open connection and decode it (or record why it ended)."""
        loop = asyncio.get_running_loop()
        timeout = self._pacer.remaining()
        hold_until = self._hold_until
        if hold_until is not None:
            left = hold_until - loop.time()
            if left <= 0:  # no event in time: `_on_hold()` decides, then reading goes on
                self._hold_until = None
                self._held = []
                return
            timeout = left if timeout is None else min(timeout, left)
        try:
            if timeout is None:
                chunk = await conn.read()
            else:
                chunk = await asyncio.wait_for(conn.read(), timeout)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            if self._phase in STOPPED:
                raise Closed from None
            self._pacer.check_deadline(self._shown)
            if (
                hold_until is not None
                and hold_until <= loop.time()
                and not conn.idle_fired
                and not isinstance(exc, aiohttp.ClientError)
            ):
                return  # only the wait for the first event timed out: see above
            idle = self._req.options.stream_timeouts.idle
            self._end(read_error_ending(exc, idle=idle, idle_fired=conn.idle_fired), conn)
            return
        if self._phase in STOPPED:
            raise Closed
        if not chunk:
            self._end(Ending("eof"), conn, close=False)
            return
        decoder = conn.decoder
        events = decoder.feed(chunk)  # a size cap raises StreamError: not retried
        retry = decoder.retry
        if retry is not None:
            self._pacer.budget.set_server_retry(retry)
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
        error: ServerSentEvent | None = None
        for index, sse in enumerate(events):
            if sse.event == "error":
                error = sse
                break
            sid = sse.id
            event_id = sid if sid and sid != prev_id else None  # ids are sticky: a repeat is none
            try:
                event = accept(sse, event_id)
            except Hold:
                self._held = events[index:]  # `_fill` runs `_on_hold()`, then takes them
                break
            idless = not sid  # this connection has set no id (yet): the server sends none
            if event_id is not None:
                prev_id = event_id
                if not seen(id_key(event_id)):
                    # A new id is new information, even when its event is dropped, and the
                    # resume point: the newest id the server sent (one it repeats, or an older
                    # one it sends again, does not move the cursor back).
                    cursor = event_id
                    progressed = True
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
        if error is not None and conn is not None and conn is self._conn:
            # After the events before it, and after counting their progress.
            self._end(error_event_ending(error, self._shown, self._pacer.budget.policy), conn)

    def _progress(self) -> None:
        """New information arrived: the failure streak ends and the connection counts as good."""
        self._pacer.budget.progress()
        conn = self._conn
        if conn is not None:
            conn.progressed = True

    def _end(self, ending: Ending, conn: Connection, *, close: bool = True) -> None:
        """The connection ended: release it, and note why (acted on once `pending` is empty)."""
        ending.progressed = conn.progressed
        ending.open_for = asyncio.get_running_loop().time() - conn.opened_at
        self._drop(close=close)
        self._ending = ending

    # -- connecting --------------------------------------------------------------------------------

    async def _connect(self) -> None:
        """Connect (waiting first when a reconnect is planned); retry failures within budget."""
        pacer = self._pacer
        pacer.start()
        while True:
            await pacer.before_attempt(self._shown)
            ending = await self._attempt()
            if ending is None:
                return
            if ending.fatal and ending.error is not None:
                raise ending.error
            await self._plan_reconnect(ending)

    async def _attempt(self) -> Ending | None:
        """One connection attempt: None when connected (or ended by 204), else why it failed."""
        answer = await open_response(
            self._req, self._path, self._params, self._request(), pacer=self._pacer, url=self._shown
        )
        if isinstance(answer, Ending):
            return answer
        self._shown = redact_url(answer.url)
        self._connections += 1
        if answer.status == 204:  # the server says "do not reconnect"
            answer.release()
            self._phase = Phase.ENDED
            await self._on_no_content()
            return None
        size = self._req.options.max_event_size
        decoder = SSEDecoder(max_line_size=size, max_event_size=size)
        self._conn = Connection(answer, decoder, self._req.options.stream_timeouts.idle)
        self._phase = Phase.OPEN
        return await self._run_hook(self._after_connect(self._connections == 1))

    async def _run_hook(self, hook: Awaitable[None]) -> Ending | None:
        """Await a subclass hook that may send requests; a failed request ends the connection.

        A request error becomes an ending like a failed attempt: retryable statuses and network
        errors reconnect (within the budget), anything else is raised.
        """
        try:
            await hook
        except (APIStatusError, APIConnectionError) as exc:
            ending = request_error_ending(exc, self._pacer.budget.policy)
            conn = self._conn
            if conn is not None:
                self._end(ending, conn)
                self._ending = None  # returned: the caller acts on it
            return ending
        return None

    async def _plan_reconnect(self, ending: Ending) -> None:
        """Decide the wait before the next attempt, report it, or give up (StreamError)."""
        callback = self._req.options.on_reconnect
        await self._pacer.plan(ending, cursor=self._cursor, url=self._shown, callback=callback)

    async def _race(self, awaitable: Awaitable[T], timeout: float | None = None) -> T:
        """Await a request of a hook so that aclose() interrupts it (see :meth:`Pacer.race`)."""
        return await self._pacer.race(awaitable, timeout)

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
        another key, drop stale events, end the stream after an event
        (:meth:`_end_after_current`), or stop before it (raise :class:`Hold`).
        """
        event = self._decode(sse, event_id)
        if event_id is not None and self._dedupe.seen(id_key(event_id)):
            return None
        return event

    async def _after_connect(self, first: bool) -> None:
        """Runs once a connection is established (``first``: the stream's first connection)."""

    async def _on_hold(self) -> None:
        """Runs before held events are taken (see :class:`Hold` and ``_hold_until``)."""

    async def _on_no_content(self) -> None:
        """Runs when the server answered 204 (the stream then ends)."""
