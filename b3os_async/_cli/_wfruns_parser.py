"""The ``b3os`` commands of workflows and runs, the rest (issue 17): ``workflows schedule|vars``,
``metrics summary`` and ``api``. Kept out of ``_parser.py`` (standard library only, like it).
"""

from __future__ import annotations

from typing import Any

from b3os_async._cli._arg_types import parse_data, parse_param, parse_since
from b3os_async._cli._parser import _positive_int as positive_int

__all__ = ["add_wfruns_commands"]


def add_wfruns_commands(commands: Any, wf_sub: Any, leaf: Any) -> None:
    """``workflows schedule|vars``, ``metrics summary``, ``api`` (workflows and runs, the rest)."""
    schedule = leaf(wf_sub, "schedule", "workflows.schedule", "when a workflow runs next")
    schedule.add_argument("workflow_id", metavar="ID", help="workflow id (wf_…)")
    variables = leaf(wf_sub, "vars", "workflows.vars", "a workflow's variables and values")
    variables.add_argument("workflow_id", metavar="ID", help="workflow id (wf_…)")

    metrics = commands.add_parser("metrics", help="run metrics", description="Run metrics.")
    metrics_sub = metrics.add_subparsers(dest="action", metavar="ACTION", required=True)
    summary = leaf(metrics_sub, "summary", "metrics.summary", "failure rate, runs, top errors")
    summary.add_argument(
        "--since",
        type=parse_since,
        default=parse_since("7d"),
        metavar="WHEN",
        help="start of the period: 90m, 12h, 7d, 2w or an RFC 3339 time (default: 7d)",
    )
    summary.add_argument(
        "--granularity",
        choices=("hourly", "daily"),
        default=None,
        help="points of the time series (default: hourly up to 2 days, else daily)",
    )
    summary.add_argument(
        "--recent", type=positive_int, default=10, metavar="N", help="recent runs shown (10)"
    )

    api = leaf(commands, "api", "api", "call any API endpoint (wrapped or not yet)")
    api.add_argument("method", metavar="METHOD", help="GET, POST, PUT, PATCH, DELETE …")
    api.add_argument("path", metavar="PATH", help="e.g. /v1/workflows/wf_123/schedule")
    api.add_argument(
        "--param",
        type=parse_param,
        action="append",
        metavar="KEY=VALUE",
        help="a query parameter (repeat for more, or for a list)",
    )
    api.add_argument(
        "--data", type=parse_data, default=None, metavar="JSON", help="request body, or @FILE"
    )
    api.add_argument(
        "--idempotent",
        action="store_true",
        help="allow retrying a POST/PATCH that is safe to resend",
    )
    api.add_argument(
        "--stream", action="store_true", help="follow a Server-Sent Events endpoint (JSON lines)"
    )
    api.add_argument(
        "--max-events", type=positive_int, default=None, metavar="N", help="--stream: stop after N"
    )
    api.add_argument(
        "--last-event-id", default=None, metavar="ID", help="--stream: resume after this event id"
    )
