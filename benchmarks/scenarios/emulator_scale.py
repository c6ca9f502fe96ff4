"""Scenario 7: the package's emulator at scale -- list pages, run throughput, latency under load.

Everything runs against ``b3os_async.testing.Emulator`` in processes of its own
(``benchmarks/_emulator_scale.py``, pinned to their own CPU like the benchmark server), with raw
aiohttp as the client: the emulator is what is measured, not the SDK.

1. **Page cost by size.** One emulator process per size, all running at once, holding 1,000,
   10,000 and 100,000 workflows and as many runs (``--quick``: 200 and 2,000). The client times
   sequential GETs of one 100-item page: the first page and the middle page (offset = size / 2)
   of ``/v1/workflows`` (default sort, and ``sort=name:asc``), of ``/v1/runs`` and of
   ``/v1/runs?status=success``, and ``/v1/runs/status-counts``. A sample is the median of 10
   requests (after 3 warm-up ones); each round takes one sample of every case at every size, the
   sizes in rotating order, so that the shared machine's drift hits all sizes alike. Target (the
   issue's): a page at the largest size costs at most 2x the same page at the smallest, for
   workflows and for runs; the ratio is the median of the per-round ratios. Then, as the issue
   measured it, 3 walks through every workflow page by page (``hasMore`` read from each page):
   time per page and for the whole walk.
2. **Run throughput** (on the 10,000 emulator; quick: 2,000): R runs of a small workflow
   (``root`` -> ``echo``) started 32 at a time with ``POST /v1/workflows/{id}/run``; completion
   is seen on that workflow's run-notification stream. Runs/s from the first start to the last
   ``run_completed``, and the p50 time from a start request to its ``run_completed``.
3. **Latency under load** (on that emulator): a load worker (``benchmarks/_emulator_load.py``,
   its own process) keeps 1,000 streams open (200 in quick mode; half run streams of runs
   waiting at a ``wait`` node, half run-notification streams of other workflows) and starts 100
   runs/s (50) of the small workflow. Meanwhile the client sends unrelated requests one at a
   time, 50/s (a workflow, a run, the first 20 workflows, the first 20 runs, in turn); the same
   probe before the load starts gives the idle figures. p50/p99 of all probe requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks._emulator_scale import SMALL, ScaleEmulatorProcess
from benchmarks._harness import Config, Row, ScenarioResult, Target, paired_ratio, rotated

NAME = "emulator_scale"
TITLE = "The emulator at scale: list pages, run throughput, latency under load"
ROOT = Path(__file__).resolve().parent.parent.parent
PAGE = 100
ROUNDS, PER_SAMPLE, WARM_UP, WALKS = 5, 10, 3, 3
WALK = "every workflow, page by page (per page)"
WALK_TOTAL = "every workflow, page by page (whole walk)"
CONCURRENT_STARTS = 32
PROBE_INTERVAL = 0.02


def _cases(size: int) -> dict[str, tuple[str, dict[str, str]]]:
    middle = str(size // 2)
    return {
        "workflows, first page": ("/v1/workflows", {}),
        "workflows, middle page": ("/v1/workflows", {"offset": middle}),
        "workflows by name, middle page": ("/v1/workflows", {"offset": middle, "sort": "name:asc"}),
        "runs, first page": ("/v1/runs", {}),
        "runs, middle page": ("/v1/runs", {"offset": middle}),
        "successful runs, middle page": ("/v1/runs", {"offset": middle, "status": "success"}),
        "run status counts": ("/v1/runs/status-counts", {}),
    }


TARGETED = (
    "workflows, first page",
    "workflows, middle page",
    "runs, first page",
    "runs, middle page",
    "successful runs, middle page",
)


async def _timed_get(session: aiohttp.ClientSession, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    async with session.get(path, params=params) as response:
        body = await response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise AssertionError(f"GET {path} {params}: {response.status} {body[:300]!r}")
    return elapsed


async def _warm_up(session: aiohttp.ClientSession, size: int) -> None:
    """A few requests of every case; and a check that each page is full."""
    for path, params in _cases(size).values():
        query = {"limit": str(PAGE), **params}
        async with session.get(path, params=query) as response:
            data = (await response.json())["data"]
        if "items" in data and len(data["items"]) != PAGE:
            raise AssertionError(f"{path} {params}: {len(data['items'])} items, not {PAGE}")
        for _ in range(WARM_UP):
            await _timed_get(session, path, query)


async def _pages(
    sessions: dict[int, aiohttp.ClientSession], rounds: int
) -> dict[int, dict[str, list[float]]]:
    """Per size and case, one sample (ms) per round: the median of PER_SAMPLE requests."""
    for size, session in sessions.items():
        await _warm_up(session, size)
    samples: dict[int, dict[str, list[float]]] = {size: {} for size in sessions}
    for turn in range(rounds):
        for case in _cases(0):
            for size in rotated(list(sessions), turn):
                path, params = _cases(size)[case]
                query = {"limit": str(PAGE), **params}
                times = [await _timed_get(sessions[size], path, query) for _ in range(PER_SAMPLE)]
                samples[size].setdefault(case, []).append(statistics.median(times) * 1000)
    for turn in range(WALKS):
        for size in rotated(list(sessions), turn):
            seconds, pages = await _walk(sessions[size])
            samples[size].setdefault(WALK, []).append(seconds / pages * 1000)
            samples[size].setdefault(WALK_TOTAL, []).append(seconds)
    return samples


async def _walk(session: aiohttp.ClientSession) -> tuple[float, int]:
    """Page through every workflow, 100 at a time (the issue's measurement): seconds, pages."""
    started = time.perf_counter()
    pages = offset = 0
    while True:
        query = {"limit": str(PAGE), "offset": str(offset)}
        async with session.get("/v1/workflows", params=query) as response:
            data = (await response.json())["data"]
        pages += 1
        offset += PAGE
        if not data["hasMore"]:
            return time.perf_counter() - started, pages


async def _throughput(session: aiohttp.ClientSession, runs: int) -> dict[str, float]:
    """Start ``runs`` runs 32 at a time; wait for each run_completed on the workflow's stream."""
    body = {"name": "throughput", "description": "bench", "definition": SMALL}
    async with session.post("/v1/workflows", json=body) as response:
        workflow_id = (await response.json())["data"]["id"]
    started_at: dict[str, float] = {}
    latencies: list[float] = []
    done = asyncio.Event()
    ready = asyncio.Event()

    async def watch() -> None:
        async with session.get(f"/v1/workflows/{workflow_id}/runs/stream") as response:
            buffer = b""
            async for chunk in response.content.iter_any():
                ready.set()
                buffer += chunk
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    if b"event: run_completed" in frame:
                        data = json.loads(frame.split(b"data: ", 1)[1])
                        latencies.append(time.perf_counter() - started_at[data["runId"]])
                        if len(latencies) == runs:
                            done.set()
                            return

    watcher = asyncio.ensure_future(watch())
    await asyncio.wait_for(ready.wait(), 30)
    gate = asyncio.Semaphore(CONCURRENT_STARTS)

    async def start(i: int) -> None:
        run_id = f"run_throughput_{i:06d}"
        async with gate:
            started_at[run_id] = time.perf_counter()
            async with session.post(
                f"/v1/workflows/{workflow_id}/run", json={"runId": run_id}
            ) as response:
                if response.status != 200:
                    raise AssertionError(f"run start: {response.status} {await response.text()}")

    began = time.perf_counter()
    await asyncio.gather(*(start(i) for i in range(runs)))
    await asyncio.wait_for(done.wait(), 120)
    wall = time.perf_counter() - began
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)
    return {"runs_per_s": runs / wall, "p50_ms": statistics.median(latencies) * 1000}


async def _probe(session: aiohttp.ClientSession, seconds: float) -> list[float]:
    """Unrelated requests one at a time, every PROBE_INTERVAL s, for ``seconds``: latencies (ms)."""
    async with session.get("/v1/workflows", params={"limit": "1"}) as response:
        workflow_id = (await response.json())["data"]["items"][0]["id"]
    async with session.get("/v1/runs", params={"limit": "1"}) as response:
        run_id = (await response.json())["data"]["items"][0]["id"]
    requests = [
        (f"/v1/workflows/{workflow_id}", {}),
        (f"/v1/runs/{run_id}", {}),
        ("/v1/workflows", {"limit": "20"}),
        ("/v1/runs", {"limit": "20"}),
    ]
    latencies: list[float] = []
    end = time.perf_counter() + seconds
    next_at = time.perf_counter()
    while next_at < end:
        path, params = requests[len(latencies) % len(requests)]
        latencies.append(await _timed_get(session, path, params) * 1000)
        next_at += PROBE_INTERVAL
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    return latencies


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class _LoadWorker:
    """The load worker process (``benchmarks/_emulator_load.py``): LOADED, then stats on EOF."""

    def __init__(self, url: str, api_key: str, streams: int, rate: float) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, "-m", "benchmarks._emulator_load", url, api_key, str(streams)]
        self._proc = subprocess.Popen(
            [*cmd, str(rate)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )

    def wait_loaded(self) -> None:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().decode()
        if line.strip() != "LOADED":
            self.stop()
            raise RuntimeError(f"the load worker did not start (said {line!r})")

    def stop(self) -> dict[str, Any]:
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._proc.stdin.close()
        out = self._proc.stdout.read().decode().strip().splitlines()
        self._proc.wait(timeout=60)
        self._proc.stdout.close()
        if self._proc.returncode != 0 or not out:
            raise RuntimeError(f"the load worker failed (exit code {self._proc.returncode})")
        stats: dict[str, Any] = json.loads(out[-1])
        return stats


async def _load_phase(
    session: aiohttp.ClientSession, url: str, api_key: str, cfg: Config
) -> dict[str, Any]:
    streams, rate, seconds = cfg.size(1000, 200), cfg.size(100, 50), cfg.size(20, 2)
    idle = await _probe(session, seconds)
    worker = _LoadWorker(url, api_key, streams, rate)
    await asyncio.get_running_loop().run_in_executor(None, worker.wait_loaded)
    loaded = await _probe(session, seconds)
    stats = worker.stop()
    if stats["failed"] or stats["streams_open"] != streams:
        raise AssertionError(f"the load was not what it should be: {stats}")
    return {"idle": idle, "loaded": loaded, "stats": stats, "streams": streams, "rate": rate}


def run(cfg: Config) -> ScenarioResult:
    """One emulator per size; pages at every size, interleaved; then throughput and load."""
    result = ScenarioResult(NAME, TITLE)
    sizes = (1000, 10000, 100000) if not cfg.quick else (200, 2000)
    rounds = cfg.repeats(ROUNDS, 3)
    result.params.update(sizes=list(sizes), page=PAGE, rounds=rounds, per_sample=PER_SAMPLE)
    with contextlib.ExitStack() as stack:
        emulators = {size: stack.enter_context(ScaleEmulatorProcess()) for size in sizes}
        for size, emulator in emulators.items():  # they grow at the same time
            emulator.start_growing(size, size)
        for size, emulator in emulators.items():
            result.extra[f"grow to {size:,} (s)"] = emulator.grown()
        pages, throughput, load = asyncio.run(_measure(emulators, sizes[1], rounds, cfg))
    for size in sizes:
        for case, samples in pages[size].items():
            unit = {"run status counts": "ms", WALK_TOTAL: "s"}.get(case, "ms/page")
            result.rows.append(Row(case, f"{size:,} objects", unit, samples, False))
    small, large = sizes[0], sizes[-1]
    for case in TARGETED:
        ratio = paired_ratio(pages[large][case], pages[small][case])
        result.targets.append(
            Target(f"{case}: {large:,} objects / {small:,} objects <= 2x", "<=", 2.0, ratio)
        )
    runs = cfg.size(2000, 200)
    result.rows.append(Row("run throughput", f"{runs} runs", "runs/s", [throughput["runs_per_s"]]))
    result.rows.append(Row("run start to completion", "p50", "ms", [throughput["p50_ms"]], False))
    for phase in ("idle", "loaded"):
        label = "latency, idle" if phase == "idle" else "latency under load"
        for name, fraction in (("p50", 0.5), ("p99", 0.99)):
            value = _percentile(load[phase], fraction)
            result.rows.append(Row(label, name, "ms", [value], False))
    stats = load["stats"]
    result.extra.update(
        load_runs_per_s=stats["rate"], load_streams=load["streams"], probes=len(load["loaded"])
    )
    result.notes.append(
        f"throughput and latency on the {sizes[1]:,}-object emulator: {load['streams']} streams "
        f"open ({load['streams'] // 2} run streams held at a wait node, the rest "
        f"run-notification streams of other workflows) and {stats['rate']:.0f} runs/s started "
        f"during the probe ({stats['started']} runs); {len(load['loaded'])} probe requests "
        "under load."
    )
    return result


async def _measure(
    emulators: dict[int, ScaleEmulatorProcess], busy: int, rounds: int, cfg: Config
) -> tuple[dict[int, dict[str, list[float]]], dict[str, float], dict[str, Any]]:
    async with contextlib.AsyncExitStack() as stack:
        sessions = {
            size: await stack.enter_async_context(
                aiohttp.ClientSession(
                    emulator.url, headers={"Authorization": f"Bearer {emulator.api_key}"}
                )
            )
            for size, emulator in emulators.items()
        }
        pages = await _pages(sessions, rounds)
        throughput = await _throughput(sessions[busy], cfg.size(2000, 200))
        emulator = emulators[busy]
        load = await _load_phase(sessions[busy], emulator.url, emulator.api_key, cfg)
        return pages, throughput, load
