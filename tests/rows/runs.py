"""Request shapes of ``b3.runs`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from support.mock_api import DEFINITION, DEFINITION_JSON
from support.table import Bare, Req, Row, sse

RUN = {"id": "run_1", "status": "success"}
RUN_ITEM = {"id": "run_1", "status": "failure"}
DONE = {"type": "run_completed", "runId": "run_1", "seq": 1, "status": "success"}
STREAM = "/v1/runs/run_1/stream"
CONTEXT = {"stack": [{"parentNodeId": "loop", "index": 1, "total": 3}]}

ROWS = [
    # -- listing and reading -------------------------------------------------------------------
    Row(
        "runs.list",
        lambda b3: b3.runs.list(status="failure", page_size=20),
        Req("GET", "/v1/runs", {"status": ["failure"], "limit": ["20"], "offset": ["0"]}),
        {"items": [RUN_ITEM], "hasMore": False},
    ),
    Row(
        "runs.list",
        lambda b3: b3.runs.list(),
        Req("GET", "/v1/runs", {"offset": ["0"]}),
        {"items": [], "hasMore": False},
        note="no filters",
    ),
    Row(
        "runs.get",
        lambda b3: b3.runs.get("run_1", summary=True, node_ids=["fetch", "send"]),
        Req("GET", "/v1/runs/run_1", {"summary": ["true"], "nodeIds": ["fetch,send"]}),
        RUN,
    ),
    Row(
        "runs.get",
        lambda b3: b3.runs.get("run/1"),
        Req("GET", "/v1/runs/run%2F1"),
        RUN,
        note="id is one segment",
    ),
    Row(
        "runs.get",
        lambda b3: b3.with_options(headers={"X-Trace": "t1"}, timeout=5).runs.get("run_1"),
        Req("GET", "/v1/runs/run_1", headers={"X-Trace": "t1"}),
        RUN,
        note="per-call options",
    ),
    Row(
        "runs.status_counts",
        lambda b3: b3.runs.status_counts(
            since=datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
        ),
        Req("GET", "/v1/runs/status-counts", {"since": ["2024-05-01T10:00:00Z"]}),
        {"total": 2, "failure": 2},
    ),
    Row(
        "runs.status_counts",
        lambda b3: b3.runs.status_counts(),
        Req("GET", "/v1/runs/status-counts"),
        {"total": 0},
        note="no since",
    ),
    # -- acting on a run -----------------------------------------------------------------------
    Row(
        "runs.cancel",
        lambda b3: b3.runs.cancel("run_1"),
        Req("POST", "/v1/runs/run_1/cancel"),
        {**RUN, "status": "cancelled"},
    ),
    Row(
        "runs.retry",
        lambda b3: b3.runs.retry("run_1"),
        Req("POST", "/v1/runs/run_1/retry"),
        {"id": "run_2", "status": "running", "sourceRunId": "run_1"},
    ),
    Row(
        "runs.resume_node",
        lambda b3: b3.runs.resume_node(
            "run_1", "wait 1", data={"approved": True}, for_each_context=CONTEXT, secret="s3cr3t"
        ),
        Req(
            "POST",
            "/v1/runs/run_1/nodes/wait%201/resume",
            {"secret": ["s3cr3t"]},
            json={"data": {"approved": True}, "forEachContext": CONTEXT},
        ),
        Bare({"action": "resumed"}),
    ),
    Row(
        "runs.resume_node",
        lambda b3: b3.runs.resume_node("run_1", "approve"),
        Req("POST", "/v1/runs/run_1/nodes/approve/resume", json={"data": {}}),
        {"action": "skipped", "reason": "not waiting"},
        note="bearer key, no secret",
    ),
    # -- creating runs -------------------------------------------------------------------------
    Row(
        "runs.create",
        lambda b3: b3.runs.create(
            DEFINITION, payload={"x": 1}, prop_values={"p": "v"}, run_id="run_1"
        ),
        Req(
            "POST",
            "/v1/runs",
            json={
                "definition": DEFINITION_JSON,
                "payload": {"x": 1},
                "propValues": {"p": "v"},
                "runId": "run_1",
            },
            headers={"Content-Type": "application/json"},
        ),
        {"runId": "run_1"},
    ),
    Row(
        "runs.create",
        lambda b3: b3.runs.create(DEFINITION_JSON, run_id="run_1"),
        Req("POST", "/v1/runs", json={"definition": DEFINITION_JSON, "runId": "run_1"}),
        None,
        note="dict definition, empty answer",
    ),
    # -- events --------------------------------------------------------------------------------
    Row(
        "runs.stream",
        lambda b3: b3.runs.stream("run_1"),
        Req("GET", STREAM, headers={"Accept": "text/event-stream", "Last-Event-ID": "0"}),
        sse(DONE),
    ),
    Row(
        "runs.stream",
        lambda b3: b3.runs.stream("run_1", last_event_id="4"),
        Req("GET", STREAM, headers={"Last-Event-ID": "4"}),
        sse({**DONE, "seq": 5}),
        note="resumed",
    ),
    Row(
        "runs.stream",
        lambda b3: b3.runs.stream("run_1", history=False),
        [
            Req("GET", STREAM, headers={"Last-Event-ID": None}),
            Req("GET", "/v1/runs/run_1"),  # where "now" is, so only what follows is reported
        ],
        [sse({**DONE, "seq": 2}), {"id": "run_1", "status": "running"}],
        note="live only",
    ),
    Row(
        "runs.start",
        lambda b3: b3.runs.start(DEFINITION, payload={"x": 1}, run_id="run_1"),
        [
            Req("GET", STREAM, headers={"Last-Event-ID": "0"}),  # subscribed first ...
            Req(
                "POST",
                "/v1/runs",
                json={"definition": DEFINITION_JSON, "payload": {"x": 1}, "runId": "run_1"},
            ),  # ... then the run is created with the same id
        ],
        [sse(DONE), {"runId": "run_1"}],
    ),
]
