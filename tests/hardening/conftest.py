"""Fixtures of the hardening tests: the hostile server and clients pointed at it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from harden_helpers import KEY
from hostile_server import HostileServer

from b3os_async import B3OS, RetryPolicy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable


@pytest.fixture
async def hostile() -> AsyncIterator[HostileServer]:
    """A running hostile server on 127.0.0.1 (see hostile_server.py)."""
    async with HostileServer() as server:
        yield server


@pytest.fixture
async def hostile_client(hostile: HostileServer) -> AsyncIterator[Callable[..., B3OS]]:
    """Build clients pointed at the hostile server (no retries unless asked); closed afterwards."""
    clients: list[B3OS] = []

    def make(**kwargs: Any) -> B3OS:
        kwargs.setdefault("api_key", KEY)
        kwargs.setdefault("base_url", hostile.url)
        kwargs.setdefault("retry", RetryPolicy.disabled())
        client = B3OS(**kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
