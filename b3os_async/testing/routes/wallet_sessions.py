"""Area ``wallet_sessions``: session keys of the organization's wallets (list, create, revoke).

A session key is a delegated signer of one wallet, installed per chain, with policies and an
expiry; expired and revoked sessions leave the list. Answers are bare, as the OpenAPI declares
them. Rules: ``_domain/wallets.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import bad_field, compact, iso, now_iso, parse_time
from b3os_async.testing._domain.wallets import is_address
from b3os_async.testing._server import bare, context, json_body, optional, page, paging, require
from b3os_async.testing.routes._orgs import own_org

if TYPE_CHECKING:
    from b3os_async.testing._domain.wallets import Session

ROUTES = web.RouteTableDef()

MAX_INSTALLS = 24


def session_json(session: Session) -> dict[str, Any]:
    """A ``SessionItem``."""
    return compact(
        {
            "id": session.id,
            "walletId": session.wallet_id,
            "sessionAddress": session.session_address,
            "workflowId": session.workflow_id,
            "policies": session.policies,
            "createdAt": session.created_at,
            "expiresAt": session.expires_at,
        }
    )


@ROUTES.get("/v1/organizations/{orgId}/sessions")
async def list_sessions(request: web.Request) -> web.Response:
    """``GET …/sessions``: active session keys (not revoked, not expired), newest first."""
    _, org = own_org(request)
    limit, offset = paging(request)
    sessions = context(request).store.wallets.active_sessions(org.id)
    return bare(request, page([session_json(s) for s in sessions], limit, offset))


def _installs(body: dict[str, Any]) -> list[int]:
    installs = require(body, "installs", list, "a list of {chainId, serialized}")
    if not 1 <= len(installs) <= MAX_INSTALLS:
        raise bad_field(f"'installs' must hold 1-{MAX_INSTALLS} items")
    chain_ids = []
    for index, install in enumerate(installs):
        chain_id = install.get("chainId") if isinstance(install, dict) else None
        if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id < 1:
            raise bad_field(f"installs[{index}].chainId must be a positive integer")
        if not isinstance(install.get("serialized"), str) or not install["serialized"]:
            raise bad_field(f"installs[{index}].serialized is required")
        chain_ids.append(chain_id)
    return chain_ids


@ROUTES.post("/v1/organizations/{orgId}/sessions")
async def create_session(request: web.Request) -> web.Response:
    """``POST …/sessions``: one session key per chain install, sharing a group id."""
    _, org = own_org(request)
    body = await json_body(request)
    wallet_id = require(body, "walletId", str, "a wallet id")
    address = require(body, "sessionAddress", str, "a 0x address")
    if not is_address(address):
        raise bad_field("'sessionAddress' must be a 0x-prefixed 20-byte hex address")
    moment = parse_time(require(body, "expiresAt", str, "an RFC 3339 timestamp"))
    if moment is None:
        raise bad_field("'expiresAt' must be an RFC 3339 timestamp with a zone")
    expires_at = iso(moment)
    if expires_at <= now_iso():
        raise bad_field("'expiresAt' must be in the future")
    policies = require(body, "policies", dict, "an object")
    chain_ids = _installs(body)
    workflow_id = optional(body, "workflowId", str, "a workflow id")
    store = context(request).store
    if workflow_id is not None:
        store.workflows.get(org.id, workflow_id)  # 404 unless it is one of the org's workflows
    sessions = store.wallets.add_sessions(
        org.id, wallet_id, address, expires_at, chain_ids, policies, workflow_id
    )
    first = sessions[0]
    return bare(
        request,
        {
            "sessionGroupId": first.group_id,
            "walletId": first.wallet_id,
            "sessionAddress": first.session_address,
            "createdAt": first.created_at,
            "sessions": [
                {"id": s.id, "chainId": s.chain_id, "expiresAt": s.expires_at} for s in sessions
            ],
        },
    )


@ROUTES.delete("/v1/organizations/{orgId}/sessions/{id}")
async def revoke_session(request: web.Request) -> web.Response:
    """``DELETE …/sessions/{id}``: ``{id, revokedAt}`` (409042 when already revoked)."""
    _, org = own_org(request)
    session = context(request).store.wallets.revoke_session(org.id, request.match_info["id"])
    return bare(request, {"id": session.id, "revokedAt": session.revoked_at})
