"""The scheduler: fires the time triggers of active workflows, on the emulator's clock.

Theory of operation
-------------------
A workflow's time triggers (``cronjob``/``schedule`` nodes of its LIVE version that name a
schedule, see ``_domain/schedules.py``) are *armed* while the workflow is live and ``active``;
each armed trigger knows its next fire time. The workflow book tells the scheduler about every
change (:meth:`Scheduler.refresh`, a book listener): publishing, resuming or refilling arms (from
"now"; missed fires are not caught up), pausing, archiving and the automatic pause disarm. A
change that keeps the same live version and status keeps the armed times (an interval keeps its
phase).

Firing (:meth:`Scheduler.run_until`) pops due triggers from a heap in time order. For each it
first plans the trigger's next fire, then asks the workflow's rules: a fire inside the live
version's ``cooldownMs`` (counted from the last automatic run) is skipped, silently, as the API
documents; otherwise the run is built (``RunBook.automatic``, ``triggerSource: "schedule"``) and
launched, and ``Workflow.auto_ran`` counts it against ``maxRuns`` (at 0 the workflow pauses itself,
``pausedReason: max_runs_exhausted``; ``refill`` resumes it). Manual runs never count.

Two things call :meth:`run_until`, one at a time (a lock):

* ``await emu.clock.advance(...)`` (the scheduler is the clock's stepper): the clock moves to
  each fire time in turn and each fired run is given up to :data:`SETTLE_SECONDS` of real time to
  settle (end, or wait on a ``wait`` node) before the next fire, so runs happen in order;
* a background task (started with the emulator) that sleeps until the next fire time of the
  running clock, or until something changes, then fires what is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from typing import TYPE_CHECKING

import attrs

from b3os_async.testing._domain.schedules import time_triggers

if TYPE_CHECKING:
    from datetime import datetime

    from b3os_async.testing._clock import Clock
    from b3os_async.testing._domain.schedules import Schedule
    from b3os_async.testing._domain.workflows import Workflow
    from b3os_async.testing._engine import Engine
    from b3os_async.testing._store import Store

__all__ = ["SETTLE_SECONDS", "Scheduler"]

SETTLE_SECONDS = 10.0
"""How long ``clock.advance`` lets each fired run settle before the next fire (real time)."""


@attrs.define
class _Armed:
    version: int  # the live version whose trigger this is
    schedule: Schedule
    armed_at: datetime
    next: datetime


class Scheduler:
    """Fires due time triggers (module docstring); one per emulator."""

    def __init__(self, store: Store, engine: Engine, clock: Clock) -> None:
        self._store = store
        self._engine = engine
        self._clock = clock
        self._armed: dict[str, dict[str, _Armed]] = {}
        self._heap: list[tuple[datetime, int, str, str]] = []
        self._order = itertools.count()
        self._lock = asyncio.Lock()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        store.workflows.listeners.append(self.refresh)
        clock.set_stepper(self.run_until)
        clock.on_change(self._poke)

    # -- what the routes read ------------------------------------------------------------------

    def next_fires(self, workflow_id: str) -> dict[str, datetime]:
        """The next fire time of each armed time trigger of the workflow."""
        return {node: armed.next for node, armed in self._armed.get(workflow_id, {}).items()}

    # -- arming --------------------------------------------------------------------------------

    def refresh(self, workflow: Workflow) -> None:
        """(Re)arm the workflow's time triggers after a change, or disarm them."""
        if workflow.archived or workflow.live is None or workflow.live_status != "active":
            if self._armed.pop(workflow.id, None) is not None:
                self._poke()
            return
        current = self._armed.get(workflow.id, {})
        now = self._clock.now()
        armed: dict[str, _Armed] = {}
        schedules = time_triggers(workflow.live_version().content["definition"])
        for node_id, schedule in schedules.items():
            old = current.get(node_id)
            if old is not None and old.version == workflow.live:
                armed[node_id] = old
                continue
            first = schedule.next_after(now, now)
            if first is not None:
                armed[node_id] = _Armed(workflow.live, schedule, now, first)
                heapq.heappush(self._heap, (first, next(self._order), workflow.id, node_id))
        if armed:
            self._armed[workflow.id] = armed
        else:
            self._armed.pop(workflow.id, None)
        self._poke()

    # -- firing --------------------------------------------------------------------------------

    async def run_until(self, target: datetime) -> list[str]:
        """Fire every trigger due at or before ``target``, in time order; the run ids."""
        fired: list[str] = []
        async with self._lock:
            while self._heap and self._heap[0][0] <= target:
                at, _, workflow_id, node_id = heapq.heappop(self._heap)
                armed = self._armed.get(workflow_id, {}).get(node_id)
                if armed is None or armed.next != at:
                    continue  # disarmed or re-armed since it was planned
                if at > self._clock.now():
                    self._clock._move_to(at)
                run_id = self._fire(workflow_id, node_id, armed, at)
                if run_id is not None:
                    fired.append(run_id)
                    await self._settled(run_id)
        return fired

    async def _settled(self, run_id: str) -> None:
        """Wait until the run is no longer ``running`` (ended or waiting), SETTLE_SECONDS max."""
        run = self._store.runs.get(run_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while run is not None and run.status == "running" and loop.time() < deadline:
            await self._engine.changed(min(deadline - loop.time(), 0.5))

    def _fire(self, workflow_id: str, node_id: str, armed: _Armed, at: datetime) -> str | None:
        following = armed.schedule.next_after(at, armed.armed_at)
        if following is None:
            del self._armed[workflow_id][node_id]
        else:
            armed.next = following
            heapq.heappush(self._heap, (following, next(self._order), workflow_id, node_id))
        workflow = self._store.workflows.find(workflow_id)
        if workflow is None or workflow.cooling_down(at):
            return None
        run = self._store.runs.automatic(workflow, node_id)
        self._engine.launch(run)
        self._store.workflows.changed(workflow, workflow.auto_ran(at))
        return run.id

    # -- the real-time loop --------------------------------------------------------------------

    def start(self) -> None:
        """Start the background task that fires due triggers as (clock) time passes."""
        self._wake = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def close(self) -> None:
        """Stop the background task."""
        # The flag, not only the cancellation: on Python < 3.12 asyncio.wait_for() can swallow
        # a cancellation that arrives just as the event it waits for is set (a poke).
        self._closing = True
        self._poke()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _loop(self) -> None:
        assert self._wake is not None
        while not self._closing:
            self._wake.clear()
            await self.run_until(self._clock.now())
            timeout: float | None = None
            if self._heap and not self._clock.frozen:
                timeout = (self._heap[0][0] - self._clock.now()).total_seconds()
                timeout = min(max(timeout, 0.0), 3600.0)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
