"""Area ``outbound_webhooks``: the deliveries of ``send-webhook`` nodes (list, get, retry, replay).

The records live in the execution hooks' book (``_domain/execution_hooks.py``, kind
``outbound``) and are sent by the same delivery worker (``_hook_delivery.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from b3os_async.testing._collection import page_body
from b3os_async.testing._server import context, ok, paging, principal
from b3os_async.testing.routes._hook_json import outbound_json

if TYPE_CHECKING:
    from b3os_async.testing._domain.execution_hooks import Delivery

ROUTES = web.RouteTableDef()


@ROUTES.get("/v1/outbound-webhook/deliveries")
async def list_deliveries(request: web.Request) -> web.Response:
    """``GET /v1/outbound-webhook/deliveries``: newest first (``workflowId`` filter)."""
    limit, offset = paging(request)
    workflow_id = request.query.get("workflowId") or None
    items, more = context(request).store.hooks.deliveries_page(
        "outbound", principal(request).org_id, workflow_id, limit, offset
    )
    return ok(request, page_body([outbound_json(d) for d in items], limit, offset, more))


@ROUTES.get("/v1/outbound-webhook/deliveries/{id}")
async def get_delivery(request: web.Request) -> web.Response:
    """``GET …/deliveries/{id}``: one delivery record."""
    return ok(request, outbound_json(_delivery(request)))


@ROUTES.post("/v1/outbound-webhook/deliveries/{id}/retry")
async def retry_delivery(request: web.Request) -> web.Response:
    """``POST …/retry``: the same failed record, attempted again (409004 unless it failed)."""
    hooks = context(request).store.hooks
    return ok(request, outbound_json(hooks.retry(_delivery(request))))


@ROUTES.post("/v1/outbound-webhook/deliveries/{id}/replay")
async def replay_delivery(request: web.Request) -> web.Response:
    """``POST …/replay``: a new record with the original's request, queued (any status)."""
    hooks = context(request).store.hooks
    return ok(request, outbound_json(hooks.replay(_delivery(request))))


def _delivery(request: web.Request) -> Delivery:
    return context(request).store.hooks.delivery(
        "outbound", principal(request).org_id, request.match_info["id"]
    )
