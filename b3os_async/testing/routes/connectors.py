"""Area ``connectors``: connectors (CRUD), connector types, MCP connectors and servers, and the
MCP OAuth URL.

Connectors' rules (data checked against the type's schema, credentials never shown) are the
domain's (``_domain/connectors.py``); types and MCP servers are the catalog's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from b3os_async.testing import _catalog
from b3os_async.testing._common import BAD_FIELD, BAD_QUERY, ApiError, bad_field, now_iso
from b3os_async.testing._domain.connectors import (
    CONNECTORS,
    Connector,
    checked_data,
    connector_json,
    connector_type,
    mcp_view,
)
from b3os_async.testing._server import (
    context,
    json_body,
    json_response,
    ok,
    optional,
    page,
    paging,
    principal,
    request_id,
    require,
)

ROUTES = web.RouteTableDef()
ALSO_SERVES = ("/v1/mcp-connectors", "/v1/mcp/")
"""Paths of this area that do not start with its name (see routes/__init__.py)."""


@ROUTES.get("/v1/connector-types", name="list_connector_types")
async def list_connector_types(request: web.Request) -> web.Response:
    """``GET /v1/connector-types``: every ``ConnectorDefinition`` (not paged)."""
    return ok(request, _catalog.connector_types())


@ROUTES.get("/v1/connector-types/{type}", name="get_connector_type")
async def get_connector_type(request: web.Request) -> web.Response:
    """``GET /v1/connector-types/{type}``: one ``ConnectorDefinition`` (404013)."""
    return ok(request, dict(connector_type(request.match_info["type"]).definition))


def _name(body: dict[str, Any], creating: bool) -> str | None:
    name: str | None = (require if creating else optional)(body, "name", str, "a string")
    if name is not None and not 1 <= len(name.strip()) <= 255:
        raise bad_field("'name' must be 1 to 255 characters")
    return name


@ROUTES.get("/v1/connectors")
async def list_connectors(request: web.Request) -> web.Response:
    """``GET /v1/connectors``: the organization's connectors, newest first."""
    who = principal(request)
    limit, offset = paging(request)
    items = CONNECTORS.of(context(request).store)
    return ok(request, items.page(who.org_id, limit, offset, connector_json))


@ROUTES.post("/v1/connectors")
async def create_connector(request: web.Request) -> web.Response:
    """``POST /v1/connectors``: ``{name, type, data, description?}`` -> the ``Connector``."""
    who = principal(request)
    body = await json_body(request)
    name = _name(body, creating=True)
    kind = require(body, "type", str, "a string")
    entry = _catalog.lookup("connector_type", kind)
    if entry is None:
        raise ApiError(400, BAD_FIELD, f"unknown connector type {kind!r} (see /v1/connector-types)")
    data = checked_data(entry, require(body, "data", dict, "an object"))
    description = optional(body, "description", str, "a string") or ""
    items = CONNECTORS.of(context(request).store)
    at = now_iso()
    connector = items.add(
        Connector(
            id=items.new_id(),
            org_id=who.org_id,
            name=str(name),
            type=kind,
            description=description,
            provider=str(entry.definition.get("provider", "b3os")),
            data=data,
            created_at=at,
            created_by=who.user_id,
            updated_at=at,
            updated_by=who.user_id,
        )
    )
    return ok(request, connector_json(connector))


@ROUTES.get("/v1/connectors/{id}")
async def get_connector(request: web.Request) -> web.Response:
    """``GET /v1/connectors/{id}``: the ``Connector`` (404014)."""
    who = principal(request)
    items = CONNECTORS.of(context(request).store)
    return ok(request, connector_json(items.get(who.org_id, request.match_info["id"])))


@ROUTES.put("/v1/connectors/{id}")
async def update_connector(request: web.Request) -> web.Response:
    """``PUT /v1/connectors/{id}``: change ``name``, ``description`` and/or ``data`` (whole)."""
    who = principal(request)
    items = CONNECTORS.of(context(request).store)
    connector = items.get(who.org_id, request.match_info["id"])
    body = await json_body(request)
    changes: dict[str, Any] = {}
    name = _name(body, creating=False)
    if name is not None:
        changes["name"] = name
    description = optional(body, "description", str, "a string")
    if description is not None:
        changes["description"] = description
    data = optional(body, "data", dict, "an object")
    if data is not None:
        changes["data"] = checked_data(connector_type(connector.type), data)
    if changes:
        changes.update(updated_at=now_iso(), updated_by=who.user_id)
        connector = items.update(who.org_id, connector.id, **changes)
    return ok(request, connector_json(connector))


@ROUTES.delete("/v1/connectors/{id}")
async def delete_connector(request: web.Request) -> web.Response:
    """``DELETE /v1/connectors/{id}``: an envelope without ``data`` (as the OpenAPI declares)."""
    who = principal(request)
    CONNECTORS.of(context(request).store).delete(who.org_id, request.match_info["id"])
    rid = request_id(request)
    return json_response(200, {"code": 200, "message": "OK", "requestId": rid}, rid)


@ROUTES.get("/v1/mcp-connectors")
async def list_mcp_connectors(request: web.Request) -> web.Response:
    """``GET /v1/mcp-connectors``: the organization's ``mcp`` connectors, without tokens."""
    who = principal(request)
    limit, offset = paging(request)
    items = CONNECTORS.of(context(request).store)
    body = items.page(who.org_id, limit, offset, mcp_view, keep=lambda c: c.type == "mcp")
    return ok(request, body)


@ROUTES.get("/v1/mcp/servers")
async def list_mcp_servers(request: web.Request) -> web.Response:
    """``GET /v1/mcp/servers``: the known MCP servers (not ``custom``), paged."""
    principal(request)
    limit, offset = paging(request)
    servers = [
        {key: value for key, value in server.items() if key != "authorizeUrl"}
        for server in _catalog.mcp_servers()
    ]
    return ok(request, page(servers, limit, offset))


@ROUTES.get("/v1/mcp/{serverId}/oauth-url")
async def mcp_oauth_url(request: web.Request) -> web.Response:
    """``GET /v1/mcp/{serverId}/oauth-url?name=``: ``{url}`` to authorize B3OS (400 if the
    server is unknown or does not use OAuth)."""
    principal(request)
    server_id = request.match_info["serverId"]
    server = next((s for s in _catalog.mcp_servers() if s["id"] == server_id), None)
    if server is None:
        raise ApiError(400, BAD_QUERY, f"unknown MCP server {server_id!r} (see /v1/mcp/servers)")
    if server.get("authType") != "oauth":
        raise ApiError(400, BAD_QUERY, f"MCP server {server_id!r} uses an API key, not OAuth")
    name = request.query.get("name")
    if name is not None and not 1 <= len(name.strip()) <= 255:
        raise ApiError(400, BAD_QUERY, "'name' must be 1 to 255 characters")
    state = context(request).ids.new("mcpst_", 24, stream="mcp-oauth-state")
    query = urlencode(
        {
            "client_id": "b3os",
            "response_type": "code",
            "redirect_uri": f"{request.url.origin()}/v1/mcp/oauth/callback",
            "state": state,
        }
    )
    return ok(request, {"url": f"{server['authorizeUrl']}?{query}", "state": state})
