"""A scriptable execution-hook receiver: a real aiohttp server on 127.0.0.1 for the tests.

It records every request (headers and raw body) and answers with the scripted statuses in turn
(then ``default``), optionally after a delay. ``closed_url()`` gives a URL where nothing listens
(a receiver that is down).
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, NamedTuple

from aiohttp import web

if TYPE_CHECKING:
    from types import TracebackType

    from multidict import CIMultiDictProxy


class Received(NamedTuple):
    """One request the receiver got."""

    headers: CIMultiDictProxy[str]
    body: bytes


class HookReceiver:
    """``async with HookReceiver(statuses=[500, 200]) as rx: rx.url ... await rx.wait_for(2)``."""

    def __init__(
        self, statuses: list[int] | None = None, *, default: int = 204, delay: float = 0.0
    ) -> None:
        self.statuses = list(statuses or [])
        self.default = default
        self.delay = delay
        self.received: list[Received] = []
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.received.append(Received(request.headers, body))
        self._changed.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.statuses.pop(0) if self.statuses else self.default
        return web.Response(status=status, text="" if status == 204 else f"answered {status}")

    async def __aenter__(self) -> HookReceiver:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait until ``count`` requests arrived (``TimeoutError`` after ``timeout``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.received) < count:
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), max(deadline - loop.time(), 0))
        return list(self.received)


def closed_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
