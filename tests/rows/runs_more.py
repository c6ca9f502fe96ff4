"""Request shapes of ``b3.runs``, the rest: synchronous runs, counts by workflow, transactions."""

from __future__ import annotations

from datetime import datetime, timezone

from support.mock_api import DEFINITION, DEFINITION_JSON
from support.table import Bare, Req, Row

ROWS = [
    Row(
        "runs.run_sync",
        lambda b3: b3.runs.run_sync(DEFINITION, payload={"a": 1}, prop_values={"p": 2}),
        Req(
            "POST",
            "/v1/runs/sync",
            json={"definition": DEFINITION_JSON, "payload": {"a": 1}, "propValues": {"p": 2}},
        ),
        Bare({"runId": "run_1", "status": "success", "executionState": {}, "durationMs": 12}),
    ),
    Row(
        "runs.status_counts_by_workflow",
        lambda b3: b3.runs.status_counts_by_workflow(
            since=datetime(2030, 1, 1, tzinfo=timezone.utc)
        ),
        Req("GET", "/v1/runs/status-counts/by-workflow", {"since": ["2030-01-01T00:00:00Z"]}),
        [{"workflowId": "wf_1", "total": 3, "success": 3}],
    ),
    Row(
        "runs.tx_attribution",
        lambda b3: b3.runs.tx_attribution(["0xa", "0xb", "0xa"]),
        Req("POST", "/v1/runs/tx-attribution", json={"txHashes": ["0xa", "0xb"]}),
        {"0xa": {"txHash": "0xa", "runId": "run_1", "nodeId": "send"}},
        note="duplicates sent once",
    ),
]
