"""Area ``organizations``: the API key's organization."""

from __future__ import annotations

from aiohttp import web

from b3os_async.testing._render import org_json
from b3os_async.testing._server import context, ok, page, paging, principal

ROUTES = web.RouteTableDef()


@ROUTES.get("/v1/organizations")
async def list_organizations(request: web.Request) -> web.Response:
    """``GET /v1/organizations``: the API key's organization (also the token check)."""
    who = principal(request)
    limit, offset = paging(request)
    return ok(request, page([org_json(context(request).store.orgs[who.org_id])], limit, offset))
