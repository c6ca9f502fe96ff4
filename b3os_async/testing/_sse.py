"""SSE framing shared by every stream route (the "Stream contract" of ``docs/architecture.md``).

Theory of operation
-------------------
Every stream answers 200 ``text/event-stream`` at once: headers and a first ``retry: <ms>`` line
are flushed before anything else happens, so a client knows it is subscribed. Checks that can fail
(auth, an invalid id, another org's object, too many ids) happen before that, in the route, as
ordinary JSON errors.

Frames: ``id: <seq>`` (omitted when replay is off), ``event: <type>``, ``data: <json>``, blank
line. ``: heartbeat`` comment lines are sent whenever nothing was written for
``heartbeat_interval`` seconds.

A stream route builds its subscription (``_streams.py``) and calls :func:`serve` with a
``prepare`` coroutine that sends the backlog (``Connection.send``) and then :func:`pump`\\ s live
events. :func:`notifications` is the whole of a notification stream (workflow runs, activity):
``Last-Event-ID`` replays what the organization's log still buffers, then live events.

The Caddie chat stream (``routes/caddie.py``) uses the same connection with data-only frames
(:meth:`Connection.send_data`) and paced waits (:meth:`Connection.pause`, heartbeats included), so
the same faults apply to it.

Replay is off for the whole emulator (``replay=False``) or for one stream (``Fault.no_replay``):
no ``id:`` lines, ``Last-Event-ID`` ignored.

Stream faults (what each does: ``_faults.py``) are applied here, by the :class:`Connection`:
:class:`StreamPlan` sorts out the stream parts of the request's fault; the connection counts the
events it writes and, after each, applies the parts due at that count, in the order they were
combined. Everything it writes goes through ``_write``, which holds bytes back while a
``reset_stream`` burst is being gathered, so that the burst leaves in one write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import struct
from collections import deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import dumps
from b3os_async.testing._server import Context, context, request_id, stream_fault
from b3os_async.testing._streams import RUN_TERMINAL_EVENTS, SHUTDOWN, Item, Subscription

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from b3os_async.testing._faults import Fault
    from b3os_async.testing._streams import NotificationLog

Event = dict[str, Any]


class StreamPlan:
    """The stream parts of a request's fault, sorted out for one connection (``_faults.py``)."""

    def __init__(self, fault: Fault | None) -> None:
        parts = [part for part in fault.effects() if part.stream_only] if fault else []
        self.ids = not any(part.kind == "no_replay" for part in parts)
        retries = [part.retry_ms for part in parts if part.kind == "retry"]
        self.retry_ms = retries[-1] if retries else None
        renumbers = [part.first_id for part in parts if part.kind == "renumber"]
        self.first_id = renumbers[-1] if renumbers else None
        replays = [part for part in parts if part.kind == "partial_replay"]
        self.skip = max((part.events for part in replays), default=0)
        self.last = min((part.last for part in replays if part.last is not None), default=None)
        self.timed = [part for part in parts if part.after_events is not None]
        self.memory = max(
            (part.events for part in parts if part.kind == "repeat_events"), default=0
        )

    def replay(self, events: list[Event]) -> list[Event]:
        """What a ``Last-Event-ID`` replay of ``events`` really sends."""
        events = events[self.skip :]
        if self.last is not None:
            events = events[len(events) - self.last :] if self.last else []
        return events

    def due(self, count: int) -> list[Fault]:
        """The timed effects due once ``count`` events were written, in order."""
        return [part for part in self.timed if part.after_events == count]


_MULTI_BYTE_LEAD = re.compile(rb"[\xc0-\xff]")


def _cut_point(frame: bytes, cut: int | str) -> int | None:
    """How many bytes of ``frame`` a ``cut_event`` writes (``None``: this frame goes out whole)."""
    if cut == "middle":
        return len(frame) // 2
    if cut == "character":
        lead = _MULTI_BYTE_LEAD.search(frame)
        return None if lead is None else lead.start() + 1
    return min(int(cut), len(frame) - 1)


class Connection:
    """One SSE response: framing, heartbeats, per-connection event count and stream faults."""

    def __init__(self, request: web.Request, ctx: Context, fault: Fault | None) -> None:
        self.request = request
        self.ctx = ctx
        self.plan = StreamPlan(fault)
        self.ids = ctx.replay and self.plan.ids
        self.sent = 0
        self.finished = False
        self._next_id = self.plan.first_id
        self._held: list[bytes] | None = None  # a burst being held back (reset_stream)
        self._reset_at: int | None = None  # reset once this many events were written
        self._cut: int | str | None = None  # an armed cut_event
        self._recent: deque[bytes] = deque(maxlen=self.plan.memory)  # for repeat_events
        self.response = web.StreamResponse(
            status=200,
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
                "X-Request-ID": request_id(request),
            },
        )

    def last_event_id(self) -> int | None:
        """The ``Last-Event-ID`` as an integer (``None`` if absent, invalid or replay is off)."""
        raw = self.request.headers.get("Last-Event-ID", "").strip()
        if not self.ids or not raw.isascii() or not raw.isdigit():
            return None
        return int(raw)

    def replay(self, events: list[Event]) -> list[Event]:
        """The part of a ``Last-Event-ID`` backlog this connection sends (``partial_replay``)."""
        return self.plan.replay(events)

    async def open(self) -> None:
        """Send the headers and the ``retry:`` line at once."""
        await self.response.prepare(self.request)
        retry = self.ctx.retry_ms if self.plan.retry_ms is None else self.plan.retry_ms
        await self._write(f"retry: {retry}\n\n".encode())
        await self._after_event()

    async def send(self, event: Event) -> None:
        """Write one event frame (then apply the faults due after this many events)."""
        if self.ids:
            number = event["seq"] if self._next_id is None else self._next_id
            head = f"id: {number}\n"
            if self._next_id is not None:
                self._next_id += 1
        else:
            head = ""
        frame = f"{head}event: {event['type']}\ndata: {dumps(event)}\n\n".encode()
        await self._send_frame(frame)

    async def _send_frame(self, frame: bytes) -> None:
        """Write one event's frame, counting it, and apply the faults due after it."""
        if self._cut is not None:
            cut = _cut_point(frame, self._cut)
            if cut is not None:
                await self._write(frame[:cut])
                await self._reset()
                return
        await self._write(frame)
        self.sent += 1
        if self.plan.memory:
            self._recent.append(frame)
        await self._after_event()

    # -- data-only framing (Caddie chat): no id:, no event:, the JSON carries "type" -------------

    async def send_data(self, event: Event, *, multiline: bool = False) -> None:
        """Write one data-only frame (``multiline``: the JSON spread over several ``data:``
        lines, split between tokens), then apply the faults due after this many events."""
        text = json.dumps(event, indent=1, ensure_ascii=False) if multiline else dumps(event)
        lines = "".join(f"data: {line}\n" for line in text.split("\n"))
        await self._send_frame(f"{lines}\n".encode())

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds``, writing ``: heartbeat`` after each heartbeat interval of silence."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while not self.finished:
            remaining = end - loop.time()
            if remaining <= 0:
                return
            if remaining < self.ctx.heartbeat:
                await asyncio.sleep(remaining)
                return
            await asyncio.sleep(self.ctx.heartbeat)
            await self._write(b": heartbeat\n\n")

    async def error(
        self, status: int, code: int, message: str, retry_after: float | str | None = None
    ) -> None:
        """Write an ``event: error`` frame and finish the stream."""
        body: dict[str, Any] = {"type": "error", "status": status, "code": code, "message": message}
        if retry_after is not None:
            body["retryAfter"] = retry_after
        await self._write(f"event: error\ndata: {dumps(body)}\n\n".encode())
        self.finished = True

    async def end(self) -> None:
        """Finish the response: a held burst is flushed and reset; else a clean end if open."""
        if self._held is not None:
            await self._reset()
        elif not self.finished:
            with contextlib.suppress(ConnectionError):
                await self.response.write_eof()

    async def next_item(self, subscription: Subscription) -> Item:
        """The next queued item, writing heartbeats while waiting."""
        queue = subscription.queue
        if not queue.empty():
            return queue.get_nowait()
        getter = asyncio.ensure_future(queue.get())
        try:
            while True:
                done, _ = await asyncio.wait({getter}, timeout=self.ctx.heartbeat)
                if done:
                    return getter.result()
                await self._write(b": heartbeat\n\n")
        finally:
            getter.cancel()

    # -- faults ----------------------------------------------------------------------------------

    async def _after_event(self) -> None:
        if self._reset_at == self.sent:
            await self._reset()
            return
        for effect in self.plan.due(self.sent):
            if self.finished:
                return
            await self._apply(effect)

    async def _apply(self, effect: Fault) -> None:
        kind = effect.kind
        if kind == "close_stream":
            await self._flush()
            await self.response.write_eof()
            self.finished = True
        elif kind == "drop_stream":
            await self._flush()
            self._close()
        elif kind == "reset_stream":
            if effect.burst_events:
                self._held = self._held if self._held is not None else []
                self._reset_at = self.sent + effect.burst_events
            else:
                await self._reset()
        elif kind == "cut_event":
            self._cut = effect.cut
        elif kind == "stream_error":
            status = effect.http_status
            await self.error(status, status * 1000, effect.message, effect.retry_after)
        elif kind == "stall":
            await asyncio.sleep(effect.seconds)
            if not effect.resume:
                self._close()
        elif kind == "repeat_events":
            for frame in list(self._recent)[-effect.events :]:
                await self._write(frame)

    async def _write(self, data: bytes) -> None:
        if self._held is not None:
            self._held.append(data)
        else:
            await self.response.write(data)

    async def _flush(self) -> None:
        held, self._held = self._held, None
        if held:
            await self.response.write(b"".join(held))

    def _close(self) -> None:
        # Close the TCP connection without the chunked-encoding terminator: the client sees
        # the body end abruptly, as when a proxy drops a long-lived connection (a FIN).
        transport = self.request.transport
        if transport is not None:
            transport.close()
        self.finished = True

    async def _reset(self) -> None:
        """Write what is held back in ONE write, then reset the TCP connection (RST)."""
        await self._flush()
        self.finished = True
        transport = self.request.transport
        if transport is None:
            return
        # The bytes written so far must leave the process before the reset, or the reset
        # would discard them: wait (briefly) until the transport's buffer is empty.
        for _ in range(200):
            if not transport.get_write_buffer_size() or transport.is_closing():
                break
            await asyncio.sleep(0.005)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # SO_LINGER 0: close() sends RST, not FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()


async def serve(
    request: web.Request,
    subscription: Subscription,
    prepare: Callable[[Connection], Awaitable[None]],
) -> web.StreamResponse:
    """Open the connection, run ``prepare`` (backlog and pump), count it as an open stream."""
    ctx = context(request)
    connection = Connection(request, ctx, stream_fault(request))
    ctx.open_streams += 1
    try:
        await connection.open()
        if not connection.finished:
            await prepare(connection)
        await connection.end()
    except ConnectionError:
        pass  # the client went away; nothing more to write
    finally:
        ctx.open_streams -= 1
        subscription.close()
    return connection.response


async def pump(
    connection: Connection,
    subscription: Subscription,
    last_sent: int,
    keep: Callable[[Event], bool],
    ends: bool,
) -> None:
    """Forward queued events (``seq > last_sent`` that ``keep`` accepts) until told to stop."""
    while not connection.finished:
        item = await connection.next_item(subscription)
        if item is SHUTDOWN:
            return
        if not isinstance(item, dict) or item["seq"] <= last_sent or not keep(item):
            continue
        await connection.send(item)
        last_sent = item["seq"]
        if ends and item["type"] in RUN_TERMINAL_EVENTS:
            return


async def notifications(
    request: web.Request,
    org_id: str,
    keep: Callable[[Event], bool],
    workflow_ids: frozenset[str] | None = None,
    log: NotificationLog | None = None,
) -> web.StreamResponse:
    """A notification stream of the organization's log (``workflow_ids``: only theirs).

    ``Last-Event-ID`` replays what the log still buffers (``seq`` is per organization, so ids
    work across every filter); then live events. Such a stream never ends on its own. ``log``:
    another per-organization log than the activity one (the org-wide execution stream's).
    """
    if log is None:
        log = context(request).broker.org_log(org_id)
    subscription = log.subscribe(workflow_ids)

    async def prepare(connection: Connection) -> None:
        last_id = connection.last_event_id()
        last_sent = log.seq
        if last_id is not None:
            last_id = last_sent = min(last_id, log.seq)  # an id from the future: resume "now"
            buffered = log.since(last_id)
            if buffered:  # what a partial replay leaves out is not sent later either
                last_sent = buffered[-1]["seq"]
            for event in connection.replay([event for event in buffered if keep(event)]):
                if connection.finished:
                    return
                await connection.send(event)
        await pump(connection, subscription, last_sent, keep, ends=False)

    return await serve(request, subscription, prepare)
