"""Fixtures for the stream tests: scripted SSE servers on 127.0.0.1 and clients wired to them."""

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
    started: list[tuple[FakeServer, B3OS]] = []

    async def start(
        script: Script, events: Sequence[dict[str, Any]] = (), **client_kwargs: Any
    ) -> tuple[FakeServer, B3OS]:
        server = FakeServer(script, events)
        await server.server.start_server()
        client = server.client(**client_kwargs)
        started.append((server, client))
        return server, client

    yield start
    for server, client in started:
        await client.aclose()
        await server.server.close()
