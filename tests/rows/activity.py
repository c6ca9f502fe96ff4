"""Request shapes of ``b3.activity`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from support.table import Req, Row, sse

ACTIVITY = {"id": 12, "type": "workflow_published", "workflowId": "wf_1"}

ROWS = [
    Row(
        "activity.stream",
        lambda b3: b3.activity.stream(),
        Req(
            "GET",
            "/v1/activity/stream",
            headers={"Accept": "text/event-stream", "Last-Event-ID": None},
        ),
        sse(ACTIVITY),
        take=1,
    ),
    Row(
        "activity.stream",
        lambda b3: b3.activity.stream(last_event_id="11"),
        Req("GET", "/v1/activity/stream", headers={"Last-Event-ID": "11"}),
        sse(ACTIVITY),
        take=1,
        note="resumed",
    ),
]
