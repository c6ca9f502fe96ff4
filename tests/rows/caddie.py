"""Request shapes of ``b3.caddie`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

import json
from typing import Any

from support.mock_api import DEFINITION, DEFINITION_JSON
from support.table import SSE, Bare, Req, Row

CHAT = "/v1/ai/workflow/chat/stream"
DONE = {"type": "done", "data": {"type": "message", "message": "hi"}, "index": 0}
MESSAGE = {"id": "msg_1", "role": "user", "content": "hi", "createdAt": "2025-01-01T00:00:00Z"}


def chat_sse(*events: dict[str, Any]) -> SSE:
    """A data-only chat stream carrying ``events``."""
    return SSE("".join(f"data: {json.dumps(event)}\n\n" for event in events))


ROWS = [
    # -- the chat stream -----------------------------------------------------------------------
    Row(
        "caddie.chat",
        lambda b3: b3.caddie.chat("build it", request_id="r1", conversation_id="c1"),
        Req(
            "POST",
            CHAT,
            json={
                "message": "build it",
                "conversationId": "c1",
                "requestId": "r1",
                "agentVersion": "v2",
            },
            headers={"Accept": "text/event-stream", "Content-Type": "application/json"},
        ),
        chat_sse(DONE),
    ),
    Row(
        "caddie.chat",
        lambda b3: b3.caddie.chat(
            "fix it",
            request_id="r1",
            conversation_id="c1",
            workflow_id="wf_1",
            definition=DEFINITION,
            mode="repair",
            session_id="s1",
            timezone="Europe/Paris",
            name="n",
            description="d",
            images=[{"ipfsUrl": "ipfs://x"}],
            template_search_mode="hybrid",
        ),
        Req(
            "POST",
            CHAT,
            json={
                "message": "fix it",
                "conversationId": "c1",
                "requestId": "r1",
                "workflowId": "wf_1",
                "sessionId": "s1",
                "definition": DEFINITION_JSON,
                "preferredMode": "repair",
                "agentVersion": "v2",
                "timezone": "Europe/Paris",
                "name": "n",
                "description": "d",
                "images": [{"ipfsUrl": "ipfs://x"}],
                "templateSearchMode": "hybrid",
            },
        ),
        chat_sse(DONE),
        note="every field",
    ),
    Row(
        "caddie.issue_session",
        lambda b3: b3.caddie.issue_session("hi", request_id="r1", conversation_id="c1"),
        Req(
            "POST",
            CHAT,
            json={"message": "hi", "conversationId": "c1", "requestId": "r1", "agentVersion": "v3"},
        ),
        Bare({"sessionToken": "cst_1", "socketUrl": "wss://caddie.example/socket.io"}),
    ),
    # -- reading -------------------------------------------------------------------------------
    Row(
        "caddie.sessions",
        lambda b3: b3.caddie.sessions(page_size=50),
        Req("GET", "/v1/ai/workflow/chat/sessions", {"limit": ["50"], "offset": ["0"]}),
        {"items": [{"conversationId": "c1", "messageCount": 2}], "hasMore": False},
    ),
    Row(
        "caddie.history",
        lambda b3: b3.caddie.history(conversation_id="c1", page_size=1, max_items=2),
        [
            Req("GET", "/v1/ai/workflow/chat/history", {"conversationId": ["c1"], "limit": ["1"]}),
            Req(
                "GET",
                "/v1/ai/workflow/chat/history",
                {
                    "conversationId": ["c1"],
                    "limit": ["1"],
                    "before": ["2025-01-01T00:00:00Z"],
                    "beforeId": ["msg_1"],
                },
            ),
        ],
        [[MESSAGE], [{**MESSAGE, "id": "msg_0", "createdAt": "2024-12-31T00:00:00Z"}]],
        note="keyset",
    ),
    Row(
        "caddie.history",
        lambda b3: b3.caddie.history(workflow_id="wf_1"),
        Req("GET", "/v1/ai/workflow/chat/history", {"workflowId": ["wf_1"]}),
        [],
        note="by workflow",
    ),
    Row(
        "caddie.history",
        lambda b3: b3.caddie.history(session_id="s1"),
        Req("GET", "/v1/ai/workflow/chat/history", {"sessionId": ["s1"]}),
        [],
        note="by session",
    ),
    Row(
        "caddie.snapshot",
        lambda b3: b3.caddie.snapshot("c1"),
        Req("GET", "/v1/ai/workflow/chat/snapshot", {"conversationId": ["c1"]}),
        {"isActive": True, "mode": "building", "pendingInterrupt": None},
    ),
    Row(
        "caddie.preflight",
        lambda b3: b3.caddie.preflight(),
        Req("GET", "/v1/ai/workflow/chat/preflight"),
        Bare({"allowed": True}),
    ),
    Row(
        "caddie.pulse",
        lambda b3: b3.caddie.pulse(refresh=True, demo=False),
        Req("GET", "/v1/ai/pulse", {"refresh": ["true"], "demo": ["false"]}),
        Bare({"cards": []}),
    ),
]
