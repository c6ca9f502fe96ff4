"""The package's emulator in its own process, grown to a given size on command.

``python -m benchmarks._emulator_scale`` starts a ``b3os_async.testing.Emulator`` (heartbeats
every 5 s), prints ``READY <url> <api key>`` and then reads commands from stdin, one per line,
answering each with one line on stdout:

``grow <workflows> <runs>``
    Add workflows and finished runs to the default organization until it holds that many of
    each; answers ``GROWN <workflows> <runs> <seconds>``.

EOF on stdin stops it (``ScaleEmulatorProcess`` closes it on exit).

Why grow in-process: 100,000 workflows and 100,000 runs created over HTTP take minutes on two
cores; the benchmark measures what a page costs at that size, not how fast objects are created.
Growing calls what the HTTP handlers call -- ``WorkflowBook.create`` for ``POST /v1/workflows``,
``RunBook.for_workflow`` then ``Engine.launch`` for ``POST /v1/workflows/{id}/run`` -- so the store
ends up exactly as if the objects had been created through the API, and every run really executes
(events, notifications, status indexes and counters). Each workflow is ``root`` (manual) ->
``echo``; runs are of one of them, launched 1,000 at a time and waited for.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from benchmarks._server import ServerProcess, raise_fd_limit

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

SMALL = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["say"]},
        "say": {"type": "echo", "payload": {"message": "hello {{root.result.i}}"}},
    },
    "triggerNodeIds": ["root"],
}
"""The small workflow of the scale scenario: a manual trigger and one echo node."""

BATCH = 1000


class ScaleEmulatorProcess(ServerProcess):
    """``with ScaleEmulatorProcess() as emu:`` then ``start_growing(w, r)``, ``grown()``."""

    MODULE = "benchmarks._emulator_scale"
    LABEL = "the scale emulator"

    def __init__(self) -> None:
        super().__init__()
        self.api_key = ""

    def _ready(self, fields: list[str]) -> None:
        self.url, self.api_key = fields  # "READY <url> <api key>"

    def start_growing(self, workflows: int, runs: int) -> None:
        """Ask the emulator to grow to ``workflows`` workflows and ``runs`` runs."""
        proc = self._proc
        assert proc is not None
        assert proc.stdin is not None
        proc.stdin.write(f"grow {workflows} {runs}\n".encode())
        proc.stdin.flush()

    def grown(self) -> float:
        """Wait until the emulator has grown; the seconds it took."""
        proc = self._proc
        assert proc is not None
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        if not line.startswith("GROWN "):
            raise RuntimeError(f"{self.LABEL} did not grow (said {line!r})")
        return float(line.split()[3])


async def _grow(emu: Emulator, workflows: int, runs: int) -> float:
    # The emulator's internals, on purpose: see the module docstring.
    from b3os_async.testing._domain.organizations import Principal

    started = time.perf_counter()
    ctx = emu._ctx
    store = ctx.store
    key = store.keys[emu.api_key]
    who = Principal(key.org_id, key.scope, key.id, store.orgs[key.org_id].user_id)
    first: Any = None
    while len(store.workflows) < workflows or first is None:
        number = len(store.workflows)
        content = {"name": f"Workflow {number:06d}", "description": "bench", "definition": SMALL}
        created = store.workflows.create(who, content)
        first = first or created
    while len(store.runs) < runs:
        batch = []
        for i in range(min(BATCH, runs - len(store.runs))):
            run = store.runs.for_workflow(
                who,
                first,
                run_id=None,
                number=None,
                trigger=None,
                payload={"i": i},
                simulate=False,
                dust=False,
            )
            ctx.engine.launch(run)
            batch.append(run)
        for run in batch:
            while not run.terminal:
                await ctx.engine.changed(0.5)
    return time.perf_counter() - started


async def _serve() -> None:
    from b3os_async.testing import Emulator

    raise_fd_limit()
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def read_stdin() -> None:
        for raw in sys.stdin:  # EOF (the parent is done, or died) ends the loop
            loop.call_soon_threadsafe(lines.put_nowait, raw)
        loop.call_soon_threadsafe(lines.put_nowait, "")

    # A daemon thread, not the default executor: if growing fails, the process must still exit
    # (an executor thread blocked reading stdin would keep it alive and the parent waiting).
    threading.Thread(target=read_stdin, daemon=True).start()
    async with Emulator(heartbeat_interval=5.0) as emu:
        # Runs draw compute units: 100,000 of them would empty the default balance (then every
        # run start is a 402 and the scenario would measure refusals).
        emu.set_compute_units(emu.org_id, 1e12)
        print(f"READY {emu.url} {emu.api_key}", flush=True)
        while line := await lines.get():
            command, *args = line.split()
            if command == "grow":
                seconds = await _grow(emu, int(args[0]), int(args[1]))
                store = emu._ctx.store
                print(f"GROWN {len(store.workflows)} {len(store.runs)} {seconds:.3f}", flush=True)


if __name__ == "__main__":
    asyncio.run(_serve())
