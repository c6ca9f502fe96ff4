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
    from pathlib import Path

# Modules that are slow as a whole *and* slow to collect: Schemathesis builds a test per operation
# of the document while collecting (~7 s), so the fast suite skips importing them at all.
SLOW_TO_COLLECT = frozenset({"test_schemathesis.py"})


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the slow-to-collect modules out when the run deselects slow tests (the fast suite)."""
    if collection_path.name in SLOW_TO_COLLECT and config.option.markexpr == "not slow":
        return True
    return None


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
