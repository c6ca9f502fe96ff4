"""Fixtures of the API-area behaviour tests: a started emulator and an SDK client on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A started emulator (seeded: the same ids every run)."""
    async with Emulator(seed=11, retry_ms=10) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """A client with the emulator's default read-write key (retries without waiting)."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client
