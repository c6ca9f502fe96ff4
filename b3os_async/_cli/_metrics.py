"""``b3os metrics summary --since 7d``: the organization's run metrics over a recent period.

``--since`` is a duration back from now (``90m``, ``12h``, ``7d``, ``2w``) or an RFC 3339 moment;
``--granularity`` defaults to ``hourly`` for periods up to two days, else ``daily``. The output is
the failure rate, the time series, the top errors and the most recent runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Literal

from b3os_async._cli._common import fmt_time, make_client, text
from b3os_async._cli._output import Styled, status_style

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = ["metrics_summary"]


async def metrics_summary(args: argparse.Namespace, out: Output) -> int:
    """Print failure rate, runs per hour/day, top errors and recent runs since ``--since``."""
    start: datetime = args.since
    end = datetime.now(timezone.utc)
    granularity: Literal["hourly", "daily"] = args.granularity or (
        "hourly" if end - start <= timedelta(days=2) else "daily"
    )
    async with make_client(args) as b3:
        summary = await b3.metrics.summary(
            start=start, end=end, granularity=granularity, recent_activity_limit=args.recent
        )
    if out.json_mode:
        out.json(summary)
        return 0
    rate = summary.failure_rate
    if rate is not None:
        out.line(
            f"{rate.total} runs since {fmt_time(start)}: ",
            Styled(f"{rate.failed} failed ({rate.failure_rate:g} %)", status_style("failure")),
            f", {rate.partial} partial",
        )
    series = summary.runs_time_series
    points = series.points if series is not None else ()
    rows = [
        [fmt_time(p.bucket_start), str(p.total), str(p.success), str(p.failure), str(p.partial)]
        for p in points
    ]
    out.table(["from", "runs", "ok", "failed", "partial"], rows, title=f"runs ({granularity})")
    errors: list[list[str | Styled]] = [
        [str(e.count), fmt_time(e.last_occurred), e.error or "-"] for e in summary.top_errors
    ]
    out.table(["count", "last", "error"], errors, title="top errors", empty="no errors")
    recent: list[list[str | Styled]] = [
        [
            r.run_id or "-",
            r.workflow_name or r.workflow_id or "-",
            Styled(text(r.status), status_style(text(r.status))),
            fmt_time(r.started_at),
        ]
        for r in summary.recent_activity
    ]
    out.table(
        ["run", "workflow", "status", "started"], recent, title="recent runs", empty="no runs"
    )
    for part, error in (
        ("failure rate", summary.failure_rate_error),
        ("time series", summary.runs_time_series_error),
        ("top errors", summary.top_errors_error),
        ("recent activity", summary.recent_activity_error),
    ):
        if error:
            out.note(f"{part}: {error}")
    return 0
