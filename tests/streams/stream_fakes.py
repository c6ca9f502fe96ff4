"""The run-stream scenario on the scripted server: :class:`FakeServer` serves the run streams
through a per-connection script (what each connection does is up to the test) and answers
``GET /v1/runs/{id}`` with the state the run has reached; plus helpers that build run events and
that state. The server underneath is ``support.scripted.ScriptedServer``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web
from support.scripted import Scenario, Seen, SSEConn, Stream, envelope, frame

from b3os_async import B3OS, RetryPolicy

if TYPE_CHECKING:
    from multidict import CIMultiDictProxy

    from b3os_async import StreamTimeouts

__all__ = [
    "API_KEY",
    "NO_WAIT",
    "RUN_ID",
    "STREAM_ROUTES",
    "Conn",
    "FakeServer",
    "Script",
    "collect",
    "frame",
    "linear",
    "run_events",
    "run_state",
    "run_stream",
    "stamp",
    "until_zero",
]

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


#: The stream routes a :class:`FakeServer` serves (``{name}``: one path segment).
STREAM_ROUTES = (
    "/v1/runs/{run_id}/stream",
    "/v1/workflows/{wf}/runs/stream",
    "/v1/workflow-runs/stream",
    "/v1/activity/stream",
)


class Conn(SSEConn):
    """One stream request of a :class:`FakeServer`: an :class:`SSEConn` (open, write, send,
    drop, reset, burst_then_reset ...) whose ``server`` is the FakeServer and whose ``send``
    publishes the events it writes (the run advances)."""

    def __init__(self, server: FakeServer, sse: SSEConn) -> None:
        super().__init__(sse.scripted, sse.request, sse.index, sse.seen)
        self.server = server

    async def send(
        self, events: Sequence[Mapping[str, Any]], *, ids: bool = True, named: bool = True
    ) -> None:
        """Publish ``events`` (the server's run advances) and write them as frames."""
        for event in events:
            self.server.published = max(self.server.published, event["seq"])
        await super().send(events, ids=ids, named=named)


Script = Callable[[Conn], Awaitable[web.StreamResponse | None]]


class FakeServer(Scenario):
    """The run streams (:data:`STREAM_ROUTES`, each request served by ``script``) and
    ``GET /v1/runs/{id}``, on a :class:`ScriptedServer` (:attr:`scripted`) of its own.

    ``requests`` are the headers of every stream request (``streams``: the requests themselves);
    ``open_streams`` counts stream handlers still running; ``published`` is how many of
    ``events`` the run has reached, which is what the run state endpoint reports.
    """

    def __init__(self, script: Script, events: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__()
        self.script = script
        self.events = list(events)
        self.published = 0
        self.streams: list[Seen] = []  # every stream request, in order
        self.run_gets = 0
        self.run_log: list[int] = []  # ``published`` at each answered run GET
        self.run_failures = 0  # answer this many run GETs with 503 first
        self.got_run = asyncio.Event()
        for route in STREAM_ROUTES:
            self.scripted.script(route, Stream(self._stream), method="GET")
        self.scripted.script("/v1/runs/{run_id}", self._run, method="GET")

    @property
    def requests(self) -> list[CIMultiDictProxy[str]]:
        """The headers of each stream request, in order."""
        return [seen.headers for seen in self.streams]

    @property
    def paths(self) -> list[str]:
        """The raw path and query of each stream request, in order."""
        return [seen.raw_path for seen in self.streams]

    @property
    def times(self) -> list[float]:
        """When each stream request arrived (``time.monotonic()``), in order."""
        return [seen.at for seen in self.streams]

    def client(self, **kwargs: Any) -> B3OS:
        """A client for this server whose request retries never sleep (closed by :meth:`close`)."""
        kwargs.setdefault("api_key", API_KEY)
        return self.scripted.client(**kwargs)

    async def _stream(self, sse: SSEConn) -> web.StreamResponse | None:
        conn = Conn(self, sse)
        self.streams.append(sse.seen)
        response = await self.script(conn)
        return response if response is not None else conn.response  # None: never opened, a 204

    async def _run(self, request: web.Request) -> web.StreamResponse:
        self.run_gets += 1
        if self.run_failures:
            self.run_failures -= 1
            return web.json_response({"code": 503, "message": "busy"}, status=503)
        self.got_run.set()
        self.run_log.append(self.published)
        run_id = request.path.rsplit("/", 1)[1]
        if not self.events or not self.published:  # the run does not exist (yet)
            return web.json_response({"code": 404, "message": "run not found"}, status=404)
        state = run_state(run_id, self.events[: self.published])
        return web.json_response(envelope(state, request_id="r1"))


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
