"""Workflow settings through the SDK: owner, auto-swap, UI metadata, widget, descriptions."""

from __future__ import annotations

import pytest
from area_helpers import definition

from b3os_async import B3OS, BadRequestError, ConfigurationError, ConflictError
from b3os_async.models import FundAutoSwapSource

# Schedules and time windows are tested on a frozen clock (2030-01-01T00:00Z).
pytestmark = pytest.mark.usefixtures("frozen")


async def test_transfer_owner(b3: B3OS) -> None:
    """transfer_owner() to a member answers the new owner; the workflow shows it."""
    wf = await b3.workflows.create(name="o", description="", definition=definition())
    assert wf.created_by is not None
    done = await b3.workflows.transfer_owner(wf.id, wf.created_by)
    assert done.owner_user_id == wf.created_by
    assert (await b3.workflows.get(wf.id)).owner_user_id == wf.created_by


async def test_transfer_owner_to_a_stranger_is_refused(b3: B3OS) -> None:
    """Someone outside the organization: BadRequestError."""
    wf = await b3.workflows.create(name="o", description="", definition=definition())
    with pytest.raises(BadRequestError):
        await b3.workflows.transfer_owner(wf.id, "usr_stranger")


async def test_set_fund_auto_swap_with_typed_sources(b3: B3OS) -> None:
    """Sources given as models are sent in the API's shape and come back typed."""
    wf = await b3.workflows.create(name="f", description="", definition=definition())
    source = FundAutoSwapSource(id="s1", chain_id=8453, token_address="native", slippage_bps=50)
    config = await b3.workflows.set_fund_auto_swap(
        wf.id, enabled=True, max_swap_amount_usd=25.0, sources=[source]
    )
    assert (config.enabled, config.max_swap_amount_usd, config.sources) == (True, 25.0, (source,))


async def test_update_ui_metadata_in_place(b3: B3OS) -> None:
    """update_ui_metadata() keeps the version and stores the layout."""
    wf = await b3.workflows.create(name="u", description="", definition=definition())
    layout = {"nodePositions": {"root": {"x": 1.0, "y": 2.0}}}
    done = await b3.workflows.update_ui_metadata(wf.id, layout, expected_current_version=1)
    assert done.version == 1
    assert (await b3.workflows.get(wf.id)).ui_metadata == layout


async def test_update_ui_metadata_conflict(b3: B3OS) -> None:
    """A stale expected_current_version: ConflictError."""
    wf = await b3.workflows.create(name="u", description="", definition=definition())
    with pytest.raises(ConflictError):
        await b3.workflows.update_ui_metadata(wf.id, {}, expected_current_version=4)


async def test_widget_amounts_of_any_size_are_sent_exactly(b3: B3OS) -> None:
    """enable_widget(min_amount=10**30) sends the exact digits; disable_widget() keeps it off."""
    wf = await b3.workflows.create(name="w", description="", definition=definition())
    shown = await b3.workflows.enable_widget(wf.id, title="Tip", min_amount=10**30)
    assert (shown.enabled, shown.min_amount) == (True, str(10**30))
    off = await b3.workflows.disable_widget(wf.id)
    assert off is not None
    assert off.enabled is False


@pytest.mark.parametrize("amount", [-1, 1.5, "1e3", "ten"])
async def test_widget_amounts_must_be_whole_base_units(b3: B3OS, amount: object) -> None:
    """Amounts that are not whole numbers of base units are refused before any request."""
    with pytest.raises(ConfigurationError, match="base units"):
        await b3.workflows.enable_widget("wf_x", title="t", max_amount=amount)  # type: ignore[arg-type]


async def test_regenerate_descriptions(b3: B3OS) -> None:
    """regenerate_descriptions() answers a name and a description, stored on the workflow."""
    wf = await b3.workflows.create(
        name="g", description="", definition=definition(("d", "delay", {"ms": 0}))
    )
    texts = await b3.workflows.regenerate_descriptions(wf.id)
    assert texts.ai_name is not None
    assert "delay" in texts.ai_name
    assert (await b3.workflows.get(wf.id)).ai_name == texts.ai_name
