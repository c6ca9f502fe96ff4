"""Request shapes of ``b3.executions`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from datetime import datetime, timezone

from support.table import Req, Row, sse

EXECUTION = {"id": "exe_1", "status": "workflow_queued", "workflowId": "wf_1"}
DONE = {
    "type": "workflow_succeeded",
    "executionId": "exe_1",
    "seq": 1,
    "status": "workflow_succeeded",
    "eventId": "exev_1",
}
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
END = datetime(2025, 1, 2, tzinfo=timezone.utc)

ROWS = [
    Row(
        "executions.create",
        lambda b3: b3.executions.create(
            "wf_1",
            source_system="shop",
            source_entity_type="order",
            source_entity_id="1042",
            external_ref="ext-1",
            idempotency_key="order-1042",
            request_payload={"n": 1},
            client_safe_metadata={"label": "Order 1042"},
        ),
        Req(
            "POST",
            "/v1/executions",
            json={
                "workflowId": "wf_1",
                "sourceSystem": "shop",
                "sourceEntityType": "order",
                "sourceEntityId": "1042",
                "externalRef": "ext-1",
                "idempotencyKey": "order-1042",
                "requestPayload": {"n": 1},
                "clientSafeMetadata": {"label": "Order 1042"},
            },
        ),
        {"execution": EXECUTION, "clientToken": "ect_1"},
    ),
    Row(
        "executions.list",
        lambda b3: b3.executions.list(page_size=10),
        Req("GET", "/v1/executions", {"limit": ["10"], "offset": ["0"]}),
        {"items": [EXECUTION], "hasMore": False},
    ),
    Row(
        "executions.get",
        lambda b3: b3.executions.get("exe_1"),
        Req("GET", "/v1/executions/exe_1"),
        {"execution": EXECUTION, "events": [{"id": "exev_1", "eventType": "workflow_queued"}]},
    ),
    Row(
        "executions.events",
        lambda b3: b3.executions.events("exe_1"),
        Req("GET", "/v1/executions/exe_1/events"),
        [{"id": "exev_1", "eventType": "workflow_queued"}],
    ),
    Row(
        "executions.stats",
        lambda b3: b3.executions.stats(start=START, end=END, granularity="hourly"),
        Req(
            "GET",
            "/v1/executions/stats",
            {"from": ["1735689600000"], "to": ["1735776000000"], "granularity": ["hourly"]},
        ),
        {"granularity": "hourly", "summary": {"total": 0}},
    ),
    Row(
        "executions.stream",
        lambda b3: b3.executions.stream("exe_1"),
        Req(
            "GET",
            "/v1/executions/exe_1/stream",
            headers={"Accept": "text/event-stream", "Last-Event-ID": "0"},
        ),
        sse(DONE),
    ),
    Row(
        "executions.stream",
        lambda b3: b3.executions.stream(last_event_id="7"),
        Req("GET", "/v1/executions/stream", headers={"Last-Event-ID": "7"}),
        sse({**DONE, "seq": 8}),
        take=1,
        note="organization",
    ),
]
