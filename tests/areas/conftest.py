"""Fixtures of the area tests: an emulator, a client with its key, and a keyless public client."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A started emulator whose streams ask clients to reconnect after 10 ms."""
    async with Emulator(seed=11, retry_ms=10) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """A client with the emulator's read-write key (retries without waiting)."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


@pytest.fixture
async def anon(emu: Emulator) -> AsyncIterator[B3OS]:
    """A keyless client (``B3OS.public``) on the emulator."""
    async with B3OS.public(base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client
