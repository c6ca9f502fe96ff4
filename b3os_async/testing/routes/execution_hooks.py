"""Area ``execution_hooks``: endpoints (create, list, get, enable, disable, new secret), deliveries.

The rules are the book's (``_domain/execution_hooks.py``); sending is the delivery worker's
(``_hook_delivery.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from b3os_async.testing._collection import page_body
from b3os_async.testing._server import (
    context,
    json_body,
    ok,
    optional,
    paging,
    principal,
    require,
)
from b3os_async.testing.routes._hook_json import delivery_json, endpoint_json, secret_json

if TYPE_CHECKING:
    from b3os_async.testing._domain.execution_hooks import Delivery, Endpoint

ROUTES = web.RouteTableDef()


@ROUTES.get("/v1/execution-webhooks")
async def list_endpoints(request: web.Request) -> web.Response:
    """``GET /v1/execution-webhooks``: the organization's endpoints, newest first."""
    limit, offset = paging(request)
    items, more = context(request).store.hooks.endpoints_page(
        principal(request).org_id, limit, offset
    )
    return ok(request, page_body([endpoint_json(e) for e in items], limit, offset, more))


@ROUTES.post("/v1/execution-webhooks")
async def create_endpoint(request: web.Request) -> web.Response:
    """``POST /v1/execution-webhooks``: a new endpoint and its signing secret (shown once)."""
    who = principal(request)
    body = await json_body(request)
    endpoint = context(request).store.hooks.create(
        who,
        name=require(body, "name", str, "a string"),
        url=require(body, "url", str, "a string"),
        description=optional(body, "description", str, "a string"),
        types=optional(body, "subscribedEventTypes", list, "a list of event types") or [],
        max_retries=body.get("maxRetries"),
    )
    return ok(request, secret_json(endpoint))


@ROUTES.get("/v1/execution-webhooks/deliveries")
async def list_deliveries(request: web.Request) -> web.Response:
    """``GET …/deliveries``: delivery records, newest first (``endpointId`` filter)."""
    limit, offset = paging(request)
    endpoint_id = request.query.get("endpointId") or None
    items, more = context(request).store.hooks.deliveries_page(
        "hook", principal(request).org_id, endpoint_id, limit, offset
    )
    return ok(request, page_body([delivery_json(d) for d in items], limit, offset, more))


@ROUTES.get("/v1/execution-webhooks/deliveries/{id}")
async def get_delivery(request: web.Request) -> web.Response:
    """``GET …/deliveries/{id}``: one delivery record."""
    return ok(request, delivery_json(_delivery(request)))


@ROUTES.post("/v1/execution-webhooks/deliveries/{id}/retry")
async def retry_delivery(request: web.Request) -> web.Response:
    """``POST …/retry``: requeue the same failed record (409004 unless it failed)."""
    hooks = context(request).store.hooks
    return ok(request, delivery_json(hooks.retry(_delivery(request))))


@ROUTES.post("/v1/execution-webhooks/deliveries/{id}/replay")
async def replay_delivery(request: web.Request) -> web.Response:
    """``POST …/replay``: a new record from the original's request, queued."""
    hooks = context(request).store.hooks
    return ok(request, delivery_json(hooks.replay(_delivery(request))))


@ROUTES.get("/v1/execution-webhooks/{id}")
async def get_endpoint(request: web.Request) -> web.Response:
    """``GET /v1/execution-webhooks/{id}``: one endpoint (no secret)."""
    return ok(request, endpoint_json(_endpoint(request)))


@ROUTES.post("/v1/execution-webhooks/{id}/enable")
async def enable_endpoint(request: web.Request) -> web.Response:
    """``POST …/enable``: the endpoint, active."""
    hooks = context(request).store.hooks
    return ok(request, endpoint_json(hooks.set_status(_endpoint(request), "active")))


@ROUTES.post("/v1/execution-webhooks/{id}/disable")
async def disable_endpoint(request: web.Request) -> web.Response:
    """``POST …/disable``: the endpoint, disabled (no new deliveries; queued ones fail)."""
    hooks = context(request).store.hooks
    return ok(request, endpoint_json(hooks.set_status(_endpoint(request), "disabled")))


@ROUTES.post("/v1/execution-webhooks/{id}/regenerate-secret")
async def regenerate_secret(request: web.Request) -> web.Response:
    """``POST …/regenerate-secret``: the endpoint and its new secret (the old one is void)."""
    hooks = context(request).store.hooks
    return ok(request, secret_json(hooks.regenerate(_endpoint(request))))


def _endpoint(request: web.Request) -> Endpoint:
    return context(request).store.hooks.endpoint(
        principal(request).org_id, request.match_info["id"]
    )


def _delivery(request: web.Request) -> Delivery:
    return context(request).store.hooks.delivery(
        "hook", principal(request).org_id, request.match_info["id"]
    )
