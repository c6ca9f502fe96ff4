"""Conformance scenario of the triggers, actions, connectors, search and tags areas.

Called by ``test_conformance.py`` (its ``Checker`` validates every answer against the OpenAPI);
kept here so the areas' calls do not crowd the shared scenario.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

OPERATIONS = {
    ("GET", "/organizations/{orgId}/webhook-secret"),
    ("GET", "/v1/block-cursors"),
    ("GET", "/v1/situation/universe"),
    ("GET", "/v1/token-price-cexes/available-assets"),
    ("GET", "/v1/token-price-cexes/latest"),
    ("GET", "/v1/triggers"),
    ("GET", "/v1/triggers/{type}"),
    ("GET", "/v1/webhook-events"),
    ("POST", "/v1/webhook-events/{eventId}/replay"),
    ("GET", "/v1/workflows/{id}/trigger-info"),
    ("POST", "/v1/action-proxy/{type}/execute"),
    ("POST", "/v1/action-proxy/{type}/query"),
    ("GET", "/v1/actions"),
    ("GET", "/v1/actions/{type}"),
    ("POST", "/v1/actions/{type}/run"),
    ("POST", "/v1/actions/{type}/test"),
    ("GET", "/v1/cu/costs"),
    ("POST", "/v1/faucet/claim"),
    ("GET", "/v1/logic-actions"),
    ("GET", "/v1/search"),
    ("GET", "/v1/search/similar/{type}/{id}"),
    ("GET", "/v1/statistics"),
    ("GET", "/v1/statistics/action/{id}/latency"),
    ("GET", "/v1/statistics/{type}/{id}/usage"),
    ("GET", "/v1/tags"),
    ("GET", "/v1/tags/categories"),
    ("GET", "/v1/connector-types"),
    ("GET", "/v1/connector-types/{type}"),
    ("GET", "/v1/connectors"),
    ("POST", "/v1/connectors"),
    ("DELETE", "/v1/connectors/{id}"),
    ("GET", "/v1/connectors/{id}"),
    ("PUT", "/v1/connectors/{id}"),
    ("GET", "/v1/mcp-connectors"),
    ("GET", "/v1/mcp/servers"),
    ("GET", "/v1/mcp/{serverId}/oauth-url"),
}
"""The areas' operations (all 36 rows of areas 3-5 of operations.csv)."""

WEBHOOK = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["say"]},
        "say": {"type": "echo", "payload": {"got": "{{$trigger.body.x}}"}},
    },
    "triggerNodeIds": ["root"],
}


def _window() -> dict[str, str]:
    now_ms = int(time.time() * 1000)
    return {"from": str(now_ms - 86_400_000), "to": str(now_ms + 3_600_000), "granularity": "daily"}


async def _triggers(emu: Emulator, check: Any) -> None:
    await check("GET", "/v1/triggers", "/v1/triggers", params={"tags": "blockchain"})
    await check("GET", "/v1/triggers/{type}", "/v1/triggers/evm-log")
    await check("GET", "/v1/triggers/{type}", "/v1/triggers/nope", 404)
    body = {"name": "hook", "description": "d", "definition": WEBHOOK}
    wf = await check("POST", "/v1/workflows", "/v1/workflows", json=body)
    await check("POST", "/v1/workflows/{id}/publish", f"/v1/workflows/{wf['id']}/publish", json={})
    info = "/v1/workflows/{id}/trigger-info"
    await check("GET", info, f"/v1/workflows/{wf['id']}/trigger-info")
    await check("GET", info, "/v1/workflows/wf_nope/trigger-info", 404)
    async with check.session.post(f"/v1/webhooks/{wf['triggerSecret']}", json={"x": 1}) as resp:
        assert resp.status == 200, await resp.text()
    events = await check("GET", "/v1/webhook-events", "/v1/webhook-events")
    await check("GET", "/v1/webhook-events", "/v1/webhook-events", 400, params={"limit": "0"})
    replay = "/v1/webhook-events/{eventId}/replay"
    await check("POST", replay, f"/v1/webhook-events/{events['items'][0]['id']}/replay")
    await check("POST", replay, "/v1/webhook-events/whe_nope/replay", 404)
    secret = "/organizations/{orgId}/webhook-secret"
    await check("GET", secret, f"/organizations/{emu.org_id}/webhook-secret")
    await check("GET", secret, "/organizations/org_other/webhook-secret", 403)
    cursor = {"chainId": "8453", "cursorType": "evm-log"}
    await check("GET", "/v1/block-cursors", "/v1/block-cursors", params=cursor)
    await check("GET", "/v1/block-cursors", "/v1/block-cursors", 400, params={"chainId": "1"})
    unknown = {"chainId": "999999", "cursorType": "evm-log"}
    await check("GET", "/v1/block-cursors", "/v1/block-cursors", 404, params=unknown)
    assets = "/v1/token-price-cexes/available-assets"
    await check("GET", assets, assets)
    latest = "/v1/token-price-cexes/latest"
    await check("GET", latest, latest, params={"assets": "BTCUSD,ETHUSD"})
    await check("GET", latest, latest, 400, params={"assets": "NOPE"})
    universe = "/v1/situation/universe"
    await check("GET", universe, universe, params={"q": "app"})
    await check("GET", universe, universe, params={"asset_class": "crypto", "limit": "3"})
    await check("GET", universe, universe, 400, params={"asset_class": "bonds"})


async def _actions(emu: Emulator, check: Any) -> None:
    await check("GET", "/v1/actions", "/v1/actions", params={"tags": "social,messaging"})
    await check("GET", "/v1/actions/{type}", "/v1/actions/send-erc20-token")
    await check("GET", "/v1/actions/{type}", "/v1/actions/nope", 404)
    await check("GET", "/v1/logic-actions", "/v1/logic-actions")
    test = "/v1/actions/{type}/test"
    await check("POST", test, "/v1/actions/echo/test", json={"inputs": {"a": 1}})
    await check("POST", test, "/v1/actions/fail/test", json={"inputs": {"message": "no"}})
    await check("POST", test, "/v1/actions/slack-send-message/test", 400, json={"inputs": {}})
    await check("POST", test, "/v1/actions/nope/test", 404, json={"inputs": {}})
    run = "/v1/actions/{type}/run"
    await check("POST", run, "/v1/actions/transform/run", json={"inputs": {"v": 2}})
    await check("POST", run, "/v1/actions/fail/run", 502, json={"inputs": {}})
    execute = "/v1/action-proxy/{type}/execute"
    payload = {"payload": {"coinId": "bitcoin"}, "walletId": "w_1"}
    await check("POST", execute, "/v1/action-proxy/coingecko-get-token-price/execute", json=payload)
    await check("POST", execute, "/v1/action-proxy/echo/execute", 400, json={"payload": {}})
    query = "/v1/action-proxy/{type}/query"
    await check("POST", query, "/v1/action-proxy/get-token-balance/query", json={
        "payload": {"chainId": 1, "address": "0x" + "1" * 40}
    })  # fmt: skip
    await check("POST", query, "/v1/action-proxy/swap-tokens/query", 400, json={"payload": {}})
    await check("GET", "/v1/cu/costs", "/v1/cu/costs")
    faucet = "/v1/faucet/claim"
    await check("POST", faucet, faucet, json={"tokens": ["ETH"]})
    await check("POST", faucet, faucet, 400, json={"walletAddress": "nope"})
    await check("GET", "/v1/statistics", "/v1/statistics")
    latency = "/v1/statistics/action/{id}/latency"
    await check("GET", latency, "/v1/statistics/action/echo/latency", params=_window())
    await check("GET", latency, "/v1/statistics/action/echo/latency", 400)
    usage = "/v1/statistics/{type}/{id}/usage"
    await check("GET", usage, "/v1/statistics/trigger/manual/usage", params=_window())
    await check("GET", usage, "/v1/statistics/node/echo/usage", 400, params=_window())
    emu.set_compute_units(emu.org_id, 0)
    await check("POST", test, "/v1/actions/echo/test", 402, json={"inputs": {}})
    emu.set_compute_units(emu.org_id, 10_000)


async def _search_and_tags(check: Any) -> None:
    await check("GET", "/v1/search", "/v1/search", params={"q": "send message"})
    await check("GET", "/v1/search", "/v1/search", params={"q": "hook", "types": "workflows"})
    await check("GET", "/v1/search", "/v1/search", 400, params={"q": "x", "types": "planets"})
    similar = "/v1/search/similar/{type}/{id}"
    await check("GET", similar, "/v1/search/similar/actions/swap-tokens", params={"limit": "3"})
    await check("GET", similar, "/v1/search/similar/action/swap-tokens", 400, params={"limit": 99})
    await check("GET", "/v1/tags", "/v1/tags", params={"category": "finance", "scope": "actions"})
    await check("GET", "/v1/tags", "/v1/tags", 400, params={"scope": "planets"})
    await check("GET", "/v1/tags/categories", "/v1/tags/categories")


async def _connectors(check: Any) -> None:
    await check("GET", "/v1/connector-types", "/v1/connector-types")
    await check("GET", "/v1/connector-types/{type}", "/v1/connector-types/mcp")
    await check("GET", "/v1/connector-types/{type}", "/v1/connector-types/nope", 404)
    body = {"name": "bot", "type": "slack", "data": {"botToken": "xoxb-1234567890"}}
    created = await check("POST", "/v1/connectors", "/v1/connectors", json=body)
    bad = {**body, "data": {"botToken": "not-a-token"}}
    await check("POST", "/v1/connectors", "/v1/connectors", 400, json=bad)
    one = "/v1/connectors/{id}"
    path = f"/v1/connectors/{created['id']}"
    await check("GET", "/v1/connectors", "/v1/connectors")
    await check("GET", one, path)
    await check("PUT", one, path, json={"description": "ops alerts"})
    await check("PUT", one, path, 400, json={"data": {}})
    mcp = {
        "name": "gh",
        "type": "mcp",
        "data": {"serverId": "github", "serverUrl": "https://x.example/mcp", "accessToken": "t"},
    }
    await check("POST", "/v1/connectors", "/v1/connectors", json=mcp)
    await check("GET", "/v1/mcp-connectors", "/v1/mcp-connectors")
    await check("GET", "/v1/mcp/servers", "/v1/mcp/servers")
    oauth = "/v1/mcp/{serverId}/oauth-url"
    await check("GET", oauth, "/v1/mcp/github/oauth-url", params={"name": "My GitHub"})
    await check("GET", oauth, "/v1/mcp/stripe/oauth-url", 400)
    await check("DELETE", one, path)
    await check("DELETE", one, path, 404)


async def scenario(emu: Emulator, check: Any) -> None:
    """Success and error answers of every operation of the areas."""
    await _triggers(emu, check)
    await _actions(emu, check)
    await _search_and_tags(check)
    await _connectors(check)
