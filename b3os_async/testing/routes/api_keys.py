"""Area ``api_keys``: the organization's API keys and the audit log of the requests made with them.

The key itself (``b3sk_…``) is in the create answer only (``key``); everything else shows
``keyPrefix``. The rules (limit, service-account callers, revocation closing streams) are in
``_domain/access.py``; which permission each route needs is in ``_auth.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import bad_field, compact, iso, now_iso, parse_time
from b3os_async.testing._server import (
    context,
    json_body,
    json_response,
    ok,
    optional,
    paging,
    principal,
    request_id,
    require,
)

if TYPE_CHECKING:
    from b3os_async.testing._domain.access import AuditEntry
    from b3os_async.testing._domain.organizations import ApiKey

ROUTES = web.RouteTableDef()

SCOPES = ("read", "read-write")


def key_json(key: ApiKey) -> dict[str, Any]:
    """An ``APIKey`` (never the key itself)."""
    return compact(
        {
            "id": key.id,
            "organizationId": key.org_id,
            "name": key.name,
            "description": key.description,
            "keyPrefix": key.key_prefix,
            "scope": key.scope,
            "expiresAt": key.expires_at,
            "revokedAt": key.revoked_at,
            "lastUsedAt": key.last_used_at,
            "lastUsedIp": key.last_used_ip,
            "lastUsedUserAgent": key.last_used_user_agent,
            "userId": key.user_id,
            "serviceAccountId": key.service_account_id,
            "createdAt": key.created_at,
            "createdBy": key.created_by,
        }
    )


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    """An ``APIRequestAudit``."""
    return compact(
        {
            "id": entry.id,
            "organizationId": entry.org_id,
            "method": entry.method,
            "path": entry.path,
            "routePattern": entry.route,
            "statusCode": entry.status,
            "durationMs": entry.duration_ms,
            "requestId": entry.request_id,
            "apiKeyId": entry.key_id,
            "serviceAccountId": entry.service_account_id,
            "principalType": "service_account" if entry.service_account_id else "api_key",
            "principalId": entry.service_account_id or entry.key_id,
            "userId": entry.user_id,
            "userAgent": entry.user_agent,
            "clientIp": entry.client_ip,
            "createdAt": entry.created_at,
        }
    )


def _page(items: list[dict[str, Any]], limit: int, offset: int, more: bool) -> dict[str, Any]:
    return {"items": items, "limit": limit, "offset": offset, "hasMore": more}


@ROUTES.get("/v1/api-keys/requests")
async def list_requests(request: web.Request) -> web.Response:
    """``GET /v1/api-keys/requests``: the audit log, newest first (filters: key, account)."""
    who = principal(request)
    limit, offset = paging(request)
    entries, more = context(request).store.access.audit_page(
        who.org_id,
        limit,
        offset,
        key_id=request.query.get("apiKeyId") or None,
        account_id=request.query.get("serviceAccountId") or None,
    )
    return ok(request, _page([audit_json(e) for e in entries], limit, offset, more))


@ROUTES.get("/v1/api-keys")
async def list_keys(request: web.Request) -> web.Response:
    """``GET /v1/api-keys``: the organization's keys, newest first (revoked ones included)."""
    who = principal(request)
    limit, offset = paging(request)
    keys, more = context(request).store.access.keys_page(who.org_id, limit, offset)
    return ok(request, _page([key_json(k) for k in keys], limit, offset, more))


@ROUTES.post("/v1/api-keys")
async def create_key(request: web.Request) -> web.Response:
    """``POST /v1/api-keys``: a new key; the answer's ``key`` is the only time it is shown."""
    who, body = principal(request), await json_body(request)
    name = require(body, "name", str, "a non-empty string").strip()
    if not name or len(name) > 100:
        raise bad_field("'name' must be 1-100 characters")
    scope = optional(body, "scope", str, "a string") or "read"
    if scope not in SCOPES:
        raise bad_field("'scope' must be 'read' or 'read-write'")
    expires_at = optional(body, "expiresAt", str, "an RFC 3339 timestamp")
    if expires_at is not None:
        moment = parse_time(expires_at)
        if moment is None:
            raise bad_field("'expiresAt' must be an RFC 3339 timestamp with a zone")
        expires_at = iso(moment)
        if expires_at <= now_iso():
            raise bad_field("'expiresAt' must be in the future")
    key = context(request).store.access.create_key(
        who,
        name=name,
        scope=scope,
        description=optional(body, "description", str, "a string") or "",
        expires_at=expires_at,
        service_account_id=optional(body, "serviceAccountId", str, "a string"),
    )
    return ok(request, {**key_json(key), "key": key.secret})


@ROUTES.get("/v1/api-keys/{id}")
async def get_key(request: web.Request) -> web.Response:
    """``GET /v1/api-keys/{id}``."""
    who = principal(request)
    key = context(request).store.access.key(who.org_id, request.match_info["id"])
    return ok(request, key_json(key))


@ROUTES.delete("/v1/api-keys/{id}")
async def revoke_key(request: web.Request) -> web.Response:
    """``DELETE /v1/api-keys/{id}``: revoke (the record stays, with ``revokedAt``)."""
    who = principal(request)
    context(request).store.access.revoke(who.org_id, request.match_info["id"])
    rid = request_id(request)
    return json_response(200, {"code": 200, "message": "API key revoked", "requestId": rid}, rid)
