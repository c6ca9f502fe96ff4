"""The one scripted HTTP server of the tests, on 127.0.0.1: scripted answers, every request kept.

A real ``aiohttp`` server (real sockets, real framing), so retries, timeouts, pool release and
streams meet real faults. A test scripts, per route, a sequence of steps; each request to the
route takes the next step and the last step repeats::

    async with ScriptedServer() as server:                      # or the ``scripted`` fixture
        server.script("/v1/x", Reply(503), Reply(200, envelope({"id": "wf_1"})))
        server.script("/v1/runs/{id}", Reply(404), method="GET")  # {name}: one raw segment
        server.sse("/v1/runs/{id}/stream", script)                # an SSE connection per request
        b3 = server.client()                                      # closed with the server
        ...
        server.requests[-1].headers["Authorization"]; server.hits("/v1/x")

Steps:

* :class:`Reply` -- a status, a body (``bytes``/``str`` as they are, anything else as JSON),
  headers, and optionally a ``delay``, a ``wait`` event to hold the answer, or ``reset`` to close
  the TCP connection instead of answering;
* a handler -- ``async def handler(request: web.Request) -> web.StreamResponse`` for anything
  computed (e.g. a run's state from the events streamed so far, see :attr:`ScriptedServer.sent`);
  the server has read the body already (``await request.read()`` returns it again, but
  ``request.can_read_body`` is false);
* :class:`Stream` -- an SSE connection (any method: a POST's body is in ``conn.seen``) driven by
  a script ``async def script(conn: SSEConn)``: ``conn.open()`` sends the 200 headers (and
  ``retry:``), ``conn.send(events)`` writes frames (recorded in :attr:`ScriptedServer.sent`),
  ``conn.write(raw)`` writes any bytes (a cut inside a character, a half frame),
  ``conn.comment()`` a heartbeat, ``conn.hold()`` keeps it open until the client leaves; and the
  faults of proxies and restarting servers: ``conn.drop()`` closes it (FIN) mid-body,
  ``conn.reset()`` aborts it (RST), ``conn.burst_then_reset(data)`` /
  ``conn.burst_then_close(data)`` write and break it in the same tick. A script may instead
  return a response (an error status); one that never opens gets a 204. ``conn.index`` counts
  the SSE connections of this server.

Requests nothing was scripted for get a 404 JSON error naming the request.

Scenarios built on this server (each owns one and scripts its routes):

* ``FakeServer`` (``tests/streams/stream_fakes.py``): the run streams (``/v1/runs/{id}/stream``,
  the workflow, workflow-runs and activity streams) and ``GET /v1/runs/{id}``, which answers the
  run's state as far as it has been published; ``HostileRun`` (``tests/streams/hostile.py``)
  drives it through the fault matrix;
* ``ChatServer`` (``tests/streams/chat_fakes.py``): the Caddie chat stream
  (``POST /v1/ai/workflow/chat/stream``);
* ``HookReceiver`` (``tests/hook_receiver.py``): a customer's execution-hook endpoint, which the
  emulator delivers to.

Others script it directly through the ``scripted`` fixture (e.g. the targets of the emulator's
``http-request`` nodes).

The one deliberate exception is ``tests/hardening/hostile_server.py``, a raw asyncio HTTP server:
a lying Content-Length, bytes that are not HTTP and header lines that are not headers are exactly
what ``aiohttp.web`` (any well-behaved framework) refuses to produce. Tests of a *real*
application (the emulator, the FastAPI kit and examples) serve that application itself.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import struct
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs

import attrs
from aiohttp import web
from aiohttp.test_utils import TestServer
from multidict import CIMultiDict, CIMultiDictProxy

from b3os_async import B3OS, RetryPolicy

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "Handler",
    "Reply",
    "SSEConn",
    "Scenario",
    "ScriptedServer",
    "Seen",
    "Stream",
    "envelope",
    "frame",
]

KEY = "b3sk_test_scripted_0123456789WXYZ"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def envelope(data: Any, request_id: str | None = "req-body-1") -> dict[str, Any]:
    """The API's usual success envelope around ``data`` (without ``requestId`` if None)."""
    body = {"code": 200, "data": data, "message": "OK", "requestId": request_id}
    return body if request_id is not None else {k: v for k, v in body.items() if v is not None}


def frame(event: Mapping[str, Any], *, with_id: bool = True, named: bool = True) -> bytes:
    """One SSE frame: ``id:`` = the event's ``id`` (else its ``seq``), ``event:`` = its ``type``,
    ``data:`` = the event as JSON."""
    lines = []
    ident = event.get("id", event.get("seq"))
    if with_id and ident is not None:
        lines.append(f"id: {ident}")
    if named and "type" in event:
        lines.append(f"event: {event['type']}")
    lines.append("data: " + json.dumps(event))
    return ("\n".join(lines) + "\n\n").encode()


@attrs.define
class Reply:
    """One scripted answer (a step)."""

    status: int = 200
    body: Any = b""  # bytes/str are sent as they are; anything else as JSON
    headers: dict[str, str] = attrs.Factory(dict)  # default Content-Type: application/json
    delay: float = 0.0  # seconds to wait before answering
    wait: asyncio.Event | None = None  # answer only once this is set
    reset: bool = False  # close the TCP connection instead of answering


@attrs.frozen
class Stream:
    """A step that serves the request as an SSE connection driven by ``script``."""

    script: Callable[[SSEConn], Awaitable[web.StreamResponse | None]]


Step = Reply | Stream | Handler


@attrs.frozen
class Seen:
    """One request as the server received it."""

    method: str
    raw_path: str  # as on the request line: percent-encoding kept, query included
    path: str  # raw_path without the query
    query: dict[str, list[str]]
    headers: CIMultiDictProxy[str]  # case-insensitive
    body: bytes
    at: float  # time.monotonic() when the request arrived

    def json(self) -> Any:
        """The body decoded as JSON (None when there is no body)."""
        return json.loads(self.body) if self.body else None


class SSEConn:
    """One SSE request as the server sees it; the test's script drives it."""

    def __init__(
        self, scripted: ScriptedServer, request: web.Request, index: int, seen: Seen
    ) -> None:
        self.scripted = scripted  # the server (a scenario's connection adds its own ``server``)
        self.request = request
        self.seen = seen  # the request as recorded (its body already read)
        self.index = index  # 0 for this server's first SSE connection, 1 for the next ...
        self.last_event_id = request.headers.get("Last-Event-ID")
        self.response: web.StreamResponse | None = None

    async def open(
        self,
        *,
        retry_ms: int | None = None,
        content_type: str = "text/event-stream",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Send the 200 headers (and a ``retry:`` field)."""
        response = web.StreamResponse(headers={"Content-Type": content_type, **(headers or {})})
        await response.prepare(self.request)
        self.response = response
        if retry_ms is not None:
            await response.write(f"retry: {retry_ms}\n\n".encode())

    async def write(self, data: bytes | str) -> None:
        """Write raw bytes on the open stream."""
        assert self.response is not None, "open() the stream first"
        await self.response.write(data.encode() if isinstance(data, str) else data)

    async def send(
        self, events: Sequence[Mapping[str, Any]], *, ids: bool = True, named: bool = True
    ) -> None:
        """Write ``events`` as frames (one write) and record them in ``scripted.sent``."""
        self.scripted.sent.extend(dict(event) for event in events)
        await self.write(b"".join(frame(event, with_id=ids, named=named) for event in events))

    async def comment(self, text: str = "heartbeat") -> None:
        """Write an SSE comment line (a heartbeat)."""
        await self.write(f": {text}\n\n")

    async def hold(self) -> None:
        """Keep the stream open until the client goes away (the handler is then cancelled)."""
        await asyncio.Event().wait()

    # -- raw faults: what proxies and restarting servers do to a stream ---------------------------

    def drop(self) -> None:
        """Close the TCP connection abruptly (a FIN mid-body: the body ends early)."""
        transport = self.request.transport
        assert transport is not None
        transport.close()

    def reset(self) -> None:
        """Abort the TCP connection with an RST (``SO_LINGER`` 0), not a FIN."""
        transport = self.request.transport
        assert transport is not None
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()

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


@attrs.define
class _Route:
    method: str
    pattern: re.Pattern[str]
    literal: bool
    steps: list[Step]


def _compile(route: str) -> tuple[re.Pattern[str], bool]:
    """``/v1/runs/{id}`` -> a regex over raw paths where each ``{name}`` is one segment."""
    parts = re.split(r"\{(\w+)\}", route)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(regex), len(parts) == 1


class ScriptedServer:
    """A catch-all server on 127.0.0.1 answering from per-route scripts; see the module doc.

    State a test reads: :attr:`requests` (every request, in order), :meth:`hits`,
    :meth:`wait_for`, :attr:`sent` (events written by SSE connections), :attr:`open_streams`
    (SSE handlers still running).
    """

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.sent: list[dict[str, Any]] = []
        self.open_streams = 0
        self.sse_connections = 0
        self._routes: list[_Route] = []
        self._clients: list[B3OS] = []
        self._arrived: asyncio.Event | None = None
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._server = TestServer(app, host="127.0.0.1")

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> ScriptedServer:
        """Start listening (on a free port)."""
        await self._server.start_server()
        return self

    async def close(self) -> None:
        """Close the clients made by :meth:`client`, then the server."""
        for client in self._clients:
            await client.aclose()
        await self._server.close()

    async def __aenter__(self) -> ScriptedServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:41234``."""
        return str(self._server.make_url("")).rstrip("/")

    def client(self, **kwargs: Any) -> B3OS:
        """A client for this server (a test key, request retries that never sleep), closed by
        :meth:`close`. Keyword arguments go to :class:`B3OS`."""
        kwargs.setdefault("api_key", KEY)
        kwargs.setdefault("base_url", self.url)
        kwargs.setdefault("retry", RetryPolicy.no_wait())
        client = B3OS(**kwargs)
        self._clients.append(client)
        return client

    # -- scripting -------------------------------------------------------------------------------

    def script(self, route: str, *steps: Step, method: str = "*") -> None:
        """Answer ``method route`` with ``steps`` in turn; the last one repeats.

        ``route`` is a raw path without query; ``{name}`` matches one segment. Literal routes win
        over templates; scripting the same method and route again replaces its steps.
        """
        if not steps:
            raise ValueError("script() needs at least one step")
        method = method.upper()
        pattern, literal = _compile(route)
        for known in self._routes:
            if known.method == method and known.pattern.pattern == pattern.pattern:
                known.steps = list(steps)
                return
        self._routes.append(_Route(method, pattern, literal, list(steps)))

    def sse(self, route: str, script: Callable[[SSEConn], Awaitable[Any]]) -> None:
        """Serve every ``GET route`` as an SSE connection driven by ``script``."""
        self.script(route, Stream(script), method="GET")

    # -- what happened ---------------------------------------------------------------------------

    def hits(self, path: str, method: str | None = None) -> int:
        """How many requests reached ``path`` (raw, without query; a ``{name}`` template works)."""
        pattern, _ = _compile(path)
        return sum(
            1
            for seen in self.requests
            if pattern.fullmatch(seen.path) and (method is None or seen.method == method.upper())
        )

    async def wait_for(
        self, path: str, count: int = 1, *, method: str | None = None, timeout: float = 5.0
    ) -> None:
        """Wait until ``count`` requests reached ``path`` (:class:`TimeoutError` after
        ``timeout`` seconds)."""

        async def arrived() -> None:
            while self.hits(path, method) < count:
                event = self._arrived = self._arrived or asyncio.Event()
                event.clear()
                await event.wait()

        await asyncio.wait_for(arrived(), timeout)

    # -- serving ---------------------------------------------------------------------------------

    def _find(self, method: str, path: str) -> tuple[_Route | None, dict[str, str]]:
        for literal in (True, False):
            for route in self._routes:
                if route.literal is not literal or route.method not in ("*", method):
                    continue
                match = route.pattern.fullmatch(path)
                if match is not None:
                    return route, match.groupdict()
        return None, {}

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        at = time.monotonic()
        path, _, query = request.raw_path.partition("?")
        seen = Seen(
            request.method,
            request.raw_path,
            path,
            parse_qs(query, keep_blank_values=True),
            CIMultiDictProxy(CIMultiDict(request.headers)),
            await request.read(),
            at,
        )
        self.requests.append(seen)
        if self._arrived is not None:
            self._arrived.set()
        route, _ = self._find(request.method, path)
        if route is None:
            message = f"not scripted: {request.method} {request.raw_path}"
            return web.json_response({"code": 404, "message": message}, status=404)
        step = route.steps.pop(0) if len(route.steps) > 1 else route.steps[0]
        if isinstance(step, Reply):
            return await self._reply(request, step)
        if isinstance(step, Stream):
            return await self._stream(request, step, seen)
        return await step(request)

    async def _reply(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        if reply.wait is not None:
            await reply.wait.wait()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.reset:
            transport = request.transport
            assert transport is not None
            transport.close()
            raise asyncio.CancelledError  # nothing more to send on a closed connection
        body = reply.body
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        headers = {"Content-Type": "application/json", **reply.headers}
        return web.Response(status=reply.status, body=body, headers=headers)

    async def _stream(self, request: web.Request, step: Stream, seen: Seen) -> web.StreamResponse:
        conn = SSEConn(self, request, self.sse_connections, seen)
        self.sse_connections += 1
        self.open_streams += 1
        try:
            response = await step.script(conn)
        finally:
            self.open_streams -= 1
        if response is not None:
            return response
        if conn.response is None:
            return web.Response(status=204)
        return conn.response


ScenarioT = TypeVar("ScenarioT", bound="Scenario")


class Scenario:
    """Base of the scenario layers built on a :class:`ScriptedServer` (``FakeServer`` for run
    streams, ``ChatServer`` for the Caddie chat): the server (:attr:`scripted`), its lifecycle,
    its URL, and a counter the test's consumer moves (:meth:`saw` / :meth:`wait_seen`) so that a
    script can wait for the client before it faults."""

    def __init__(self) -> None:
        self.scripted = ScriptedServer()
        self.seen = 0  # events the test's consumer has received
        self._seen_changed = asyncio.Event()

    async def start(self: ScenarioT) -> ScenarioT:
        """Start listening (on a free port)."""
        await self.scripted.start()
        return self

    async def close(self) -> None:
        """Close the clients made by ``client()``, then the server."""
        await self.scripted.close()

    async def __aenter__(self: ScenarioT) -> ScenarioT:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The base URL of the server."""
        return self.scripted.url

    @property
    def open_streams(self) -> int:
        """Stream handlers still running."""
        return self.scripted.open_streams

    def saw(self, count: int) -> None:
        """Called by the consumer: it has now received ``count`` events."""
        self.seen = count
        self._seen_changed.set()

    async def wait_seen(self, count: int) -> None:
        """Wait until the consumer received ``count`` events (so a fault cannot race them)."""
        while self.seen < count:
            self._seen_changed.clear()
            await self._seen_changed.wait()
