"""Dashboard metrics computed from the runs that actually happened (pure functions).

Theory of operation
-------------------
Every figure is derived from one organization's runs started in ``[from, to]`` (a binary search
in the run list's start order; only those runs are read):

* failure rate: ``total`` runs, ``failed`` (status ``failure``), ``partial``, and
  ``failureRate`` = failed / total in percent (0 without runs), two decimals;
* time series: one bucket per hour or day (UTC, ``bucketStart``), from the bucket holding
  ``from`` to the one holding ``to``, empty buckets included, counting total / success / failure
  / partial runs started in it;
* top errors: the error messages of the failed nodes of those runs, most frequent first
  (``count``, ``lastOccurred`` = when the latest of them failed);
* recent activity: the newest runs of the organization (not bound to the range), optionally of
  one status, with their duration and, for failed runs, the first failed node's error.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import compact, iso, parse_time

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from b3os_async.testing._domain.run_lists import RunList
    from b3os_async.testing._domain.runs import Run

__all__ = ["GRANULARITIES", "MAX_RANGE", "failure_rate", "recent", "time_series", "top_errors"]

GRANULARITIES = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}
MAX_RANGE = timedelta(days=365)


def failure_rate(runs: Sequence[Run]) -> dict[str, Any]:
    """``FailureRateStats`` of ``runs``."""
    failed = sum(1 for run in runs if run.status == "failure")
    partial = sum(1 for run in runs if run.status == "partial")
    rate = round(failed * 100 / len(runs), 2) if runs else 0.0
    return {"total": len(runs), "failed": failed, "partial": partial, "failureRate": rate}


def _floor(moment: datetime, step: timedelta) -> datetime:
    moment = moment.astimezone(timezone.utc)
    if step >= timedelta(days=1):
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return moment.replace(minute=0, second=0, microsecond=0)


def time_series(
    runs: Sequence[Run], start: datetime, end: datetime, granularity: str
) -> dict[str, Any]:
    """``RunsTimeSeriesData``: one point per bucket between ``start`` and ``end``."""
    step = GRANULARITIES[granularity]
    buckets: dict[datetime, dict[str, Any]] = {}
    moment = _floor(start, step)
    while moment <= end:
        buckets[moment] = {"bucketStart": iso(moment), "total": 0, "success": 0}
        buckets[moment].update(failure=0, partial=0)
        moment += step
    for run in runs:
        started = parse_time(run.started_at)
        point = buckets.get(_floor(started, step)) if started is not None else None
        if point is not None:
            point["total"] += 1
            if run.status in ("success", "failure", "partial"):
                point[run.status] += 1
    return {"granularity": granularity, "data": list(buckets.values())}


def _failures(runs: Iterable[Run]) -> Iterable[tuple[str, str]]:
    for run in runs:
        for state in run.nodes.values():
            if state.status == "failure" and state.error is not None:
                yield str(state.error.get("message", "")), state.finished_at or run.started_at


def top_errors(runs: Sequence[Run], limit: int) -> list[dict[str, Any]]:
    """``TopError`` items, most frequent first (ties: the latest first)."""
    counts: Counter[str] = Counter()
    latest: dict[str, str] = {}
    for message, at in _failures(runs):
        counts[message] += 1
        latest[message] = max(latest.get(message, at), at)
    # most frequent first; among equals, the one that failed last first
    ranked = sorted(counts, key=lambda message: (counts[message], latest[message]), reverse=True)
    return [
        {"error": message, "count": counts[message], "lastOccurred": latest[message]}
        for message in ranked[:limit]
    ]


def recent(runs: RunList, limit: int, status: str | None) -> list[dict[str, Any]]:
    """``RecentRun`` items: the newest runs (of ``status``), newest first."""
    found, _ = runs.page(limit, 0, status)
    items = []
    for run in found:
        started, finished = parse_time(run.started_at), parse_time(run.finished_at or "")
        duration = (finished - started).total_seconds() * 1000 if started and finished else None
        error = next((message for message, _ in _failures([run])), None)
        items.append(
            compact(
                {
                    "runId": run.id,
                    "workflowId": run.workflow_id,
                    "workflowName": run.workflow_name or None,
                    "status": run.status,
                    "startedAt": run.started_at,
                    "finishedAt": run.finished_at,
                    "durationMs": duration,
                    "error": error if run.status in ("failure", "partial") else None,
                }
            )
        )
    return items
