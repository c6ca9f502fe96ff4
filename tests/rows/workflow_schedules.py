"""Request shapes of the schedule methods of ``b3.workflows``."""

from __future__ import annotations

from support.table import Bare, Req, Row

WF = "/v1/workflows/wf_1"

ROWS = [
    Row(
        "workflows.schedule",
        lambda b3: b3.workflows.schedule("wf_1"),
        Req("GET", f"{WF}/schedule"),
        Bare({"nextRunAt": "2030-01-01T00:15:00Z", "serverTime": "2030-01-01T00:00:00Z"}),
    ),
    Row(
        "workflows.trigger_aggregates",
        lambda b3: b3.workflows.trigger_aggregates("wf_1"),
        Req("GET", f"{WF}/trigger-aggregates"),
        {"workflowId": "wf_1", "triggers": [{"triggerNodeId": "root", "runCount": 2}]},
    ),
    Row(
        "workflows.refill",
        lambda b3: b3.workflows.refill("wf_1", 25),
        Req("POST", f"{WF}/refill", json={"remainRuns": 25}),
        {"remainRuns": 25, "workflowId": "wf_1"},
    ),
]
