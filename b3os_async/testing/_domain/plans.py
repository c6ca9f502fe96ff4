"""Subscription tiers, plan transitions and AI-credit usage: the emulator's fixed price list.

The numbers are made up (B3OS publishes its tiers through ``GET /v1/tiers``; nothing in the docs
gives figures) but consistent: tiers are ordered, a higher tier is an ``upgrade`` effective at
once, a lower one a ``downgrade`` and ``free`` a ``cancel``, both effective at the end of the
billing period (the first day of next month, UTC). Every organization starts on ``free`` with a
monthly interval. AI-credit usage is read from the Caddie area's credit book.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import BAD_QUERY, ApiError, iso, now

if TYPE_CHECKING:
    from b3os_async.testing._domain.caddie import AiCredits

__all__ = ["TIERS", "ai_credit_usage", "check_year_month", "period_end", "plan_options"]

TIERS: tuple[dict[str, Any], ...] = (
    {"name": "free", "priceUSDCents": 0, "annualPriceUSDCents": 0, "cuAmount": 1_000,
     "aiCredits": 100, "maxActiveWorkflows": 3, "maxDatabaseTables": 3, "maxUsers": 1,
     "supportLevel": "community"},
    {"name": "starter", "priceUSDCents": 2_900, "annualPriceUSDCents": 29_000, "cuAmount": 20_000,
     "aiCredits": 1_000, "maxActiveWorkflows": 20, "maxDatabaseTables": 10, "maxUsers": 3,
     "supportLevel": "email"},
    {"name": "pro", "priceUSDCents": 9_900, "annualPriceUSDCents": 99_000, "cuAmount": 100_000,
     "aiCredits": 5_000, "maxActiveWorkflows": 100, "maxDatabaseTables": 50, "maxUsers": 10,
     "supportLevel": "priority"},
    {"name": "business", "priceUSDCents": 49_900, "annualPriceUSDCents": 499_000,
     "cuAmount": 1_000_000, "aiCredits": 25_000, "maxActiveWorkflows": 1_000,
     "maxDatabaseTables": 200, "maxUsers": 50, "supportLevel": "dedicated"},
)  # fmt: skip
"""The tiers, cheapest first (``TierResponse``)."""

_NAMES = [tier["name"] for tier in TIERS]
_YEAR_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)


def period_end(moment: datetime | None = None) -> str:
    """The end of the current billing period: the first day of next month, 00:00 UTC."""
    at = (moment or now()).astimezone(timezone.utc)
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    return iso(datetime(year, month, 1, tzinfo=timezone.utc))


def plan_options(tier: str, interval: str = "monthly") -> dict[str, Any]:
    """``GetPlanOptionsResponse``: every transition from ``tier``, in both intervals."""
    current = _NAMES.index(tier) if tier in _NAMES else 0
    end = period_end()
    options = []
    for index, name in enumerate(_NAMES):
        for each in ("monthly", "annual"):
            if index == current and each == interval:
                continue
            if index > current or (index == current and each == "annual"):
                action, effective, kind = "upgrade", iso(now()), "immediate"
            elif index == 0:
                action, effective, kind = "cancel", end, "end_of_period"
            else:
                action, effective, kind = "downgrade", end, "end_of_period"
            if index == 0 and each == "annual":
                continue  # free has no annual plan
            options.append(
                {"tier": name, "interval": each, "action": action,
                 "effectiveAt": effective, "type": kind}
            )  # fmt: skip
    return {"currentTier": _NAMES[current], "currentInterval": interval, "periodEnd": end,
            "options": options}  # fmt: skip


def check_year_month(raw: str | None) -> str:
    """A ``yearMonth`` query parameter (``YYYY-MM``); 400004 when missing or malformed."""
    if raw is None or not _YEAR_MONTH.fullmatch(raw.strip()):
        raise ApiError(400, BAD_QUERY, f"query parameter 'yearMonth' must be YYYY-MM, got {raw!r}")
    return raw.strip()


def ai_credit_usage(
    credits: AiCredits, org_id: str, created_at: str, year_month: str
) -> dict[str, Any]:
    """``AICreditUsageSummaryPublic`` of a month, from the AI-credit book (``_domain/caddie.py``).

    A new organization is granted the default credits in its creation month; Caddie turns use
    them; ``Emulator.set_ai_credits`` is an adjustment. So, as for compute units, a month's
    ``granted + deposited + adjusted - used`` is what the balance changed by.
    """
    used, adjusted = credits.usage(org_id, year_month)
    granted = credits.default if created_at[:7] == year_month else 0
    return {
        "yearMonth": year_month,
        "summary": {"granted": granted, "deposited": 0, "adjusted": adjusted, "used": used},
    }
