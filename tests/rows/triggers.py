"""Request shapes of ``b3.triggers`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from support.table import Bare, Req, Row

TRIGGER = {"type": "cronjob", "name": "Schedule"}
EVENT = {"id": "whe_1", "workflowId": "wf_1", "status": "success", "actionTaken": "triggered"}
RESULT = {"action": "triggered", "eventId": "whe_2", "runIds": ["run_1"]}

ROWS = [
    Row(
        "triggers.list",
        lambda b3: b3.triggers.list(tags=["blockchain", "evm"]),
        Req("GET", "/v1/triggers", {"tags": ["blockchain", "evm"]}),
        [TRIGGER],
    ),
    Row(
        "triggers.list",
        lambda b3: b3.triggers.list(),
        Req("GET", "/v1/triggers"),
        [],
        note="no tags",
    ),
    Row(
        "triggers.get",
        lambda b3: b3.triggers.get("cronjob"),
        Req("GET", "/v1/triggers/cronjob"),
        TRIGGER,
    ),
    Row(
        "triggers.info",
        lambda b3: b3.triggers.info("wf_1"),
        Req("GET", "/v1/workflows/wf_1/trigger-info"),
        {"emailAddress": "wf_1@inbound.example"},
    ),
    Row(
        "triggers.webhook_secret",
        lambda b3: b3.triggers.webhook_secret("org_1"),
        Req("GET", "/organizations/org_1/webhook-secret"),
        {"secret": "whsec_1", "webhookUrl": "https://api.b3os.org/v1/orgs/org_1/x"},
    ),
    Row(
        "triggers.events",
        lambda b3: b3.triggers.events(page_size=50),
        Req("GET", "/v1/webhook-events", {"limit": ["50"], "offset": ["0"]}),
        Bare({"items": [EVENT], "limit": 50, "offset": 0, "hasMore": False}),
    ),
    Row(
        "triggers.replay_event",
        lambda b3: b3.triggers.replay_event("whe_1"),
        Req("POST", "/v1/webhook-events/whe_1/replay"),
        Bare(RESULT),
    ),
    Row(
        "triggers.block_cursor",
        lambda b3: b3.triggers.block_cursor(8453, "native-transfer"),
        Req("GET", "/v1/block-cursors", {"chainId": ["8453"], "cursorType": ["native-transfer"]}),
        Bare({"chainId": 8453, "lastBlock": 1, "updatedAt": "2025-01-01T00:00:00Z"}),
    ),
    Row(
        "triggers.cex_assets",
        lambda b3: b3.triggers.cex_assets(),
        Req("GET", "/v1/token-price-cexes/available-assets"),
        {"assets": ["BTCUSD"]},
    ),
    Row(
        "triggers.cex_prices",
        lambda b3: b3.triggers.cex_prices(["BTCUSD", "ETHUSD"]),
        Req("GET", "/v1/token-price-cexes/latest", {"assets": ["BTCUSD,ETHUSD"]}),
        {"prices": {"BTCUSD": "1.5", "ETHUSD": "2.5"}},
    ),
    Row(
        "triggers.situation_universe",
        lambda b3: b3.triggers.situation_universe(q="apple", asset_class="equity", page_size=5),
        Req(
            "GET",
            "/v1/situation/universe",
            {"q": ["apple"], "asset_class": ["equity"], "limit": ["5"], "offset": ["0"]},
        ),
        Bare({"items": [{"symbol": "AAPL"}], "limit": 5, "offset": 0, "hasMore": False}),
    ),
]
