"""Authorization: which permission each route needs, and the one check every request passes.

Theory of operation
-------------------
The middleware authenticates the bearer key (``_middleware.py``: a known key, ``X-Org-ID``, a
``read`` key only reading) and then calls :func:`authorize` once. That call:

1. stops a key that no longer works with a 401: revoked (401040), expired (401041), or whose
   service account is disabled or deleted (401042) -- at once, on the very next request;
2. completes the :class:`~b3os_async.testing._domain.organizations.Principal`: a service
   account's key has exactly the account's permissions; a user's key the permissions of the
   member's role (``ROLE_PERMISSIONS``); a ``read`` key only the reading ones (:data:`READING`);
3. refuses a route whose permission (:func:`permission_for`) the caller lacks: 403 with code
   403040 and ``details: [{"permission": …}]``;
4. notes the key's last use, and remembers a stream opened with the key so that revoking the
   key (or disabling its service account) can close it: the client's next reconnect then
   meets the 401.

:func:`record_audit` (an ``on_response_prepare`` signal of the application) appends every
answered request made with a key to its organization's audit log (``GET
/v1/api-keys/requests``): method, path, route, status, time, duration, key id -- never the key.

Which permission a route needs: :data:`EXACT` for the operations the documents single out
(publish, execute, cancel, withdraw, owner-only settings ...), else the first rule of
:data:`PREFIXES` whose prefix starts the route's template (reading, creating = ``POST`` on the
prefix itself, deleting, otherwise updating), else ``org:read`` for reading and ``org:update``
for anything else. ``None`` means any valid key may call it.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from typing import TYPE_CHECKING

import attrs

from b3os_async.testing._common import (
    ACCOUNT_DISABLED,
    KEY_EXPIRED,
    KEY_REVOKED,
    PERMISSION_DENIED,
    ApiError,
    now_iso,
)
from b3os_async.testing._domain.organizations import PERMISSIONS, ROLE_PERMISSIONS
from b3os_async.testing._server import context, request_state

if TYPE_CHECKING:
    from aiohttp import web

    from b3os_async.testing._server import Context

__all__ = ["EXACT", "PREFIXES", "READING", "authorize", "permission_for", "record_audit"]

READING = frozenset(p for p in PERMISSIONS if p.endswith(":read")) | {"run:stream"}
"""What a ``read`` key may do at most (it may also only send GET/HEAD requests)."""

EXACT: dict[tuple[str, str], str | None] = {
    ("GET", "/v1/organizations"): None,  # the token check: any valid key
    ("GET", "/v1/invites"): None,  # the caller's own invites
    ("GET", "/v1/tiers"): None,
    ("GET", "/v1/organizations/{orgId}/public"): None,  # public (no auth) in the API
    ("GET", "/v1/organizations/{orgId}/templates/public"): None,  # public (no auth) in the API
    ("POST", "/v1/workflows"): "workflow:create",
    ("POST", "/v1/workflows/validate"): "workflow:read",
    ("POST", "/v1/workflows/{id}/publish"): "workflow:publish",
    ("POST", "/v1/workflows/{id}/run"): "workflow:execute",
    ("POST", "/v1/runs"): "workflow:execute",
    ("POST", "/v1/runs/{id}/cancel"): "run:cancel",
    ("POST", "/v1/runs/{id}/retry"): "workflow:execute",
    ("POST", "/v1/runs/{id}/nodes/{nodeId}/resume"): "workflow:execute",
    ("POST", "/v1/organizations/{orgId}/database/query"): "database:read",
    ("POST", "/v1/organizations/{orgId}/wallets/{walletId}/withdraw"): "wallet:withdraw",
    ("PUT", "/v1/organizations/{orgId}/auto-swap-settings"): "org:update",
    ("PUT", "/v1/organizations/{orgId}/cu/threshold"): "org:update",
    ("PUT", "/v1/organizations/{orgId}/caddie-memory/org-settings"): "org:update",
}
"""``(method, route template) -> permission`` for the operations singled out."""

PREFIXES: tuple[tuple[str, str, str, str, str], ...] = (
    # (template prefix, read, create, update, delete)
    ("/v1/workflows/{id}/runs", "run:read", "workflow:execute", "workflow:execute", "run:cancel"),
    ("/v1/workflow-runs", "run:read", "workflow:execute", "workflow:execute", "run:cancel"),
    ("/v1/workflows", "workflow:read", "workflow:create", "workflow:update", "workflow:delete"),
    ("/v1/runs", "run:read", "workflow:execute", "workflow:execute", "run:cancel"),
    ("/v1/connector", "connector:read", "connector:create", "connector:update", "connector:delete"),
    ("/v1/actions", "action:read", "workflow:execute", "workflow:execute", "workflow:execute"),
    ("/v1/action-proxy", "action:read", "action_proxy:execute", "action_proxy:execute",
     "action_proxy:execute"),
    ("/v1/executions", "execution:read", "workflow:execute", "workflow:execute",
     "workflow:execute"),
    ("/v1/execution-webhooks", "execution:read", "execution:webhook", "execution:webhook",
     "execution:webhook"),
    ("/v1/outbound-webhook", "execution:read", "execution:webhook", "execution:webhook",
     "execution:webhook"),
    ("/v1/api-keys", "apikey:read", "apikey:create", "apikey:create", "apikey:revoke"),
    ("/v1/service-accounts", "service_account:read", "service_account:write",
     "service_account:write", "service_account:write"),
    ("/v1/ai", "ai:chat", "ai:chat", "ai:chat", "ai:chat"),
    ("/v1/caddie", "ai:chat", "ai:chat", "ai:chat", "ai:chat"),
    ("/v1/agent-runs", "ai:chat", "ai:chat", "ai:chat", "ai:chat"),
    ("/v1/stats", "stats:read", "stats:read", "stats:read", "stats:read"),
    ("/v1/organizations/{orgId}/cu", "stats:read", "org:update", "org:update", "org:update"),
    ("/v1/organizations/{orgId}/ai-credits", "stats:read", "org:update", "org:update",
     "org:update"),
    ("/v1/organizations/{orgId}/database", "database:read", "database:update",
     "database:update", "database:update"),
    ("/v1/organizations/{orgId}/caddie-memory", "ai:chat", "ai:chat", "ai:chat", "ai:chat"),
    ("/v1/orgs/{orgId}/members", "org:read", "member:invite", "member:update_role",
     "member:remove"),
    ("/v1/orgs/{orgId}/invites", "org:read", "member:invite", "member:invite", "member:invite"),
    ("/v1/organizations", "org:read", "org:update", "org:update", "org:delete"),
    ("/v1/orgs", "org:read", "org:update", "org:update", "org:delete"),
    ("/v1/templates", "workflow:read", "workflow:create", "workflow:update", "workflow:delete"),
)  # fmt: skip
"""Rules by route-template prefix, tried in order (see the module docstring)."""

_READ_METHODS = frozenset({"GET", "HEAD"})
_STARTED: contextvars.ContextVar[float] = contextvars.ContextVar("b3os_audit_started")


def permission_for(method: str, template: str) -> str | None:
    """The permission ``method template`` needs (``None``: any valid key)."""
    method = "GET" if method == "HEAD" else method
    if (method, template) in EXACT:
        return EXACT[method, template]
    if method == "GET" and template.endswith("/stream"):
        return "execution:stream" if template.startswith("/v1/executions") else "run:stream"
    for prefix, read, create, update, delete in PREFIXES:
        if template.startswith(prefix):
            if method == "GET":
                return read
            if method == "POST" and template == prefix:
                return create
            return delete if method == "DELETE" else update
    return "org:read" if method == "GET" else "org:update"


def authorize(request: web.Request, ctx: Context) -> None:
    """The one authorization check of a request (see the module docstring); raises ApiError."""
    _STARTED.set(time.monotonic())
    state = request_state()
    who = state.principal
    if who is None:
        return  # no key: a secret or public route, whose handler checks what it needs
    access = ctx.store.access
    key = access.keys.by_id[who.key_id]
    at = now_iso()
    if key.revoked_at is not None:
        raise ApiError(401, KEY_REVOKED, "invalid API key: it was revoked")
    if key.expired(at):
        raise ApiError(401, KEY_EXPIRED, "invalid API key: it has expired")
    account = access.account_of(key)
    if key.service_account_id is not None:
        if account is None or account.status != "active":
            raise ApiError(
                401, ACCOUNT_DISABLED, "invalid API key: its service account is disabled"
            )
        who = attrs.evolve(
            who,
            user_id=account.id,
            service_account_id=account.id,
            role=None,
            permissions=frozenset(account.permissions),
        )
    else:
        org = ctx.store.orgs[key.org_id]
        member = org.members.get(key.user_id or org.user_id)
        role = member.role if member is not None else "owner"
        who = attrs.evolve(
            who, user_id=key.user_id or who.user_id, role=role, permissions=ROLE_PERMISSIONS[role]
        )
    if who.scope == "read":
        who = attrs.evolve(who, permissions=who.permissions & READING)
    state.principal = who
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else request.path
    needed = permission_for(request.method, template)
    if needed is not None and needed not in who.permissions:
        raise ApiError(
            403,
            PERMISSION_DENIED,
            f"this API key lacks the permission {needed!r}",
            [{"permission": needed}],
        )
    key.last_used_at = at
    key.last_used_ip = request.remote
    key.last_used_user_agent = request.headers.get("User-Agent")
    if request.method == "GET" and request.path.endswith("/stream"):
        _remember_stream(request, ctx, key.id)


def _remember_stream(request: web.Request, ctx: Context, key_id: str) -> None:
    transport = request.transport

    def close() -> None:
        # Cut the connection (like a proxy dropping it): the client reconnects with the same
        # key, and the 401 it gets then ends its stream with an authentication error.
        if transport is not None and not transport.is_closing():
            transport.close()

    forget = ctx.store.access.stream_opened(key_id, close)
    task = asyncio.current_task()
    if task is not None:
        task.add_done_callback(lambda _: forget())


async def record_audit(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare``: log a request made with a key in its organization's audit log."""
    try:
        state = request_state()
    except LookupError:
        return
    who = state.principal
    if who is None:
        return
    started = _STARTED.get(None)
    resource = request.match_info.route.resource
    context(request).store.access.record(
        org_id=who.org_id,
        method=request.method,
        path=request.rel_url.raw_path,
        route=resource.canonical if resource is not None else request.path,
        status=response.status,
        created_at=now_iso(),
        duration_ms=0 if started is None else int((time.monotonic() - started) * 1000),
        request_id=state.request_id,
        key_id=who.key_id,
        user_id=who.user_id,
        service_account_id=who.service_account_id,
        user_agent=request.headers.get("User-Agent"),
        client_ip=request.remote,
    )
