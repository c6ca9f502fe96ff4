"""A scriptable execution-hook receiver for the tests: a scenario on the scripted server.

It records every request (headers and raw body) and answers with the scripted statuses in turn
(then ``default``), optionally after a delay. ``closed_url()`` gives a URL where nothing listens
(a receiver that is down). The server underneath is ``support.scripted.ScriptedServer``.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, NamedTuple

from support.scripted import Reply, ScriptedServer

if TYPE_CHECKING:
    from types import TracebackType

    from multidict import CIMultiDictProxy

PATH = "/hook"


class Received(NamedTuple):
    """One request the receiver got."""

    headers: CIMultiDictProxy[str]
    body: bytes


class HookReceiver:
    """``async with HookReceiver(statuses=[500, 200]) as rx: rx.url ... await rx.wait_for(2)``."""

    def __init__(
        self, statuses: list[int] | None = None, *, default: int = 204, delay: float = 0.0
    ) -> None:
        self.scripted = ScriptedServer()
        answers = [*(statuses or []), default]  # the last step repeats
        self.scripted.script(PATH, *(self._answer(status, delay) for status in answers))
        self.url = ""

    @staticmethod
    def _answer(status: int, delay: float) -> Reply:
        text = "" if status == 204 else f"answered {status}"
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        return Reply(status, text, headers, delay=delay)

    @property
    def received(self) -> list[Received]:
        """Every request, in order."""
        return [Received(seen.headers, seen.body) for seen in self.scripted.requests]

    async def __aenter__(self) -> HookReceiver:
        await self.scripted.start()
        self.url = self.scripted.url + PATH
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.scripted.close()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait until ``count`` requests arrived (``TimeoutError`` after ``timeout``)."""
        await self.scripted.wait_for(PATH, count, timeout=timeout)
        return self.received


def closed_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{PATH}"
