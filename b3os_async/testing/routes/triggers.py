"""Area ``triggers``: the trigger catalog, a workflow's trigger info, the organization's webhook
secret, inbound workflow webhooks and their event log, block cursors, CEX prices and the
situation universe.

Inbound webhooks and their replay are the domain's (``_domain/webhooks.py``); market data is
``_catalog/markets.py``. The event log, replay, inbound webhooks, block cursors and the
situation universe answer bare, as the OpenAPI declares them.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from b3os_async.testing import _catalog
from b3os_async.testing._catalog import markets
from b3os_async.testing._common import (
    BAD_QUERY,
    CATALOG_NOT_FOUND,
    CURSOR_NOT_FOUND,
    ORG_MISMATCH,
    ApiError,
    iso,
    now,
)
from b3os_async.testing._domain import webhooks
from b3os_async.testing._graph import trigger_type
from b3os_async.testing._server import (
    bare,
    choice_param,
    context,
    int_param,
    json_body,
    ok,
    paging,
    principal,
)
from b3os_async.testing.routes.actions import tag_values

ROUTES = web.RouteTableDef()
ALSO_SERVES = (
    "/v1/workflows/{id}/trigger-info",
    "/organizations/",
    "/v1/webhook",
    "/v1/block-cursors",
    "/v1/token-price-cexes/",
    "/v1/situation/",
)
"""Paths of this area that do not start with its name (see routes/__init__.py)."""


@ROUTES.get("/v1/triggers", name="list_triggers")
async def list_triggers(request: web.Request) -> web.Response:
    """``GET /v1/triggers``: every trigger carrying ALL the ``tags`` (not paged)."""
    return ok(request, _catalog.triggers(tag_values(request)))


@ROUTES.get("/v1/triggers/{type}", name="get_trigger")
async def get_trigger(request: web.Request) -> web.Response:
    """``GET /v1/triggers/{type}``: one ``TriggerDefinition`` (404013)."""
    kind = request.match_info["type"]
    entry = _catalog.lookup("trigger", kind)
    if entry is None:
        raise ApiError(404, CATALOG_NOT_FOUND, f"trigger type {kind!r} not found")
    return ok(request, dict(entry.definition))


@ROUTES.get("/v1/workflows/{id}/trigger-info")
async def trigger_info(request: web.Request) -> web.Response:
    """``GET …/trigger-info``: the inbound address of an e-mail trigger, the payment
    link of a ``stripe-payment-receive`` one; ``{}`` for other triggers."""
    who = principal(request)
    workflow = context(request).store.workflows.get(who.org_id, request.match_info["id"])
    kind = trigger_type(workflow.current().content["definition"])
    info: dict[str, Any] = {}
    if kind == "email-new-email-received":
        info["emailAddress"] = f"{workflow.id}@inbound.emulator.b3os.org"
    elif kind == "stripe-payment-receive":
        info["paymentLinkUrl"] = f"https://buy.stripe.com/test_{workflow.id}"
    return ok(request, info)


@ROUTES.get("/organizations/{orgId}/webhook-secret")
async def org_webhook_secret(request: web.Request) -> web.Response:
    """``GET /organizations/{orgId}/webhook-secret``: ``{secret, webhookUrl}`` (own org only)."""
    who = principal(request)
    org_id = request.match_info["orgId"]
    if org_id != who.org_id:
        raise ApiError(403, ORG_MISMATCH, "this API key belongs to another organization")
    secret = webhooks.org_secret(context(request).store, org_id)
    url = f"{request.url.origin()}/v1/orgs/{org_id}/integrations/webhook"
    return ok(request, {"secret": secret, "webhookUrl": url})


@ROUTES.post("/v1/webhooks/{secret}", name="inbound_webhook")
async def inbound_webhook(request: web.Request) -> web.Response:
    """``POST /v1/webhooks/{workflowSecret}`` (documented, not in the OpenAPI): bare
    ``IntegrationResult``; 404 when no workflow has the secret."""
    body = await json_body(request)
    ctx = context(request)
    metadata = {"contentType": request.content_type, "userAgent": request.headers.get("User-Agent")}
    result = webhooks.deliver(
        ctx.store,
        ctx.engine.launch,
        request.match_info["secret"],
        body,
        {key: value for key, value in metadata.items() if value},
    )
    return bare(request, result)


@ROUTES.get("/v1/webhook-events")
async def list_webhook_events(request: web.Request) -> web.Response:
    """``GET /v1/webhook-events``: bare page of ``WebhookEvent``, newest first."""
    who = principal(request)
    limit, offset = paging(request)
    events = webhooks.EVENTS.of(context(request).store)
    return bare(request, events.page(who.org_id, limit, offset, webhooks.event_json))


@ROUTES.post("/v1/webhook-events/{eventId}/replay")
async def replay_webhook_event(request: web.Request) -> web.Response:
    """``POST …/replay``: re-process a stored body as a new event; bare ``IntegrationResult``."""
    who = principal(request)
    ctx = context(request)
    event_id = request.match_info["eventId"]
    return bare(request, webhooks.replay(ctx.store, ctx.engine.launch, who.org_id, event_id))


@ROUTES.get("/v1/block-cursors")
async def block_cursor(request: web.Request) -> web.Response:
    """``GET /v1/block-cursors``: bare ``{chainId, lastBlock, updatedAt}`` (404016)."""
    principal(request)
    if not request.query.get("chainId") or not request.query.get("cursorType"):
        raise ApiError(400, BAD_QUERY, "query parameters 'chainId' and 'cursorType' are required")
    chain_id = int_param(request, "chainId", 0)
    cursor_type = choice_param(request, "cursorType", markets.CURSOR_TYPES)
    assert cursor_type is not None
    found = markets.block_cursor(chain_id, cursor_type, now())
    if found is None:
        raise ApiError(404, CURSOR_NOT_FOUND, f"no {cursor_type} cursor for chain {chain_id}")
    block, at = found
    return bare(request, {"chainId": chain_id, "lastBlock": block, "updatedAt": iso(at)})


@ROUTES.get("/v1/token-price-cexes/available-assets")
async def cex_assets(request: web.Request) -> web.Response:
    """``GET …/available-assets``: ``{assets}``."""
    principal(request)
    return ok(request, {"assets": list(markets.CEX_PRICES)})


@ROUTES.get("/v1/token-price-cexes/latest")
async def cex_latest(request: web.Request) -> web.Response:
    """``GET …/latest?assets=A,B``: ``{prices: {asset: "decimal"}}``; unknown assets are 400."""
    principal(request)
    assets = [part.strip() for part in request.query.get("assets", "").split(",") if part.strip()]
    if not assets:
        raise ApiError(400, BAD_QUERY, "query parameter 'assets' is required (e.g. BTCUSD)")
    unknown = [asset for asset in assets if asset not in markets.CEX_PRICES]
    if unknown:
        raise ApiError(400, BAD_QUERY, "unknown assets (see available-assets)", unknown)
    return ok(request, {"prices": {asset: markets.CEX_PRICES[asset] for asset in assets}})


def _rank(query: str, symbol: str, name: str) -> int | None:
    q, symbol, name = query.lower(), symbol.lower(), name.lower()
    if symbol == q:
        return 0
    if symbol.startswith(q):
        return 1
    if any(word.startswith(q) for word in name.split()):
        return 2
    return 3 if q in name else None


@ROUTES.get("/v1/situation/universe")
async def situation_universe(request: web.Request) -> web.Response:
    """``GET /v1/situation/universe``: bare page of tickers; ``q`` ranks (offset: listing only)."""
    principal(request)
    limit, offset = paging(request)
    asset_class = choice_param(request, "asset_class", markets.ASSET_CLASSES)
    query = request.query.get("q", "").strip()
    rows = [row for row in markets.TICKERS if asset_class is None or row[3] == asset_class]
    if query:
        ranked = [
            (rank, i, row)
            for i, row in enumerate(rows)
            if (rank := _rank(query, *row[:2])) is not None
        ]
        # A ranked search answers its best `limit` hits: one page, no offset.
        rows = [row for _, _, row in sorted(ranked)][:limit]
        offset = 0
    items = [
        {"symbol": symbol, "name": name, "exchange": exchange, "type": kind}
        for symbol, name, exchange, kind in rows[offset : offset + limit]
    ]
    more = offset + limit < len(rows)
    return bare(request, {"items": items, "limit": limit, "offset": offset, "hasMore": more})
