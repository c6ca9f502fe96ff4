"""Read-only workflow views through the SDK: counts, batches, links, resolve, fund analysis."""

from __future__ import annotations

from typing import Any

import pytest
from area_helpers import definition

from b3os_async import B3OS, ConfigurationError, WorkflowStatus
from b3os_async.models import WorkflowCounts, WorkflowOwnerCounts

# Schedules and time windows are tested on a frozen clock (2030-01-01T00:00Z).
pytestmark = pytest.mark.usefixtures("frozen")


def paying() -> dict[str, Any]:
    """A workflow definition whose node sends 10**24 wei (beyond 64 bits) on chain 1."""
    return definition(("pay", "echo", {"amount": str(10**24), "chainId": 1}))


async def test_counts_by_status_with_filters(b3: B3OS) -> None:
    """counts(type=...) counts only matching workflows, by status."""
    await b3.workflows.create(name="a", description="", definition=definition())
    cron = await b3.workflows.create(
        name="b", description="", definition=definition(trigger="cronjob")
    )
    await b3.workflows.publish(cron.id)
    found = await b3.workflows.counts(type="cronjob")
    assert found == WorkflowCounts(
        total=1, active=1, available_types=("cronjob",), available_connectors=()
    )


async def test_owner_counts(b3: B3OS) -> None:
    """owner_counts(): yours, org, public."""
    await b3.workflows.create(name="a", description="", definition=definition())
    assert await b3.workflows.owner_counts() == WorkflowOwnerCounts(yours=1, org=1, public=0)


async def test_batch_meta_by_id(b3: B3OS) -> None:
    """batch_meta() maps ids to typed metadata."""
    wf = await b3.workflows.create(name="meta", description="", definition=definition())
    found = await b3.workflows.batch_meta([wf.id, wf.id])
    assert (found[wf.id].name, found[wf.id].status) == ("meta", WorkflowStatus.DRAFT)


async def test_batch_stats_by_id(b3: B3OS) -> None:
    """batch_stats() maps ids to run counts and recent runs."""
    wf = await b3.workflows.create(name="s", description="", definition=definition())
    async with b3.workflows.start(wf.id) as run:
        await run.wait()
    stats = (await b3.workflows.batch_stats([wf.id]))[wf.id]
    assert stats.counts is not None
    assert (stats.counts.success, stats.recent_runs[0].id) == (1, run.run_id)


@pytest.mark.parametrize("ids", [[], [f"wf_{n}" for n in range(201)], "wf_one"])
async def test_batches_refuse_bad_id_lists_before_sending(b3: B3OS, ids: Any) -> None:
    """No id, more than 200, or a bare string: ConfigurationError, nothing sent."""
    with pytest.raises(ConfigurationError):
        await b3.workflows.batch_meta(ids)


async def test_incoming_links(b3: B3OS) -> None:
    """incoming_links(): the workflows whose trigger-workflow node starts this one."""
    target = await b3.workflows.create(name="t", description="", definition=definition())
    step = ("go", "trigger-workflow", {"workflowId": target.id})
    source = await b3.workflows.create(name="s", description="", definition=definition(step))
    assert (await b3.workflows.incoming_links(target.id)).ids == (source.id,)


async def test_resolve(b3: B3OS) -> None:
    """resolve(): the organization and membership."""
    wf = await b3.workflows.create(name="r", description="", definition=definition())
    found = await b3.workflows.resolve(wf.id)
    assert (found.is_member, found.organization_id) == (True, wf.organization_id)


async def test_analyze_funds_keeps_large_amounts_exact(b3: B3OS) -> None:
    """analyze_funds(): a 10**24 wei requirement comes back exactly (a string of digits)."""
    wf = await b3.workflows.create(name="f", description="", definition=paying())
    (need,) = (await b3.workflows.analyze_funds(wf.id, version=1)).requirements
    assert need.required_amount is not None
    assert int(need.required_amount) == 10**24
    assert (need.chain_id, need.is_native) == (1, True)


async def test_analyze_funds_inline(b3: B3OS) -> None:
    """analyze_funds_inline(): a definition that is not saved, the default wallet applied."""
    found = await b3.workflows.analyze_funds_inline(paying(), default_wallet_address="0xW")
    assert (found.workflow_id, found.requirements[0].wallet_address) == ("", "0xW")
