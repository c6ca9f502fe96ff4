"""``GET /v1/executions/stats``: a window of external executions, summarised.

Counts by status, by source system and per time bucket (an hour or a day, UTC), the ten most
recent failures, the success rate (a fraction of the ended executions) and the average duration
of those that started and finished.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import compact, iso

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async.testing._domain.executions import Execution

__all__ = ["execution_stats"]

_SUMMARY = {
    "workflow_succeeded": "succeeded",
    "workflow_failed": "failed",
    "workflow_partial": "partial",
    "workflow_cancelled": "cancelled",
}


def execution_stats(window: Sequence[Execution], granularity: str) -> dict[str, Any]:
    """``ExecutionStatsData`` of ``window`` (executions in creation order)."""
    counts: dict[str, int] = {}
    systems: dict[str, dict[str, int]] = {}
    buckets: dict[str, dict[str, int]] = {}
    durations: list[float] = []
    for execution in window:
        counts[execution.status] = counts.get(execution.status, 0) + 1
        word = _SUMMARY.get(execution.status)
        system = systems.setdefault(execution.source_system, _tally())
        bucket = buckets.setdefault(_bucket(execution.created_ms, granularity), _tally())
        for tally in (system, bucket):
            tally["total"] += 1
            if word is not None:
                tally[word] += 1
        if execution.started_at and execution.finished_at:
            durations.append(_ms(execution.finished_at) - _ms(execution.started_at))
    summary = {word: counts.get(status, 0) for status, word in _SUMMARY.items()}
    terminal = sum(summary.values())
    failures = [e for e in reversed(window) if e.status == "workflow_failed"][:10]
    return {
        "granularity": granularity,
        "summary": {
            **summary,
            "total": len(window),
            "terminal": terminal,
            "inProgress": len(window) - terminal,
            "successRate": round(summary["succeeded"] / terminal, 4) if terminal else 0,
            "averageDurationMs": round(sum(durations) / len(durations), 1) if durations else 0,
        },
        "statuses": [{"status": s, "count": c} for s, c in counts.items()],
        "sourceSystems": [{"sourceSystem": name, **tally} for name, tally in systems.items()],
        "timeSeries": [{"bucketStart": start, **tally} for start, tally in sorted(buckets.items())],
        "recentFailures": [
            compact(
                {
                    "executionId": e.id,
                    "workflowId": e.workflow_id,
                    "runId": e.run_id,
                    "status": e.status,
                    "statusReason": e.status_reason,
                    "sourceSystem": e.source_system,
                    "createdAt": e.created_at,
                    "finishedAt": e.finished_at,
                }
            )
            for e in failures
        ],
    }


def _tally() -> dict[str, int]:
    return {"total": 0, "succeeded": 0, "failed": 0, "partial": 0, "cancelled": 0}


def _bucket(ms: int, granularity: str) -> str:
    moment = datetime.fromtimestamp(ms / 1000, timezone.utc)
    moment = moment.replace(minute=0, second=0, microsecond=0)
    if granularity == "daily":
        moment = moment.replace(hour=0)
    return iso(moment)


def _ms(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
