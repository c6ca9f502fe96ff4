"""pytest plugin: fixtures that hand your tests a local B3OS emulator and a client wired to it.

Installed with the package and registered through the ``pytest11`` entry point, so any project that
depends on b3os-async gets these fixtures without configuration::

    async def test_my_service(b3os_client):
        wf = await b3os_client.workflows.create(name="t", description="", definition=...)

Fixtures:

``b3os_emulator_options``
    A ``dict`` of keyword arguments for :class:`b3os_async.testing.Emulator`. Override it in your
    ``conftest.py`` to change the seed, heartbeat interval, ``retry:`` value, ...
``b3os_emulator``
    A running :class:`~b3os_async.testing.Emulator` (one per test), stopped afterwards.
``b3os_client``
    A :class:`~b3os_async.B3OS` client for the emulator's default organization, using a retry
    policy that never sleeps; closed afterwards.

The async fixtures need pytest-asyncio. This module imports nothing heavy at import time: pytest
loads it in every test session of every project that has b3os-async installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from b3os_async._client import B3OS
    from b3os_async.testing import Emulator

try:
    import pytest_asyncio

    _HAVE_PYTEST_ASYNCIO = True
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio
    _HAVE_PYTEST_ASYNCIO = False


@pytest.fixture
def b3os_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the ``b3os_emulator`` fixture's Emulator (override to customise)."""
    return {"seed": 0}


if _HAVE_PYTEST_ASYNCIO:

    @pytest_asyncio.fixture
    async def b3os_emulator(b3os_emulator_options: dict[str, Any]) -> AsyncIterator[Emulator]:
        """A local B3OS emulator on 127.0.0.1, running for the duration of one test."""
        from b3os_async.testing import Emulator

        async with Emulator(**b3os_emulator_options) as emu:
            yield emu

    @pytest_asyncio.fixture
    async def b3os_client(b3os_emulator: Emulator) -> AsyncIterator[B3OS]:
        """A B3OS client for the emulator's default organization (retries never sleep)."""
        from b3os_async._client import B3OS
        from b3os_async._retry import RetryPolicy

        async with B3OS(
            api_key=b3os_emulator.api_key,
            base_url=b3os_emulator.url,
            retry=RetryPolicy.no_wait(),
        ) as client:
            yield client

else:  # pragma: no cover - exercised only without pytest-asyncio

    @pytest.fixture
    def b3os_emulator() -> None:
        """Unavailable: the b3os fixtures are async and need pytest-asyncio."""
        pytest.skip("the b3os_emulator fixture needs pytest-asyncio (pip install pytest-asyncio)")

    @pytest.fixture
    def b3os_client() -> None:
        """Unavailable: the b3os fixtures are async and need pytest-asyncio."""
        pytest.skip("the b3os_client fixture needs pytest-asyncio (pip install pytest-asyncio)")
