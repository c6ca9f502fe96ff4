"""The Emulator object itself: lifecycle, url, keys and organizations, wait_for_run."""

from __future__ import annotations

import re

import aiohttp
import pytest
from emu_helpers import Api, linear

from b3os_async.testing import Emulator


async def test_url_key_and_org_are_ready_inside_async_with() -> None:
    """`async with` gives an http://127.0.0.1:PORT url, a b3sk_ key and an org_ id."""
    async with Emulator() as emu:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", emu.url)
        assert emu.api_key.startswith("b3sk_")
        assert emu.org_id.startswith("org_")


async def test_url_before_start_and_double_start_are_errors() -> None:
    """The url needs a started emulator, and an emulator starts only once."""
    emu = Emulator()
    with pytest.raises(RuntimeError):
        _ = emu.url
    await emu.start()
    try:
        with pytest.raises(RuntimeError):
            await emu.start()
    finally:
        await emu.close()
    await emu.close()  # idempotent


def test_constructor_and_key_arguments_are_validated() -> None:
    """Bad heartbeat, bad scope and unknown organizations raise ValueError."""
    with pytest.raises(ValueError):
        Emulator(heartbeat_interval=0)
    emu = Emulator()
    with pytest.raises(ValueError):
        emu.create_api_key("admin")
    with pytest.raises(ValueError):
        emu.create_api_key("read", org_id="org_nope")


async def test_create_org_gives_a_working_key_for_a_separate_org(emu: Emulator) -> None:
    """create_org returns (org_id, key); the key sees only that organization."""
    org_id, key = emu.create_org("Second Org")
    async with aiohttp.ClientSession(emu.url, headers={"Authorization": f"Bearer {key}"}) as s:
        orgs = await Api(emu, s).data("GET", "/v1/organizations")
    assert [(org["id"], org["name"], org["slug"]) for org in orgs["items"]] == [
        (org_id, "Second Org", "second-org")
    ]


@pytest.mark.slow
async def test_wait_for_run_times_out_with_a_clear_error(api: Api) -> None:
    """wait_for_run raises TimeoutError when the status is not reached in time."""
    started = await api.data("POST", "/v1/runs", json={"definition": linear(("w", "wait", {}))})
    with pytest.raises(TimeoutError, match="still"):
        await api.emu.wait_for_run(started["runId"], timeout=0.05)
    with pytest.raises(TimeoutError, match="does not exist"):
        await api.emu.wait_for_run("run_never", timeout=0.05)
    assert (await api.emu.wait_for_run(started["runId"], "waiting"))["status"] == "waiting"
