"""``b3.metrics``: dashboard metrics of the organization's runs over a period.

Periods are timezone-aware ``datetime`` s (sent as Unix milliseconds). The API refuses periods
longer than 365 days; the SDK refuses them before any request, as it refuses naive datetimes,
an end before the start and an unknown granularity.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

from b3os_async._convert import structure_items
from b3os_async._errors import ConfigurationError
from b3os_async.models.metrics import (
    FailureRate,
    MetricsSummary,
    RecentRun,
    RunsTimeSeries,
    TopError,
)
from b3os_async.resources._args import unix_ms
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from b3os_async.models._enums import RunStatus

__all__ = ["GRANULARITIES", "MAX_PERIOD", "Granularity", "Metrics"]

Granularity = Literal["hourly", "daily"]
GRANULARITIES = ("hourly", "daily")
#: The longest period the API accepts.
MAX_PERIOD = timedelta(days=365)


def period(start: datetime, end: datetime | None) -> dict[str, int]:
    """``{from, to}`` in Unix ms for ``start .. end`` (default: now), checked before any I/O."""
    first = unix_ms(start, "start")
    last = unix_ms(end if end is not None else datetime.now(timezone.utc), "end")
    if last < first:
        raise ConfigurationError(f"end ({end}) is before start ({start})")
    if last - first > MAX_PERIOD.total_seconds() * 1000:
        raise ConfigurationError("the API accepts periods of at most 365 days")
    return {"from": first, "to": last}


def _granularity(value: str) -> str:
    if value not in GRANULARITIES:
        raise ConfigurationError(f"granularity must be 'hourly' or 'daily', got {value!r}")
    return value


def _limit(value: int | None, name: str) -> int | None:
    checked: object = value  # callers may pass anything: check at runtime
    if checked is not None and (type(checked) is not int or not 1 <= checked <= 100):
        shown = type(checked).__name__ if type(checked) is not int else "an integer out of range"
        raise ConfigurationError(f"{name} must be an integer 1 to 100, got {shown}")
    return value


class Metrics(Resource):
    """Run metrics (``/v1/metrics``). Get it as ``b3.metrics``.

    ``await b3.metrics.summary(start=datetime.now(timezone.utc) - timedelta(days=7))``
    """

    __slots__ = ()

    async def summary(
        self,
        *,
        start: datetime,
        end: datetime | None = None,
        granularity: Granularity = "daily",
        top_errors_limit: int | None = None,
        recent_activity_limit: int | None = None,
        status: RunStatus | str | None = None,
    ) -> MetricsSummary:
        """Failure rate, runs time series, top errors and recent activity in one request.

        Args:
            start: the start of the period (a timezone-aware ``datetime``).
            end: the end of the period (default: now); at most 365 days after ``start``.
            granularity: ``hourly`` or ``daily`` points in the time series.
            top_errors_limit: how many top errors (1-100; the server's default is 10).
            recent_activity_limit: how many recent runs (1-100; the server's default is 50).
            status: only recent runs with this status (``success``, ``failure``, ``running``).
        """
        params: dict[str, Any] = {
            **period(start, end),
            "granularity": _granularity(granularity),
            "topErrorsLimit": _limit(top_errors_limit, "top_errors_limit"),
            "recentActivityLimit": _limit(recent_activity_limit, "recent_activity_limit"),
            "status": status,
        }
        return await self._get(MetricsSummary, "/v1/metrics/summary", params=params)

    async def failure_rate(self, *, start: datetime, end: datetime | None = None) -> FailureRate:
        """How many runs of the period failed, in numbers and percent."""
        return await self._get(FailureRate, "/v1/metrics/failure-rate", params=period(start, end))

    async def runs_timeseries(
        self, *, start: datetime, end: datetime | None = None, granularity: Granularity = "daily"
    ) -> RunsTimeSeries:
        """Runs per hour or day of the period (total, success, failure, partial)."""
        params: dict[str, Any] = {**period(start, end), "granularity": _granularity(granularity)}
        return await self._get(RunsTimeSeries, "/v1/metrics/runs-timeseries", params=params)

    async def top_errors(
        self, *, start: datetime, end: datetime | None = None, limit: int | None = None
    ) -> list[TopError]:
        """The most frequent errors of the period, with their counts."""
        params = {**period(start, end), "limit": _limit(limit, "limit")}
        data = await self._data("GET", "/v1/metrics/top-errors", params=params)
        return list(structure_items(data or [], TopError))

    async def recent_activity(
        self, *, limit: int | None = None, status: RunStatus | str | None = None
    ) -> list[RecentRun]:
        """The newest runs (optionally of one status: ``success``, ``failure``, ``running``)."""
        params = {"limit": _limit(limit, "limit"), "status": status}
        data = await self._data("GET", "/v1/metrics/recent-activity", params=params)
        return list(structure_items(data or [], RecentRun))
