"""Fixtures for the emulator's own tests: a started emulator and a raw aiohttp client."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import pytest
from emu_helpers import Api

from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A started emulator (heartbeats every 15 s: effectively none during a test)."""
    async with Emulator(seed=7) as emulator:
        yield emulator


@pytest.fixture
async def session(emu: Emulator) -> AsyncIterator[aiohttp.ClientSession]:
    """A raw aiohttp session with the default read-write key."""
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    async with aiohttp.ClientSession(emu.url, headers=headers) as client:
        yield client


@pytest.fixture
def api(emu: Emulator, session: aiohttp.ClientSession) -> Api:
    """Request helpers bound to the default key."""
    return Api(emu, session)
