"""Scheduled workflows through the SDK: schedule(), trigger_aggregates(), refill(), the clock."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from area_helpers import T0, definition

from b3os_async import B3OS, ConfigurationError, WorkflowStatus
from b3os_async.models import PausedReason
from b3os_async.testing import Fault

# Schedules and time windows are tested on a frozen clock (2030-01-01T00:00Z).
pytestmark = pytest.mark.usefixtures("frozen")

if TYPE_CHECKING:
    from b3os_async.testing import Emulator


def every_15_minutes() -> dict[str, object]:
    """A cronjob workflow firing every quarter of an hour."""
    found = definition(("note", "echo", {}), trigger="cronjob")
    found["nodes"]["root"]["payload"] = {"schedule": "*/15 * * * *"}
    return found


async def test_schedule_reads_the_next_fire_from_the_clock(emu: Emulator, b3: B3OS) -> None:
    """schedule(): next_run_at and server_time follow the emulator's clock."""
    wf = await b3.workflows.create(name="s", description="", definition=every_15_minutes())
    await b3.workflows.publish(wf.id)
    await emu.clock.advance(minutes=20)
    found = await b3.workflows.schedule(wf.id)
    assert (found.next_run_at, found.server_time) == (
        T0 + timedelta(minutes=30),
        T0 + timedelta(minutes=20),
    )


async def test_an_unpublished_workflow_has_no_next_run(b3: B3OS) -> None:
    """A draft is not scheduled: next_run_at is None."""
    wf = await b3.workflows.create(name="s", description="", definition=every_15_minutes())
    assert (await b3.workflows.schedule(wf.id)).next_run_at is None


async def test_an_hour_of_a_15_minute_schedule_is_four_runs(emu: Emulator, b3: B3OS) -> None:
    """advance(hours=1) fires four runs, listed newest first by the SDK."""
    wf = await b3.workflows.create(name="s", description="", definition=every_15_minutes())
    await b3.workflows.publish(wf.id)
    fired = await emu.clock.advance(hours=1)
    listed = [run.id async for run in b3.workflows.runs(wf.id)]
    assert listed == list(reversed(fired))
    assert len(fired) == 4


async def test_trigger_aggregates_count_the_fires(emu: Emulator, b3: B3OS) -> None:
    """trigger_aggregates(): the cron trigger's runs and its next fire time."""
    wf = await b3.workflows.create(name="s", description="", definition=every_15_minutes())
    await b3.workflows.publish(wf.id)
    await emu.clock.advance(minutes=45)
    (trigger,) = (await b3.workflows.trigger_aggregates(wf.id)).triggers
    assert (trigger.trigger_node_id, trigger.run_count, trigger.success_count) == ("root", 3, 3)
    assert trigger.next_fire_at == T0 + timedelta(hours=1)


async def test_running_out_of_runs_pauses_and_refill_resumes(emu: Emulator, b3: B3OS) -> None:
    """max_runs spent: paused (max_runs_exhausted); refill(2): active with 2 runs left."""
    wf = await b3.workflows.create(
        name="s", description="", definition=every_15_minutes(), max_runs=1
    )
    await b3.workflows.publish(wf.id)
    await emu.clock.advance(minutes=15)
    spent = await b3.workflows.get(wf.id)
    assert (spent.status, spent.paused_reason) == (
        WorkflowStatus.PAUSED,
        PausedReason.MAX_RUNS_EXHAUSTED,
    )
    assert (await b3.workflows.refill(wf.id, 2)).remain_runs == 2
    again = await b3.workflows.get(wf.id)
    assert (again.status, again.remain_runs, again.paused_reason) == (
        WorkflowStatus.ACTIVE,
        2,
        None,
    )


@pytest.mark.parametrize("bad", [0, -1, True, "3"])
async def test_refill_refuses_anything_but_a_positive_int(b3: B3OS, bad: object) -> None:
    """refill() checks remain_runs before any request."""
    with pytest.raises(ConfigurationError, match="remain_runs"):
        await b3.workflows.refill("wf_x", bad)  # type: ignore[arg-type]


async def test_refill_is_retried_like_a_put(emu: Emulator, b3: B3OS) -> None:
    """refill sets an absolute value: a 503 is retried and the second attempt succeeds."""
    wf = await b3.workflows.create(name="s", description="", definition=every_15_minutes())
    emu.faults.add(Fault.status(503), path=f"/v1/workflows/{wf.id}/refill", times=1)
    raw = await b3.with_raw_response(b3.workflows.refill(wf.id, 4))
    assert (raw.parsed.remain_runs, raw.meta.retries_taken) == (4, 1)
