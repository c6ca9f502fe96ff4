"""Area ``metrics``: failure rate, runs time series, top errors, recent activity, summary.

``from``/``to`` are Unix milliseconds (required where the API requires them; at most 365 days
apart, ``to`` not before ``from``: 400004 otherwise). The figures are computed from the runs that
happened (``_domain/metrics.py``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import BAD_QUERY, ApiError
from b3os_async.testing._domain import metrics
from b3os_async.testing._server import choice_param, context, int_param, ok, principal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async.testing._domain.runs import Run

ROUTES = web.RouteTableDef()

ACTIVITY_STATUSES = ("success", "failure", "running")


def _moment(request: web.Request, name: str) -> datetime:
    if name not in request.query:
        raise ApiError(400, BAD_QUERY, f"query parameter {name!r} (Unix milliseconds) is required")
    ms = int_param(request, name, 0)
    try:
        return datetime.fromtimestamp(ms / 1000, timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise ApiError(400, BAD_QUERY, f"{name!r} is not a usable timestamp: {ms}") from None


def _range(request: web.Request) -> tuple[datetime, datetime, Sequence[Run]]:
    start, end = _moment(request, "from"), _moment(request, "to")
    if end < start:
        raise ApiError(400, BAD_QUERY, "'to' must not be before 'from'")
    if end - start > metrics.MAX_RANGE:
        raise ApiError(400, BAD_QUERY, "the time range must not exceed 365 days")
    runs = context(request).store.runs.of_org(principal(request).org_id)
    return start, end, runs.started_between(start, end)


def _limit(request: web.Request, name: str, default: int) -> int:
    value = int_param(request, name, default)
    if not 1 <= value <= 100:
        raise ApiError(400, BAD_QUERY, f"{name!r} must be between 1 and 100, got {value}")
    return value


def _granularity(request: web.Request) -> str:
    found = choice_param(request, "granularity", tuple(metrics.GRANULARITIES))
    if found is None:
        raise ApiError(
            400, BAD_QUERY, "query parameter 'granularity' (hourly or daily) is required"
        )
    return found


def _recent(request: web.Request, limit_name: str, default: int) -> list[dict[str, Any]]:
    limit = _limit(request, limit_name, default)
    status = choice_param(request, "status", ACTIVITY_STATUSES)
    runs = context(request).store.runs.of_org(principal(request).org_id)
    return metrics.recent(runs, limit, status)


@ROUTES.get("/v1/metrics/failure-rate")
async def failure_rate(request: web.Request) -> web.Response:
    """``GET /v1/metrics/failure-rate``: ``FailureRateStats`` of the range."""
    _, _, runs = _range(request)
    return ok(request, metrics.failure_rate(runs))


@ROUTES.get("/v1/metrics/runs-timeseries")
async def runs_timeseries(request: web.Request) -> web.Response:
    """``GET /v1/metrics/runs-timeseries``: hourly or daily buckets of the range."""
    granularity = _granularity(request)
    start, end, runs = _range(request)
    return ok(request, metrics.time_series(runs, start, end, granularity))


@ROUTES.get("/v1/metrics/top-errors")
async def top_errors(request: web.Request) -> web.Response:
    """``GET /v1/metrics/top-errors``: the most frequent node errors of the range."""
    limit = _limit(request, "limit", 20)
    _, _, runs = _range(request)
    return ok(request, metrics.top_errors(runs, limit))


@ROUTES.get("/v1/metrics/recent-activity")
async def recent_activity(request: web.Request) -> web.Response:
    """``GET /v1/metrics/recent-activity``: the newest runs (``limit``, ``status``)."""
    return ok(request, _recent(request, "limit", 20))


@ROUTES.get("/v1/metrics/summary")
async def summary(request: web.Request) -> web.Response:
    """``GET /v1/metrics/summary``: the four above in one answer."""
    granularity = _granularity(request)
    errors_limit = _limit(request, "topErrorsLimit", 10)
    start, end, runs = _range(request)
    return ok(
        request,
        {
            "failureRate": metrics.failure_rate(runs),
            "runsTimeSeries": metrics.time_series(runs, start, end, granularity),
            "topErrors": metrics.top_errors(runs, errors_limit),
            "recentActivity": _recent(request, "recentActivityLimit", 50),
        },
    )
