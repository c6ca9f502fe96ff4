"""Many run streams against the package's own emulator (scenario 4's ``b3os_async@emulator``).

The emulator (``b3os_async.testing.Emulator``) runs in its own process, pinned like the benchmark
server (``python -m benchmarks._emulator_streams``; it prints ``READY <url> <api key>`` and serves
until its stdin closes). The worker creates one workflow -- ``root`` (manual) -> ``hold`` (a
``wait`` node) -> ``done`` (echo) -- and for each stream starts a run through a run handle
(``b3.workflows.start()``: the stream is open before the run is triggered, as B3OS requires,
since a stream opened without ``Last-Event-ID`` is live only). Every run stops at ``hold``: once
every stream has seen ``run_waiting``, all streams are open at the same moment and memory is
measured; then every run is resumed (``b3.runs.resume_node``), and each stream must end with
``run_completed`` having seen every event of its run exactly once (seqs 1..N, no gap, no
repeat). CPU per event includes starting and resuming each run (two requests per 10 events).

Unlike the benchmark server, the emulator executes real runs, so this is the whole product path:
run creation through the request pool while hundreds of streams hold the stream pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import time
import tracemalloc
from typing import TYPE_CHECKING, Any

from benchmarks._server import ServerProcess, raise_fd_limit, rss, wait_until_open

if TYPE_CHECKING:
    from b3os_async._client import B3OS

DEFINITION = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["hold"]},
        "hold": {"type": "wait", "payload": {}, "children": ["done"]},
        "done": {"type": "echo", "payload": {"message": "released {{root.result.i}}"}},
    },
    "triggerNodeIds": ["root"],
}
OPEN_TIMEOUT = 180.0


async def create_workflow(b3: B3OS) -> str:
    """Create and publish the hold-and-release workflow; return its id."""
    wf = await b3.workflows.create(name="Hold", description="bench", definition=DEFINITION)
    await b3.workflows.publish(wf.id)
    return str(wf.id)


async def emulator_pass(b3: B3OS, workflow_id: str, streams: int, traced: bool) -> dict[str, float]:
    """Start ``streams`` runs and follow each; measure while all wait; release; check counts."""
    waiting = 0
    all_waiting = asyncio.Event()
    run_ids: list[str] = []

    async def follow(i: int) -> int:
        nonlocal waiting
        seqs: list[int | None] = []
        last: Any = None
        # (No limit on starts in flight: the request pool, max_connections, queues them.)
        async with b3.workflows.start(workflow_id, payload={"i": i}) as run:
            run_ids.append(run.run_id)
            async for event in run.events():
                seqs.append(event.seq)
                last = event
                if event.type == "run_waiting":
                    waiting += 1
                    if waiting == streams:
                        all_waiting.set()
        if last is None or last.type != "run_completed":
            raise AssertionError(f"{run.run_id}: did not end with run_completed: {last!r}")
        if seqs != list(range(1, len(seqs) + 1)):
            raise AssertionError(f"{run.run_id}: events missing or repeated: seqs {seqs}")
        return len(seqs)

    async def release(run_id: str) -> None:
        await b3.runs.resume_node(run_id, "hold", data={"go": True})

    gc.collect()
    rss0 = rss()
    if traced:
        tracemalloc.start()
    traced0 = tracemalloc.get_traced_memory()[0] if traced else 0
    wall, cpu = time.perf_counter(), time.process_time()
    tasks = [asyncio.ensure_future(follow(i)) for i in range(streams)]
    await wait_until_open(
        all_waiting,
        tasks,
        OPEN_TIMEOUT,
        lambda: f"{waiting} of {streams} runs reached the wait node",
    )
    open_seconds = time.perf_counter() - wall
    gc.collect()
    rss_open = rss() - rss0
    traced_open = tracemalloc.get_traced_memory()[0] - traced0 if traced else 0
    await asyncio.gather(*(release(run_id) for run_id in run_ids))
    counts = await asyncio.gather(*tasks)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if traced:
        tracemalloc.stop()
    return {
        "rss_per_stream": rss_open / streams,
        "traced_per_stream": traced_open / streams,
        "cpu_per_event": cpu / sum(counts),
        "wall": wall,
        "open_seconds": open_seconds,
        "events": float(sum(counts)),
    }


class EmulatorProcess(ServerProcess):
    """``with EmulatorProcess() as emu:`` runs the emulator in a child (``url``, ``api_key``)."""

    MODULE = "benchmarks._emulator_streams"
    LABEL = "the emulator"

    def __init__(self) -> None:
        super().__init__()
        self.api_key = ""

    def _ready(self, fields: list[str]) -> None:
        self.url, self.api_key = fields  # "READY <url> <api key>"


async def _serve() -> None:
    from b3os_async.testing import Emulator

    raise_fd_limit()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # stdin closing (the parent is done, or died) stops the emulator.
    waiter = loop.run_in_executor(None, sys.stdin.buffer.read)
    waiter.add_done_callback(lambda _: loop.call_soon_threadsafe(stop.set))
    async with Emulator(heartbeat_interval=5.0) as emu:
        emu.set_compute_units(emu.org_id, 1e12)  # runs draw compute units: never the bottleneck
        print(f"READY {emu.url} {emu.api_key}", flush=True)
        await stop.wait()
    with contextlib.suppress(Exception):
        await waiter


if __name__ == "__main__":
    asyncio.run(_serve())
