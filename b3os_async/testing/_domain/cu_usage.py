"""Views of the compute-unit ledger: a month's usage, usage by workflow, runs with their cost.

Everything here reads the :class:`~b3os_async.testing._domain.credits.Ledger`'s records, so what
the views report adds up to what was drawn. Charges are appended in time order, so a month or a
time window is found by bisection (``O(log n)`` plus the charges inside it).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import iso
from b3os_async.testing._domain.credits import DEFAULT_BALANCE

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._domain.credits import Charge, Ledger

__all__ = ["check_window", "monthly_usage", "runs_page", "usage_by_workflow"]


def _at(charge: Charge) -> str:
    return charge.at


def _window(charges: list[Charge], start: str, end: str) -> list[Charge]:
    """The charges with ``start <= at < end`` (RFC 3339 text sorts in time order)."""
    return charges[bisect_left(charges, start, key=_at) : bisect_left(charges, end, key=_at)]


def monthly_usage(ledger: Ledger, org_id: str, year_month: str) -> dict[str, Any]:
    """``CUUsageSummary``: totals of the month and the daily breakdown by node type."""
    account = ledger.account(org_id)
    charges = _window(account.charges, year_month, year_month + "~")  # "~" sorts after digits
    daily: dict[str, dict[tuple[str, str], list[float]]] = defaultdict(dict)
    for charge in charges:
        kind = "trigger" if charge.reason == "trigger" else "action"
        slot = daily[charge.at[:10]].setdefault((kind, charge.action_type or charge.reason), [0, 0])
        slot[0] += 1
        slot[1] += charge.amount
    adjusted = sum(amount for at, amount in account.adjustments if at[:7] == year_month)
    granted = DEFAULT_BALANCE if account.created_at[:7] == year_month else 0.0
    return {
        "yearMonth": year_month,
        "summary": {
            "granted": granted,
            "deposited": 0.0,
            "adjusted": round(adjusted, 6),
            "used": round(sum(charge.amount for charge in charges), 6),
        },
        "daily": [
            {
                "date": date,
                "used": round(sum(cu for _, cu in slots.values()), 6),
                "breakdown": [
                    {"type": kind, "nodeType": node_type, "count": int(count), "cu": round(cu, 6)}
                    for (kind, node_type), (count, cu) in sorted(slots.items())
                ],
            }
            for date, slots in sorted(daily.items())
        ],
    }


def _ms(millis: int) -> str:
    return iso(datetime.fromtimestamp(millis / 1000, timezone.utc))


def usage_by_workflow(
    ledger: Ledger,
    org_id: str,
    start_ms: int,
    end_ms: int,
    describe: Callable[[str], dict[str, Any]],
) -> dict[str, Any]:
    """``CUUsageByWorkflowResult`` for charges in ``[start_ms, end_ms]`` made for workflows.

    ``describe(workflow_id)`` gives ``workflowName``/``status``/``triggerType`` (``{}`` for a
    workflow that no longer exists). Ephemeral runs belong to no workflow and are left out.
    """
    charges = ledger.account(org_id).charges
    window = charges[
        bisect_left(charges, _ms(start_ms), key=_at) : bisect_right(charges, _ms(end_ms), key=_at)
    ]
    totals: dict[str, float] = defaultdict(float)
    runs: dict[str, set[str]] = defaultdict(set)
    for charge in window:
        if charge.workflow_id is None:
            continue
        totals[charge.workflow_id] += charge.amount
        if charge.run_id is not None:
            runs[charge.workflow_id].add(charge.run_id)
    hours = max((end_ms - start_ms) / 3_600_000, 1 / 3600)
    items = []
    for workflow_id, total in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
        count = len(runs[workflow_id])
        items.append(
            {
                "workflowId": workflow_id,
                **describe(workflow_id),
                "runCount": count,
                "totalCu": round(total, 6),
                "cuPerHour": round(total / hours, 6),
                "estimatedCostPerRun": round(total / count) if count else 0,
                "isStream": False,
            }
        )
    return {"workflows": items}


def runs_page(ledger: Ledger, org_id: str, limit: int, offset: int) -> tuple[list[str], bool]:
    """A newest-first page of the ids of the runs that drew CU."""
    runs = ledger.account(org_id).runs
    end = len(runs) - offset
    return runs[max(end - limit, 0) : max(end, 0)][::-1], end - limit > 0


def check_window(raw_from: str | None, raw_to: str | None) -> tuple[int, int] | None:
    """``(from, to)`` in Unix milliseconds, or None when either is missing or not an integer."""
    try:
        start, end = int(raw_from or ""), int(raw_to or "")
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end else None
