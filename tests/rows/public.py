"""Request shapes of ``b3.public`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from support.table import Req, Row, sse

EXECUTION = {"id": "exe_1", "status": "awaiting_payment"}
DONE = {
    "type": "workflow_succeeded",
    "executionId": "exe_1",
    "seq": 1,
    "status": "workflow_succeeded",
    "eventId": "exev_1",
}

ROWS = [
    Row(
        "public.workflow",
        lambda b3: b3.public.workflow("wf_1", version=2),
        Req("GET", "/v1/public/workflows/wf_1", {"v": ["2"]}),
        {"id": "wf_1", "visibility": "public_view"},
    ),
    Row(
        "public.workflow_meta",
        lambda b3: b3.public.workflow_meta("wf_1"),
        Req("GET", "/v1/public/workflows/wf_1/meta"),
        {"workflowId": "wf_1", "name": "Tip jar"},
    ),
    Row(
        "public.widget",
        lambda b3: b3.public.widget("wf_1"),
        Req("GET", "/v1/public/workflows/wf_1/widget"),
        {"workflowId": "wf_1", "widget": {"enabled": True}},
    ),
    Row(
        "public.run_workflow",
        lambda b3: b3.public.run_workflow("wf_1", payload={"tip": 5}),
        Req("POST", "/v1/public/workflows/wf_1/run", json={"tip": 5}),
        {"runId": "run_1"},
    ),
    Row(
        "public.runs",
        lambda b3: b3.public.runs("wf_1", page_size=10),
        Req("GET", "/v1/public/workflows/wf_1/runs", {"limit": ["10"], "offset": ["0"]}),
        {"items": [{"id": "run_1", "status": "success"}], "hasMore": False},
    ),
    Row(
        "public.run",
        lambda b3: b3.public.run("run_1"),
        Req("GET", "/v1/public/runs/run_1"),
        {"runId": "run_1", "status": "success"},
    ),
    Row(
        "public.run_by_tx",
        lambda b3: b3.public.run_by_tx("0xabc"),
        Req("GET", "/v1/public/runs/by-tx/0xabc"),
        {"runId": "run_1", "status": "success"},
    ),
    Row(
        "public.create_execution",
        lambda b3: b3.public.create_execution(
            "wf_1", source_system="web", source_entity_type="cart", idempotency_key="cart-9"
        ),
        Req(
            "POST",
            "/v1/public/workflows/wf_1/executions",
            json={"sourceSystem": "web", "sourceEntityType": "cart", "idempotencyKey": "cart-9"},
        ),
        {"execution": EXECUTION, "clientToken": "ect_1"},
    ),
    Row(
        "public.execution",
        lambda b3: b3.public.execution("exe_1", "ect_1"),
        Req("GET", "/v1/public/executions/exe_1", {"token": ["ect_1"]}),
        {**EXECUTION, "events": []},
    ),
    Row(
        "public.stream_execution",
        lambda b3: b3.public.stream_execution("exe_1", "ect_1"),
        Req(
            "GET",
            "/v1/public/executions/exe_1/stream",
            {"token": ["ect_1"]},
            headers={"Last-Event-ID": "0"},
        ),
        sse(DONE),
    ),
]
