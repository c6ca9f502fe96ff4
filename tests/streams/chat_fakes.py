"""A scripted Caddie chat server on 127.0.0.1 (``POST /v1/ai/workflow/chat/stream``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from b3os_async import B3OS, RetryPolicy

API_KEY = "b3sk_test_chat_0123456789"
NO_WAIT = RetryPolicy.no_wait(max_attempts=5)


def chat_events(count: int = 6, *, indexed: bool = True) -> list[dict[str, Any]]:
    """A turn: thinking, tool_start/tool_result, node, chunks ..., then done (``count`` events)."""
    kinds: list[dict[str, Any]] = [
        {"type": "thinking", "message": "Reading the request"},
        {"type": "tool_start", "toolName": "search_actions"},
        {"type": "tool_result", "toolName": "search_actions", "result": {"matches": ["echo"]}},
        {"type": "node", "nodeId": "root", "node": {"type": "manual", "payload": {}}},
    ]
    events = kinds[: max(0, count - 1)]
    while len(events) < count - 1:
        events.append({"type": "chunk", "data": f"part {len(events)} "})
    events.append(
        {
            "type": "done",
            "data": {
                "type": "workflow",
                "workflow": {"nodes": {"root": {"type": "manual", "payload": {}}}},
                "incompleteFields": ["root.payload.x"],
                "validationErrors": [{"nodeId": "root", "message": "fill x"}],
            },
            "usage": {"inputTokens": 100, "outputTokens": 50},
            "toolUtilization": [{"toolName": "search_actions", "callCount": 1, "score": 0.5}],
        }
    )
    if indexed:
        events = [{**event, "index": n} for n, event in enumerate(events)]
    return events


def data_frame(event: dict[str, Any]) -> bytes:
    """One data-only frame."""
    return f"data: {json.dumps(event)}\n\n".encode()


class ChatConn:
    """One chat request as the server sees it; the test's script drives it."""

    def __init__(self, server: ChatServer, request: web.Request, body: Any, index: int) -> None:
        self.server = server
        self.request = request
        self.body = body
        self.index = index
        self.response: web.StreamResponse | None = None

    @property
    def last_event_index(self) -> int | None:
        """The ``lastEventIndex`` of the request body, if any."""
        value = self.body.get("lastEventIndex") if isinstance(self.body, dict) else None
        return value if isinstance(value, int) else None

    async def open(self) -> None:
        """Send 200 ``text/event-stream`` headers."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(self.request)
        self.response = response

    async def write(self, data: bytes) -> None:
        """Write raw bytes."""
        assert self.response is not None
        await self.response.write(data)

    async def send(self, events: list[dict[str, Any]]) -> None:
        """Write ``events`` as data-only frames."""
        await self.write(b"".join(data_frame(event) for event in events))

    def drop(self) -> None:
        """Close the TCP connection abruptly."""
        transport = self.request.transport
        assert transport is not None
        transport.close()


ChatScript = Callable[[ChatConn], Awaitable[web.StreamResponse | None]]


class ChatServer:
    """Serves the chat endpoint through a per-connection script; records every request body."""

    def __init__(self, script: ChatScript) -> None:
        self.script = script
        self.bodies: list[Any] = []
        self.methods: list[str] = []
        self.open_streams = 0
        self.seen = 0
        self._seen_changed = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/v1/ai/workflow/chat/stream", self._chat)
        self.server = TestServer(app, host="127.0.0.1")

    def client(self, **kwargs: Any) -> B3OS:
        """A client for this server (requests and reconnects never sleep)."""
        kwargs.setdefault("retry", RetryPolicy.no_wait())
        kwargs.setdefault("reconnect", NO_WAIT)
        base = str(self.server.make_url("")).rstrip("/")
        return B3OS(api_key=API_KEY, base_url=base, **kwargs)

    def saw(self, count: int) -> None:
        """The consumer has received ``count`` events."""
        self.seen = count
        self._seen_changed.set()

    async def wait_seen(self, count: int) -> None:
        """Wait until the consumer received ``count`` events."""
        while self.seen < count:
            self._seen_changed.clear()
            await self._seen_changed.wait()

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        self.methods.append(request.method)
        body = json.loads(await request.read() or b"null")
        conn = ChatConn(self, request, body, len(self.bodies))
        self.bodies.append(body)
        self.open_streams += 1
        try:
            response = await self.script(conn)
            if response is not None:
                return response
            assert conn.response is not None, "the script neither opened nor answered"
            return conn.response
        finally:
            self.open_streams -= 1
