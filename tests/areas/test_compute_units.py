"""``b3.compute_units`` against the emulator: runs draw CU per node, usage adds up, 402s."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from area_helpers import ECHO

from b3os_async import ConfigurationError, InsufficientCreditsError
from b3os_async.models import RunStatus

if TYPE_CHECKING:
    from b3os_async import B3OS
    from b3os_async.testing import Emulator

RUN_COST = 0.6  # ECHO: the manual trigger (0.1) and one echo node (0.5)


async def _run(emu: Emulator, b3: B3OS, workflow_id: str) -> str:
    created = await b3.workflows.run(workflow_id)
    await emu.wait_for_run(created.run_id)
    return created.run_id


async def test_a_run_draws_cu_per_node(emu: Emulator, b3: B3OS) -> None:
    """Each run lowers the balance by its nodes' costs (trigger 0.1 + echo 0.5)."""
    wf = await b3.workflows.create(name="w", description="", definition=ECHO)
    before = (await b3.compute_units.balance()).balance
    await _run(emu, b3, wf.id)
    await _run(emu, b3, wf.id)
    assert (await b3.compute_units.balance()).balance == pytest.approx(before - 2 * RUN_COST)


async def test_usage_and_usage_by_workflow_add_up_to_what_was_drawn(
    emu: Emulator, b3: B3OS
) -> None:
    """The month's usage and the per-workflow totals both equal what the balance lost."""
    start = datetime.now(timezone.utc) - timedelta(seconds=1)
    first = await b3.workflows.create(name="first", description="", definition=ECHO)
    second = await b3.workflows.create(name="second", description="", definition=ECHO)
    before = (await b3.compute_units.balance()).balance
    for workflow_id in (first.id, first.id, second.id):
        await _run(emu, b3, workflow_id)
    drawn = before - (await b3.compute_units.balance()).balance
    usage = await b3.compute_units.usage(start.strftime("%Y-%m"))
    assert usage.summary is not None
    assert usage.summary.used == pytest.approx(drawn)
    by_workflow = await b3.compute_units.usage_by_workflow(
        start, datetime.now(timezone.utc) + timedelta(seconds=1)
    )
    assert {w.workflow_id: w.run_count for w in by_workflow} == {first.id: 2, second.id: 1}
    assert sum(w.total_cu or 0 for w in by_workflow) == pytest.approx(drawn)
    breakdown = {(b.type, b.node_type): b.count for day in usage.daily for b in day.breakdown}
    assert breakdown == {("trigger", "manual"): 3, ("action", "echo"): 3}


async def test_an_empty_balance_refuses_the_next_run(emu: Emulator, b3: B3OS) -> None:
    """With no compute units left, starting a run is InsufficientCreditsError and none starts."""
    wf = await b3.workflows.create(name="w", description="", definition=ECHO)
    emu.set_compute_units(None, 0)
    with pytest.raises(InsufficientCreditsError):
        await b3.workflows.run(wf.id)
    assert [r async for r in b3.runs.list()] == []


async def test_running_out_mid_run_fails_the_unpaid_node(emu: Emulator, b3: B3OS) -> None:
    """A balance that pays the trigger but not the next node fails that node (insufficient_cu)."""
    wf = await b3.workflows.create(name="w", description="", definition=ECHO)
    emu.set_compute_units(None, 0.3)
    run_id = await _run(emu, b3, wf.id)
    run = await b3.runs.get(run_id)
    assert run.status == RunStatus.FAILURE
    assert run.execution_state is not None
    assert run.execution_state["echo"].error == {
        "message": "insufficient compute units: 0.5 CU needed, balance 0.2",
        "code": "insufficient_cu",
    }


async def test_runs_list_their_cost(emu: Emulator, b3: B3OS) -> None:
    """runs() lists each run that drew CU, newest first, with its total."""
    wf = await b3.workflows.create(name="w", description="", definition=ECHO)
    ids = [await _run(emu, b3, wf.id) for _ in range(2)]
    items = [r async for r in b3.compute_units.runs()]
    assert [r.run_id for r in items] == ids[::-1]
    assert [r.total_cu for r in items] == [pytest.approx(RUN_COST)] * 2
    assert items[0].status == RunStatus.SUCCESS


async def test_the_threshold_is_stored(b3: B3OS) -> None:
    """set_threshold returns old and new values; balance() and the organization show it."""
    update = await b3.compute_units.set_threshold(25)
    assert (update.old_threshold, update.new_threshold) == (0, 25)
    assert (await b3.compute_units.balance()).min_threshold == 25
    assert (await b3.organizations.current()).cu_min_threshold == 25


async def test_a_negative_threshold_is_refused_before_sending(emu: Emulator, b3: B3OS) -> None:
    """A negative threshold is a ConfigurationError; nothing is sent."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError):
        await b3.compute_units.set_threshold(-1)
    assert list(emu.requests) == []
