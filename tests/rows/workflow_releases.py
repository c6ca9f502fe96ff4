"""Request shapes of ``b3.workflows.releases`` (answers are the server's JSON objects)."""

from __future__ import annotations

from support.table import Req, Row

WF = "/v1/workflows/wf_1"
RELEASE = {"releaseVersion": 2, "workflowVersion": 4}

ROWS = [
    Row(
        "workflows.releases.create",
        lambda b3: b3.workflows.releases.create("wf_1", expected_version=4),
        Req("POST", f"{WF}/release", json={"expectedVersion": 4}),
        RELEASE,
    ),
    Row(
        "workflows.releases.create",
        lambda b3: b3.workflows.releases.create("wf_1"),
        Req("POST", f"{WF}/release", json={}),
        None,
        note="no lock, empty answer",
    ),
    Row(
        "workflows.releases.list",
        lambda b3: b3.workflows.releases.list("wf_1", page_size=2),
        Req("GET", f"{WF}/releases", {"limit": ["2"], "offset": ["0"]}),
        {"items": [RELEASE], "hasMore": False},
    ),
    Row(
        "workflows.releases.revert",
        lambda b3: b3.workflows.releases.revert("wf_1", 1),
        Req("POST", f"{WF}/releases/1/revert"),
        RELEASE,
    ),
    Row(
        "workflows.releases.revert_to_version",
        lambda b3: b3.workflows.releases.revert_to_version("wf_1", 3),
        Req("POST", f"{WF}/revert-to-version", json={"workflowVersion": 3}),
        RELEASE,
    ),
]
