"""Fixtures shared by the whole suite."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from aioresponses import aioresponses
from mock_api import API, KEY, MockAPI

from b3os_async._client import B3OS
from b3os_async._retry import RetryPolicy

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# `pytester` runs a user-style test suite in a subprocess (tests/test_pytest_plugin.py).
pytest_plugins = ["pytester"]


@pytest.fixture
async def api() -> AsyncIterator[tuple[MockAPI, B3OS]]:
    """A real B3OS client on https://api.b3os.org whose network is aioresponses."""
    with aioresponses() as mock:
        async with B3OS(api_key=KEY, base_url=API, retry=RetryPolicy.no_wait()) as b3:
            yield MockAPI(mock), b3
