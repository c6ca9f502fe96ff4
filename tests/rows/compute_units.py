"""Request shapes of ``b3.compute_units`` (row format: ``tests/test_request_shapes.py``)."""

from __future__ import annotations

from datetime import datetime, timezone

from support.table import Req, Row

from rows.organizations import LEARN, LEARNT

CU = "/v1/organizations/org_1/cu"
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
END = datetime(2025, 2, 1, tzinfo=timezone.utc)

ROWS = [
    Row(
        "compute_units.balance",
        lambda b3: b3.compute_units.balance(),
        [LEARN, Req("GET", CU)],
        [LEARNT, {"balance": 12.5, "minThreshold": 1}],
    ),
    Row(
        "compute_units.set_threshold",
        lambda b3: b3.compute_units.set_threshold(2.5, org_id="org_1"),
        Req("PUT", f"{CU}/threshold", json={"minThreshold": 2.5}),
        {"oldThreshold": 0, "newThreshold": 2.5},
    ),
    Row(
        "compute_units.usage",
        lambda b3: b3.compute_units.usage("2025-01", org_id="org_1"),
        Req("GET", f"{CU}/usage", {"yearMonth": ["2025-01"]}),
        {"yearMonth": "2025-01", "summary": {"used": 1.5}, "daily": []},
    ),
    Row(
        "compute_units.usage_by_workflow",
        lambda b3: b3.compute_units.usage_by_workflow(START, END, org_id="org_1"),
        Req(
            "GET",
            f"{CU}/usage-by-workflow",
            {"from": ["1735689600000"], "to": ["1738368000000"]},
        ),
        {"workflows": [{"workflowId": "wf_1", "totalCu": 3}]},
    ),
    Row(
        "compute_units.runs",
        lambda b3: b3.compute_units.runs(org_id="org_1", max_items=1),
        Req("GET", f"{CU}/runs", {"offset": ["0"]}),
        {"items": [{"runId": "run_1", "totalCu": 0.6}], "hasMore": False},
    ),
]
