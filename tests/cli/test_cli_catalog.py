"""``b3os actions list|get|test``, ``b3os triggers list`` and ``b3os connectors list|get``
in-process against a real emulator (``main`` runs in a worker thread)."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.cli import main
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

TOKEN = "xoxb-cli-secret-token-4321"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A local emulator for one test."""
    async with Emulator(seed=5) as emulator:
        yield emulator


async def _main(emu: Emulator, *argv: str) -> int:
    args = [*argv, "--base-url", emu.url, "--api-key", emu.api_key]
    return await asyncio.to_thread(main, args)


async def _connector(emu: Emulator) -> str:
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as b3:
        created = await b3.connectors.create(name="alerts", type="slack", data={"botToken": TOKEN})
    return created.id


async def test_actions_list_json_is_camel_case(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``actions list --tags --json`` prints the filtered definitions with camelCase keys."""
    assert await _main(emu, "actions", "list", "--tags", "defi,trading", "--json") == 0
    [action] = json.loads(capsys.readouterr().out)
    assert action["type"] == "swap-tokens"
    assert action["payloadSchema"]["required"][0] == "chainId"


async def test_actions_list_table(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --json, actions are a table with a TYPE column."""
    assert await _main(emu, "actions", "list", "--tags", "logic") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["TYPE", "NAME"]
    assert [line.split()[0] for line in lines[1:]] == ["transform", "if", "delay", "wait"]


async def test_actions_get_shows_the_inputs(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``actions get`` lists each input with its type and whether it is required."""
    assert await _main(emu, "actions", "get", "send-telegram-message") == 0
    out = capsys.readouterr().out
    assert "connector telegram-bot" in out
    rows = {
        line.split()[0]: line.split()[1:3]
        for line in out.splitlines()
        if line[:4] in ("chat", "text")
    }
    assert rows == {"chatId": ["string", "yes"], "text": ["string", "yes"]}


async def test_actions_get_of_an_unknown_type_fails(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown action type exits 1 with one error line."""
    assert await _main(emu, "actions", "get", "teleport") == 1
    assert capsys.readouterr().err.startswith("error: ")


async def test_actions_test_prints_the_result(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``actions test --inputs`` prints success, the cost and the result."""
    assert await _main(emu, "actions", "test", "echo", "--inputs", '{"n": 3}') == 0
    out = capsys.readouterr().out
    assert out.startswith("success  (2 CU")
    assert json.loads(out.split("\n", 1)[1]) == {"n": 3}


async def test_actions_test_of_a_failing_action_exits_1(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tested action that fails exits 1 and says why on stderr."""
    assert await _main(emu, "actions", "test", "fail", "--inputs", '{"message": "nope"}') == 1
    assert "fail_action: nope" in capsys.readouterr().err


async def test_actions_test_with_bad_inputs_json_is_a_usage_error(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """--inputs that is not a JSON object exits 2 naming the option."""
    assert await _main(emu, "actions", "test", "echo", "--inputs", "[1]") == 2
    assert "--inputs must be a JSON object" in capsys.readouterr().err


async def test_triggers_list_json(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """``triggers list --tags prices --json`` prints the matching trigger."""
    assert await _main(emu, "triggers", "list", "--tags", "prices", "--json") == 0
    assert [t["type"] for t in json.loads(capsys.readouterr().out)] == ["token-price-cexes"]


async def test_connectors_list_and_get_never_show_the_token(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``connectors list`` and ``connectors get`` show the connector, its token masked."""
    connector_id = await _connector(emu)
    assert await _main(emu, "connectors", "list") == 0
    assert await _main(emu, "connectors", "get", connector_id) == 0
    out = capsys.readouterr().out
    assert out.count(connector_id) == 2
    assert "****4321" in out
    assert TOKEN not in out


async def test_connectors_get_json(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """``connectors get --json`` prints the connector with camelCase maskedData."""
    connector_id = await _connector(emu)
    assert await _main(emu, "connectors", "get", connector_id, "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["id"], printed["maskedData"]) == (connector_id, {"botToken": "****4321"})
