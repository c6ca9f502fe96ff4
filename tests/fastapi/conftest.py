"""Fixtures for the FastAPI kit: an emulator with fast hook retries and the app's client."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator with fast hook retries (20 ms, 40 ms ...) and 5 s attempt timeouts.

    The timeout is generous on purpose: handlers run in the thread pool, and on a loaded machine
    an attempt slower than a 1 s timeout is recorded as a failure and retried, which made a
    "retried exactly once" assertion flaky (seen once: two retries, the handler called twice).
    """
    async with Emulator(seed=11, hook_retry_delay=0.02, hook_timeout=5.0, retry_ms=50) as e:
        yield e


@pytest.fixture
def client_factory(emu: Emulator) -> Callable[[], B3OS]:
    """Builds the app's client: the emulator's default organization, retries without sleeps."""

    def factory() -> B3OS:
        return B3OS(api_key=emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait())

    return factory
