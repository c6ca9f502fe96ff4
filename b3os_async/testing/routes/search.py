"""Area ``search``: search across the catalog and the organization's workflows, and "similar".

The scoring is the domain's (``_domain/search.py``); both answers are bare ``SearchResponse``
bodies, as the OpenAPI declares them.
"""

from __future__ import annotations

from aiohttp import web

from b3os_async.testing._common import BAD_QUERY, ApiError
from b3os_async.testing._domain.search import SEARCH_TYPES, SIMILAR_TYPES, kinds, search, similar
from b3os_async.testing._server import bare, context, int_param, principal

ROUTES = web.RouteTableDef()


def _bounded(request: web.Request, name: str, default: int, most: int) -> int:
    value = int_param(request, name, default)
    if not 0 <= value <= most or (name == "limit" and value == 0):
        low = 1 if name == "limit" else 0
        raise ApiError(400, BAD_QUERY, f"{name!r} must be between {low} and {most}")
    return value


@ROUTES.get("/v1/search")
async def search_resources(request: web.Request) -> web.Response:
    """``GET /v1/search?q=…&types=…``: hits of every type, ``limit``/``offset`` per type."""
    who = principal(request)
    query = request.query.get("q", "")
    if not query.strip():
        raise ApiError(400, BAD_QUERY, "query parameter 'q' is required")
    types = kinds(request.query.getall("types", []), SEARCH_TYPES)
    limit = _bounded(request, "limit", 20, 100)
    offset = _bounded(request, "offset", 0, 1 << 30)
    store = context(request).store
    return bare(request, search(store, who.org_id, query, types, limit, offset))


@ROUTES.get("/v1/search/similar/{type}/{id}")
async def similar_resources(request: web.Request) -> web.Response:
    """``GET /v1/search/similar/{type}/{id}``: the catalog entries most like one (limit 5..20)."""
    who = principal(request)
    found = kinds([request.match_info["type"]], SIMILAR_TYPES)
    if not found:
        raise ApiError(400, BAD_QUERY, "a resource type is required")
    limit = _bounded(request, "limit", 5, 20)
    store = context(request).store
    return bare(request, similar(store, who.org_id, found[0], request.match_info["id"], limit))
