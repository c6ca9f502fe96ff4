"""Compute-unit (CU) models: balance and threshold, monthly usage, usage by workflow, run costs.

CU amounts are numbers (fractions happen); token amounts elsewhere are exact integers.
(No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from datetime import datetime

import attrs

from b3os_async.models._enums import RunStatus
from b3os_async.models.organizations import UsageTotals

__all__ = [
    "CUBalance",
    "CUDailyUsage",
    "CURunItem",
    "CUThresholdUpdate",
    "CUUsage",
    "CUUsageBreakdown",
    "CUUsageByWorkflow",
    "CUWorkflowUsage",
]


@attrs.frozen(kw_only=True)
class CUBalance:
    """The organization's compute units and the minimum balance it wants to keep."""

    balance: float
    min_threshold: float | None = None


@attrs.frozen(kw_only=True)
class CUThresholdUpdate:
    """The threshold before and after an update."""

    old_threshold: float | None = None
    new_threshold: float | None = None


@attrs.frozen(kw_only=True)
class CUUsageBreakdown:
    """What one kind of node (``type`` ``trigger`` or ``action``) drew on one day."""

    type: str | None = None
    node_type: str | None = None
    count: int | None = None
    cu: float | None = None


@attrs.frozen(kw_only=True)
class CUDailyUsage:
    """One day's usage (``date`` is ``YYYY-MM-DD``) and its breakdown by node type."""

    date: str | None = None
    used: float | None = None
    breakdown: tuple[CUUsageBreakdown, ...] = ()


@attrs.frozen(kw_only=True)
class CUUsage:
    """A month's compute-unit usage: totals and days."""

    year_month: str | None = None
    summary: UsageTotals | None = None
    daily: tuple[CUDailyUsage, ...] = ()


@attrs.frozen(kw_only=True)
class CUWorkflowUsage:
    """What one workflow drew in a time window."""

    workflow_id: str
    workflow_name: str | None = None
    status: str | None = None
    trigger_type: str | None = None
    run_count: int | None = None
    total_cu: float | None = None
    cu_per_hour: float | None = None
    estimated_cost_per_run: int | None = None
    is_stream: bool | None = None


@attrs.frozen(kw_only=True)
class CUUsageByWorkflow:
    """Per-workflow usage of a time window (``b3.compute_units.usage_by_workflow`` returns the
    ``workflows``)."""

    workflows: tuple[CUWorkflowUsage, ...] = ()


@attrs.frozen(kw_only=True)
class CURunItem:
    """A run and the compute units it drew."""

    run_id: str
    workflow_id: str | None = None
    status: RunStatus | None = None
    trigger_source: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    total_cu: float | None = None
