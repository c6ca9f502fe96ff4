"""The ``b3os`` command end to end, as a user runs it: ``python -m b3os_async …`` in a subprocess.

stdout is a pipe here, so every command runs in plain mode (no rich, no escape codes). The
emulator the commands talk to runs in the test's own event loop, except for ``b3os demo`` (which
starts its own) and ``b3os emulator`` (which is the emulator).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.testing import Emulator, Fault

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.slow  # every test here starts a Python subprocess

_TIMEOUT = 30.0
_ANSI = re.compile(r"\x1b\[")

# root -> gate (wait, resumed by the test) -> pause (delay) -> done (echo)
GATED: dict[str, Any] = {
    "triggerNodeIds": ["root"],
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["gate"]},
        "gate": {"type": "wait", "payload": {}, "children": ["pause"]},
        "pause": {"type": "delay", "payload": {"ms": 20}, "children": ["done"]},
        "done": {"type": "echo", "payload": {"text": "{{root.result.word}}"}},
    },
}
SIMPLE: dict[str, Any] = {
    "triggerNodeIds": ["root"],
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["pause"]},
        "pause": {"type": "delay", "payload": {"ms": 20}, "children": ["done"]},
        "done": {"type": "echo", "payload": {"text": "{{root.result.word}}"}},
    },
}


def _env() -> dict[str, str]:
    """The test's environment without B3OS_* settings (commands get them as options)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("B3OS_")}


async def _spawn(*argv: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "b3os_async",
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_env(),
    )


async def _finish(proc: asyncio.subprocess.Process) -> tuple[int, str, str]:
    try:
        out, err = await asyncio.wait_for(proc.communicate(), _TIMEOUT)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.communicate()
        raise
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def _b3os(*argv: str) -> tuple[int, str, str]:
    """Run ``b3os ARGV`` to completion: (exit code, stdout, stderr)."""
    return await _finish(await _spawn(*argv))


def _conn(emu: Emulator) -> list[str]:
    return ["--base-url", emu.url, "--api-key", emu.api_key]


def _event_lines(stdout: str) -> list[list[str]]:
    """The plain event lines (``+0.12s  type  node  status …``) split into words."""
    return [line.split() for line in stdout.splitlines() if re.match(r"\s*\+\d+\.\d\ds ", line)]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A local emulator for one test (streams ask clients to reconnect after 50 ms)."""
    async with Emulator(seed=5, retry_ms=50) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client for setting up state on the emulator."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


async def test_demo_runs_every_node_and_summarises() -> None:
    """``b3os demo`` exits 0, prints a plain line per event for every node and a summary."""
    code, out, err = await _b3os("demo", "--delay-ms", "50")
    assert code == 0, err
    assert not _ANSI.search(out + err)
    events = _event_lines(out)
    nodes = ["root", "wait", "check_price", "build_alert", "notify", "log_quiet"]
    assert {words[2] for words in events if words[1].startswith("node_")} == set(nodes)
    assert ["node_skipped", "log_quiet", "skipped"] in [w[1:4] for w in events]
    assert events[-1][1:2] == ["run_completed"]
    summary = out[out.index("summary") :].splitlines()
    assert summary[1].split() == ["NODE", "TYPE", "STATUS", "DURATION"]
    assert [row.split()[:3] for row in summary[2:8]] == [
        ["root", "manual", "success"],
        ["wait", "delay", "success"],
        ["check_price", "if", "success"],
        ["build_alert", "transform", "success"],
        ["notify", "echo", "success"],
        ["log_quiet", "echo", "skipped"],
    ]
    assert out.rstrip().endswith("finished: success")


async def test_demo_cut_off_by_head_exits_quietly(tmp_path: Path) -> None:
    """``b3os demo | head -2``: exit 141, nothing on stderr but the start note, no traceback."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("needs bash for the pipeline")
    err_file = tmp_path / "stderr.txt"
    # head leaves after two lines; the demo's writes after its 300 ms delay hit a closed pipe.
    script = (
        '"$0" -m b3os_async demo --delay-ms 300 2>"$1" | head -2 >/dev/null; '
        'echo "${PIPESTATUS[0]}"'
    )
    proc = await asyncio.create_subprocess_exec(
        bash, "-c", script, sys.executable, str(err_file),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(),
    )  # fmt: skip
    code, out, err = await _finish(proc)
    assert (code, err) == (0, "")
    assert out.strip() == "141"
    demo_err = err_file.read_text()
    assert "Broken pipe" not in demo_err
    assert all(line.startswith("started a local B3OS emulator") for line in demo_err.splitlines())


async def test_demo_with_base_url_uses_that_server(emu: Emulator, b3: B3OS) -> None:
    """``demo --base-url/--api-key`` runs on the given server and starts no emulator of its own."""
    code, out, err = await _b3os("demo", "--delay-ms", "10", *_conn(emu))
    assert code == 0, err
    assert "started a local B3OS emulator" not in err
    workflows = [wf async for wf in b3.workflows.list()]
    assert [wf.name for wf in workflows] == ["b3os demo: price alert"]
    runs = [run async for run in b3.runs.list()]
    assert [(run.workflow_id, run.status) for run in runs] == [(workflows[0].id, "success")]
    assert out.rstrip().endswith(f"run {runs[0].id} finished: success")


async def test_the_installed_b3os_console_script(emu: Emulator, b3: B3OS) -> None:
    """The ``b3os`` entry point installed next to the interpreter runs a command."""
    script = Path(sys.executable).parent / "b3os"
    if not script.exists():
        pytest.skip(f"no console script at {script} (package not installed in this environment)")
    wf = await b3.workflows.create(name="via script", description="d", definition=SIMPLE)
    proc = await asyncio.create_subprocess_exec(
        str(script), "workflows", "list", "--json", *_conn(emu),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(),
    )  # fmt: skip
    code, out, err = await _finish(proc)
    assert code == 0, err
    assert [(w["id"], w["name"]) for w in json.loads(out)] == [(wf.id, "via script")]


async def test_emulator_command_serves_and_stops_on_sigint() -> None:
    """``b3os emulator`` prints URL, key and an export line, serves them, and exits 0 on Ctrl-C."""
    proc = await _spawn("emulator", "--host", "127.0.0.1", "--port", "0", "--seed", "1")
    try:
        assert proc.stdout is not None
        banner = ""
        while "export " not in banner:
            line = await asyncio.wait_for(proc.stdout.readline(), _TIMEOUT)
            assert line, "the emulator exited before printing its banner"
            banner += line.decode()
        url = re.search(r"URL:\s+(\S+)", banner)
        key = re.search(r"API key:\s+(b3sk_\S+)", banner)
        assert url is not None
        assert key is not None
        assert f"export B3OS_BASE_URL={url[1]} B3OS_API_KEY={key[1]}" in banner
        headers = {"Authorization": f"Bearer {key[1]}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url[1]}/v1/organizations", headers=headers) as response,
        ):
            assert response.status == 200
            assert (await response.json())["data"]["items"]
        proc.send_signal(signal.SIGINT)
        code, _, err = await _finish(proc)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()
    assert code == 0
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


async def test_emulator_command_exits_promptly_with_clients_connected() -> None:
    """Ctrl-C stops ``b3os emulator`` within half a second, with a keep-alive and a stream open."""
    proc = await _spawn("emulator", "--port", "0", "--json")
    try:
        assert proc.stdout is not None
        info = json.loads(await asyncio.wait_for(proc.stdout.readline(), _TIMEOUT))
        headers = {"Authorization": f"Bearer {info['api_key']}"}
        async with aiohttp.ClientSession(headers=headers) as session:
            async with session.get(f"{info['url']}/v1/workflows") as response:
                await response.read()  # leaves an idle keep-alive connection
            async with session.get(f"{info['url']}/v1/activity/stream") as stream:
                await stream.content.readline()  # an open event stream
                started = time.monotonic()
                proc.send_signal(signal.SIGINT)
                code = await asyncio.wait_for(proc.wait(), _TIMEOUT)
                took = time.monotonic() - started
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()
    assert code == 0
    assert took < 0.5


async def test_workflows_list_json(emu: Emulator, b3: B3OS) -> None:
    """``b3os workflows list --json`` prints one JSON document listing the workflows."""
    wf = await b3.workflows.create(name="listed", description="d", definition=SIMPLE)
    code, out, err = await _b3os("workflows", "list", "--json", *_conn(emu))
    assert code == 0, err
    assert [(w["id"], w["name"], w["status"]) for w in json.loads(out)] == [
        (wf.id, "listed", "draft")
    ]


async def test_runs_list_json(emu: Emulator, b3: B3OS) -> None:
    """``b3os runs list --json`` prints one JSON document listing the runs with their status."""
    wf = await b3.workflows.create(name="r", description="d", definition=SIMPLE)
    created = await b3.workflows.run(wf.id, payload={"word": "x"})
    await emu.wait_for_run(created.run_id)
    code, out, err = await _b3os("--json", "runs", "list", *_conn(emu))
    assert code == 0, err
    assert [(r["id"], r["workflowId"], r["status"]) for r in json.loads(out)] == [
        (created.run_id, wf.id, "success")
    ]


async def test_workflows_run_watch(emu: Emulator, b3: B3OS) -> None:
    """``workflows run ID --watch`` streams every node's events and ends with the run's status."""
    wf = await b3.workflows.create(name="w", description="d", definition=SIMPLE)
    code, out, err = await _b3os(
        "workflows", "run", wf.id, "--watch", "--payload", '{"word": "hey"}', *_conn(emu)
    )
    assert code == 0, err
    events = [w[1:4] for w in _event_lines(out)]
    assert events[0] == ["run_started", "-", "running"]
    for node in ("root", "pause", "done"):
        assert ["node_completed", node, "success"] in events
    assert '{"text":"hey"}' in out
    assert events[-1] == ["run_completed", "-", "success"]
    assert out.rstrip().endswith("finished: success")


async def _watch_through_a_drop(emu: Emulator, b3: B3OS, after_events: int) -> tuple[int, str, str]:
    """``runs watch`` a waiting GATED run whose first stream is cut after ``after_events``."""
    wf = await b3.workflows.create(name="g", description="d", definition=GATED)
    created = await b3.workflows.run(wf.id, payload={"word": "go"})
    run_id = created.run_id
    await emu.wait_for_run(run_id, status="waiting")
    path = f"/v1/runs/{run_id}/stream"
    drop = emu.faults.add(Fault.drop_stream(after_events=after_events), path=path, times=1)
    proc = await _spawn("runs", "watch", run_id, *_conn(emu))
    try:
        assert proc.stdout is not None
        # The headline comes once the watcher is subscribed and has read the run's state
        # (root done, gate waiting); only then does the run go on.
        headline = await asyncio.wait_for(proc.stdout.readline(), _TIMEOUT)
        assert drop.hits == 1
        await b3.runs.resume_node(run_id, "gate")
        code, out, err = await _finish(proc)
        return code, headline.decode() + out, err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()


def _check_watch_output(code: int, out: str, err: str) -> list[list[str]]:
    """What a watch through a dropped connection guarantees; returns the event lines."""
    assert code == 0, err
    assert "reconnecting" in err
    assert "Traceback" not in err
    assert "waiting  (1 of 4 nodes done)" in out.splitlines()[0]
    events = [w[1:3] for w in _event_lines(out)]
    # An event written just before the drop may be lost; the reconnect then rebuilds state
    # from GET /v1/runs/{id} ("(recovered)" lines). Either way nothing is told twice …
    assert len(events) == len({tuple(e) for e in events}), events
    # … the pre-watch history shown in the headline is not repeated …
    assert ["run_started", "-"] not in events
    assert ["node_completed", "root"] not in events
    # … and the run is followed to its end.
    assert {node for kind, node in events if kind == "node_completed"} == {"gate", "pause", "done"}
    assert events[-1] == ["run_completed", "-"]
    assert out.rstrip().endswith("finished: success")
    return events


async def test_runs_watch_survives_a_dropped_connection(emu: Emulator, b3: B3OS) -> None:
    """``runs watch`` cut after its first event reconnects and shows the rest, none twice."""
    _check_watch_output(*await _watch_through_a_drop(emu, b3, after_events=1))


async def test_runs_watch_recovery_does_not_repeat_the_headline(emu: Emulator, b3: B3OS) -> None:
    """A reconnect rebuilt from the run's state prints no "(recovered)" line the headline showed."""
    code, out, err = await _watch_through_a_drop(emu, b3, after_events=0)
    events = _check_watch_output(code, out, err)
    assert ["run_waiting", "gate"] not in events


async def test_ctrl_c_during_watch_exits_130_quietly(emu: Emulator, b3: B3OS) -> None:
    """Ctrl-C while ``runs watch`` waits on a run: exit 130, no traceback, stream released."""
    wf = await b3.workflows.create(name="g", description="d", definition=GATED)
    created = await b3.workflows.run(wf.id, payload={"word": "go"})
    await emu.wait_for_run(created.run_id, status="waiting")
    proc = await _spawn("runs", "watch", created.run_id, *_conn(emu))
    try:
        assert proc.stdout is not None
        # The headline is printed once the watcher is subscribed and has read the run's state.
        headline = await asyncio.wait_for(proc.stdout.readline(), _TIMEOUT)
        assert emu.open_streams == 1
        proc.send_signal(signal.SIGINT)
        code, _, err = await _finish(proc)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()
    assert code == 130
    assert "waiting  (1 of 4 nodes done)" in headline.decode()
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err


async def test_bad_key_subprocess(emu: Emulator) -> None:
    """A wrong key: exit 1, one ``error:`` line on stderr, no traceback, the key never printed."""
    key = "b3sk_wrongwrongwrong1234567"
    code, out, err = await _b3os("runs", "list", "--base-url", emu.url, "--api-key", key)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert key not in out + err
