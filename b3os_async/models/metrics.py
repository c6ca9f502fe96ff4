"""Metrics models: failure rate, runs time series, top errors, recent activity, the summary.

(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime

import attrs

from b3os_async.models._enums import RunStatus

__all__ = [
    "FailureRate",
    "MetricsSummary",
    "RecentRun",
    "RunsTimeSeries",
    "RunsTimeSeriesPoint",
    "TopError",
]


@attrs.frozen(kw_only=True)
class FailureRate:
    """Runs of a period: how many, how many failed, and the failure rate in percent (0-100)."""

    total: int = 0
    failed: int = 0
    partial: int = 0
    failure_rate: float = 0.0


@attrs.frozen(kw_only=True)
class RunsTimeSeriesPoint:
    """Runs started in one hour or day (``bucket_start``)."""

    bucket_start: datetime | None = None
    total: int = 0
    success: int = 0
    failure: int = 0
    partial: int = 0


@attrs.frozen(kw_only=True)
class RunsTimeSeries:
    """Runs per hour or day (``granularity``) over a period."""

    granularity: str | None = None
    points: tuple[RunsTimeSeriesPoint, ...] = attrs.field(default=(), metadata={"json": "data"})


@attrs.frozen(kw_only=True)
class TopError:
    """An error message, how often it occurred in the period, and when last."""

    error: str | None = None
    count: int = 0
    last_occurred: datetime | None = None


@attrs.frozen(kw_only=True)
class RecentRun:
    """A recent run with its duration and, for a failed run, its error."""

    run_id: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    status: RunStatus | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: float | None = None
    error: str | None = None


@attrs.frozen(kw_only=True)
class MetricsSummary:
    """All dashboard metrics of a period in one answer; a part the server could not compute is
    ``None`` with its ``…_error`` message set."""

    failure_rate: FailureRate | None = None
    failure_rate_error: str | None = None
    runs_time_series: RunsTimeSeries | None = None
    runs_time_series_error: str | None = None
    top_errors: tuple[TopError, ...] = ()
    top_errors_error: str | None = None
    recent_activity: tuple[RecentRun, ...] = ()
    recent_activity_error: str | None = None
