"""Scenario 9: many browser-style SSE clients following emulator runs through the FastAPI relay.

Three processes: the package's emulator (``benchmarks/_emulator_streams.py``), the relay under
test -- a FastAPI app serving ``relay_run`` under uvicorn (``benchmarks/_relay_server.py``) --
and the clients (this process, plain aiohttp + the SDK's SSE decoder, one connection each, as
``EventSource`` does). The emulator and the relay share the server CPU; the clients get the other.

One pass, per repeat (a fresh relay process each time):

1. ``S`` runs (1,000; 200 with ``--quick``) of ``root -> hold (wait) -> done`` are started and
   stop at ``hold``; 20 warm-up clients follow runs of their own to ``run_waiting`` and leave.
2. ``S`` clients connect at once, one per run; each gets the run's history through its relay
   (5 events, the last ``run_waiting``). Once all have: the relay process's RSS is read
   (``/_bench/rss``, after a GC) -> **memory per relay** = (RSS now - RSS before) / S.
3. The runs are resumed, 20 every 50 ms (about 400 runs/s: 2,000 events/s through the relays
   while all of them are open); each client receives 5 live events and the relay
   ends after ``run_completed``. **Latency** = arrival time at the client - the event's
   ``timestamp`` (set by the emulator when it published the event; same machine, same clock,
   millisecond resolution), over every live event of every client: p50 and p99.
4. Every client must have received seqs 1..10 exactly once (else the scenario fails).

Reference: the same client and the same upstream streams without uvicorn, FastAPI or a browser
connection (``python -m benchmarks._relay_server upstream ...``, a fresh process, S other held
runs) -> **memory per upstream stream**. The target is on the difference: what a relay costs
beyond the upstream stream it reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks import _ours
from benchmarks._emulator_streams import EmulatorProcess
from benchmarks._harness import Config, Row, ScenarioResult, Target, missing
from benchmarks._server import ServerProcess, raise_fd_limit

NAME = "relay_clients"
TITLE = "Run relay: browser-style SSE clients through uvicorn"
SUBJECT = "b3os_async.fastapi"
ROOT = Path(__file__).resolve().parent.parent.parent
DEFINITION = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["hold"]},
        "hold": {"type": "wait", "payload": {}, "children": ["done"]},
        "done": {"type": "echo", "payload": {"message": "released"}},
    },
    "triggerNodeIds": ["root"],
}
EVENTS = 10  # per run
BEFORE_WAIT = 5  # events up to run_waiting
WARM_UP = 20
OPEN_TIMEOUT = 180.0
RESUME_BATCH, RESUME_PAUSE = 20, 0.05  # runs resumed per batch, seconds between batches


class RelayProcess(ServerProcess):
    """``with RelayProcess() as relay:`` the FastAPI relay app under uvicorn, in a child."""

    MODULE = "benchmarks._relay_server"
    LABEL = "the relay server"


async def _held_runs(b3: Any, count: int) -> list[str]:
    """Start ``count`` runs that stop at the ``hold`` wait node."""
    gate = asyncio.Semaphore(50)

    async def start() -> str:
        async with gate:
            return str((await b3.runs.create(DEFINITION)).run_id)

    return list(await asyncio.gather(*(start() for _ in range(count))))


async def _browser(
    http: aiohttp.ClientSession,
    url: str,
    on_waiting: asyncio.Event | None,
    counter: list[int],
    target: int,
) -> tuple[list[int], list[float]]:
    """One EventSource-like client: every event's seq, and the latency of the live ones (ms)."""
    from b3os_async.sse import SSEDecoder

    seqs: list[int] = []
    latencies: list[float] = []
    decoder = SSEDecoder()
    async with http.get(url) as response:
        if response.status != 200:
            raise AssertionError(f"{url}: status {response.status}")
        async for chunk in response.content.iter_any():
            arrived = time.time()
            for sse in decoder.feed(chunk):
                data = json.loads(sse.data)
                seqs.append(data["seq"])
                if data["seq"] > BEFORE_WAIT:
                    stamp = datetime.fromisoformat(data["timestamp"].replace("Z", "+00:00"))
                    latencies.append((arrived - stamp.timestamp()) * 1000)
                if sse.event == "run_waiting":
                    counter[0] += 1
                    if on_waiting is not None and counter[0] >= target:
                        on_waiting.set()
                    if on_waiting is None:  # a warm-up client: leave once the run waits
                        return seqs, latencies
    return seqs, latencies


async def _relay_pass(relay_url: str, emu_url: str, key: str, clients: int) -> dict[str, Any]:
    raise_fd_limit()
    async with (
        _ours.client(emu_url, api_key=key, max_connections=100) as b3,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http,
    ):
        warm_ids = await _held_runs(b3, WARM_UP)
        run_ids = await _held_runs(b3, clients)
        counter = [0]
        await asyncio.gather(
            *(_browser(http, f"{relay_url}/runs/{r}/events", None, counter, 0) for r in warm_ids)
        )
        async with http.get(f"{relay_url}/_bench/rss") as r:
            before = (await r.json())["rss"]
        counter = [0]
        all_waiting = asyncio.Event()
        started = time.perf_counter()
        tasks = [
            asyncio.ensure_future(
                _browser(http, f"{relay_url}/runs/{r}/events", all_waiting, counter, clients)
            )
            for r in run_ids
        ]
        waiter = asyncio.ensure_future(all_waiting.wait())
        done, _ = await asyncio.wait(
            [waiter, *tasks], timeout=OPEN_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if waiter not in done:
            for task in tasks:
                task.cancel()
            raise AssertionError(f"only {counter[0]} of {clients} relays reached run_waiting")
        open_seconds = time.perf_counter() - started
        async with http.get(f"{relay_url}/_bench/rss") as r:
            measured = await r.json()
        for i in range(0, len(run_ids), RESUME_BATCH):
            batch = run_ids[i : i + RESUME_BATCH]
            await asyncio.gather(*(b3.runs.resume_node(r, "hold") for r in batch))
            await asyncio.sleep(RESUME_PAUSE)
        results = await asyncio.gather(*tasks)
        for run_id in warm_ids:
            await b3.runs.resume_node(run_id, "hold")
    wrong = [seqs for seqs, _ in results if seqs != list(range(1, EVENTS + 1))]
    if wrong:
        raise AssertionError(f"{len(wrong)} clients missed or repeated events, e.g. {wrong[0]}")
    latencies = sorted(ms for _, values in results for ms in values)
    return {
        "rss_per_relay": (measured["rss"] - before) / clients,
        "relays_open": measured["relays"],
        "open_seconds": open_seconds,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


async def _upstream_pass(emu_url: str, key: str, streams: int) -> dict[str, float]:
    async with _ours.client(emu_url, api_key=key, max_connections=100) as b3:
        run_ids = await _held_runs(b3, streams + WARM_UP)
        with tempfile.NamedTemporaryFile("w", suffix=".ids", delete=False) as f:
            f.write("\n".join(run_ids))
        try:
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
            cmd = [sys.executable, "-m", "benchmarks._relay_server", "upstream", emu_url, key,
                   f.name]  # fmt: skip
            proc = await asyncio.create_subprocess_exec(
                *cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            out, err = await asyncio.wait_for(proc.communicate(), OPEN_TIMEOUT)
            if proc.returncode != 0:
                raise RuntimeError(f"upstream worker failed: {err.decode()[-3000:]}")
        finally:
            os.unlink(f.name)
        for i in range(0, len(run_ids), 50):
            await asyncio.gather(*(b3.runs.resume_node(r, "hold") for r in run_ids[i : i + 50]))
    figures: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return figures


def run(cfg: Config) -> ScenarioResult:
    """Relay passes (a fresh relay process each) and the upstream-only reference."""
    result = ScenarioResult(NAME, TITLE)
    for module in ("b3os_async.fastapi", "uvicorn"):
        why = _ours.why_missing(module) if module.startswith("b3os") else missing(module)
        if why is not None:
            result.status, result.reason = "skipped", why
            return result
    clients = cfg.size(1000, 200)
    repeats = cfg.repeats(3, 1)
    result.params.update(
        clients=clients, events_per_run=EVENTS, live_events=EVENTS - BEFORE_WAIT, repeats=repeats
    )
    relay: list[dict[str, Any]] = []
    upstream: list[dict[str, float]] = []
    with EmulatorProcess() as emu:
        os.environ["BENCH_RELAY_UPSTREAM"] = f"{emu.url} {emu.api_key}"
        os.environ["BENCH_RELAY_STREAMS"] = str(clients + WARM_UP)
        for _ in range(repeats):
            with RelayProcess() as server:
                relay.append(asyncio.run(_relay_pass(server.url, emu.url, emu.api_key, clients)))
            upstream.append(asyncio.run(_upstream_pass(emu.url, emu.api_key, clients)))
    kib = 1 / 1024
    per_relay = [f["rss_per_relay"] * kib for f in relay]
    per_stream = [f["rss_per_stream"] * kib for f in upstream]
    beyond = [a - b for a, b in zip(per_relay, per_stream, strict=True)]
    rows = (
        ("memory per relay (relay process RSS)", per_relay, "KiB/relay"),
        ("memory per upstream stream alone (RSS)", per_stream, "KiB/stream"),
        ("memory per relay beyond its upstream stream", beyond, "KiB/relay"),
        ("event latency p50, emulator -> client", [f["p50"] for f in relay], "ms"),
        ("event latency p99, emulator -> client", [f["p99"] for f in relay], "ms"),
        ("all relays open after", [f["open_seconds"] for f in relay], "s"),
    )
    for case, samples, unit in rows:
        result.rows.append(Row(case, SUBJECT, unit, samples, higher_is_better=False))
    result.targets.append(
        Target(
            "memory per relay beyond its upstream stream <= 64 KiB",
            "<=",
            64.0,
            statistics.median(beyond),
            "KiB",
        )
    )
    result.extra["relays open at measurement"] = [f["relays_open"] for f in relay]
    with contextlib.suppress(KeyError):
        del os.environ["BENCH_RELAY_UPSTREAM"]
    return result
