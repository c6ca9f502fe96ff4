"""Execution statistics of actions and triggers: totals, latency and usage time series.

Theory of operation
-------------------
Every execution of a node type is recorded once, by whoever executed it: the engine for the
nodes of runs (triggers included), the actions domain for ``actions test/run`` and the action
proxy. A record is ``(at_ms, duration_ms, ok)``, kept per ``(kind, type)`` in time order (the
wall clock may step back: such a record is inserted in place), at most :data:`MAX_RECORDS` per
type (the oldest are dropped; totals keep counting). Time-series queries bisect the records of
one type to the requested window, so they cost what the window holds, not what was ever run.

Statistics are the emulator's, across organizations (B3OS reports them platform-wide).
``workflowsCount`` comes from the workflow book's node-type counters (non-archived workflows
whose current version uses the type).
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._common import iso

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["BUCKETS", "MAX_RECORDS", "Statistics"]

MAX_RECORDS = 100_000
"""Records kept per node type for the time series (totals are never dropped)."""

BUCKETS = {"hourly": 3_600_000, "daily": 86_400_000}
"""Bucket length in milliseconds, per granularity."""


@attrs.define
class _Series:
    records: list[tuple[int, float, bool]] = attrs.field(factory=list)
    total: int = 0
    succeeded: int = 0
    latency_sum: float = 0.0


def _nearest_rank(ordered: list[float], percent: float) -> float:
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


class Statistics:
    """Recorded executions of every node type (see the module docstring)."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], _Series] = {}

    def record(
        self, kind: str, node_type: str, *, at_ms: int, duration_ms: float, ok: bool
    ) -> None:
        """Record one execution of ``node_type`` (``kind``: ``action`` or ``trigger``)."""
        series = self._series.get((kind, node_type))
        if series is None:
            series = self._series[kind, node_type] = _Series()
        record = (at_ms, round(duration_ms, 3), ok)
        if not series.records or series.records[-1][0] <= at_ms:
            series.records.append(record)
        else:
            insort(series.records, record)
        if len(series.records) > MAX_RECORDS:
            del series.records[0]
        series.total += 1
        series.succeeded += ok
        series.latency_sum += duration_ms

    def summary(
        self, nodes: Iterable[tuple[str, str]], workflows: Mapping[str, int]
    ) -> dict[str, dict[str, Any]]:
        """``NodeStatistics`` JSON per node type of ``nodes`` (``(kind, type)`` pairs)."""
        out: dict[str, dict[str, Any]] = {}
        for kind, node_type in nodes:
            series = self._series.get((kind, node_type), _Series())
            item: dict[str, Any] = {
                "nodeId": node_type,
                "nodeType": kind,
                "totalExecutions": series.total,
                "workflowsCount": workflows.get(node_type, 0),
            }
            if kind == "action" and series.total:
                item["successRate"] = round(series.succeeded / series.total, 4)
                item["averageLatencyMs"] = round(series.latency_sum / series.total, 3)
            out[node_type] = item
        return out

    def _window(
        self, kind: str, node_type: str, start_ms: int, end_ms: int, granularity: str
    ) -> dict[int, list[tuple[int, float, bool]]]:
        """The records of ``[start_ms, end_ms)`` grouped by bucket start, oldest first."""
        series = self._series.get((kind, node_type))
        if series is None:
            return {}
        size = BUCKETS[granularity]
        records = series.records
        first = bisect_left(records, (start_ms,))
        last = bisect_left(records, (end_ms,))
        buckets: dict[int, list[tuple[int, float, bool]]] = {}
        for record in records[first:last]:
            buckets.setdefault(record[0] // size * size, []).append(record)
        return buckets

    def latency(
        self, node_type: str, start_ms: int, end_ms: int, granularity: str
    ) -> list[dict[str, Any]]:
        """``LatencyTimeSeriesPoint`` JSON for an action: buckets that hold executions."""
        points = []
        for start, records in self._window(
            "action", node_type, start_ms, end_ms, granularity
        ).items():
            ordered = sorted(duration for _, duration, _ in records)
            points.append(
                {
                    "bucketStart": _bucket(start),
                    "avgLatencyMs": round(sum(ordered) / len(ordered), 3),
                    "p50LatencyMs": _nearest_rank(ordered, 50),
                    "p95LatencyMs": _nearest_rank(ordered, 95),
                }
            )
        return points

    def usage(
        self, kind: str, node_type: str, start_ms: int, end_ms: int, granularity: str
    ) -> list[dict[str, Any]]:
        """``UsageTimeSeriesPoint`` JSON: executions per bucket (buckets that hold some)."""
        window = self._window(kind, node_type, start_ms, end_ms, granularity)
        return [
            {"bucketStart": _bucket(start), "usageCount": len(records)}
            for start, records in window.items()
        ]


def _bucket(start_ms: int) -> str:
    return iso(datetime.fromtimestamp(start_ms / 1000, timezone.utc))
