"""Scripted SSE servers on 127.0.0.1 for the stream tests (what each connection does is up to
the test), plus helpers that build run events and the run state ``GET /v1/runs/{id}`` returns."""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from b3os_async import B3OS, RetryPolicy

if TYPE_CHECKING:
    from b3os_async import StreamTimeouts

API_KEY = "b3sk_test_streams_0123456789"
RUN_ID = "run_stream_test_1"
TERMINAL = ("run_completed", "run_failed", "run_cancelled")

#: A reconnect policy that never waits (and honours no server hint).
NO_WAIT = RetryPolicy.no_wait(max_attempts=5)


def stamp(seq: int) -> str:
    """An RFC 3339 timestamp that grows with ``seq``."""
    return f"2024-05-01T10:00:{seq:02d}.000Z"


def run_events(
    run_id: str = RUN_ID, nodes: Sequence[str] = ("a", "b", "c"), terminal: str = "run_completed"
) -> list[dict[str, Any]]:
    """A linear run: run_started, then node_started/node_completed per node, then ``terminal``."""
    kinds: list[tuple[str, str, str | None]] = [("run_started", "running", None)]
    for node in nodes:
        kinds.append(("node_started", "running", node))
        kinds.append(("node_completed", "success", node))
    kinds.append((terminal, "success" if terminal == "run_completed" else "failure", None))
    events = []
    for seq, (etype, status, node_id) in enumerate(kinds, start=1):
        event: dict[str, Any] = {"type": etype, "runId": run_id, "seq": seq, "status": status}
        if node_id is not None:
            event["nodeId"] = node_id
            if etype == "node_completed":
                event["result"] = {"node": node_id}
        event["timestamp"] = stamp(seq)
        events.append(event)
    return events


def run_state(run_id: str, events: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``Run`` JSON a server would return after ``events`` happened."""
    status = "running"
    nodes: dict[str, dict[str, Any]] = {}
    for event in events:
        etype = event["type"]
        if etype in TERMINAL:
            status = event["status"]
        elif etype == "run_waiting":
            status = "waiting"
        elif etype == "run_resumed":
            status = "running"
        node_id = event.get("nodeId")
        if not isinstance(node_id, str):
            continue
        if etype in ("run_waiting", "run_resumed"):  # a wait node held the run / let it go
            node = nodes.setdefault(node_id, {"type": "wait"})
            node["status"] = "waiting" if etype == "run_waiting" else "running"
            continue
        if not etype.startswith("node_"):
            continue
        node = nodes.setdefault(node_id, {"type": "echo"})
        node["status"] = event["status"]
        if etype == "node_started":
            node["startedAt"] = event["timestamp"]
        else:
            node["finishedAt"] = event["timestamp"]
        if "result" in event:
            node["result"] = event["result"]
    return {"id": run_id, "status": status, "executionState": nodes}


def frame(event: dict[str, Any], *, with_id: bool = True, named: bool = True) -> bytes:
    """One SSE frame for ``event`` (``id:`` = its seq, ``event:`` = its type, JSON data)."""
    lines = []
    if with_id:
        lines.append(f"id: {event['seq']}")
    if named:
        lines.append(f"event: {event['type']}")
    lines.append("data: " + json.dumps(event))
    return ("\n".join(lines) + "\n\n").encode()


class Conn:
    """One stream request, as seen by the server; the test's script drives it."""

    def __init__(self, server: FakeServer, request: web.Request, index: int) -> None:
        self.server = server
        self.request = request
        self.index = index
        self.last_event_id = request.headers.get("Last-Event-ID")
        self.response: web.StreamResponse | None = None

    async def open(
        self, *, retry_ms: int | None = None, content_type: str = "text/event-stream"
    ) -> None:
        """Send 200 headers (and a ``retry:`` field)."""
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(self.request)
        self.response = response
        if retry_ms is not None:
            await response.write(f"retry: {retry_ms}\n\n".encode())

    async def write(self, data: bytes) -> None:
        """Write raw bytes on the open stream."""
        assert self.response is not None
        await self.response.write(data)

    async def send(self, events: Sequence[dict[str, Any]], *, ids: bool = True) -> None:
        """Publish ``events`` (the server's run advances) and write them as frames."""
        for event in events:
            self.server.published = max(self.server.published, event["seq"])
        await self.write(b"".join(frame(event, with_id=ids) for event in events))

    def drop(self) -> None:
        """Close the TCP connection abruptly (mid-body)."""
        transport = self.request.transport
        assert transport is not None
        transport.close()

    # -- raw faults: what proxies and restarting servers do to a stream ---------------------------

    async def burst_then_reset(self, data: bytes) -> None:
        """Write ``data`` and reset the connection (TCP RST) in the same tick.

        The bytes reach the client's socket right before the reset, so its reader sees data and
        a pending ECONNRESET together (aiohttp raises the error before returning the data).
        ``write`` does not yield for a burst under aiohttp's 64 KiB drain limit.
        """
        await self.write(data)
        self.reset()

    async def burst_then_close(self, data: bytes) -> None:
        """Write ``data`` and close the TCP connection (FIN) mid-body in the same tick."""
        await self.write(data)
        self.drop()

    def reset(self) -> None:
        """Abort the TCP connection with an RST (``SO_LINGER`` 0), not a FIN."""
        transport = self.request.transport
        assert transport is not None
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

    async def hold(self) -> None:
        """Keep the stream open until the client goes away (the handler is then cancelled)."""
        await asyncio.Event().wait()


Script = Callable[[Conn], Awaitable[web.StreamResponse | None]]


class FakeServer:
    """``GET /v1/runs/{id}/stream`` (scripted per connection) and ``GET /v1/runs/{id}``.

    ``requests`` keeps the headers of every stream request; ``open_streams`` counts stream
    handlers still running; ``published`` is how many of ``events`` the run has reached, which
    is what the run state endpoint reports.
    """

    def __init__(self, script: Script, events: Sequence[dict[str, Any]] = ()) -> None:
        self.script = script
        self.events = list(events)
        self.published = 0
        self.requests: list[dict[str, str]] = []
        self.paths: list[str] = []
        self.open_streams = 0
        self.run_gets = 0
        self.run_log: list[int] = []  # ``published`` at each answered run GET
        self.times: list[float] = []  # time.monotonic() of each stream request
        self.run_failures = 0  # answer this many run GETs with 503 first
        self.got_run = asyncio.Event()
        self.seen = 0  # events the test's consumer has received (see collect())
        self._seen_changed = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/v1/runs/{run_id}/stream", self._stream)
        self.app.router.add_get("/v1/workflows/{wf}/runs/stream", self._stream)
        self.app.router.add_get("/v1/workflow-runs/stream", self._stream)
        self.app.router.add_get("/v1/activity/stream", self._stream)
        self.app.router.add_get("/v1/runs/{run_id}", self._run)
        self.server = TestServer(self.app, host="127.0.0.1")

    @property
    def url(self) -> str:
        """The base URL of the server."""
        return str(self.server.make_url("")).rstrip("/")

    def client(self, **kwargs: Any) -> B3OS:
        """A client for this server whose request retries never sleep."""
        kwargs.setdefault("retry", RetryPolicy.no_wait())
        return B3OS(api_key=API_KEY, base_url=self.url, **kwargs)

    def saw(self, count: int) -> None:
        """Called by the consumer: it has now received ``count`` events."""
        self.seen = count
        self._seen_changed.set()

    async def wait_seen(self, count: int) -> None:
        """Wait until the consumer received ``count`` events (so a drop cannot race them)."""
        while self.seen < count:
            self._seen_changed.clear()
            await self._seen_changed.wait()

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        conn = Conn(self, request, len(self.requests))
        self.times.append(time.monotonic())
        self.requests.append(dict(request.headers))
        self.paths.append(request.path_qs)
        self.open_streams += 1
        try:
            response = await self.script(conn)
            if response is not None:
                return response
            if conn.response is None:
                return web.Response(status=204)
            return conn.response
        finally:
            self.open_streams -= 1

    async def _run(self, request: web.Request) -> web.Response:
        self.run_gets += 1
        if self.run_failures:
            self.run_failures -= 1
            return web.json_response({"code": 503, "message": "busy"}, status=503)
        self.got_run.set()
        self.run_log.append(self.published)
        run_id = request.match_info["run_id"]
        if not self.events or not self.published:  # the run does not exist (yet)
            return web.json_response({"code": 404, "message": "run not found"}, status=404)
        state = run_state(run_id, self.events[: self.published])
        return web.json_response({"code": 200, "data": state, "message": "OK", "requestId": "r1"})


async def collect(stream: Any, server: FakeServer | None = None, limit: int = 1000) -> list[Any]:
    """Every event of ``stream`` (at most ``limit``), closing it afterwards.

    With ``server``, each received event is reported to it (:meth:`FakeServer.wait_seen`).
    """
    out = []
    async with stream:
        async for event in stream:
            out.append(event)
            if server is not None:
                server.saw(len(out))
            if len(out) >= limit:
                break
    return out


def linear(*steps: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    """A definition ``root -> step1 -> step2 ...`` from ``(node_id, type, payload)`` steps."""
    nodes: dict[str, Any] = {"root": {"type": "manual", "payload": {}, "children": []}}
    previous = "root"
    for node_id, kind, payload in steps:
        nodes[node_id] = {"type": kind, "payload": payload, "children": []}
        nodes[previous]["children"].append(node_id)
        previous = node_id
    return {"nodes": nodes, "triggerNodeIds": ["root"]}


async def until_zero(count: Callable[[], int], timeout: float = 1.0) -> int:
    """Poll ``count()`` until it is 0 (a server notices a closed stream asynchronously)."""
    for _ in range(int(timeout / 0.01)):
        if not count():
            break
        await asyncio.sleep(0.01)
    return count()


def run_stream(
    client: Any,
    run_id: str = RUN_ID,
    *,
    last_event_id: str | None = None,
    history: bool = False,
    reconnect: RetryPolicy = NO_WAIT,
    timeouts: StreamTimeouts | None = None,
    on_reconnect: Any = None,
    max_event_size: int | None = None,
) -> Any:
    """``client.runs.stream(run_id)`` with stream settings (live-only unless ``history``)."""
    tuned = client.with_options(
        reconnect=reconnect,
        stream_timeouts=timeouts,
        on_reconnect=on_reconnect,
        max_event_size=max_event_size,
    )
    return tuned.runs.stream(run_id, last_event_id=last_event_id, history=history)
