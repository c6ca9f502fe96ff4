"""The Caddie chat scenario on the scripted server: :class:`ChatServer` serves
``POST /v1/ai/workflow/chat/stream`` through a per-connection script and keeps every request body.
The server underneath is ``support.scripted.ScriptedServer``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from support.scripted import Scenario, SSEConn, Stream, frame

from b3os_async import B3OS, RetryPolicy

CHAT_PATH = "/v1/ai/workflow/chat/stream"
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
    return frame(event, with_id=False, named=False)


class ChatConn(SSEConn):
    """One chat request of a :class:`ChatServer`: an :class:`SSEConn` whose ``server`` is the
    ChatServer, ``body`` the request's JSON body, and ``send`` writes data-only frames."""

    def __init__(self, server: ChatServer, sse: SSEConn) -> None:
        super().__init__(sse.scripted, sse.request, sse.index, sse.seen)
        self.server = server
        self.body = sse.seen.json()  # read by the scripted server when the request came in

    @property
    def last_event_index(self) -> int | None:
        """The ``lastEventIndex`` of the request body, if any."""
        value = self.body.get("lastEventIndex") if isinstance(self.body, dict) else None
        return value if isinstance(value, int) else None

    async def send(
        self, events: Sequence[Mapping[str, Any]], *, ids: bool = False, named: bool = False
    ) -> None:
        """Write ``events`` as data-only frames (as the chat endpoint does)."""
        await super().send(events, ids=ids, named=named)


ChatScript = Callable[[ChatConn], Awaitable[web.StreamResponse | None]]


class ChatServer(Scenario):
    """The chat endpoint, each request served by ``script``, on a :class:`ScriptedServer`
    (:attr:`scripted`) of its own; ``bodies`` and ``methods`` are those of every chat request."""

    def __init__(self, script: ChatScript) -> None:
        super().__init__()
        self.script = script
        self.scripted.script(CHAT_PATH, Stream(self._chat), method="POST")

    @property
    def bodies(self) -> list[Any]:
        """The JSON body of each request to the chat path (any method), in order."""
        return [seen.json() for seen in self.scripted.requests if seen.path == CHAT_PATH]

    @property
    def methods(self) -> list[str]:
        """The method of each request to the chat path, in order."""
        return [seen.method for seen in self.scripted.requests if seen.path == CHAT_PATH]

    def client(self, **kwargs: Any) -> B3OS:
        """A client for this server (requests and reconnects never sleep; closed by
        :meth:`close`)."""
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("reconnect", NO_WAIT)
        return self.scripted.client(**kwargs)

    async def _chat(self, sse: SSEConn) -> web.StreamResponse:
        conn = ChatConn(self, sse)
        response = await self.script(conn)
        if response is not None:
            return response
        assert conn.response is not None, "the script neither opened nor answered"
        return conn.response
