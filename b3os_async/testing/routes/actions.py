"""Area ``actions``: the action catalog, single actions (test, run, the action proxy), CU costs,
the faucet and execution statistics.

The catalog is ``_catalog``; what a single action checks, charges and runs is the domain's
(``_domain/actions.py``); statistics are ``_domain/statistics.py``. ``run``, the faucet and the
statistics' siblings answer as the OpenAPI declares them (``run`` and the faucet bare).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from b3os_async.testing import _catalog
from b3os_async.testing._common import (
    ACTION_FAILED,
    BAD_FIELD,
    BAD_QUERY,
    CATALOG_NOT_FOUND,
    ApiError,
)
from b3os_async.testing._domain.actions import Outcome, action_entry, perform
from b3os_async.testing._domain.statistics import BUCKETS
from b3os_async.testing._server import (
    bare,
    choice_param,
    context,
    int_param,
    json_body,
    ok,
    optional,
    principal,
    require,
)

ROUTES = web.RouteTableDef()
ALSO_SERVES = ("/v1/logic-actions", "/v1/cu/", "/v1/faucet/", "/v1/statistics")
"""Paths of this area that do not start with its name (see routes/__init__.py)."""

FAUCET_TOKENS = ("ETH", "USDC", "B3")
MAX_RANGE_MS = 366 * 86_400_000


def tag_values(request: web.Request) -> list[str]:
    """``tags`` given repeated (``?tags=a&tags=b``) or comma-separated (``?tags=a,b``)."""
    values: list[str] = []
    for raw in request.query.getall("tags", []):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


@ROUTES.get("/v1/actions", name="list_actions")
async def list_actions(request: web.Request) -> web.Response:
    """``GET /v1/actions``: every action carrying ALL the ``tags`` (not paged)."""
    return ok(request, _catalog.actions(tag_values(request)))


@ROUTES.get("/v1/actions/{type}", name="get_action")
async def get_action(request: web.Request) -> web.Response:
    """``GET /v1/actions/{type}``: one ``ActionDefinition`` (404013)."""
    return ok(request, dict(action_entry(request.match_info["type"]).definition))


def _inputs(body: dict[str, Any], name: str) -> dict[str, Any]:
    inputs: dict[str, Any] = require(body, name, dict, "an object")
    return inputs


@ROUTES.post("/v1/actions/{type}/test")
async def test_action(request: web.Request) -> web.Response:
    """``POST …/test``: ``{success, result, error, cuCost, executionTimeMs, requiresGas,
    actionType}``; a failing action is ``success: false`` (still 200)."""
    body = await json_body(request)
    inputs = _inputs(body, "inputs")
    connector = optional(body, "connector", dict, "an object")
    ctx = context(request)
    outcome = await perform(
        ctx.store,
        ctx.engine,
        principal(request),
        request.match_info["type"],
        inputs,
        mode="test",
        connector=connector,
    )
    data: dict[str, Any] = {
        "success": outcome.ok,
        "actionType": outcome.entry.type,
        "cuCost": outcome.cost,
        "executionTimeMs": outcome.duration_ms,
        "requiresGas": bool(outcome.entry.definition.get("requiresGas")),
    }
    if outcome.ok:
        data["result"] = outcome.result
    else:
        data["error"] = outcome.error
    return ok(request, data)


@ROUTES.post("/v1/actions/{type}/run")
async def run_action(request: web.Request) -> web.Response:
    """``POST …/run``: bare ``{result, durationMs}``; a failing action is a 502 (502001)."""
    body = await json_body(request)
    inputs = _inputs(body, "inputs")
    connector_id = optional(body, "connectorId", str, "a string")
    ctx = context(request)
    outcome = await perform(
        ctx.store,
        ctx.engine,
        principal(request),
        request.match_info["type"],
        inputs,
        mode="run",
        connector={"id": connector_id} if connector_id else None,
    )
    if not outcome.ok:
        assert outcome.error is not None
        raise ApiError(
            502,
            ACTION_FAILED,
            f"action {outcome.entry.type!r} failed: {outcome.error['message']}",
            [outcome.error],
        )
    return bare(request, {"result": outcome.result, "durationMs": outcome.duration_ms})


def _proxy_answer(request: web.Request, outcome: Outcome) -> web.Response:
    result = outcome.result if outcome.ok else {"error": outcome.error}
    return ok(request, {"success": outcome.ok, "result": result})


async def _proxy(request: web.Request, mode: str) -> web.Response:
    body = await json_body(request)
    payload = _inputs(body, "payload")
    get = require if mode == "execute" else optional
    wallet_id = get(body, "walletId", str, "a string")
    optional(body, "simulate", bool, "a boolean")
    connector_id = optional(body, "connectorId", str, "a string")
    connector_type = optional(body, "connectorType", str, "a string")
    connector = {"id": connector_id, "type": connector_type} if connector_id else None
    if connector is None and wallet_id:  # the signing wallet stands for a wallet connector
        connector = {"id": wallet_id, "type": "wallet"}
    ctx = context(request)
    outcome = await perform(
        ctx.store,
        ctx.engine,
        principal(request),
        request.match_info["type"],
        payload,
        mode=mode,
        connector=connector,
        field="payload",
    )
    return _proxy_answer(request, outcome)


@ROUTES.post("/v1/action-proxy/{type}/execute")
async def proxy_execute(request: web.Request) -> web.Response:
    """``POST …/execute``: run an action and charge its CU: ``{success, result}``."""
    return await _proxy(request, "execute")


@ROUTES.post("/v1/action-proxy/{type}/query")
async def proxy_query(request: web.Request) -> web.Response:
    """``POST …/query``: run a read-only action, no CU: ``{success, result}``."""
    return await _proxy(request, "query")


@ROUTES.get("/v1/logic-actions", name="list_logic_actions")
async def list_logic_actions(request: web.Request) -> web.Response:
    """``GET /v1/logic-actions``: the built-in logic actions."""
    return ok(request, _catalog.logic_actions())


@ROUTES.get("/v1/cu/costs", name="cu_costs")
async def cu_costs(request: web.Request) -> web.Response:
    """``GET /v1/cu/costs``: what each action and trigger costs (public)."""
    return ok(request, _catalog.cost_table())


@ROUTES.post("/v1/faucet/claim")
async def claim_faucet(request: web.Request) -> web.Response:
    """``POST /v1/faucet/claim``: bare ``{success}`` (the emulator has no chain to send on)."""
    principal(request)
    body = await json_body(request)
    address = optional(body, "walletAddress", str, "a string")
    if address is not None and not (
        len(address) == 42 and address[:2] == "0x" and _is_hex(address[2:])
    ):
        raise ApiError(400, BAD_FIELD, "'walletAddress' must be an EVM address (0x + 40 hex)")
    tokens = optional(body, "tokens", list, "a list of token symbols") or []
    unknown = [token for token in tokens if token not in FAUCET_TOKENS]
    if unknown:
        raise ApiError(400, BAD_FIELD, f"the faucet sends only {', '.join(FAUCET_TOKENS)}", unknown)
    return bare(request, {"success": True})


def _is_hex(text: str) -> bool:
    return all(char in "0123456789abcdefABCDEF" for char in text)


def _window(request: web.Request) -> tuple[int, int, str]:
    for name in ("from", "to", "granularity"):
        if not request.query.get(name):
            raise ApiError(400, BAD_QUERY, f"query parameter {name!r} is required")
    start, end = int_param(request, "from", 0), int_param(request, "to", 0)
    granularity = choice_param(request, "granularity", tuple(BUCKETS))
    assert granularity is not None
    if not 0 <= start < end or end - start > MAX_RANGE_MS:
        raise ApiError(400, BAD_QUERY, "'from' must be before 'to' (Unix ms, at most 366 days)")
    return start, end, granularity


def _nodes() -> list[tuple[str, str]]:
    return [
        (kind, entry.type) for kind in ("action", "trigger") for entry in _catalog.entries(kind)
    ]


@ROUTES.get("/v1/statistics")
async def all_statistics(request: web.Request) -> web.Response:
    """``GET /v1/statistics``: ``{nodeType: NodeStatistics}`` for every action and trigger."""
    principal(request)
    store = context(request).store
    return ok(request, store.stats.summary(_nodes(), store.workflows.node_types))


@ROUTES.get("/v1/statistics/action/{id}/latency")
async def latency_series(request: web.Request) -> web.Response:
    """``GET …/latency``: ``{actionId, granularity, data: [LatencyTimeSeriesPoint]}``."""
    principal(request)
    action_id = action_entry(request.match_info["id"]).type
    start, end, granularity = _window(request)
    points = context(request).store.stats.latency(action_id, start, end, granularity)
    return ok(request, {"actionId": action_id, "granularity": granularity, "data": points})


@ROUTES.get("/v1/statistics/{type}/{id}/usage")
async def usage_series(request: web.Request) -> web.Response:
    """``GET …/usage``: ``{nodeId, nodeType, granularity, data: [UsageTimeSeriesPoint]}``."""
    principal(request)
    kind, node_id = request.match_info["type"], request.match_info["id"]
    if kind not in ("action", "trigger"):
        raise ApiError(400, BAD_QUERY, "node type must be 'action' or 'trigger'")
    if _catalog.lookup(kind, node_id) is None:
        raise ApiError(404, CATALOG_NOT_FOUND, f"{kind} type {node_id!r} not found")
    start, end, granularity = _window(request)
    points = context(request).store.stats.usage(kind, node_id, start, end, granularity)
    data = {"nodeId": node_id, "nodeType": kind, "granularity": granularity, "data": points}
    return ok(request, data)
