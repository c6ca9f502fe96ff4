"""Organization models: the organization, members, invites, tiers and plans, AI-credit usage,
auto-swap settings.

(No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from datetime import datetime

import attrs

from b3os_async.models._enums import OpenEnum

__all__ = [
    "AICreditUsage",
    "AutoSwapSettings",
    "AutoSwapSource",
    "InviteStatus",
    "InviteWithOrgName",
    "Organization",
    "OrganizationInvite",
    "OrganizationMember",
    "OrganizationRole",
    "PlanOption",
    "PlanOptionAction",
    "PlanOptions",
    "Tier",
    "UsageTotals",
]


class OrganizationRole(OpenEnum):
    """A member's role: ``owner`` or ``developer``."""

    OWNER = "owner"
    DEVELOPER = "developer"


class InviteStatus(OpenEnum):
    """``pending``, ``accepted``, ``declined`` or ``expired``."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class PlanOptionAction(OpenEnum):
    """What choosing a plan option does: ``upgrade``, ``downgrade`` or ``cancel``."""

    UPGRADE = "upgrade"
    DOWNGRADE = "downgrade"
    CANCEL = "cancel"


@attrs.frozen(kw_only=True)
class Organization:
    """An organization (also its public metadata, where only some fields are set)."""

    id: str
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    photo: str | None = None
    tier: str | None = None
    cu_min_threshold: float | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None


@attrs.frozen(kw_only=True)
class OrganizationMember:
    """A member of an organization and their role."""

    id: str
    user_id: str | None = None
    user_email: str | None = None
    role: OrganizationRole | None = None
    organization_id: str | None = None
    invited_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class OrganizationInvite:
    """An invitation of an email address to the organization."""

    id: str
    invitee_email: str | None = None
    invitee_user_id: str | None = None
    role: OrganizationRole | None = None
    status: InviteStatus | None = None
    organization_id: str | None = None
    invited_by: str | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class InviteWithOrgName:
    """An invitation of the caller to an organization, with the organization's name."""

    id: str
    organization_id: str | None = None
    organization_name: str | None = None
    invitee_email: str | None = None
    invitee_user_id: str | None = None
    role: OrganizationRole | None = None
    status: InviteStatus | None = None
    invited_by: str | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class Tier:
    """A subscription tier: prices in US cents, monthly allowances and limits."""

    name: str
    price_usd_cents: int | None = attrs.field(default=None, metadata={"json": "priceUSDCents"})
    annual_price_usd_cents: int | None = attrs.field(
        default=None, metadata={"json": "annualPriceUSDCents"}
    )
    cu_amount: int | None = None
    ai_credits: int | None = None
    max_active_workflows: int | None = None
    max_database_tables: int | None = None
    max_users: int | None = None
    support_level: str | None = None


@attrs.frozen(kw_only=True)
class PlanOption:
    """One plan the organization may move to, and when that would take effect."""

    tier: str | None = None
    interval: str | None = None
    action: PlanOptionAction | None = None
    effective_at: datetime | None = None
    type: str | None = None


@attrs.frozen(kw_only=True)
class PlanOptions:
    """The organization's current plan and every transition from it."""

    current_tier: str | None = None
    current_interval: str | None = None
    period_end: datetime | None = None
    options: tuple[PlanOption, ...] = ()


@attrs.frozen(kw_only=True)
class UsageTotals:
    """A month's totals: granted + deposited + adjusted - used reconciles the balance."""

    granted: float | None = None
    deposited: float | None = None
    adjusted: float | None = None
    used: float | None = None


@attrs.frozen(kw_only=True)
class AICreditUsage:
    """AI-credit usage of one month (``year_month`` is ``YYYY-MM``)."""

    year_month: str | None = None
    summary: UsageTotals | None = None


@attrs.frozen(kw_only=True)
class AutoSwapSource:
    """One token source auto-swap may sell from (``token_address`` is ``native`` or ``0x…``)."""

    wallet_id: str | None = None
    chain_id: int | None = None
    token_address: str | None = None
    token_decimals: int | None = None
    slippage_bps: int | None = None
    priority: int | None = None
    id: str | None = None


@attrs.frozen(kw_only=True)
class AutoSwapSettings:
    """Automatic token swaps that top up balances (``mode``: ``manual``,
    ``auto_highest_balance`` or ``auto_lowest_balance``; ``max_swap_amount_usd`` 0 = no cap)."""

    enabled: bool | None = None
    max_swap_amount_usd: float | None = None
    mode: str | None = None
    sources: tuple[AutoSwapSource, ...] = ()
