"""Fixtures for the stream tests: a run-stream :class:`FakeServer` (on the scripted server) and a
client wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import pytest
from stream_fakes import FakeServer, Script

from b3os_async import B3OS

Serve = Callable[..., Awaitable[tuple[FakeServer, B3OS]]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start a :class:`FakeServer` running ``script`` and return it with a client for it."""
    started: list[FakeServer] = []

    async def start(
        script: Script, events: Sequence[dict[str, Any]] = (), **client_kwargs: Any
    ) -> tuple[FakeServer, B3OS]:
        server = await FakeServer(script, events).start()
        started.append(server)
        return server, server.client(**client_kwargs)

    yield start
    for server in started:
        await server.close()  # and its clients
