"""Request shapes of ``b3.agent_runs`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from support.table import Req, Row

RUN = "/v1/agent-runs/arun_1"
DONE = {"runId": "arun_1", "phase": "completed", "finishedAt": "2025-01-01T00:00:03Z"}

ROWS = [
    Row(
        "agent_runs.start",
        lambda b3: b3.agent_runs.start(
            "app-builder", "an app", conversation_id="c1", payload={"workflowId": "wf_1"}
        ),
        Req(
            "POST",
            "/v1/agent-runs",
            json={
                "agentType": "app-builder",
                "prompt": "an app",
                "conversationId": "c1",
                "payload": {"workflowId": "wf_1"},
            },
        ),
        {"runId": "arun_1", "agentType": "app-builder", "conversationId": "c1"},
    ),
    Row(
        "agent_runs.get",
        lambda b3: b3.agent_runs.get("arun_1", since=3),
        Req("GET", RUN, {"since": ["3"]}),
        {"state": {"runId": "arun_1", "phase": "running"}, "events": [{"seq": 4}]},
    ),
    Row(
        "agent_runs.agents",
        lambda b3: b3.agent_runs.agents(),
        Req("GET", "/v1/agent-runs/agents"),
        {"agents": [{"agentType": "app-builder", "serves": True}]},
    ),
    Row(
        "agent_runs.artifacts",
        lambda b3: b3.agent_runs.artifacts("c1", page_size=10),
        Req(
            "GET",
            "/v1/agent-runs/artifacts",
            {"conversationId": ["c1"], "limit": ["10"], "offset": ["0"]},
        ),
        {"items": [{"runId": "arun_1", "url": "https://x/"}], "hasMore": False},
    ),
    Row(
        "agent_runs.follow",
        lambda b3: b3.agent_runs.follow("arun_1", since=1),
        [Req("GET", RUN, {"since": ["1"]}), Req("GET", RUN, {"since": ["2"]})],
        [{"state": DONE, "events": [{"seq": 2}]}, {"state": DONE, "events": []}],
        note="ends after the terminal state and one last poll",
    ),
]
