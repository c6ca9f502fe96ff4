"""``b3.compute_units``: the organization's compute units (CU): balance, threshold, usage.

Runs and actions draw CU; an organization without enough gets ``InsufficientCreditsError``
(402) on its next run. Methods default to the client's organization (``org_id=`` for another).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async._convert import format_datetime
from b3os_async._errors import ConfigurationError
from b3os_async.models.compute_units import (
    CUBalance,
    CURunItem,
    CUThresholdUpdate,
    CUUsage,
    CUUsageByWorkflow,
    CUWorkflowUsage,
)
from b3os_async.resources._org import OrgResource
from b3os_async.resources.organizations import check_year_month

if TYPE_CHECKING:
    from datetime import datetime

    from b3os_async.pagination import AsyncPager

__all__ = ["ComputeUnits"]


def _millis(value: datetime, name: str) -> int:
    """A timezone-aware datetime as Unix milliseconds (a naive one is refused)."""
    try:
        format_datetime(value)  # the SDK's one check of "timezone-aware datetime"
    except (ValueError, AttributeError, TypeError):
        raise ConfigurationError(
            f"{name} must be a timezone-aware datetime, e.g. datetime.now(timezone.utc), "
            f"got {value!r}"
        ) from None
    return int(value.timestamp() * 1000)


class ComputeUnits(OrgResource):
    """Compute units (``/v1/organizations/{orgId}/cu``). Get it as ``b3.compute_units``."""

    __slots__ = ()

    async def balance(self, *, org_id: str | None = None) -> CUBalance:
        """The CU balance and the minimum threshold."""
        oid = await self._org(org_id)
        return await self._get(CUBalance, "/v1/organizations/{}/cu", oid)

    async def set_threshold(
        self, min_threshold: float, *, org_id: str | None = None
    ) -> CUThresholdUpdate:
        """Set the minimum CU balance the organization wants to keep (owners only)."""
        if isinstance(min_threshold, bool) or not isinstance(min_threshold, (int, float)):
            raise ConfigurationError(f"min_threshold must be a number, got {min_threshold!r}")
        if min_threshold < 0:
            raise ConfigurationError("min_threshold must not be negative")
        oid = await self._org(org_id)
        body = {"minThreshold": min_threshold}
        return await self._put(
            CUThresholdUpdate, "/v1/organizations/{}/cu/threshold", oid, json=body
        )

    async def usage(self, year_month: str, *, org_id: str | None = None) -> CUUsage:
        """One month's usage (``"2025-01"``): totals and a daily breakdown by node type."""
        params = {"yearMonth": check_year_month(year_month)}
        oid = await self._org(org_id)
        return await self._get(CUUsage, "/v1/organizations/{}/cu/usage", oid, params=params)

    async def usage_by_workflow(
        self, start: datetime, end: datetime, *, org_id: str | None = None
    ) -> tuple[CUWorkflowUsage, ...]:
        """What each workflow drew between ``start`` and ``end`` (timezone-aware), most first."""
        params = {"from": _millis(start, "start"), "to": _millis(end, "end")}
        if params["from"] > params["to"]:
            raise ConfigurationError("start must not be after end")
        oid = await self._org(org_id)
        result = await self._get(
            CUUsageByWorkflow, "/v1/organizations/{}/cu/usage-by-workflow", oid, params=params
        )
        return result.workflows

    def runs(
        self,
        *,
        org_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[CURunItem]:
        """Recent runs with the CU each drew, newest first."""
        return self._org_list(
            CURunItem, "/v1/organizations/{}/cu/runs", org_id,
            page_size=page_size, max_items=max_items,
        )  # fmt: skip
