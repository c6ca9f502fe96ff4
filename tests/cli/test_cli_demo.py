"""``b3os demo`` in-process on a (fake) terminal: the rich live display and the summary."""

from __future__ import annotations

import io
import json
import re

import pytest

from b3os_async._cli._demo import demo
from b3os_async._cli._output import Output
from b3os_async._cli._parser import build_parser


@pytest.mark.slow
async def test_demo_rich_mode_shows_live_table_and_summary() -> None:
    """On a terminal the demo draws the live node table and a summary, and returns 0."""
    pytest.importorskip("rich")  # extra "cli"; without it the output is plain
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(stdout, stderr, tty=True)
    args = build_parser().parse_args(["demo", "--delay-ms", "30"])
    assert await demo(args, out) == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stdout.getvalue())
    assert "✔" in text  # live table marks
    summary = text[text.index("summary") :]
    for node in ("root", "wait", "check_price", "build_alert", "notify", "log_quiet"):
        assert node in summary
    assert "skipped" in summary
    assert "finished: success" in text
    assert "started a local B3OS emulator" in stderr.getvalue()


async def test_demo_json_mode_prints_only_json_lines() -> None:
    """With --json the demo prints JSON lines: events, then one summary object."""
    stdout = io.StringIO()
    out = Output(stdout, io.StringIO(), tty=False, json_mode=True)
    args = build_parser().parse_args(["demo", "--delay-ms", "10", "--json"])
    assert await demo(args, out) == 0
    docs = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert docs[0]["type"] == "run_started"
    assert docs[-2]["type"] == "run_completed"
    summary = docs[-1]["summary"]
    assert [(s["node"], s["status"]) for s in summary][-1] == ("log_quiet", "skipped")


@pytest.mark.slow
async def test_demo_on_a_terminal_shows_the_final_table_once() -> None:
    """On a terminal screen the live table is replaced by the summary, not repeated above it."""
    pytest.importorskip("rich")
    pyte = pytest.importorskip("pyte")
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(stdout, stderr, tty=True)
    args = build_parser().parse_args(["demo", "--delay-ms", "30"])
    assert await demo(args, out) == 0
    screen = pyte.Screen(100, 200)
    stream = pyte.Stream(screen)
    stream.feed(stdout.getvalue().replace("\n", "\r\n"))
    rows = [line.rstrip() for line in screen.display if line.strip()]
    # Every node appears once on the final screen: in the summary table.
    for node in ("check_price", "build_alert", "log_quiet"):
        assert sum(node in row for row in rows) == 1, rows
