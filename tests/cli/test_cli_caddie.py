"""``b3os caddie``: a Caddie turn shown live, ``--create``, ``--json``, errors, ``--emulator``."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from b3os_async import B3OS
from b3os_async.cli import main
from b3os_async.testing import Emulator, Fault

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

ETH = (
    "build me a workflow that every hour fetches the ETH price and posts to Slack "
    "when it is above 3000"
)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A local emulator whose Caddie answers at once."""
    async with Emulator(seed=3, caddie_pace=0) as emulator:
        yield emulator


async def _main(emu: Emulator, *argv: str) -> int:
    args = [*argv, "--base-url", emu.url, "--api-key", emu.api_key]
    return await asyncio.to_thread(main, args)


async def test_the_turn_is_shown_live_line_by_line(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Thinking, tools, each node added, the explanation and the outcome are printed in order."""
    assert await _main(emu, "caddie", ETH) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["mode", "building"]
    assert out[1].startswith("thinking  Reading the request")
    nodes = [line.split()[2] for line in out if line.startswith("+ node")]
    assert nodes == ["root", "fetch_eth_price", "check_value", "notify_slack"]
    said = [line for line in out if line.startswith("caddie")]
    assert said[0] == "caddie    Here is your workflow."
    assert out[-2].startswith("workflow  4 nodes  ETH price alert to Slack")
    assert out[-1] == "fill in   notify_slack.payload.url"
    assert out.index(said[0]) > out.index("+ node    notify_slack  (http-request)")


async def test_create_saves_the_workflow_as_a_draft(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """--create saves Caddie's definition under its suggested name, as a draft."""
    assert await _main(emu, "caddie", ETH, "--create") == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("created draft workflow wf_")
    async with B3OS(emu.api_key, base_url=emu.url) as b3:
        workflows = [w async for w in b3.workflows.list()]
        assert [(w.name, w.status) for w in workflows] == [("ETH price alert to Slack", "draft")]
        saved = await b3.workflows.get(workflows[0].id)
    assert saved.definition is not None
    assert set(saved.definition.nodes) == {"root", "fetch_eth_price", "check_value", "notify_slack"}


async def test_create_after_a_message_answer_fails(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """When Caddie answers with a message, --create has nothing to save: exit 1."""
    assert await _main(emu, "caddie", "sing me a song", "--create") == 1
    captured = capsys.readouterr()
    assert "caddie    I'm the emulator's rules-based Caddie." in captured.out
    assert "error: Caddie answered with a message" in captured.err


async def test_json_prints_every_event_then_the_result(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: one JSON line per event (the API's own JSON), then the result, then the draft."""
    assert await _main(emu, "caddie", ETH, "--create", "--json") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    events = lines[:-2]
    assert [e["index"] for e in events] == list(range(len(events)))
    assert events[-1]["type"] == "done"
    assert lines[-2]["result"]["type"] == "workflow"
    assert lines[-2]["result"]["incompleteFields"] == ["notify_slack.payload.url"]
    assert lines[-1]["created"]["status"] == "draft"


@pytest.mark.slow  # the CLI's client waits its real reconnect delay
async def test_a_dropped_turn_is_resumed_and_noted(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A connection cut mid-turn is resumed: a note on stderr, every node shown once."""
    emu.faults.add(Fault.drop_stream(after_events=12), path="/v1/ai/*", times=1)
    assert await _main(emu, "caddie", ETH) == 0
    captured = capsys.readouterr()
    assert "resuming the turn after event 11" in captured.err
    assert sum(line.startswith("+ node") for line in captured.out.splitlines()) == 4


async def test_no_ai_credits_is_one_error_line(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without AI credits the command prints one error line (the 402) and exits 1."""
    emu.set_ai_credits(0)
    assert await _main(emu, "caddie", ETH) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "error:" in err
    assert "402" in err


@pytest.mark.slow  # the embedded emulator answers at its realistic pace (~1.5 s)
async def test_emulator_flag_runs_offline(capsys: pytest.CaptureFixture[str]) -> None:
    """--emulator starts a local emulator (realistic pace) and the turn completes."""
    assert await asyncio.to_thread(main, ["caddie", "log it", "--emulator"]) == 0
    captured = capsys.readouterr()
    assert "started a local B3OS emulator" in captured.err
    assert "+ node    log  (echo)" in captured.out
