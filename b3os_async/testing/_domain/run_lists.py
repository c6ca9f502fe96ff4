"""The run indexes: one :class:`RunList` per organization, per workflow and per trigger node.

A :class:`RunList` keeps its runs in creation order (a newest-first page is one slice), the
positions of the runs of each status (a status-filtered page is one slice too) and a counter per
status (the count endpoints read counters, they do not count). Creation order is start order, so
"runs started since" is a binary search. ``RunBook`` (``runs.py``) owns the lists and moves a run
between status indexes whenever its status changes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import parse_time

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from b3os_async.testing._domain.runs import Run

__all__ = ["NO_RUNS", "RUN_STATUSES", "RunList"]

RUN_STATUSES = ("running", "waiting", "success", "partial", "failure", "cancelled")


def _slice(items: Sequence[Any], offset: int, limit: int) -> tuple[list[Any], bool]:
    """Items ``offset .. offset + limit`` counted from the END of ``items``, and hasMore."""
    end = len(items) - offset
    if end <= 0:
        return [], False
    start = max(0, end - limit)
    return list(reversed(items[start:end])), start > 0


class RunList:
    """The runs of one organization or workflow: creation order, status indexes, counters."""

    def __init__(self) -> None:
        self.order: list[Run] = []
        self._position: dict[str, int] = {}
        self._positions: dict[str, list[int]] = {status: [] for status in RUN_STATUSES}
        self._counts = dict.fromkeys(RUN_STATUSES, 0)

    def __len__(self) -> int:
        return len(self.order)

    def add(self, run: Run) -> None:
        """Append a new run (the newest)."""
        position = self._position[run.id] = len(self.order)
        self.order.append(run)
        self._positions[run.status].append(position)
        self._counts[run.status] += 1

    def moved(self, run: Run, old: str, new: str) -> None:
        """Move a run from status ``old`` to ``new`` (a memmove; near the end for new runs)."""
        position = self._position[run.id]
        positions = self._positions[old]
        del positions[bisect_left(positions, position)]
        insort(self._positions[new], position)
        self._counts[old] -= 1
        self._counts[new] += 1

    def page(self, limit: int, offset: int, status: str | None = None) -> tuple[list[Run], bool]:
        """Newest first, optionally one status only: one slice, whatever the list's size."""
        if status is None:
            return _slice(self.order, offset, limit)
        positions, more = _slice(self._positions[status], offset, limit)
        return [self.order[position] for position in positions], more

    def counts(self, since: datetime | None = None) -> dict[str, int]:
        """``WorkflowRunCount``: one count per status (``cancelled`` is an addition), ``total``.

        Without ``since`` these are the maintained counters. With it, only runs started at or
        after ``since`` count: creation order is start order, so a binary search finds the
        first of them and only those are counted.
        """
        if since is None:
            counts = dict(self._counts)
        else:
            counts = dict.fromkeys(RUN_STATUSES, 0)
            for run in self.started_between(since, None):
                counts[run.status] += 1
        counts["total"] = sum(counts.values())
        return counts

    def started_between(self, start: datetime, end: datetime | None) -> Sequence[Run]:
        """The runs started at or after ``start`` (and at or before ``end``), oldest first.

        Two binary searches over the creation (= start) order; only those runs are touched.
        """
        first = bisect_left(self.order, start, key=lambda run: _started(run, start))
        if end is None:
            return self.order[first:]
        last = bisect_right(self.order, end, key=lambda run: _started(run, end))
        return self.order[first:last]

    def latest(self) -> Run | None:
        """The newest run, if any."""
        return self.order[-1] if self.order else None


def _started(run: Run, default: datetime) -> datetime:
    return parse_time(run.started_at) or default


NO_RUNS = RunList()
"""What an organization or workflow without runs reads (never written)."""
