"""Request shapes of ``b3.workflows`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from support.mock_api import DEFINITION, DEFINITION_JSON, WORKFLOW
from support.table import Req, Row, sse

from b3os_async import RunStatus, WorkflowStatus
from b3os_async.models import WorkflowVisibility

WF = "/v1/workflows/wf_1"
RUN_STREAM = "/v1/runs/run_1/stream"
DONE = {"type": "run_completed", "runId": "run_1", "seq": 1, "status": "success"}
STARTED = {"id": 31, "type": "run_started", "runId": "run_1", "workflowId": "wf_1"}

ROWS = [
    # -- listing -------------------------------------------------------------------------------
    Row(
        "workflows.list",
        lambda b3: b3.workflows.list(
            q="alert",
            status=WorkflowStatus.ACTIVE,
            type="cronjob",
            actions=["echo", "delay"],
            connectors=["wallet"],
            sort="name:asc",
            owner="org",
            made_by_me=True,
            page_size=10,
        ),
        Req(
            "GET",
            "/v1/workflows",
            {
                "q": ["alert"],
                "status": ["active"],
                "type": ["cronjob"],
                "actions": ["echo", "delay"],  # a list is a repeated parameter, in order
                "connectors": ["wallet"],
                "sort": ["name:asc"],
                "owner": ["org"],
                "madeByMe": ["true"],
                "limit": ["10"],
                "offset": ["0"],
            },
        ),
        {"items": [WORKFLOW], "hasMore": False},
    ),
    Row(
        "workflows.list",
        lambda b3: b3.workflows.list(),
        Req("GET", "/v1/workflows", {"offset": ["0"]}),
        {"items": [], "hasMore": False},
        note="no filters",
    ),
    # -- create / read / update / archive ------------------------------------------------------
    Row(
        "workflows.create",
        lambda b3: b3.workflows.create(
            name="Alert",
            description="d",
            definition=DEFINITION,
            cooldown_ms=1500,
            max_runs=3,
            ui_metadata={"nodePositions": {}},
            template_id="tpl_1",
        ),
        Req(
            "POST",
            "/v1/workflows",
            json={
                "name": "Alert",
                "description": "d",
                "definition": DEFINITION_JSON,
                "cooldownMs": 1500,
                "maxRuns": 3,
                "uiMetadata": {"nodePositions": {}},
                "templateId": "tpl_1",
            },
            headers={"Content-Type": "application/json"},
        ),
        WORKFLOW,
    ),
    Row(
        "workflows.create",
        lambda b3: b3.workflows.create(name="n", description="d", definition=DEFINITION_JSON),
        Req(
            "POST",
            "/v1/workflows",
            json={"name": "n", "description": "d", "definition": DEFINITION_JSON},
        ),
        WORKFLOW,
        note="dict definition",
    ),
    Row(
        "workflows.get",
        lambda b3: b3.workflows.get("wf/../admin"),
        Req("GET", "/v1/workflows/wf%2F..%2Fadmin"),  # the id stays one segment
        WORKFLOW,
    ),
    Row(
        "workflows.update",
        lambda b3: b3.workflows.update(
            "wf_1", description="new", definition=DEFINITION, expected_current_version=2
        ),
        Req(
            "PUT",
            WF,
            json={
                "description": "new",
                "definition": DEFINITION_JSON,
                "expectedCurrentVersion": 2,
            },
        ),
        {**WORKFLOW, "version": 3},
    ),
    Row(
        "workflows.archive",
        lambda b3: b3.workflows.archive("wf_1"),
        Req("DELETE", WF),
        {**WORKFLOW, "status": "archived"},
    ),
    Row(
        "workflows.unarchive",
        lambda b3: b3.workflows.unarchive("wf_1"),
        Req("POST", f"{WF}/unarchive", json={}),
        WORKFLOW,
    ),
    Row(
        "workflows.validate",
        lambda b3: b3.workflows.validate(DEFINITION),
        Req(
            "POST",
            "/v1/workflows/validate",
            json={"definition": DEFINITION_JSON, "name": "Untitled"},
        ),
        {"valid": True},
    ),
    # -- lifecycle -----------------------------------------------------------------------------
    Row(
        "workflows.publish",
        lambda b3: b3.workflows.publish("wf_1", expected_version=2),
        Req("POST", f"{WF}/publish", json={"expectedVersion": 2}),
        {**WORKFLOW, "status": "active"},
    ),
    Row(
        "workflows.publish",
        lambda b3: b3.workflows.publish("wf_1"),
        Req("POST", f"{WF}/publish", json={}),
        None,
        note="no lock",
    ),
    Row(
        "workflows.pause",
        lambda b3: b3.workflows.pause("wf_1"),
        Req("POST", f"{WF}/pause", json={}),
        {**WORKFLOW, "status": "paused"},
    ),
    Row(
        "workflows.resume",
        lambda b3: b3.workflows.resume("wf_1"),
        Req("POST", f"{WF}/resume", json={}),
        {**WORKFLOW, "status": "active"},
    ),
    Row(
        "workflows.rollback",
        lambda b3: b3.workflows.rollback("wf_1", target_version=1, expected_current_version=4),
        Req("POST", f"{WF}/rollback", json={"targetVersion": 1, "expectedCurrentVersion": 4}),
        {**WORKFLOW, "version": 5},
    ),
    Row(
        "workflows.rollback",
        lambda b3: b3.workflows.rollback("wf_1", target_version=1),
        Req("POST", f"{WF}/rollback", json={"targetVersion": 1}),
        WORKFLOW,
        note="no lock",
    ),
    Row(
        "workflows.discard_draft",
        lambda b3: b3.workflows.discard_draft("wf_1"),
        Req("DELETE", f"{WF}/draft"),
        WORKFLOW,
    ),
    Row(
        "workflows.get_draft",
        lambda b3: b3.workflows.get_draft("wf_1"),
        Req("GET", f"{WF}/draft"),
        WORKFLOW,
    ),
    Row(
        "workflows.get_live",
        lambda b3: b3.workflows.get_live("wf_1"),
        Req("GET", f"{WF}/live"),
        WORKFLOW,
    ),
    Row(
        "workflows.set_visibility",
        lambda b3: b3.workflows.set_visibility("wf_1", WorkflowVisibility.ORG),
        Req("PUT", f"{WF}/visibility", json={"visibility": "org"}),
        {"id": "wf_1", "visibility": "org"},
    ),
    # -- running -------------------------------------------------------------------------------
    Row(
        "workflows.run",
        lambda b3: b3.workflows.run(
            "wf_1",
            payload={"x": 1},
            run_id="run_1",
            version=2,
            simulate=True,
            trigger_node_id="root",
        ),
        Req(
            "POST",
            f"{WF}/run",
            json={
                "payload": {"x": 1},
                "version": 2,
                "simulate": True,
                "triggerNodeId": "root",
                "runId": "run_1",
            },
        ),
        {"runId": "run_1"},
    ),
    Row(
        "workflows.run",
        lambda b3: b3.workflows.run("wf_1", run_id="run_1", dust_test=True),
        Req("POST", f"{WF}/run", json={"dustTest": True, "runId": "run_1"}),
        None,
        note="dust test, empty answer",
    ),
    Row(
        "workflows.runs",
        lambda b3: b3.workflows.runs("wf_1", status=RunStatus.FAILURE, page_size=5, max_items=1),
        Req("GET", f"{WF}/runs", {"status": ["failure"], "limit": ["5"], "offset": ["0"]}),
        {"items": [{"id": "run_1", "status": "failure"}], "hasMore": True},
    ),
    Row(
        "workflows.run_counts",
        lambda b3: b3.workflows.run_counts("wf_1"),
        Req("GET", f"{WF}/runs/count"),
        {"total": 4, "success": 4},
    ),
    # -- versions ------------------------------------------------------------------------------
    Row(
        "workflows.versions",
        lambda b3: b3.workflows.versions("wf_1", page_size=1),
        Req("GET", f"{WF}/versions", {"limit": ["1"], "offset": ["0"]}),
        {"items": [WORKFLOW], "hasMore": False, "currentVersion": 2},
    ),
    Row(
        "workflows.versions_count",
        lambda b3: b3.workflows.versions_count("wf_1"),
        Req("GET", f"{WF}/versions/count"),
        {"total": 3},
    ),
    Row(
        "workflows.get_version",
        lambda b3: b3.workflows.get_version("wf_1", 1),
        Req("GET", f"{WF}/versions/1"),
        {**WORKFLOW, "version": 1},
    ),
    # -- events --------------------------------------------------------------------------------
    Row(
        "workflows.start",
        lambda b3: b3.workflows.start("wf_1", payload={"x": 1}, version=2, run_id="run_1"),
        [
            Req("GET", RUN_STREAM, headers={"Last-Event-ID": "0"}),  # subscribed first ...
            Req(
                "POST",
                f"{WF}/run",
                json={"payload": {"x": 1}, "version": 2, "runId": "run_1"},
            ),  # ... then triggered with the same run id
        ],
        [sse(DONE), {"runId": "run_1"}],
    ),
    Row(
        "workflows.stream_runs",
        lambda b3: b3.workflows.stream_runs("wf_1", last_event_id="30"),
        Req(
            "GET",
            f"{WF}/runs/stream",
            headers={"Accept": "text/event-stream", "Last-Event-ID": "30"},
        ),
        sse(STARTED),
        take=1,
    ),
    Row(
        "workflows.stream_runs_many",
        lambda b3: b3.workflows.stream_runs_many(["wf_1", "wf_2", "wf_1"]),
        Req("GET", "/v1/workflow-runs/stream", {"ids": ["wf_1,wf_2"]}),  # duplicates dropped
        sse(STARTED),
        take=1,
    ),
]
