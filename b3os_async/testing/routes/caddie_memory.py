"""Area ``caddie_memory``: what Caddie remembers about the caller, and the memory toggles.

The OpenAPI declares these answers as ``{data: …}`` (no ``code``/``requestId``), except the
edit and the deletion of one memory (the usual envelope). Rules: ``_domain/caddie_memory.py``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from b3os_async.testing._common import bad_field
from b3os_async.testing._server import bare, context, json_body, ok, paging, require
from b3os_async.testing.routes._orgs import own_org

ROUTES = web.RouteTableDef()

MAX_TEXT = 2000


def _data(request: web.Request, data: Any) -> web.Response:
    return bare(request, {"data": data})


@ROUTES.get("/v1/organizations/{orgId}/caddie-memory")
async def list_memory(request: web.Request) -> web.Response:
    """``GET …/caddie-memory``: the caller's memories, newest first, and both toggles."""
    who, org = own_org(request)
    limit, offset = paging(request)
    book = context(request).store.caddie_memory
    return _data(request, book.page(org.id, who.user_id, limit, offset))


@ROUTES.delete("/v1/organizations/{orgId}/caddie-memory")
async def clear_memory(request: web.Request) -> web.Response:
    """``DELETE …/caddie-memory``: forget everything (the toggle stays); ``{cleared}``."""
    who, org = own_org(request)
    return _data(
        request, {"cleared": context(request).store.caddie_memory.clear(org.id, who.user_id)}
    )


async def _enabled(request: web.Request) -> bool:
    value = (await json_body(request)).get("enabled")
    if not isinstance(value, bool):
        raise bad_field("'enabled' is required and must be a boolean")
    return value


@ROUTES.put("/v1/organizations/{orgId}/caddie-memory/settings")
async def set_user_setting(request: web.Request) -> web.Response:
    """``PUT …/caddie-memory/settings``: the caller's own toggle."""
    who, org = own_org(request)
    enabled = await _enabled(request)
    book = context(request).store.caddie_memory
    return _data(request, {"enabled": book.set_user_enabled(org.id, who.user_id, enabled)})


@ROUTES.put("/v1/organizations/{orgId}/caddie-memory/org-settings")
async def set_org_setting(request: web.Request) -> web.Response:
    """``PUT …/caddie-memory/org-settings``: the organization's toggle (admins only)."""
    _, org = own_org(request)
    enabled = await _enabled(request)
    book = context(request).store.caddie_memory
    return _data(request, {"enabled": book.set_org_enabled(org.id, enabled)})


@ROUTES.put("/v1/organizations/{orgId}/caddie-memory/{scope}/{key}")
async def edit_memory(request: web.Request) -> web.Response:
    """``PUT …/caddie-memory/{scope}/{key}``: new text (update-only: 404046 if unknown)."""
    who, org = own_org(request)
    text = require(await json_body(request), "text", str, "a string")
    if not 1 <= len(text) <= MAX_TEXT:
        raise bad_field(f"'text' must be 1-{MAX_TEXT} characters")
    memory = context(request).store.caddie_memory.edit(
        org.id, who.user_id, request.match_info["scope"], request.match_info["key"], text
    )
    return ok(request, memory.json())


@ROUTES.delete("/v1/organizations/{orgId}/caddie-memory/{scope}/{key}")
async def delete_memory(request: web.Request) -> web.Response:
    """``DELETE …/caddie-memory/{scope}/{key}`` (404046 if unknown)."""
    who, org = own_org(request)
    scope, key = request.match_info["scope"], request.match_info["key"]
    context(request).store.caddie_memory.delete(org.id, who.user_id, scope, key)
    return ok(request, {"scope": scope, "key": key})
