"""Fixtures for the API-area tests: an emulator (fast hook retries) and an SDK client on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from b3os_async import B3OS
    from b3os_async.testing import Emulator


@pytest.fixture
def b3os_emulator_options() -> dict[str, Any]:
    """Failed hook deliveries are retried after 20 ms (then 40, 80 ...), attempts time out at
    0.5 s."""
    return {"seed": 3, "hook_retry_delay": 0.02, "hook_timeout": 0.5}


@pytest.fixture
def emu(b3os_emulator: Emulator) -> Emulator:
    """The running emulator (the plugin's ``b3os_emulator``)."""
    return b3os_emulator


@pytest.fixture
def b3(b3os_client: B3OS) -> B3OS:
    """A client of the emulator's default organization (the plugin's ``b3os_client``)."""
    return b3os_client
