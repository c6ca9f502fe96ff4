"""``b3os keys list|create|revoke`` and ``b3os org show|query`` in-process against an emulator."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async._cli._orgs import parse_param
from b3os_async.cli import main
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A local emulator for one test."""
    async with Emulator(seed=4) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client for setting up and checking state on the emulator."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


async def _main(emu: Emulator, *argv: str) -> int:
    args = [*argv, "--base-url", emu.url, "--api-key", emu.api_key]
    return await asyncio.to_thread(main, args)


async def test_keys_create_prints_the_key_once(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``keys create NAME --json`` prints the new key, which then works."""
    assert await _main(emu, "keys", "create", "ci", "--scope", "read-write", "--json") == 0
    created = json.loads(capsys.readouterr().out)
    assert created["key"].startswith("b3sk_")
    async with B3OS(created["key"], base_url=emu.url) as other:
        assert (await other.organizations.current()).id == emu.org_id


async def test_keys_list_shows_prefixes_not_keys(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``keys list`` shows each key's prefix and state, never a whole key."""
    created = await b3.api_keys.create("listed")
    assert await _main(emu, "keys", "list") == 0
    out = capsys.readouterr().out
    assert created.id in out
    assert f"{created.key_prefix}…" in out
    assert created.key not in out
    assert emu.api_key not in out


async def test_keys_revoke_needs_yes(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``keys revoke ID`` without --yes refuses (exit 2) and the key stays active."""
    created = await b3.api_keys.create("keep")
    assert await _main(emu, "keys", "revoke", created.id) == 2
    assert "--yes" in capsys.readouterr().err
    assert (await b3.api_keys.get(created.id)).revoked_at is None


async def test_keys_revoke_with_yes(emu: Emulator, b3: B3OS) -> None:
    """``keys revoke ID --yes`` revokes the key."""
    created = await b3.api_keys.create("gone")
    assert await _main(emu, "keys", "revoke", created.id, "--yes") == 0
    assert (await b3.api_keys.get(created.id)).revoked_at is not None


async def test_org_show_prints_balance_and_members(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``org show`` prints the organization, its CU balance and its members."""
    emu.add_member("dev@example.com")
    emu.set_compute_units(None, 42.5)
    assert await _main(emu, "org", "show") == 0
    out = capsys.readouterr().out
    assert emu.org_id in out
    assert "compute units: 42.5" in out
    assert "dev@example.com" in out
    assert emu.owner_email() in out


async def test_org_query_prints_rows(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """``org query SQL --param`` binds the params and prints the rows as a table."""
    sql = "select name, plan from customers where plan = ? order by id"
    assert await _main(emu, "org", "query", sql, "--param", "pro") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "PLAN"]
    assert [line.split()[-1] for line in lines[1:]] == ["pro", "pro"]


async def test_org_query_refuses_writes(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """``org query`` of a DELETE exits 1 with one error line (the database is read-only)."""
    assert await _main(emu, "org", "query", "delete from customers") == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_params_are_json_scalars_or_text() -> None:
    """--param values parse as JSON scalars, anything else stays text."""
    assert [parse_param(v) for v in ("3", "true", "null", '"x"', "abc", "[1]")] == [
        3,
        True,
        None,
        "x",
        "abc",
        "[1]",
    ]
