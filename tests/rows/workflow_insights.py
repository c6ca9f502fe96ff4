"""Request shapes of the read-only views of ``b3.workflows`` (counts, batches, funds …)."""

from __future__ import annotations

from support.mock_api import DEFINITION, DEFINITION_JSON
from support.table import Req, Row

WF = "/v1/workflows/wf_1"
IDS = {"workflowIds": ["wf_1", "wf_2"]}

ROWS = [
    Row(
        "workflows.counts",
        lambda b3: b3.workflows.counts(
            q="swap",
            type="cronjob",
            actions=["echo"],
            connectors=["wallet"],
            owner="org",
            made_by_me=False,
        ),
        Req(
            "GET",
            "/v1/workflows/counts",
            {
                "q": ["swap"],
                "type": ["cronjob"],
                "actions": ["echo"],
                "connectors": ["wallet"],
                "owner": ["org"],
                "madeByMe": ["false"],
            },
        ),
        {"total": 1, "active": 1},
    ),
    Row(
        "workflows.counts",
        lambda b3: b3.workflows.counts(),
        Req("GET", "/v1/workflows/counts"),
        {"total": 0},
        note="no filters",
    ),
    Row(
        "workflows.owner_counts",
        lambda b3: b3.workflows.owner_counts(),
        Req("GET", "/v1/workflows/owner-counts"),
        {"yours": 1, "org": 2, "public": 0},
    ),
    Row(
        "workflows.batch_meta",
        lambda b3: b3.workflows.batch_meta(["wf_1", "wf_2", "wf_1"]),
        Req("POST", "/v1/workflows/batch-meta", json=IDS),
        {"wf_1": {"id": "wf_1", "name": "a"}},
        note="duplicates sent once",
    ),
    Row(
        "workflows.batch_stats",
        lambda b3: b3.workflows.batch_stats(["wf_1", "wf_2"]),
        Req("POST", "/v1/workflows/batch-stats", json=IDS),
        {"wf_1": {"counts": {"total": 1}, "recentRuns": [{"id": "run_1"}]}},
    ),
    Row(
        "workflows.incoming_links",
        lambda b3: b3.workflows.incoming_links("wf_1"),
        Req("GET", f"{WF}/incoming-links"),
        {"ids": ["wf_2"]},
    ),
    Row(
        "workflows.resolve",
        lambda b3: b3.workflows.resolve("wf_1"),
        Req("GET", f"{WF}/resolve"),
        {"isMember": True, "organizationId": "org_1", "organizationName": "Org"},
    ),
    Row(
        "workflows.analyze_funds",
        lambda b3: b3.workflows.analyze_funds("wf_1", version=2),
        Req("GET", f"{WF}/analyze-funds", {"version": ["2"]}),
        {"workflowId": "wf_1", "requirements": [{"requiredAmount": str(10**24)}]},
    ),
    Row(
        "workflows.analyze_funds_inline",
        lambda b3: b3.workflows.analyze_funds_inline(DEFINITION, default_wallet_address="0xW"),
        Req(
            "POST",
            "/v1/workflows/analyze-funds",
            json={"definition": DEFINITION_JSON, "defaultWalletAddress": "0xW"},
        ),
        {"workflowId": "", "requirements": []},
    ),
]
