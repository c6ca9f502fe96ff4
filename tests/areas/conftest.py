"""Fixtures for the SDK's behaviour against the emulator, per API area: ``emu`` and ``b3``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A started emulator."""
    async with Emulator(seed=11) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """A client of the emulator's organization (org_id set; retries without waiting)."""
    async with B3OS(
        emu.api_key, base_url=emu.url, org_id=emu.org_id, retry=RetryPolicy.no_wait()
    ) as client:
        yield client
