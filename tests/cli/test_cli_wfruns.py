"""``b3os workflows schedule|vars``, ``b3os metrics summary``, ``b3os api`` against an emulator."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async._cli._arg_types import parse_data, parse_param, parse_since
from b3os_async.cli import main
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

CRON: dict[str, Any] = {
    "nodes": {
        "root": {"type": "cronjob", "payload": {"schedule": "*/15 * * * *"}, "children": ["inc"]},
        "inc": {"type": "set-variable", "payload": {"name": "n", "increment": 1}},
    },
}
MANUAL: dict[str, Any] = {"nodes": {"root": {"type": "manual", "payload": {}}}}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A local emulator (real time) for one test."""
    async with Emulator(seed=9) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client for setting up state."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


async def _main(emu: Emulator, *argv: str) -> int:
    return await asyncio.to_thread(main, [*argv, "--base-url", emu.url, "--api-key", emu.api_key])


async def _scheduled(emu: Emulator, b3: B3OS) -> str:
    """A published */15 workflow with a persist counter, fired twice; its id."""
    wf = await b3.workflows.create(name="cron", description="", definition=CRON)
    await b3.workflows.variables.define(wf.id, "n", type="number", lifetime="persist", default=0)
    await b3.workflows.variables.define(wf.id, "tags", type="list", lifetime="reset", default=[])
    await b3.workflows.publish(wf.id)
    await emu.clock.advance(minutes=30)
    return wf.id


async def test_workflows_schedule_table(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """The next run, the server time and one row per trigger with its run count."""
    wf_id = await _scheduled(emu, b3)
    assert await _main(emu, "workflows", "schedule", wf_id) == 0
    out = capsys.readouterr().out
    assert "next run:" in out
    assert "not scheduled" not in out
    row = next(line for line in out.splitlines() if line.startswith("root"))
    assert row.split()[:3] == ["root", "cronjob", "2"]


async def test_workflows_schedule_json(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: {schedule: {nextRunAt, serverTime}, triggers: [...]} in camelCase."""
    wf_id = await _scheduled(emu, b3)
    assert await _main(emu, "workflows", "schedule", wf_id, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["schedule"]) == {"nextRunAt", "serverTime"}
    assert data["triggers"][0]["runCount"] == 2


async def test_workflows_schedule_of_a_draft_says_not_scheduled(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """A workflow with nothing armed shows "not scheduled"."""
    wf = await b3.workflows.create(name="d", description="", definition=MANUAL)
    assert await _main(emu, "workflows", "schedule", wf.id) == 0
    assert "not scheduled" in capsys.readouterr().out


async def test_workflows_vars_table(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each variable with its value; one never written shows its default."""
    wf_id = await _scheduled(emu, b3)
    assert await _main(emu, "workflows", "vars", wf_id) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:4] == ["n", "number", "persist", "2"]
    assert "[] (default)" in lines[2]


async def test_workflows_vars_json(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: the variables as the API names them (def, hasValue, value …)."""
    wf_id = await _scheduled(emu, b3)
    assert await _main(emu, "workflows", "vars", wf_id, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(v["def"]["name"], v["value"]) for v in data] == [("n", 2), ("tags", None)]


async def test_workflows_vars_of_an_unknown_workflow_fails(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 404 is one error line and exit code 1."""
    assert await _main(emu, "workflows", "vars", "wf_nope") == 1
    assert capsys.readouterr().err.startswith("error:")


async def test_metrics_summary(emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]) -> None:
    """The failure rate line counts the runs of the period; recent runs are listed."""
    wf = await b3.workflows.create(name="m", description="", definition=MANUAL)
    async with b3.workflows.start(wf.id) as run:
        await run.wait()
    assert await _main(emu, "metrics", "summary", "--since", "7d") == 0
    out = capsys.readouterr().out
    assert "1 runs since" in out
    assert run.run_id in out


async def test_metrics_summary_json(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: the summary in camelCase, daily points for 7 days."""
    assert await _main(emu, "metrics", "summary", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["runsTimeSeries"]["granularity"] == "daily"
    assert data["failureRate"]["total"] == 0


async def test_metrics_summary_rejects_a_bad_since(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """--since 7 (no unit) is a usage error: exit 2."""
    assert await _main(emu, "metrics", "summary", "--since", "7") == 2
    assert "--since" in capsys.readouterr().err


async def test_api_get_prints_the_unwrapped_json(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """b3os api GET prints the data of the envelope."""
    wf = await b3.workflows.create(name="raw", description="", definition=MANUAL)
    assert await _main(emu, "api", "GET", f"/v1/workflows/{wf.id}") == 0
    assert json.loads(capsys.readouterr().out)["name"] == "raw"


async def test_api_sends_params_and_data(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """--param builds the query (repeated: a list), --data the JSON body."""
    wf = await b3.workflows.create(name="body", description="", definition=MANUAL)
    body = json.dumps({"workflowIds": [wf.id]})
    assert await _main(emu, "api", "POST", "/v1/workflows/batch-meta", "--data", body) == 0
    assert list(json.loads(capsys.readouterr().out)) == [wf.id]
    args = ("--param", "actions=echo", "--param", "actions=wait", "--param", "limit=5")
    assert await _main(emu, "api", "GET", "/v1/workflows", *args) == 0
    query = emu.requests[-1].query
    assert (query.getall("actions"), query["limit"]) == (["echo", "wait"], "5")


async def test_api_error_is_one_line(emu: Emulator, capsys: pytest.CaptureFixture[str]) -> None:
    """An API error prints one error line and exits 1."""
    assert await _main(emu, "api", "GET", "/v1/workflows/wf_nope") == 1
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert len(err.strip().splitlines()) == 1


async def test_api_stream_prints_events_as_json_lines(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """--stream --last-event-id 0 --max-events 1 replays the first activity event as JSON."""
    wf = await b3.workflows.create(name="s", description="", definition=MANUAL)
    args = ("--stream", "--last-event-id", "0", "--max-events", "1")
    assert await _main(emu, "api", "GET", "/v1/activity/stream", *args) == 0
    (line,) = capsys.readouterr().out.splitlines()
    event = json.loads(line)
    assert (event["id"], event["event"], event["data"]["workflowId"]) == (
        "1",
        "workflow_created",
        wf.id,
    )


def test_parse_since_durations() -> None:
    """90m, 12h, 7d and 2w are durations back from now."""
    now = datetime.now(timezone.utc)
    for text, step in (("90m", timedelta(minutes=90)), ("7d", timedelta(days=7))):
        assert abs(now - step - parse_since(text)) < timedelta(seconds=5)


def test_parse_since_takes_an_rfc3339_moment_with_a_zone() -> None:
    """An RFC 3339 time with Z is taken as it is; without a zone it is refused."""
    assert parse_since("2030-01-01T00:00:00Z") == datetime(2030, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_since("2030-01-01T00:00:00")


def test_parse_param_needs_an_equals_sign() -> None:
    """key=value splits at the first "="; a bare key is refused."""
    assert parse_param("q=a=b") == ("q", "a=b")
    with pytest.raises(argparse.ArgumentTypeError):
        parse_param("q")


def test_parse_data_reads_a_file(tmp_path: Path) -> None:
    """@FILE reads the JSON body from a file; invalid JSON is refused."""
    body = tmp_path / "body.json"
    body.write_text('{"a": [1]}', encoding="utf-8")
    assert parse_data(f"@{body}") == {"a": [1]}
    with pytest.raises(argparse.ArgumentTypeError, match="not valid JSON"):
        parse_data("{")
