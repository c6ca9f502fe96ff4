"""Helpers for the emulator's own tests (a raw aiohttp client; never the SDK client)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import aiohttp

    from b3os_async.testing import Emulator


def linear(*steps: tuple[str, str, dict[str, Any]], trigger: str = "manual") -> dict[str, Any]:
    """A definition ``root -> step1 -> step2 …`` from ``(node_id, type, payload)`` steps."""
    nodes: dict[str, Any] = {"root": {"type": trigger, "payload": {}, "children": []}}
    previous = "root"
    for node_id, kind, payload in steps:
        nodes[node_id] = {"type": kind, "payload": payload, "children": []}
        nodes[previous]["children"].append(node_id)
        previous = node_id
    return {"nodes": nodes, "triggerNodeIds": ["root"]}


class Api:
    """Thin helpers over a raw ``aiohttp.ClientSession`` bound to the emulator."""

    def __init__(self, emu: Emulator, session: aiohttp.ClientSession) -> None:
        self.emu = emu
        self.session = session

    async def call(
        self, method: str, path: str, *, expect: int = 200, **kwargs: Any
    ) -> dict[str, Any]:
        """Send a request, check the status, return the JSON body."""
        async with self.session.request(method, path, **kwargs) as response:
            body = await response.json(content_type=None)
            assert response.status == expect, (response.status, body)
            return dict(body)

    async def data(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request expecting 200 and return the envelope's ``data``."""
        return (await self.call(method, path, **kwargs))["data"]

    async def create(self, definition: dict[str, Any], name: str = "wf") -> dict[str, Any]:
        """Create a workflow and return it."""
        body = {"name": name, "description": f"{name} description", "definition": definition}
        created: dict[str, Any] = await self.data("POST", "/v1/workflows", json=body)
        return created

    async def run(self, definition: dict[str, Any], **body: Any) -> dict[str, Any]:
        """Run ``definition`` ephemerally and return the finished run."""
        started = await self.data("POST", "/v1/runs", json={"definition": definition, **body})
        return await self.emu.wait_for_run(started["runId"])


class SseReader:
    """Reads one SSE response frame by frame (the emulator frames with LF only)."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self._buffer = b""

    async def frame(self, timeout: float = 5.0) -> dict[str, Any] | None:
        """The next frame as ``{field: value}`` (comments under ``":"``); ``None`` at EOF."""
        while b"\n\n" not in self._buffer:
            chunk = await asyncio.wait_for(self.response.content.readany(), timeout)
            if not chunk:
                return None
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\n\n", 1)
        fields: dict[str, Any] = {}
        for line in raw.decode().split("\n"):
            name, _, value = line.partition(": ") if not line.startswith(":") else (":", "", line)
            fields[name] = value
        if "data" in fields:
            fields["json"] = json.loads(fields["data"])
        return fields

    async def event(self, timeout: float = 5.0) -> dict[str, Any] | None:
        """The next frame that is an event (skipping ``retry`` and heartbeat frames)."""
        while True:
            frame = await self.frame(timeout)
            if frame is None or "data" in frame:
                return frame

    async def rest(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Every remaining event until the server ends the stream."""
        events = []
        while (frame := await self.event(timeout)) is not None:
            events.append(frame)
        return events
