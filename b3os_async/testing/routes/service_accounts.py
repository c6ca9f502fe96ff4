"""Area ``service_accounts``: non-human principals with explicit permissions, and their toggles.

Disabling an account stops its keys at once (401 on the next request, open streams closed);
deleting it revokes its keys first. Rules: ``_domain/access.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import bad_field, compact
from b3os_async.testing._server import context, json_body, ok, optional, paging, principal, require

if TYPE_CHECKING:
    from b3os_async.testing._domain.organizations import ServiceAccount

ROUTES = web.RouteTableDef()


def account_json(account: ServiceAccount) -> dict[str, Any]:
    """A ``ServiceAccount``."""
    return compact(
        {
            "id": account.id,
            "organizationId": account.org_id,
            "name": account.name,
            "description": account.description,
            "permissions": list(account.permissions),
            "status": account.status,
            "disabledAt": account.disabled_at,
            "createdAt": account.created_at,
            "createdBy": account.created_by,
            "updatedAt": account.updated_at,
        }
    )


def _fields(body: dict[str, Any]) -> tuple[str, list[str], str | None]:
    name = require(body, "name", str, "a non-empty string").strip()
    if not name or len(name) > 100:
        raise bad_field("'name' must be 1-100 characters")
    permissions = require(body, "permissions", list, "a list of permissions")
    if not all(isinstance(p, str) for p in permissions):
        raise bad_field("'permissions' must be a list of strings")
    return name, permissions, optional(body, "description", str, "a string")


@ROUTES.get("/v1/service-accounts")
async def list_accounts(request: web.Request) -> web.Response:
    """``GET /v1/service-accounts``: newest first."""
    who = principal(request)
    limit, offset = paging(request)
    accounts, more = context(request).store.access.accounts_page(who.org_id, limit, offset)
    items = [account_json(a) for a in accounts]
    return ok(request, {"items": items, "limit": limit, "offset": offset, "hasMore": more})


@ROUTES.post("/v1/service-accounts")
async def create_account(request: web.Request) -> web.Response:
    """``POST /v1/service-accounts``: ``name`` (unique, else 409) and ``permissions``."""
    who, body = principal(request), await json_body(request)
    name, permissions, description = _fields(body)
    account = context(request).store.access.create_account(
        who, name, permissions, description or ""
    )
    return ok(request, account_json(account))


@ROUTES.get("/v1/service-accounts/{id}")
async def get_account(request: web.Request) -> web.Response:
    """``GET /v1/service-accounts/{id}``."""
    who = principal(request)
    account = context(request).store.access.account(who.org_id, request.match_info["id"])
    return ok(request, account_json(account))


@ROUTES.patch("/v1/service-accounts/{id}")
async def update_account(request: web.Request) -> web.Response:
    """``PATCH /v1/service-accounts/{id}``: replace name, permissions (both required)."""
    who, body = principal(request), await json_body(request)
    name, permissions, description = _fields(body)
    account = context(request).store.access.update_account(
        who, request.match_info["id"], name, permissions, description
    )
    return ok(request, account_json(account))


@ROUTES.post("/v1/service-accounts/{id}/enable")
async def enable_account(request: web.Request) -> web.Response:
    """``POST …/enable``: its keys work again (revoked ones stay revoked)."""
    who = principal(request)
    access = context(request).store.access
    return ok(request, account_json(access.set_enabled(who.org_id, request.match_info["id"], True)))


@ROUTES.post("/v1/service-accounts/{id}/disable")
async def disable_account(request: web.Request) -> web.Response:
    """``POST …/disable``: its keys stop at once (open streams are closed)."""
    who = principal(request)
    access = context(request).store.access
    account = access.set_enabled(who.org_id, request.match_info["id"], False)
    return ok(request, account_json(account))


@ROUTES.delete("/v1/service-accounts/{id}")
async def delete_account(request: web.Request) -> web.Response:
    """``DELETE /v1/service-accounts/{id}``: revokes its keys, then deletes it for good."""
    who = principal(request)
    access = context(request).store.access
    account = access.account(who.org_id, request.match_info["id"])
    access.delete_account(who.org_id, account.id)
    return ok(request, account_json(account))  # as it was: the OpenAPI leaves `data` untyped
