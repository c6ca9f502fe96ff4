"""``b3.organizations`` against the emulator: the current organization, isolation, members,
invites, plans, AI credits and auto-swap settings."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pytest
from area_helpers import ECHO, client

from b3os_async import (
    B3OS,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
)
from b3os_async.models import AutoSwapSource, InviteStatus, OrganizationRole, PlanOptionAction

if TYPE_CHECKING:
    from b3os_async.testing import Emulator


async def test_the_current_organization_is_the_keys_and_learnt_once(emu: Emulator) -> None:
    """Org-scoped calls use the key's organization, learnt with one GET for the client."""
    emu.requests.clear()
    async with client(emu, emu.api_key) as b3:  # no org_id: the key's organization
        assert (await b3.compute_units.balance()).balance > 0
        await b3.wallets.list().first_page()
        await b3.with_options(timeout=5).database.tables()  # a view shares what was learnt
        lookups = [r for r in emu.requests if r.path == "/v1/organizations"]
        assert len(lookups) == 1
        assert lookups[0].query.get("limit") == "1"
        assert (await b3.organizations.current()).id == emu.org_id


async def test_a_configured_org_id_needs_no_lookup(emu: Emulator) -> None:
    """With B3OS(org_id=...) nothing is looked up and X-Org-ID is sent."""
    async with client(emu, emu.api_key, org_id=emu.org_id) as b3:
        emu.requests.clear()
        await b3.compute_units.balance()
    assert [r.path for r in emu.requests] == [f"/v1/organizations/{emu.org_id}/cu"]
    assert emu.requests[0].headers["X-Org-ID"] == emu.org_id


async def test_another_organization_is_not_found(emu: Emulator, b3: B3OS) -> None:
    """A call naming another organization explicitly answers NotFoundError (never 403)."""
    other_id, _ = emu.create_org("Other")
    with pytest.raises(NotFoundError):
        await b3.compute_units.balance(org_id=other_id)
    with pytest.raises(NotFoundError):
        [m async for m in b3.organizations.members(org_id=other_id)]


async def test_an_organization_cannot_see_another_organizations_workflows(
    emu: Emulator, b3: B3OS
) -> None:
    """A workflow of one organization is neither listed nor fetchable by another's key."""
    wf = await b3.workflows.create(name="secret plan", description="", definition=ECHO)
    _, other_key = emu.create_org("Other")
    async with client(emu, other_key) as other:
        assert [w async for w in other.workflows.list()] == []
        with pytest.raises(NotFoundError):
            await other.workflows.get(wf.id)


async def test_public_metadata_of_any_organization(emu: Emulator, b3: B3OS) -> None:
    """public() reads another organization's public name and slug."""
    other_id, _ = emu.create_org("Acme Robotics")
    public = await b3.organizations.public(other_id)
    assert (public.id, public.name, public.slug) == (other_id, "Acme Robotics", "acme-robotics")


async def test_members_list_the_owner_and_added_members(emu: Emulator, b3: B3OS) -> None:
    """members() lists the owner first, then members added since."""
    emu.add_member("dev@example.com")
    members = [m async for m in b3.organizations.members()]
    assert [(m.user_email, m.role) for m in members] == [
        (emu.owner_email(), OrganizationRole.OWNER),
        ("dev@example.com", OrganizationRole.DEVELOPER),
    ]


async def test_invites_of_the_org_and_of_the_caller(emu: Emulator, b3: B3OS) -> None:
    """An org's pending invite is in its invites() and in the invitee's my_invites()."""
    other_id, other_key = emu.create_org("Inviter")
    emu.invite(emu.owner_email(), org_id=other_id)
    async with client(emu, other_key) as other:
        theirs = [i async for i in other.organizations.invites()]
    mine = [i async for i in b3.organizations.my_invites()]
    assert [i.invitee_email for i in theirs] == [emu.owner_email()]
    assert [(i.organization_name, i.status) for i in mine] == [("Inviter", InviteStatus.PENDING)]


async def test_tiers_and_plan_options(b3: B3OS) -> None:
    """A free organization may upgrade to every paid tier listed by tiers()."""
    tiers = await b3.organizations.tiers()
    options = await b3.organizations.plan_options()
    assert options.current_tier == "free"
    upgrades = {o.tier for o in options.options if o.action == PlanOptionAction.UPGRADE}
    assert upgrades == {t.name for t in tiers} - {"free"}


async def test_ai_credit_usage_of_this_month(b3: B3OS) -> None:
    """This month's AI-credit usage grants the free tier's credits."""
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    usage = await b3.organizations.ai_credit_usage(month)
    assert usage.year_month == month
    assert usage.summary is not None
    assert usage.summary.granted == 100
    assert usage.summary.used == 0


async def test_ai_credit_usage_counts_caddie_turns(b3: B3OS) -> None:
    """A Caddie chat turn is one AI credit used this month."""
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    async with b3.caddie.chat("every hour fetch https://example.com and log it") as chat:
        await chat.result()
    usage = await b3.organizations.ai_credit_usage(month)
    assert usage.summary is not None
    assert usage.summary.used == 1


async def test_a_malformed_month_is_refused_before_sending(emu: Emulator, b3: B3OS) -> None:
    """year_month must be YYYY-MM: anything else is a ConfigurationError, nothing sent."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError):
        await b3.organizations.ai_credit_usage("2025-13")
    assert list(emu.requests) == []


async def test_auto_swap_settings_default_then_updated(b3: B3OS) -> None:
    """Auto-swap starts disabled; an update is stored with the given sources."""
    assert (await b3.organizations.auto_swap_settings()).enabled is False
    wallet = (await b3.wallets.list().first_page()).items[0]
    source = AutoSwapSource(wallet_id=wallet.id, chain_id=8453, token_address="native")
    await b3.organizations.update_auto_swap_settings(enabled=True, mode="manual", sources=[source])
    settings = await b3.organizations.auto_swap_settings()
    assert settings.enabled is True
    assert settings.mode == "manual"
    assert [s.wallet_id for s in settings.sources] == [wallet.id]
    assert settings.sources[0].slippage_bps == 300


async def test_auto_swap_settings_refuse_an_unknown_mode(b3: B3OS) -> None:
    """A mode the API does not know is a BadRequestError."""
    with pytest.raises(BadRequestError):
        await b3.organizations.update_auto_swap_settings(mode="yolo")


async def test_only_owners_change_auto_swap_settings(emu: Emulator) -> None:
    """A developer's key may read but not change the auto-swap settings."""
    key = emu.create_member_key(emu.add_member("dev@example.com"))
    async with client(emu, key) as dev:
        await dev.organizations.auto_swap_settings()
        with pytest.raises(PermissionDeniedError):
            await dev.organizations.update_auto_swap_settings(enabled=True)


async def test_concurrent_first_calls_look_the_organization_up_once(emu: Emulator) -> None:
    """Ten calls racing on a new client make one organization lookup between them."""
    emu.requests.clear()
    async with client(emu, emu.api_key) as b3:  # no org_id: the key's organization
        await asyncio.gather(*(b3.compute_units.balance() for _ in range(10)))
    assert [r.path for r in emu.requests].count("/v1/organizations") == 1


async def test_public_templates_of_an_organization(emu: Emulator, b3: B3OS) -> None:
    """public_templates() lists an organization's public templates only, for anyone."""
    shared = await b3.templates.create(
        name="shared", description="", definition=ECHO, tags=[], visibility="public"
    )
    await b3.templates.create(
        name="internal", description="", definition=ECHO, tags=[], visibility="org"
    )
    _, other_key = emu.create_org("Other")
    async with client(emu, other_key) as other:
        seen = [t.id async for t in other.organizations.public_templates(emu.org_id)]
    async with B3OS.public(base_url=emu.url) as anonymous:
        anonymous_seen = [t.id async for t in anonymous.organizations.public_templates(emu.org_id)]
    assert seen == anonymous_seen == [shared.id]


async def test_public_metadata_needs_no_key(emu: Emulator) -> None:
    """A keyless client reads an organization's public metadata."""
    async with B3OS.public(base_url=emu.url) as anonymous:
        assert (await anonymous.organizations.public(emu.org_id)).id == emu.org_id


async def test_a_keyless_client_must_name_the_organization(emu: Emulator) -> None:
    """Without a key there is no organization to default to: ConfigurationError, nothing sent."""
    emu.requests.clear()
    async with B3OS.public(base_url=emu.url) as anonymous:
        with pytest.raises(ConfigurationError, match="needs an API key"):
            await anonymous.organizations.public()
    assert list(emu.requests) == []
