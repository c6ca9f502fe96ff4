"""The pytest plugin users get by installing the package: its fixtures, run in a fresh pytest."""

from __future__ import annotations

import pytest

USER_TESTS = """
import pytest

from b3os_async import B3OS, Workflow


@pytest.fixture
def b3os_emulator_options():
    return {"seed": 42, "retry_ms": 5}


@pytest.mark.asyncio
async def test_client_talks_to_the_emulator(b3os_client, b3os_emulator):
    assert isinstance(b3os_client, B3OS)
    assert b3os_client.base_url == b3os_emulator.url
    wf = await b3os_client.workflows.create(
        name="from a user's test",
        description="",
        definition={"nodes": {"root": {"type": "manual", "payload": {}}}},
    )
    assert isinstance(wf, Workflow)
    assert [w.id async for w in b3os_client.workflows.list()] == [wf.id]


@pytest.mark.asyncio
async def test_each_test_gets_a_fresh_emulator(b3os_client):
    assert [w async for w in b3os_client.workflows.list()] == []
"""


@pytest.mark.slow  # runs a whole pytest session in a subprocess
def test_fixtures_work_in_a_users_test_suite(pytester: pytest.Pytester) -> None:
    """A user's suite gets working ``b3os_client``/``b3os_emulator`` fixtures with no set-up."""
    pytester.makepyfile(test_user=USER_TESTS)
    pytester.makeini(
        "[pytest]\nfilterwarnings = error\nasyncio_default_fixture_loop_scope = function\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
