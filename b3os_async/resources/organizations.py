"""``b3.organizations``: the key's organization, members, invites, plans, AI credits, auto-swap.

Methods that take ``org_id`` default to the client's organization (``resources/_org.py``): the
one given to ``B3OS(org_id=...)``, else the key's, learnt once per client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure, unstructure
from b3os_async._errors import ConfigurationError
from b3os_async.models.organizations import (
    AICreditUsage,
    AutoSwapSettings,
    AutoSwapSource,
    InviteWithOrgName,
    Organization,
    OrganizationInvite,
    OrganizationMember,
    PlanOptions,
    Tier,
)
from b3os_async.models.templates import Template
from b3os_async.resources._args import compact
from b3os_async.resources._org import OrgResource

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from b3os_async.pagination import AsyncPager

__all__ = ["Organizations", "check_year_month"]


def check_year_month(year_month: str) -> str:
    """A ``YYYY-MM`` month, checked before sending (a typo must not become a 400 later)."""
    text = str(year_month)
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
        raise ConfigurationError(f"year_month must look like '2025-01', got {year_month!r}")
    if not 1 <= int(text[5:]) <= 12:
        raise ConfigurationError(f"year_month has no month {text[5:]!r}")
    return text


def _sources(sources: Sequence[AutoSwapSource | Mapping[str, Any]]) -> list[Any]:
    checked: object = sources  # callers may pass anything: check at runtime
    if not isinstance(checked, (list, tuple)):
        raise ConfigurationError(f"sources must be a list, got {type(checked).__name__}")
    out = []
    for source in sources:
        if isinstance(source, AutoSwapSource):
            out.append({k: v for k, v in unstructure(source).items() if v is not None})
        elif isinstance(source, dict):
            out.append(dict(source))
        else:
            raise ConfigurationError(
                f"sources must hold AutoSwapSource objects or dicts, got {type(source).__name__}"
            )
    return out


class Organizations(OrgResource):
    """Organizations (``/v1/organizations``, ``/v1/orgs``). Get it as ``b3.organizations``."""

    __slots__ = ()

    def list(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[Organization]:
        """The caller's organizations (an API key's: its own). Also checks the key works."""
        return self._list(
            Organization, "/v1/organizations", page_size=page_size, max_items=max_items
        )

    async def current(self) -> Organization:
        """The client's organization (``B3OS(org_id=...)``, else the API key's)."""
        org_id = await self._org(None)
        async for org in self.list(page_size=100):
            if org.id == org_id:
                return org
        return await self.public(org_id)

    async def public(self, org_id: str | None = None) -> Organization:
        """An organization's public metadata (any organization; name, slug, description)."""
        oid = await self._org(org_id)
        return await self._get(Organization, "/v1/organizations/{}/public", oid)

    def public_templates(
        self,
        org_id: str | None = None,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[Template]:
        """An organization's public templates, newest change first (any organization; also
        from a keyless ``B3OS.public()`` client when ``org_id`` is given)."""
        return self._org_list(
            Template, "/v1/organizations/{}/templates/public", org_id,
            page_size=page_size, max_items=max_items,
        )  # fmt: skip

    def members(
        self,
        *,
        org_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[OrganizationMember]:
        """The organization's members and their roles."""
        return self._org_list(
            OrganizationMember, "/v1/orgs/{}/members", org_id,
            page_size=page_size, max_items=max_items,
        )  # fmt: skip

    def invites(
        self,
        *,
        org_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[OrganizationInvite]:
        """The organization's pending invites."""
        return self._org_list(
            OrganizationInvite, "/v1/orgs/{}/invites", org_id,
            page_size=page_size, max_items=max_items,
        )  # fmt: skip

    def my_invites(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[InviteWithOrgName]:
        """Your own pending invites to organizations."""
        return self._list(
            InviteWithOrgName, "/v1/invites", page_size=page_size, max_items=max_items
        )

    async def tiers(self) -> tuple[Tier, ...]:
        """Every subscription tier, with prices (US cents) and limits."""
        data = await self._data("GET", "/v1/tiers")
        return structure((data or {}).get("tiers") or [], tuple[Tier, ...])

    async def plan_options(self, *, org_id: str | None = None) -> PlanOptions:
        """The organization's plan and every plan it may move to, priced."""
        oid = await self._org(org_id)
        return await self._get(PlanOptions, "/v1/organizations/{}/plan-options", oid)

    async def ai_credit_usage(self, year_month: str, *, org_id: str | None = None) -> AICreditUsage:
        """AI-credit usage of one month (``year_month``: ``"2025-01"``)."""
        params = {"yearMonth": check_year_month(year_month)}
        oid = await self._org(org_id)
        return await self._get(
            AICreditUsage, "/v1/organizations/{}/ai-credits/usage", oid, params=params
        )

    async def auto_swap_settings(self, *, org_id: str | None = None) -> AutoSwapSettings:
        """The automatic token-swap settings (disabled until configured)."""
        oid = await self._org(org_id)
        return await self._get(AutoSwapSettings, "/v1/organizations/{}/auto-swap-settings", oid)

    async def update_auto_swap_settings(
        self,
        *,
        enabled: bool | None = None,
        mode: str | None = None,
        max_swap_amount_usd: float | None = None,
        sources: Sequence[AutoSwapSource | Mapping[str, Any]] | None = None,
        org_id: str | None = None,
    ) -> AutoSwapSettings:
        """Change the automatic token-swap settings (owners only); omitted fields stay.

        Args:
            enabled: turn auto-swap on or off.
            mode: ``manual``, ``auto_highest_balance`` or ``auto_lowest_balance``.
            max_swap_amount_usd: the most one swap may be worth, in USD (0: no limit).
            sources: the token sources to sell from, in order (replaces the current list).
            org_id: another organization than the client's.
        """
        body = compact(
            enabled=enabled,
            mode=mode,
            maxSwapAmountUsd=max_swap_amount_usd,
            sources=_sources(sources) if sources is not None else None,
        )
        oid = await self._org(org_id)
        return await self._put(
            AutoSwapSettings, "/v1/organizations/{}/auto-swap-settings", oid, json=body
        )
