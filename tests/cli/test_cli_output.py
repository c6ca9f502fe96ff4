"""The CLI's printer: plain tables, no escape codes off a terminal, JSON, one-line errors."""

from __future__ import annotations

import io
import json
import re
import sys
from datetime import datetime, timezone
from typing import Any

import pytest

from b3os_async import RunEvent
from b3os_async._cli._output import Output, Styled, format_duration, to_jsonable
from b3os_async._cli._progress import RunView
from b3os_async._cli._summary import node_order
from b3os_async.models import ExecutionNode, ExecutionNodeStatus, Run, RunStatus


def _Event(type: str, node_id: str | None = None, **kw: Any) -> RunEvent:
    """A run event as the stream would deliver it."""
    return RunEvent(type=type, node_id=node_id, run_id="run_x", **kw)


def _plain() -> tuple[Output, io.StringIO, io.StringIO]:
    stdout, stderr = io.StringIO(), io.StringIO()
    return Output(stdout, stderr, tty=False), stdout, stderr


def test_plain_table_aligns_columns() -> None:
    """A plain table pads every column to its widest cell, with upper-case headers."""
    out, stdout, _ = _plain()
    out.table(["node", "status"], [["root", Styled("success", "green")], ["a-long-id", "x"]])
    assert stdout.getvalue().splitlines() == [
        "NODE       STATUS",
        "root       success",
        "a-long-id  x",
    ]


def test_plain_mode_never_writes_escape_codes() -> None:
    """Off a terminal, styled text is written without ANSI escape codes."""
    out, stdout, stderr = _plain()
    out.line(Styled("failure", "bold red"))
    out.note("reconnected")
    out.table(["s"], [[Styled("success", "green")]])
    assert "\x1b" not in stdout.getvalue() + stderr.getvalue()


def test_ansi_fallback_colours_statuses_without_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal without rich installed, statuses are still coloured (hand-written ANSI)."""
    monkeypatch.setitem(sys.modules, "rich.console", None)  # import now raises ImportError
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    stdout = io.StringIO()
    out = Output(stdout, io.StringIO(), tty=True)
    out.line(Styled("success", "green"))
    assert out.console is None
    assert stdout.getvalue() == "\x1b[32msuccess\x1b[0m\n"


def test_rich_table_on_terminal_renders_cells() -> None:
    """With rich on a terminal, a table is drawn by rich and shows every cell."""
    pytest.importorskip("rich")  # extra "cli"; without it the output is plain
    stdout = io.StringIO()
    out = Output(stdout, io.StringIO(), tty=True)
    out.table(["node", "status"], [["fetch", Styled("success", "green")]])
    assert out.rich
    text = stdout.getvalue()
    assert "fetch" in text
    assert "success" in text
    assert "\x1b[" in text


def test_error_is_one_redacted_line() -> None:
    """error() prints exactly one line, prefixed, with API keys redacted."""
    out, _, stderr = _plain()
    out.error("bad key b3sk_supersecretvalue1234\nsecond line")
    assert stderr.getvalue() == "error: bad key b3sk_…1234 second line\n"


def test_to_jsonable_handles_models() -> None:
    """Models become JSON-ready dicts with the API's camelCase keys and RFC 3339 timestamps."""
    t0 = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    run = Run(
        id="run_1",
        status=RunStatus.SUCCESS,
        execution_state={"root": ExecutionNode(status=ExecutionNodeStatus.SUCCESS, started_at=t0)},
    )
    data = json.loads(json.dumps(to_jsonable(run)))
    assert data["status"] == "success"
    assert data["executionState"]["root"]["startedAt"] == "2025-01-02T03:04:05Z"


def test_format_duration_units() -> None:
    """Durations read naturally at every scale."""
    assert [format_duration(x) for x in (None, 0.0, 0.3124, 1.254, 123)] == [
        "-",
        "<1 ms",
        "312 ms",
        "1.25 s",
        "2m 03s",
    ]


def test_node_order_is_depth_first_from_trigger() -> None:
    """Nodes are ordered depth-first from the trigger, unreachable ones last, each once."""
    nodes = {
        "orphan": {"children": []},
        "b": {"children": []},
        "root": {"children": ["a", "b"]},
        "a": {"children": ["c"]},
        "c": {"children": ["a"]},
    }
    assert node_order(nodes) == ["root", "a", "c", "b", "orphan"]


def test_run_view_plain_prints_one_line_per_event() -> None:
    """Off a terminal, each event is one plain line with its type, node and status."""
    out, stdout, _ = _plain()
    with RunView(out, title="run run_x") as view:
        view.event(_Event("run_started", status="running"))
        view.event(_Event("node_completed", "fetch", status="success", result={"n": 1}))
        view.event(_Event("node_failed", "boom", error={"message": "kaput"}))
        view.event(_Event("run_failed", status="failure"))
    lines = stdout.getvalue().splitlines()
    assert lines[0] == "run run_x"
    assert len(lines) == 5
    assert lines[2].split()[1:] == ["node_completed", "fetch", "success", '{"n":1}']
    assert lines[3].split()[1:] == ["node_failed", "boom", "failure", "kaput"]
    assert view.run_status == "failure"


def test_run_view_json_mode_prints_json_lines() -> None:
    """With --json, each event is one compact JSON object on its own line."""
    stdout = io.StringIO()
    out = Output(stdout, io.StringIO(), tty=False, json_mode=True)
    with RunView(out) as view:
        view.event(_Event("node_started", "a", status="running"))
        view.event(_Event("run_completed", status="success"))
    docs = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [d["type"] for d in docs] == ["node_started", "run_completed"]
    assert view.run_status == "success"


def test_run_view_live_table_shows_nodes() -> None:
    """On a terminal with rich, the live display ends showing every node and its status."""
    pytest.importorskip("rich")  # extra "cli"; without it the output is plain
    stdout = io.StringIO()
    out = Output(stdout, io.StringIO(), tty=True)
    with RunView(out, title="run run_x", nodes=[("root", "manual"), ("wait", "delay")]) as view:
        view.event(_Event("node_completed", "root", status="success"))
        view.event(_Event("node_skipped", "wait"))
        view.note("reconnected")
    text = stdout.getvalue()
    assert "reconnected" in text
    assert "skipped" in text
    assert "manual" in text


def test_to_jsonable_leaves_out_secret_fields() -> None:
    """Fields hidden from repr (a workflow's trigger secret) never reach JSON output."""
    from b3os_async.models import Workflow

    data = to_jsonable(Workflow(id="wf_1", trigger_secret="s3cret"))
    assert data["id"] == "wf_1"
    assert "trigger_secret" not in data


def test_run_view_without_rich_prints_coloured_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal without rich, the run view falls back to event lines (ANSI colours)."""
    monkeypatch.setitem(sys.modules, "rich.console", None)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    stdout = io.StringIO()
    out = Output(stdout, io.StringIO(), tty=True)
    with RunView(out) as view:
        view.event(_Event("node_completed", "fetch", status="success"))
    assert not out.live
    assert "node_completed" in stdout.getvalue()
    assert "\x1b[32msuccess\x1b[0m" in stdout.getvalue()


def test_error_on_terminal_is_still_one_line() -> None:
    """On a terminal (rich), a long error stays one line: no wrapping, key redacted."""
    pytest.importorskip("rich")  # extra "cli"; without it the output is plain
    stderr = io.StringIO()
    out = Output(io.StringIO(), stderr, tty=True)
    out.error("x" * 300 + " b3sk_supersecretvalue1234")
    text = re.sub(r"\x1b\[[0-9;]*m", "", stderr.getvalue())
    assert text.count("\n") == 1
    assert text.startswith("error: xxx")
    assert "supersecret" not in text


def test_run_view_hides_synthetic_events_that_repeat_the_loaded_state() -> None:
    """After load_run, a recovered event repeating a shown state prints nothing; news prints."""
    out, stdout, _ = _plain()
    run = Run(
        id="run_x",
        status=RunStatus.WAITING,
        execution_state={
            "root": ExecutionNode(status=ExecutionNodeStatus.SUCCESS),
            "gate": ExecutionNode(status=ExecutionNodeStatus.WAITING),
        },
    )
    view = RunView(out, title="run run_x")
    view.load_run(run)
    with view:
        view.event(_Event("run_started", status="running", synthetic=True))
        view.event(_Event("node_completed", "root", status="success", synthetic=True))
        view.event(_Event("run_waiting", "gate", status="waiting", synthetic=True))
        view.event(_Event("run_waiting", status="waiting", synthetic=True))
        view.event(_Event("node_completed", "gate", status="success", synthetic=True))
        view.event(_Event("run_completed", status="success", synthetic=True))
    lines = stdout.getvalue().splitlines()
    assert [line.split()[1:4] for line in lines[1:]] == [
        ["node_completed", "gate", "success"],
        ["run_completed", "-", "success"],
    ]
    assert all(line.endswith("(recovered)") for line in lines[1:])
    assert view.run_status == "success"
