"""b3.runs, the rest: run_sync, status_counts_by_workflow, tx_attribution."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from area_helpers import definition

from b3os_async import (
    B3OS,
    BadRequestError,
    ConfigurationError,
    InternalServerError,
    RetryPolicy,
    RunStatus,
    Timeout,
)
from b3os_async.resources.runs import sync_timeout
from b3os_async.testing import Fault

# Schedules and time windows are tested on a frozen clock (2030-01-01T00:00Z).
pytestmark = pytest.mark.usefixtures("frozen")

if TYPE_CHECKING:
    from b3os_async.testing import Emulator


async def test_run_sync_answers_the_finished_run(b3: B3OS) -> None:
    """run_sync(): status, node results and duration of the run, typed."""
    result = await b3.runs.run_sync(
        definition(("e", "echo", {"v": "{{root.result.v}}"})), payload={"v": 5}
    )
    assert result.status == RunStatus.SUCCESS
    assert result.execution_state is not None
    assert result.execution_state["e"].result == {"v": 5}


@pytest.mark.slow
async def test_run_sync_is_never_retried(emu: Emulator, b3: B3OS) -> None:
    """A 503 on /v1/runs/sync is raised after one attempt (it would run the definition again)."""
    emu.faults.add(Fault.status(503), path="/v1/runs/sync", times=1)
    with pytest.raises(InternalServerError):
        await b3.runs.run_sync(definition())
    assert [r.path for r in emu.requests if r.method == "POST"] == ["/v1/runs/sync"]


@pytest.mark.slow
async def test_run_sync_outlasts_a_short_client_timeout(emu: Emulator) -> None:
    """With a 0.3 s client timeout, a 1 s synchronous run still answers (its timeout is 75 s)."""
    async with B3OS(
        api_key=emu.api_key, base_url=emu.url, timeout=0.3, retry=RetryPolicy.disabled()
    ) as b3:
        result = await b3.runs.run_sync(definition(("d", "delay", {"ms": 1000})))
    assert result.status == RunStatus.SUCCESS


def test_the_sync_timeout_never_shortens_a_longer_one() -> None:
    """Totals and read limits below 75 s are raised to 75 s; longer ones and None stay."""
    assert sync_timeout(Timeout(total=5, connect=2, read=3)) == Timeout(
        total=75, connect=2, read=75
    )
    assert sync_timeout(Timeout(total=200, read=None)) == Timeout(total=200, read=None)
    assert sync_timeout(Timeout(total=None)).total is None


async def test_run_sync_refuses_wait_nodes(b3: B3OS) -> None:
    """A wait node: BadRequestError 400228 from the server."""
    with pytest.raises(BadRequestError) as caught:
        await b3.runs.run_sync(definition(("w", "wait", {})))
    assert caught.value.code == 400228


async def test_status_counts_by_workflow(b3: B3OS) -> None:
    """status_counts_by_workflow(): one row per workflow with runs, typed."""
    wf = await b3.workflows.create(name="c", description="", definition=definition())
    await (await b3.workflows.start(wf.id)).wait()
    (row,) = await b3.runs.status_counts_by_workflow()
    assert (row.workflow_id, row.total, row.success) == (wf.id, 1, 1)


async def test_status_counts_by_workflow_refuses_naive_since(b3: B3OS) -> None:
    """since must be timezone-aware."""
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        await b3.runs.status_counts_by_workflow(since=datetime(2030, 1, 1))


async def test_tx_attribution(b3: B3OS) -> None:
    """tx_attribution(): the hashes a run's nodes reported, mapped to run and node."""
    wf = await b3.workflows.create(
        name="tx", description="", definition=definition(("send", "echo", {"txHash": "0xfeed"}))
    )
    async with b3.workflows.start(wf.id) as run:
        await run.wait()
    found = await b3.runs.tx_attribution(["0xfeed", "0xnone"])
    assert list(found) == ["0xfeed"]
    assert (found["0xfeed"].run_id, found["0xfeed"].node_id) == (run.run_id, "send")


async def test_tx_attribution_is_retried_as_a_read(emu: Emulator, b3: B3OS) -> None:
    """The POST only reads: a 503 is retried."""
    emu.faults.add(Fault.status(503), path="/v1/runs/tx-attribution", times=1)
    raw = await b3.with_raw_response(b3.runs.tx_attribution(["0x1"]))
    assert (raw.parsed, raw.meta.retries_taken) == ({}, 1)


@pytest.mark.parametrize("hashes", [[], [f"0x{n}" for n in range(201)], "0xabc"])
async def test_tx_attribution_checks_the_hashes_first(b3: B3OS, hashes: Any) -> None:
    """None, more than 200, or a bare string: ConfigurationError before any request."""
    with pytest.raises(ConfigurationError):
        await b3.runs.tx_attribution(hashes)
