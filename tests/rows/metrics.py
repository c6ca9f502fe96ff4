"""Request shapes of ``b3.metrics`` (periods as Unix milliseconds)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from support.table import Req, Row

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
END = START + timedelta(days=7)
PERIOD = {"from": [str(int(START.timestamp() * 1000))], "to": [str(int(END.timestamp() * 1000))]}

ROWS = [
    Row(
        "metrics.summary",
        lambda b3: b3.metrics.summary(
            start=START,
            end=END,
            granularity="hourly",
            top_errors_limit=5,
            recent_activity_limit=7,
            status="failure",
        ),
        Req(
            "GET",
            "/v1/metrics/summary",
            {
                **PERIOD,
                "granularity": ["hourly"],
                "topErrorsLimit": ["5"],
                "recentActivityLimit": ["7"],
                "status": ["failure"],
            },
        ),
        {"failureRate": {"total": 1}, "topErrors": [], "recentActivity": []},
    ),
    Row(
        "metrics.failure_rate",
        lambda b3: b3.metrics.failure_rate(start=START, end=END),
        Req("GET", "/v1/metrics/failure-rate", PERIOD),
        {"total": 4, "failed": 1, "partial": 0, "failureRate": 25},
    ),
    Row(
        "metrics.runs_timeseries",
        lambda b3: b3.metrics.runs_timeseries(start=START, end=END),
        Req("GET", "/v1/metrics/runs-timeseries", {**PERIOD, "granularity": ["daily"]}),
        {"granularity": "daily", "data": [{"bucketStart": "2030-01-01T00:00:00Z", "total": 1}]},
    ),
    Row(
        "metrics.top_errors",
        lambda b3: b3.metrics.top_errors(start=START, end=END, limit=3),
        Req("GET", "/v1/metrics/top-errors", {**PERIOD, "limit": ["3"]}),
        [{"error": "boom", "count": 2}],
    ),
    Row(
        "metrics.recent_activity",
        lambda b3: b3.metrics.recent_activity(limit=10, status="running"),
        Req("GET", "/v1/metrics/recent-activity", {"limit": ["10"], "status": ["running"]}),
        [{"runId": "run_1", "status": "running"}],
    ),
]
