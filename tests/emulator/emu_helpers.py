"""Helpers for the emulator's own tests (a raw aiohttp client; never the SDK client)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

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


@dataclass
class Wire:
    """What a raw TCP client received for one HTTP request, and how the connection ended."""

    status: int
    headers: dict[str, str]
    chunks: list[bytes]
    """The body's HTTP chunks in order: the server writes each ``response.write()`` as one."""
    terminated: bool
    """Whether the body's terminating zero-length chunk arrived (a clean end)."""
    error: BaseException | None
    """How the connection ended: ``None`` for EOF, ``ConnectionResetError`` for a TCP reset."""

    @property
    def body(self) -> bytes:
        """The body (every chunk joined)."""
        return b"".join(self.chunks)

    @property
    def reset(self) -> bool:
        """Whether the connection ended with a TCP reset (RST) rather than a close (FIN)."""
        return isinstance(self.error, ConnectionResetError)


class _Recorder(asyncio.Protocol):
    """Keeps every byte received and the exception the connection was lost with."""

    def __init__(
        self, lost: asyncio.Future[BaseException | None], answered: asyncio.Event | None
    ) -> None:
        self.data = bytearray()
        self.lost = lost
        self.answered = answered

    def data_received(self, data: bytes) -> None:
        self.data += data
        if self.answered is not None:
            self.answered.set()

    def eof_received(self) -> bool:
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(exc)


async def wire(
    emu: Emulator,
    path: str,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
    answered: asyncio.Event | None = None,
) -> Wire:
    """GET ``path`` over a bare TCP connection and record the wire until the server ends it.

    An ``asyncio.Protocol`` records every ``data_received``: unlike a stream reader, which raises
    as soon as the connection fails, it keeps the bytes that arrived before a reset.
    ``answered`` is set when the first bytes arrive.
    """
    url = urlsplit(emu.url)
    assert url.hostname is not None
    assert url.port is not None
    loop = asyncio.get_running_loop()
    lost: asyncio.Future[BaseException | None] = loop.create_future()
    transport, recorder = await loop.create_connection(
        lambda: _Recorder(lost, answered), url.hostname, url.port
    )
    lines = [f"GET {path} HTTP/1.1", f"Host: {url.netloc}", f"Authorization: Bearer {emu.api_key}"]
    lines += ["Connection: close", *(f"{name}: {value}" for name, value in (headers or {}).items())]
    transport.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        error = await asyncio.wait_for(lost, timeout)
    finally:
        transport.close()
    head, _, rest = bytes(recorder.data).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = dict(line.split(": ", 1) for line in header_lines)
    chunks: list[bytes] = []
    terminated = False
    while rest:
        size_line, found_line, after = rest.partition(b"\r\n")
        if not found_line:
            break
        size = int(size_line, 16)
        if size == 0:
            terminated = True
            break
        chunks.append(after[:size])
        rest = after[size + 2 :]
    return Wire(int(status_line.split()[1]), found, chunks, terminated, error)
