"""Request shapes of ``b3.actions`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from datetime import datetime, timezone

from support.table import Bare, Req, Row

from b3os_async.models import ConnectorReference

ACTION = {"type": "echo", "name": "Echo"}
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
END = datetime(2025, 1, 2, tzinfo=timezone.utc)
WINDOW = {"from": ["1735689600000"], "to": ["1735776000000"], "granularity": ["daily"]}

ROWS = [
    Row(
        "actions.list",
        lambda b3: b3.actions.list(tags=["social", "messaging"]),
        Req("GET", "/v1/actions", {"tags": ["social", "messaging"]}),
        [ACTION],
    ),
    Row(
        "actions.get",
        lambda b3: b3.actions.get("slack-send-message"),
        Req("GET", "/v1/actions/slack-send-message"),
        {"type": "slack-send-message"},
    ),
    Row(
        "actions.logic",
        lambda b3: b3.actions.logic(),
        Req("GET", "/v1/logic-actions"),
        [{"type": "if"}],
    ),
    Row(
        "actions.test",
        lambda b3: b3.actions.test(
            "slack-send-message",
            inputs={"channel": "C1", "text": "hi"},
            connector=ConnectorReference(type="slack", id="conn_1"),
        ),
        Req(
            "POST",
            "/v1/actions/slack-send-message/test",
            json={
                "inputs": {"channel": "C1", "text": "hi"},
                "connector": {"type": "slack", "id": "conn_1"},
            },
        ),
        {"success": True, "result": {"ok": True}, "cuCost": 2},
    ),
    Row(
        "actions.test",
        lambda b3: b3.actions.test("echo"),
        Req("POST", "/v1/actions/echo/test", json={"inputs": {}}),
        {"success": True, "result": {}},
        note="no inputs",
    ),
    Row(
        "actions.run",
        lambda b3: b3.actions.run("send-erc20-token", inputs={"amount": "1"}, connector_id="w_1"),
        Req(
            "POST",
            "/v1/actions/send-erc20-token/run",
            json={"inputs": {"amount": "1"}, "connectorId": "w_1"},
        ),
        Bare({"result": {"txHash": "0x1"}, "durationMs": 12}),
    ),
    Row(
        "actions.execute",
        lambda b3: b3.actions.execute(
            "swap-tokens", payload={"amountIn": "5"}, wallet_id="w_1", simulate=True
        ),
        Req(
            "POST",
            "/v1/action-proxy/swap-tokens/execute",
            json={"payload": {"amountIn": "5"}, "walletId": "w_1", "simulate": True},
        ),
        {"success": True, "result": {"txHash": "0x1"}},
    ),
    Row(
        "actions.query",
        lambda b3: b3.actions.query(
            "slack-list-channels",
            payload={"limit": 5},
            connector_id="conn_1",
            connector_type="slack",
        ),
        Req(
            "POST",
            "/v1/action-proxy/slack-list-channels/query",
            json={"payload": {"limit": 5}, "connectorId": "conn_1", "connectorType": "slack"},
        ),
        {"success": True, "result": {}},
    ),
    Row(
        "actions.costs",
        lambda b3: b3.actions.costs(),
        Req("GET", "/v1/cu/costs"),
        {"actions": {"builtIn": [{"type": "echo", "cost": 2}]}, "triggers": []},
    ),
    Row(
        "actions.claim_faucet",
        lambda b3: b3.actions.claim_faucet(wallet_address="0x" + "1" * 40, tokens=["ETH"]),
        Req("POST", "/v1/faucet/claim", json={"walletAddress": "0x" + "1" * 40, "tokens": ["ETH"]}),
        Bare({"success": True}),
    ),
    Row(
        "actions.statistics",
        lambda b3: b3.actions.statistics(),
        Req("GET", "/v1/statistics"),
        {"echo": {"nodeId": "echo", "nodeType": "action", "totalExecutions": 3}},
    ),
    Row(
        "actions.latency",
        lambda b3: b3.actions.latency("echo", start=START, end=END, granularity="daily"),
        Req("GET", "/v1/statistics/action/echo/latency", WINDOW),
        {"actionId": "echo", "granularity": "daily", "data": []},
    ),
    Row(
        "actions.usage",
        lambda b3: b3.actions.usage("trigger", "manual", start=START, end=END, granularity="daily"),
        Req("GET", "/v1/statistics/trigger/manual/usage", WINDOW),
        {"nodeId": "manual", "nodeType": "trigger", "data": [{"usageCount": 1}]},
    ),
]
