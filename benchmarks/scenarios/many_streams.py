"""Scenario 4: many concurrent run streams in one client process.

The server (separate process) holds every stream after ``HOLD`` events (sending ``: heartbeat``
comments every 0.5 s) until it is released, then sends the rest and the terminal event. The client
opens ``S`` streams at once (1,000; 200 in quick mode), waits until every stream has received its
first ``HOLD`` events (so all are open at the same moment), measures memory, releases the server,
and checks that every stream received every event.

Measured per reader (``b3os_async`` = ``b3.runs.stream()``, ``aiohttp-minimal`` = the reference
reader of ``benchmarks/_streaming.py``; ``b3os_async@emulator`` = ``b3.runs.stream()`` of real
runs on the package's emulator, held at a ``wait`` node and resumed, see
``benchmarks/_emulator_streams.py``):
* memory per open stream: RSS delta (from ``/proc/self/statm``) and ``tracemalloc`` delta of the
  Python heap, each divided by ``S``, taken while all streams are open;
* CPU per event: ``time.process_time()`` over the whole run divided by all events delivered.

Each reader runs in its own fresh worker process (``python -m benchmarks.scenarios.many_streams``)
so that one reader's freed memory cannot hide the next one's RSS growth; all workers talk to the
same server process. A worker makes two passes: the first without ``tracemalloc`` (RSS, CPU,
wall time), the second with it (traced bytes; ``tracemalloc`` slows everything down, so no CPU
figure comes from that pass).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import _ours, _streaming
from benchmarks._emulator_streams import EmulatorProcess
from benchmarks._harness import Config, Row, ScenarioResult, Target, add_ratio, rotated
from benchmarks._server import ServerProcess, post_json, raise_fd_limit, rss, wait_until_open

NAME = "many_streams"
EMULATOR = "b3os_async@emulator"
TITLE = "Many concurrent run streams in one process"
EVENTS = 20  # per stream, terminal included
HOLD = 10  # events each stream receives before the server holds it
OPEN_TIMEOUT = 120.0  # seconds for all streams to open and receive their first HOLD events
READERS = ("b3os_async", "aiohttp-minimal", EMULATOR)
ROOT = Path(__file__).resolve().parent.parent.parent


async def _pass(
    read: _streaming.Reader, url: str, streams: int, tag: str, traced: bool
) -> dict[str, float]:
    """Open ``streams`` streams, measure while all are open, finish them; return figures."""
    await post_json(f"{url}/_bench/stream", {"events": EVENTS, "hold_after": HOLD})
    arrived = 0
    all_open = asyncio.Event()

    def on_event(count: int) -> None:
        nonlocal arrived
        if count == HOLD:
            arrived += 1
            if arrived == streams:
                all_open.set()

    gc.collect()
    rss0 = rss()
    if traced:
        tracemalloc.start()
    traced0 = tracemalloc.get_traced_memory()[0] if traced else 0
    wall, cpu = time.perf_counter(), time.process_time()
    tasks = [
        asyncio.ensure_future(read(f"run_bench_many_{tag}_{i:05d}", on_event))
        for i in range(streams)
    ]
    await wait_until_open(
        all_open, tasks, OPEN_TIMEOUT, lambda: f"{arrived} of {streams} streams opened"
    )
    open_seconds = time.perf_counter() - wall
    gc.collect()
    rss_open = rss() - rss0
    traced_open = tracemalloc.get_traced_memory()[0] - traced0 if traced else 0
    await post_json(f"{url}/_bench/release", {})
    counts = await asyncio.gather(*tasks)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if traced:
        tracemalloc.stop()
    short = [c for c in counts if c != EVENTS]
    if short:
        raise AssertionError(
            f"{len(short)} streams missed events (e.g. got {short[0]} of {EVENTS})"
        )
    return {
        "rss_per_stream": rss_open / streams,
        "traced_per_stream": traced_open / streams,
        "cpu_per_event": cpu / (streams * EVENTS),
        "wall": wall,
        "open_seconds": open_seconds,
        "events": float(sum(counts)),
    }


async def _emulator_worker(url: str, api_key: str, streams: int) -> dict[str, float]:
    from benchmarks._emulator_streams import create_workflow, emulator_pass

    async with _ours.client(url, max_streams=streams + 16, api_key=api_key) as b3:
        workflow_id = await create_workflow(b3)
        await emulator_pass(b3, workflow_id, min(20, streams), traced=False)  # warm up
        plain = await emulator_pass(b3, workflow_id, streams, traced=False)
        traced = await emulator_pass(b3, workflow_id, streams, traced=True)
    plain["traced_per_stream"] = traced["traced_per_stream"]
    return plain


async def _worker(reader: str, url: str, streams: int) -> dict[str, float]:
    if reader == EMULATOR:
        base_url, api_key = url.split(" ", 1)
        return await _emulator_worker(base_url, api_key, streams)
    async with AsyncExitStack() as stack:
        if reader == "b3os_async":
            b3 = await stack.enter_async_context(_ours.client(url, max_streams=streams + 16))
            read = _streaming.ours(b3)
        else:
            connector = aiohttp.TCPConnector(limit=streams + 16)
            session = await stack.enter_async_context(aiohttp.ClientSession(connector=connector))
            read = _streaming.aiohttp_minimal(session, url)
        await _pass(read, url, min(20, streams), "warm", traced=False)  # load code, grow pools
        plain = await _pass(read, url, streams, "plain", traced=False)
        traced = await _pass(read, url, streams, "traced", traced=True)
    plain["traced_per_stream"] = traced["traced_per_stream"]
    return plain


def _run_worker(reader: str, url: str, streams: int) -> dict[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "benchmarks.scenarios.many_streams", reader, url, str(streams)]
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=3 * OPEN_TIMEOUT + 60
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{reader} worker failed: {proc.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def run(cfg: Config) -> ScenarioResult:
    """Run each reader's worker against one server process; compare per-stream figures."""
    result = ScenarioResult(NAME, TITLE)
    streams = cfg.size(1000, 200)
    repeats = cfg.repeats(3, 1)
    result.params.update(
        streams=streams, events_per_stream=EVENTS, hold_after=HOLD, repeats=repeats
    )
    readers = list(READERS)
    why = _ours.why_missing("b3os_async._client", "b3os_async.testing")
    if why is not None:
        for name in ("b3os_async", EMULATOR):
            result.skipped[name] = why
            readers.remove(name)
    figures: dict[str, list[dict[str, float]]] = {name: [] for name in readers}
    with contextlib.ExitStack() as servers:
        server = servers.enter_context(ServerProcess())
        targets = {"b3os_async": server.url, "aiohttp-minimal": server.url}
        if EMULATOR in readers:
            emulator = servers.enter_context(EmulatorProcess())
            targets[EMULATOR] = f"{emulator.url} {emulator.api_key}"
        for r in range(repeats):
            for name in rotated(readers, r):
                figures[name].append(_run_worker(name, targets[name], streams))
    metrics = (
        ("memory per open stream (RSS)", "rss_per_stream", 1 / 1024, "KiB/stream"),
        ("memory per open stream (tracemalloc)", "traced_per_stream", 1 / 1024, "KiB/stream"),
        ("CPU per event", "cpu_per_event", 1e6, "µs/event"),
    )
    for case, key, scale, unit in metrics:
        for name in readers:
            samples = [f[key] * scale for f in figures[name]]
            result.rows.append(Row(case, name, unit, samples, higher_is_better=False))
    for name in readers:
        result.rows.append(
            Row(
                "all streams open after",
                name,
                "s",
                [f["open_seconds"] for f in figures[name]],
                False,
            )
        )
        result.rows.append(
            Row("total wall time", name, "s", [f["wall"] for f in figures[name]], False)
        )
    for case, _, _, _ in metrics:
        add_ratio(
            result,
            case,
            "b3os_async",
            "aiohttp-minimal",
            f"{case}: b3os_async / aiohttp-minimal",
            "lower is better",
        )
    for subject, where in (("b3os_async", ""), (EMULATOR, ", emulator")):
        for case in ("memory per open stream (RSS)", "memory per open stream (tracemalloc)"):
            row = result.row(case, subject)
            target = case.replace("memory per open stream", "memory per open stream" + where)
            result.targets.append(
                Target(f"{target} <= 64 KiB", "<=", 64.0, row.median if row else None, " KiB")
            )
    result.notes.append(
        f"{streams} streams x {EVENTS} events; every stream's count asserted == {EVENTS}. "
        f"{EMULATOR}: {streams} real runs held at a wait node, then resumed; every stream "
        "asserted to end with run_completed after seqs 1..N with no gap or repeat."
    )
    return result


def _main() -> None:
    parser = argparse.ArgumentParser(description="many_streams worker (internal)")
    parser.add_argument("reader", choices=READERS)
    parser.add_argument("url")
    parser.add_argument("streams", type=int)
    args = parser.parse_args()
    raise_fd_limit(args.streams * 2 + 256)
    figures: dict[str, Any] = asyncio.run(_worker(args.reader, args.url, args.streams))
    print(json.dumps(figures))


if __name__ == "__main__":
    _main()
