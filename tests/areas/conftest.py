"""Fixtures for the API-area tests: an emulator, a client with its key, and a keyless client."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from area_helpers import T0

from b3os_async import B3OS, RetryPolicy
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from b3os_async.testing import Clock


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A started emulator whose Caddie answers at once (``caddie_pace=0``), whose streams ask
    clients to reconnect after 10 ms, and whose failed hook deliveries are retried after 20 ms
    (then 40, 80 ...) with attempts timing out at 0.5 s."""
    async with Emulator(
        seed=3, caddie_pace=0, retry_ms=10, hook_retry_delay=0.02, hook_timeout=0.5
    ) as emulator:
        yield emulator


@pytest.fixture
def frozen(emu: Emulator) -> Clock:
    """The emulator's clock frozen at 2030-01-01T00:00Z (``await emu.clock.advance(…)`` moves it):
    for tests of schedules and time windows (``pytestmark = pytest.mark.usefixtures("frozen")``)."""
    emu.clock.freeze(T0)
    return emu.clock


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client for the emulator's default organization (retries and reconnects never wait)."""
    async with B3OS(
        emu.api_key,
        base_url=emu.url,
        org_id=emu.org_id,
        retry=RetryPolicy.no_wait(),
        reconnect=RetryPolicy.no_wait(max_attempts=5),
    ) as client:
        yield client


@pytest.fixture
async def anon(emu: Emulator) -> AsyncIterator[B3OS]:
    """A keyless client (``B3OS.public``) on the emulator."""
    async with B3OS.public(base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client
