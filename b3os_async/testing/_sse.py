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
no ``id:`` lines, ``Last-Event-ID`` ignored. Stream faults (``_faults.py``) count the events
written on the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import dumps
from b3os_async.testing._server import Context, context, request_id, stream_fault
from b3os_async.testing._streams import RUN_TERMINAL_EVENTS, SHUTDOWN, Item, Subscription

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from b3os_async.testing._faults import Fault

Event = dict[str, Any]


class Connection:
    """One SSE response: framing, heartbeats, per-connection event count and stream faults."""

    def __init__(self, request: web.Request, ctx: Context, fault: Fault | None) -> None:
        self.request = request
        self.ctx = ctx
        self.fault = fault
        self.ids = ctx.replay and not (fault is not None and fault.kind == "no_replay")
        self.sent = 0
        self.finished = False
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

    async def open(self) -> None:
        """Send the headers and the ``retry:`` line at once."""
        await self.response.prepare(self.request)
        await self.response.write(f"retry: {self.ctx.retry_ms}\n\n".encode())
        await self._after_event()

    async def send(self, event: Event) -> None:
        """Write one event frame (then apply a fault due after this many events)."""
        head = f"id: {event['seq']}\n" if self.ids else ""
        await self.response.write(
            f"{head}event: {event['type']}\ndata: {dumps(event)}\n\n".encode()
        )
        self.sent += 1
        await self._after_event()

    # -- data-only framing (Caddie chat): no id:, no event:, the JSON carries "type" -------------

    async def send_data(self, event: Event, *, multiline: bool = False) -> None:
        """Write one data-only frame (``multiline``: the JSON spread over several ``data:``
        lines, split between tokens), then apply a fault due after this many events."""
        text = json.dumps(event, indent=1, ensure_ascii=False) if multiline else dumps(event)
        lines = "".join(f"data: {line}\n" for line in text.split("\n"))
        await self.response.write(f"{lines}\n".encode())
        self.sent += 1
        await self._after_event()

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
            await self.response.write(b": heartbeat\n\n")

    async def error(
        self, status: int, code: int, message: str, retry_after: float | str | None = None
    ) -> None:
        """Write an ``event: error`` frame and finish the stream."""
        body: dict[str, Any] = {"type": "error", "status": status, "code": code, "message": message}
        if retry_after is not None:
            body["retryAfter"] = retry_after
        await self.response.write(f"event: error\ndata: {dumps(body)}\n\n".encode())
        self.finished = True

    async def _after_event(self) -> None:
        fault = self.fault
        if fault is None or fault.after_events is None or fault.after_events != self.sent:
            return
        if fault.kind == "drop_stream":
            self._abort()
        elif fault.kind == "stream_error":
            status = fault.http_status
            await self.error(status, status * 1000, fault.message, fault.retry_after)
        elif fault.kind == "stall":
            await asyncio.sleep(fault.seconds)
            self._abort()

    def _abort(self) -> None:
        # Close the TCP connection without the chunked-encoding terminator: the client sees
        # the body end abruptly, as when a proxy drops a long-lived connection.
        transport = self.request.transport
        if transport is not None:
            transport.close()
        self.finished = True

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
                await self.response.write(b": heartbeat\n\n")
        finally:
            getter.cancel()


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
    except ConnectionError:
        connection.finished = True  # the client went away; nothing more to write
    finally:
        ctx.open_streams -= 1
        subscription.close()
    if connection.finished:
        return connection.response
    with contextlib.suppress(ConnectionError):
        await connection.response.write_eof()
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
) -> web.StreamResponse:
    """A notification stream of the organization's log (``workflow_ids``: only theirs).

    ``Last-Event-ID`` replays what the log still buffers (``seq`` is per organization, so ids
    work across every filter); then live events. Such a stream never ends on its own.
    """
    log = context(request).broker.org_log(org_id)
    subscription = log.subscribe(workflow_ids)

    async def prepare(connection: Connection) -> None:
        last_id = connection.last_event_id()
        last_sent = log.seq
        if last_id is not None:
            last_id = last_sent = min(last_id, log.seq)  # an id from the future: resume "now"
            for event in log.since(last_id):
                if connection.finished:
                    return
                if keep(event):
                    await connection.send(event)
                last_sent = event["seq"]
        await pump(connection, subscription, last_sent, keep, ends=False)

    return await serve(request, subscription, prepare)
