"""Fixtures for the area tests: an emulator whose clock is frozen, and an SDK client on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from area_helpers import T0

from b3os_async import B3OS, RetryPolicy
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator frozen at 2030-01-01T00:00Z (``await emu.clock.advance(...)`` moves it)."""
    async with Emulator(seed=11, frozen_at=T0) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client on the emulator; retries without waiting."""
    async with B3OS(api_key=emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client
