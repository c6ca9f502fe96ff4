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


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 whose open connections can be cut at once (``cut()``).

    Stands between a browser and the app: cutting it is what a flaky network, a proxy restart
    or a load balancer timeout does to a long-lived event stream.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.cuts = 0
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._server: asyncio.Server | None = None
        self._pumps: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cut()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        for task in list(self._pumps):
            task.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        pair = (writer, up_writer)
        self._pairs.add(pair)
        loop = asyncio.get_running_loop()
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = loop.create_task(self._pump(source, sink))
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await source.read(65536):
                sink.write(chunk)
                await sink.drain()
        sink.close()

    def cut(self) -> None:
        """Abort every open connection, both sides, like a reset."""
        for client, upstream in list(self._pairs):
            client.transport.abort()
            upstream.transport.abort()
        if self._pairs:
            self.cuts += 1
        self._pairs.clear()
