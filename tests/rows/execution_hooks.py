"""Request shapes of ``b3.execution_hooks`` and ``b3.outbound_webhooks`` (row format:
``tests/test_request_shapes.py``)."""

from __future__ import annotations

from support.table import Req, Row

from b3os_async.models import HookEventType

ENDPOINT = {"id": "whk_1", "name": "alerts", "url": "https://h.example/b3os", "status": "active"}
SECRET = {"endpoint": ENDPOINT, "signingSecret": "whsec_1"}
DELIVERY = {"id": "whd_1", "endpointId": "whk_1", "eventType": "run.failed", "status": "failure"}
OUTBOUND = {"id": "owd_1", "workflowId": "wf_1", "nodeId": "send", "status": "failure"}
HOOKS = "/v1/execution-webhooks"
DELIVERIES = "/v1/execution-webhooks/deliveries"
OUTBOUND_DELIVERIES = "/v1/outbound-webhook/deliveries"

ROWS = [
    # -- endpoints ---------------------------------------------------------------------------------
    Row(
        "execution_hooks.list",
        lambda b3: b3.execution_hooks.list(page_size=50),
        Req("GET", HOOKS, {"limit": ["50"], "offset": ["0"]}),
        {"items": [ENDPOINT], "hasMore": False},
    ),
    Row(
        "execution_hooks.create",
        lambda b3: b3.execution_hooks.create(
            "alerts",
            "https://h.example/b3os",
            description="failures",
            subscribed_event_types=[HookEventType.RUN_FAILED, "node.failed"],
            max_retries=3,
        ),
        Req(
            "POST",
            HOOKS,
            json={
                "name": "alerts",
                "url": "https://h.example/b3os",
                "description": "failures",
                "subscribedEventTypes": ["run.failed", "node.failed"],
                "maxRetries": 3,
            },
        ),
        SECRET,
    ),
    Row(
        "execution_hooks.create",
        lambda b3: b3.execution_hooks.create("alerts", "https://h.example/b3os"),
        Req("POST", HOOKS, json={"name": "alerts", "url": "https://h.example/b3os"}),
        SECRET,
        note="only the required fields",
    ),
    Row(
        "execution_hooks.get",
        lambda b3: b3.execution_hooks.get("whk_1"),
        Req("GET", f"{HOOKS}/whk_1"),
        ENDPOINT,
    ),
    Row(
        "execution_hooks.enable",
        lambda b3: b3.execution_hooks.enable("whk_1"),
        Req("POST", f"{HOOKS}/whk_1/enable"),
        ENDPOINT,
    ),
    Row(
        "execution_hooks.disable",
        lambda b3: b3.execution_hooks.disable("whk_1"),
        Req("POST", f"{HOOKS}/whk_1/disable"),
        {**ENDPOINT, "status": "disabled"},
    ),
    Row(
        "execution_hooks.regenerate_secret",
        lambda b3: b3.execution_hooks.regenerate_secret("whk_1"),
        Req("POST", f"{HOOKS}/whk_1/regenerate-secret"),
        SECRET,
    ),
    # -- deliveries --------------------------------------------------------------------------------
    Row(
        "execution_hooks.deliveries",
        lambda b3: b3.execution_hooks.deliveries(endpoint_id="whk_1", page_size=20),
        Req("GET", DELIVERIES, {"endpointId": ["whk_1"], "limit": ["20"], "offset": ["0"]}),
        {"items": [DELIVERY], "hasMore": False},
    ),
    Row(
        "execution_hooks.get_delivery",
        lambda b3: b3.execution_hooks.get_delivery("whd_1"),
        Req("GET", f"{DELIVERIES}/whd_1"),
        DELIVERY,
    ),
    Row(
        "execution_hooks.retry_delivery",
        lambda b3: b3.execution_hooks.retry_delivery("whd_1"),
        Req("POST", f"{DELIVERIES}/whd_1/retry"),
        {**DELIVERY, "status": "pending"},
    ),
    Row(
        "execution_hooks.replay_delivery",
        lambda b3: b3.execution_hooks.replay_delivery("whd_1"),
        Req("POST", f"{DELIVERIES}/whd_1/replay"),
        {**DELIVERY, "id": "whd_2", "status": "pending"},
    ),
    # -- outbound webhooks (send-webhook nodes) -----------------------------------------------
    Row(
        "outbound_webhooks.deliveries",
        lambda b3: b3.outbound_webhooks.deliveries(workflow_id="wf_1", page_size=10),
        Req(
            "GET",
            OUTBOUND_DELIVERIES,
            {"workflowId": ["wf_1"], "limit": ["10"], "offset": ["0"]},
        ),
        {"items": [OUTBOUND], "hasMore": False},
    ),
    Row(
        "outbound_webhooks.get_delivery",
        lambda b3: b3.outbound_webhooks.get_delivery("owd_1"),
        Req("GET", f"{OUTBOUND_DELIVERIES}/owd_1"),
        OUTBOUND,
    ),
    Row(
        "outbound_webhooks.retry_delivery",
        lambda b3: b3.outbound_webhooks.retry_delivery("owd_1"),
        Req("POST", f"{OUTBOUND_DELIVERIES}/owd_1/retry"),
        {**OUTBOUND, "status": "pending"},
    ),
    Row(
        "outbound_webhooks.replay_delivery",
        lambda b3: b3.outbound_webhooks.replay_delivery("owd_1"),
        Req("POST", f"{OUTBOUND_DELIVERIES}/owd_1/replay"),
        {**OUTBOUND, "id": "owd_2", "status": "pending"},
    ),
]
