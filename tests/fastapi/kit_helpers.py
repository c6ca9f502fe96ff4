"""Helpers of the FastAPI kit's tests: an in-process uvicorn server, a browser-like SSE reader."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

import uvicorn

from b3os_async.sse import SSEDecoder

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import aiohttp

    from b3os_async.sse import ServerSentEvent


@contextlib.asynccontextmanager
async def serve(app: Any, **config: Any) -> AsyncIterator[str]:
    """Run ``app`` under a real uvicorn server on 127.0.0.1; yields its base URL."""
    settings = {"port": 0, "log_level": "warning", "lifespan": "on", "ws": "none", **config}
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", **settings))
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class SseClient:
    """A browser-like SSE reader over aiohttp: frames decoded by the SDK's SSE decoder."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.decoder = SSEDecoder()
        self.chunks: list[bytes] = []

    async def events(self, timeout: float = 10.0) -> list[ServerSentEvent]:
        """Every event until the server ends the response."""
        found: list[ServerSentEvent] = []
        while True:
            chunk = await asyncio.wait_for(self.response.content.readany(), timeout)
            if not chunk:
                return found
            self.chunks.append(chunk)
            found.extend(self.decoder.feed(chunk))

    async def next_events(self, count: int, timeout: float = 10.0) -> list[ServerSentEvent]:
        """Read until at least ``count`` events arrived (more may come in the same chunk)."""
        found: list[ServerSentEvent] = []
        while len(found) < count:
            chunk = await asyncio.wait_for(self.response.content.readany(), timeout)
            assert chunk, f"the stream ended after {len(found)} events"
            self.chunks.append(chunk)
            found.extend(self.decoder.feed(chunk))
        return found
