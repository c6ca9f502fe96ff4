"""The SSE endpoints, following the "Stream contract" of ``docs/architecture.md``.

Theory of operation
-------------------
Every stream answers 200 ``text/event-stream`` at once: headers and a first ``retry: <ms>`` line
are flushed before anything else happens, so a client knows it is subscribed. Checks that can
fail (auth, an invalid run id -> 400078, another org's existing run or workflow -> 404, more
than 24 ids -> 400005) happen before that, as ordinary JSON errors.

Frames: ``id: <seq>`` (omitted when replay is off), ``event: <type>``, ``data: <json>``, blank
line. ``: heartbeat`` comment lines are sent whenever nothing was written for
``heartbeat_interval`` seconds.

Run stream (``/v1/runs/{id}/stream``):

* ``Last-Event-ID: N`` replays every event with ``seq > N`` and goes on live; without it the
  stream is live only, except that a run that already ended sends its terminal event;
* a run id that does not exist yet is waited for (heartbeats meanwhile); if it turns out to
  belong to another organization the stream sends ``event: error`` (404) and ends;
* the stream ends after the terminal event (``run_completed``/``run_failed``/``run_cancelled``).

Notification streams (``/v1/workflows/{id}/runs/stream``, ``/v1/workflow-runs/stream?ids=``,
``/v1/activity/stream``) read the organization's notification log (``_streams.py``): ids are
the log's ``seq``, ``Last-Event-ID`` replays what is still buffered, and they never end on their
own. Ids in ``?ids=`` that are not the caller's workflows are dropped silently.

Replay is off for the whole emulator (``replay=False``) or for one stream (``Fault.no_replay``):
no ``id:`` lines, ``Last-Event-ID`` ignored. Stream faults (``_faults.py``) count the events
written on the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import (
    BAD_QUERY,
    INVALID_RUN_ID,
    RUN_NOT_FOUND,
    TOO_MANY_IDS,
    ApiError,
    dumps,
    is_run_id,
    not_found,
)
from b3os_async.testing._server import Context, context, principal, request_id, stream_fault
from b3os_async.testing._streams import (
    CREATED,
    RUN_NOTIFICATIONS,
    RUN_TERMINAL_EVENTS,
    SHUTDOWN,
    Item,
    Subscription,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._faults import Fault

ROUTES = web.RouteTableDef()

MAX_IDS = 24


class _Connection:
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

    async def send(self, event: dict[str, Any]) -> None:
        """Write one event frame (then apply a fault due after this many events)."""
        head = f"id: {event['seq']}\n" if self.ids else ""
        await self.response.write(
            f"{head}event: {event['type']}\ndata: {dumps(event)}\n\n".encode()
        )
        self.sent += 1
        await self._after_event()

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


async def _serve(
    request: web.Request,
    subscription: Subscription,
    prepare: Callable[[_Connection], Any],
) -> web.StreamResponse:
    """Open the connection, run ``prepare`` (backlog and pump), count it as an open stream."""
    ctx = context(request)
    connection = _Connection(request, ctx, stream_fault(request))
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


async def _pump(
    connection: _Connection,
    subscription: Subscription,
    last_sent: int,
    keep: Callable[[dict[str, Any]], bool],
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


@ROUTES.get("/v1/runs/{id}/stream")
async def run_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/runs/{id}/stream``: the events of one run (see module docstring)."""
    ctx = context(request)
    who = principal(request)
    run_id = request.match_info["id"]
    if not is_run_id(run_id):
        raise ApiError(400, INVALID_RUN_ID, "invalid run ID: it must start with 'run_'")
    run = ctx.store.runs.get(run_id)
    if run is not None and run.org_id != who.org_id:
        raise not_found(RUN_NOT_FOUND, f"run {run_id!r}")
    channel = ctx.broker.run_channel(run_id)
    subscription = channel.subscribe()
    # Everything published after this point reaches the queue; what came before is history.
    seen_at_subscription = len(channel.events)

    async def prepare(connection: _Connection) -> None:
        if not channel.exists:  # pre-subscription: wait until the run is created
            item = await connection.next_item(subscription)
            while item is not CREATED and item is not SHUTDOWN:
                item = await connection.next_item(subscription)
            if item is SHUTDOWN:
                return
            if channel.org_id != who.org_id:
                await connection.error(404, RUN_NOT_FOUND, f"run {run_id!r} not found")
                return
        last_id = connection.last_event_id()
        if last_id is not None:
            last_id = min(last_id, len(channel.events))  # an id from the future: resume "now"
        last_sent = seen_at_subscription if last_id is None else last_id
        if last_id is not None:
            backlog = [event for event in channel.events if event["seq"] > last_id]
        elif channel.terminal and seen_at_subscription == len(channel.events):
            backlog = channel.events[-1:]  # ended before we came: just the terminal event
        else:
            backlog = []
        for event in backlog:
            if connection.finished:
                return
            await connection.send(event)
            last_sent = event["seq"]
        if channel.terminal and last_sent >= channel.events[-1]["seq"]:
            return
        await _pump(connection, subscription, last_sent, lambda event: True, ends=True)

    try:
        return await _serve(request, subscription, prepare)
    finally:
        ctx.broker.release(channel)


async def _notifications(
    request: web.Request, org_id: str, keep: Callable[[dict[str, Any]], bool]
) -> web.StreamResponse:
    log = context(request).broker.org_log(org_id)
    subscription = log.subscribe()

    async def prepare(connection: _Connection) -> None:
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
        await _pump(connection, subscription, last_sent, keep, ends=False)

    return await _serve(request, subscription, prepare)


@ROUTES.get("/v1/workflows/{id}/runs/stream")
async def workflow_runs_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/workflows/{id}/runs/stream``: run notifications of one workflow."""
    who = principal(request)
    workflow = context(request).store.workflow(who.org_id, request.match_info["id"])
    return await _notifications(
        request,
        who.org_id,
        lambda event: event["type"] in RUN_NOTIFICATIONS and event.get("workflowId") == workflow.id,
    )


@ROUTES.get("/v1/workflow-runs/stream")
async def multi_workflow_runs_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/workflow-runs/stream?ids=a,b``: run notifications of up to 24 workflows."""
    who = principal(request)
    store = context(request).store
    raw = request.query.get("ids", "")
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not ids:
        raise ApiError(400, BAD_QUERY, "query parameter 'ids' is required (comma-separated)")
    if len(ids) > MAX_IDS:
        raise ApiError(400, TOO_MANY_IDS, f"at most {MAX_IDS} workflow ids, got {len(ids)}")
    visible = {
        workflow_id
        for workflow_id in ids
        if workflow_id in store.workflows and store.workflows[workflow_id].org_id == who.org_id
    }
    return await _notifications(
        request,
        who.org_id,
        lambda event: event["type"] in RUN_NOTIFICATIONS and event.get("workflowId") in visible,
    )


@ROUTES.get("/v1/activity/stream")
async def activity_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/activity/stream``: every notification of the organization."""
    return await _notifications(request, principal(request).org_id, lambda event: True)
