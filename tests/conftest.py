"""Fixtures shared by the whole suite.

``tests/`` is on ``sys.path`` (pytest's rootdir-relative conftest import), so test modules import
their helpers as ``from support.mock_api import ...`` / ``from support.scripted import ...``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from support.mock_api import API, KEY, MockAPI
from support.scripted import ScriptedServer

from b3os_async import B3OS, RetryPolicy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# `pytester` runs a user-style test suite in a subprocess (tests/test_pytest_plugin.py).
pytest_plugins = ["pytester"]


@pytest.fixture
async def api() -> AsyncIterator[tuple[MockAPI, B3OS]]:
    """A real B3OS client on https://api.b3os.org whose network is aioresponses."""
    with MockAPI() as mock:
        async with B3OS(api_key=KEY, base_url=API, retry=RetryPolicy.no_wait()) as b3:
            yield mock, b3


@pytest.fixture
async def scripted() -> AsyncIterator[ScriptedServer]:
    """A started :class:`ScriptedServer` on 127.0.0.1 (closed afterwards)."""
    async with ScriptedServer() as server:
        yield server
