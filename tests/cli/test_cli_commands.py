"""``main(argv)`` in-process against a real emulator: list, get, run, error lines.

``main`` calls ``asyncio.run``, so it runs in a worker thread while the emulator serves from the
test's event loop.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.cli import main
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DEFINITION: dict[str, Any] = {
    "triggerNodeIds": ["root"],
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["shout"]},
        "shout": {"type": "echo", "payload": {"text": "{{root.result.word}}!"}},
    },
}
FAILING: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["boom"]},
        "boom": {"type": "fail", "payload": {"message": "kaput"}},
    },
}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A local emulator for one test."""
    async with Emulator(seed=3) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client for setting up state on the emulator."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


async def _main(emu: Emulator, *argv: str, key: str | None = None) -> int:
    args = [*argv, "--base-url", emu.url, "--api-key", key or emu.api_key]
    return await asyncio.to_thread(main, args)


async def _finished_run(emu: Emulator, b3: B3OS, definition: dict[str, Any]) -> str:
    wf = await b3.workflows.create(name="cli test", description="d", definition=definition)
    await b3.workflows.publish(wf.id)
    created = await b3.workflows.run(wf.id, payload={"word": "hi"})
    await emu.wait_for_run(created.run_id)
    return created.run_id


async def test_workflows_list_json(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``workflows list --json`` prints one JSON array holding the organization's workflows."""
    wf = await b3.workflows.create(name="listed", description="d", definition=DEFINITION)
    assert await _main(emu, "workflows", "list", "--json") == 0
    items = json.loads(capsys.readouterr().out)
    assert [(w["id"], w["name"]) for w in items] == [(wf.id, "listed")]


async def test_workflows_list_table(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --json, workflows are shown as an aligned table with a header."""
    wf = await b3.workflows.create(name="tabled", description="d", definition=DEFINITION)
    assert await _main(emu, "workflows", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "STATUS", "VERSION", "UPDATED"]
    assert lines[1].split()[:3] == [wf.id, "tabled", "draft"]


async def test_runs_list_status_filter(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``runs list --status failure --json`` lists only the failed run."""
    await _finished_run(emu, b3, DEFINITION)
    failed = await _finished_run(emu, b3, FAILING)
    assert await _main(emu, "runs", "list", "--status", "failure", "--json") == 0
    items = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["status"]) for r in items] == [(failed, "failure")]


async def test_runs_get_shows_nodes(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``runs get`` prints the run's status and one row per node in execution order."""
    run_id = await _finished_run(emu, b3, DEFINITION)
    assert await _main(emu, "runs", "get", run_id) == 0
    lines = capsys.readouterr().out.splitlines()
    assert run_id in lines[0]
    assert "success" in lines[0]
    assert [line.split()[:3] for line in lines[2:]] == [
        ["root", "manual", "success"],
        ["shout", "echo", "success"],
    ]


async def test_workflows_run_without_watch_prints_run_id(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``workflows run ID --json`` starts a run and prints its id, which then exists."""
    wf = await b3.workflows.create(name="r", description="d", definition=DEFINITION)
    assert await _main(emu, "workflows", "run", wf.id, "--payload", '{"word": "x"}', "--json") == 0
    run_id = json.loads(capsys.readouterr().out)["runId"]
    run = await emu.wait_for_run(run_id)
    assert run["executionState"]["shout"]["result"]["text"] == "x!"


async def test_bad_key_is_one_line_exit_1(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong key gives exit 1 and one ``error:`` line naming the 401, without the key."""
    key = "b3sk_thisisnotavalidkey0000"
    assert await _main(emu, "runs", "list", key=key) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ")
    assert "401" in captured.err
    assert captured.err.count("\n") == 1
    assert key not in captured.err


async def test_missing_run_is_exit_1(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """A run id that does not exist gives exit 1 and a 404 error line."""
    assert await _main(emu, "runs", "get", "run_doesnotexist") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "404" in err
