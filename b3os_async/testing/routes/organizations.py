"""Area ``organizations``: the key's organization, its members and invites, plans, auto-swap.

Every ``{orgId}`` path must name the API key's organization (404040 otherwise, ``_orgs.py``),
except the public metadata and public templates (any organization, no key: routes named
``public.…``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import (
    BAD_FIELD,
    ORG_NOT_FOUND,
    ApiError,
    bad_field,
    compact,
    not_found,
)
from b3os_async.testing._domain.plans import (
    TIERS,
    ai_credit_usage,
    check_year_month,
    plan_options,
)
from b3os_async.testing._domain.wallets import NATIVE, is_address
from b3os_async.testing._server import bare, context, json_body, ok, paging, principal
from b3os_async.testing.routes._orgs import own_org
from b3os_async.testing.routes.templates import template_json

if TYPE_CHECKING:
    from b3os_async.testing._domain.organizations import Invite, Member, Org
    from b3os_async.testing._store import Store

ROUTES = web.RouteTableDef()

SWAP_MODES = ("manual", "auto_highest_balance", "auto_lowest_balance")


def org_json(org: Org, store: Store) -> dict[str, Any]:
    """An ``Organization``."""
    return compact(
        {
            "id": org.id,
            "slug": org.slug,
            "name": org.name,
            "description": org.description,
            "tier": org.tier,
            "cuMinThreshold": store.credits.account(org.id).min_threshold,
            "createdAt": org.created_at,
            "createdBy": org.user_id,
            "updatedAt": org.created_at,
        }
    )


def member_json(member: Member) -> dict[str, Any]:
    """An ``OrganizationMember``."""
    return compact(
        {
            "id": member.id,
            "organizationId": member.org_id,
            "userId": member.user_id,
            "userEmail": member.email,
            "role": member.role,
            "invitedBy": member.invited_by,
            "createdAt": member.created_at,
            "updatedAt": member.created_at,
        }
    )


def invite_json(invite: Invite, org_name: str | None = None) -> dict[str, Any]:
    """An ``OrganizationInvite`` (an ``InviteWithOrgName`` with ``org_name``)."""
    return compact(
        {
            "id": invite.id,
            "organizationId": invite.org_id,
            "organizationName": org_name,
            "inviteeEmail": invite.email,
            "inviteeUserId": invite.invitee_user_id,
            "role": invite.role,
            "status": invite.status,
            "invitedBy": invite.invited_by,
            "expiresAt": invite.expires_at,
            "createdAt": invite.created_at,
            "updatedAt": invite.created_at,
        }
    )


def _page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    window = items[offset : offset + limit]
    return {
        "items": window,
        "limit": limit,
        "offset": offset,
        "hasMore": offset + limit < len(items),
    }


@ROUTES.get("/v1/organizations")
async def list_organizations(request: web.Request) -> web.Response:
    """``GET /v1/organizations``: the API key's organization (keys are bound to one)."""
    who = principal(request)
    limit, offset = paging(request)
    store = context(request).store
    return ok(request, _page([org_json(store.orgs[who.org_id], store)], limit, offset))


@ROUTES.get("/v1/organizations/{orgId}/public", name="public.organization")
async def public_organization(request: web.Request) -> web.Response:
    """``GET /v1/organizations/{orgId}/public``: any organization's public metadata."""
    org = context(request).store.orgs.get(request.match_info["orgId"])
    if org is None:
        raise not_found(ORG_NOT_FOUND, f"organization {request.match_info['orgId']!r}")
    return ok(
        request,
        compact(
            {"id": org.id, "slug": org.slug, "name": org.name, "description": org.description,
             "createdAt": org.created_at}
        ),
    )  # fmt: skip


@ROUTES.get("/v1/organizations/{orgId}/templates/public", name="public.organization_templates")
async def public_templates(request: web.Request) -> web.Response:
    """``GET …/templates/public``: an organization's public templates, newest change first."""
    store = context(request).store
    org_id = request.match_info["orgId"]
    if org_id not in store.orgs:
        raise not_found(ORG_NOT_FOUND, f"organization {org_id!r}")
    limit, offset = paging(request)
    found, more = store.templates.public_of(org_id, limit, offset)
    items = [template_json(template) for template in found]
    return ok(request, {"items": items, "limit": limit, "offset": offset, "hasMore": more})


@ROUTES.get("/v1/orgs/{orgId}/members")
async def list_members(request: web.Request) -> web.Response:
    """``GET /v1/orgs/{orgId}/members``: in joining order (the owner first)."""
    _, org = own_org(request)
    limit, offset = paging(request)
    return ok(request, _page([member_json(m) for m in org.members.values()], limit, offset))


@ROUTES.get("/v1/orgs/{orgId}/invites")
async def list_org_invites(request: web.Request) -> web.Response:
    """``GET /v1/orgs/{orgId}/invites``: pending invites, newest first."""
    _, org = own_org(request)
    limit, offset = paging(request)
    return ok(request, _page([invite_json(i) for i in org.pending_invites()], limit, offset))


@ROUTES.get("/v1/invites")
async def list_my_invites(request: web.Request) -> web.Response:
    """``GET /v1/invites``: invites of the caller's email to other organizations, pending."""
    who = principal(request)
    limit, offset = paging(request)
    store = context(request).store
    own = store.orgs[who.org_id]
    member = own.members.get(who.user_id)
    email = member.email if member is not None else None
    # Organizations are few in an emulator: a scan is fine here (lists of objects that grow,
    # such as workflows and runs, page through indexes instead).
    items = [
        invite_json(invite, org.name)
        for org in store.orgs.values()
        for invite in org.pending_invites()
        if email is not None and invite.email.lower() == email.lower()
    ]
    return ok(request, _page(items, limit, offset))


@ROUTES.get("/v1/tiers")
async def list_tiers(request: web.Request) -> web.Response:
    """``GET /v1/tiers``: bare ``{tiers}``, as the OpenAPI declares."""
    return bare(request, {"tiers": [dict(tier) for tier in TIERS]})


@ROUTES.get("/v1/organizations/{orgId}/plan-options")
async def get_plan_options(request: web.Request) -> web.Response:
    """``GET …/plan-options``: bare ``GetPlanOptionsResponse``."""
    _, org = own_org(request)
    return bare(request, plan_options(org.tier))


@ROUTES.get("/v1/organizations/{orgId}/ai-credits/usage")
async def get_ai_credit_usage(request: web.Request) -> web.Response:
    """``GET …/ai-credits/usage?yearMonth=YYYY-MM``."""
    _, org = own_org(request)
    year_month = check_year_month(request.query.get("yearMonth"))
    credits = context(request).store.caddie.credits
    return ok(request, ai_credit_usage(credits, org.id, org.created_at, year_month))


def default_auto_swap() -> dict[str, Any]:
    """The settings of an organization that never configured auto-swap (disabled)."""
    return {"enabled": False, "maxSwapAmountUsd": 0, "mode": "auto_lowest_balance", "sources": []}


@ROUTES.get("/v1/organizations/{orgId}/auto-swap-settings")
async def get_auto_swap(request: web.Request) -> web.Response:
    """``GET …/auto-swap-settings``: a disabled default until configured."""
    _, org = own_org(request)
    return ok(request, org.auto_swap if org.auto_swap is not None else default_auto_swap())


def _source(store: Store, org_id: str, raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise bad_field(f"sources[{index}] must be an object")
    wallet_id = raw.get("walletId")
    if not isinstance(wallet_id, str):
        raise bad_field(f"sources[{index}].walletId is required")
    store.wallets.get(org_id, wallet_id)  # 404 unless it is one of the org's wallets
    chain_id, token = raw.get("chainId"), raw.get("tokenAddress")
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id < 1:
        raise bad_field(f"sources[{index}].chainId must be a positive integer")
    if token != NATIVE and not is_address(token):
        raise bad_field(f"sources[{index}].tokenAddress must be 'native' or a 0x address")
    slippage = raw.get("slippageBps", 300)
    if isinstance(slippage, bool) or not isinstance(slippage, int) or not 0 <= slippage <= 8000:
        raise bad_field(f"sources[{index}].slippageBps must be an integer 0-8000")
    priority = raw.get("priority", index)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise bad_field(f"sources[{index}].priority must be an integer")
    decimals = raw.get("tokenDecimals")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int)):
        raise bad_field(f"sources[{index}].tokenDecimals must be an integer")
    source_id = raw.get("id") or store.ids.new("swsrc_", 12)
    return compact(
        {"id": source_id, "walletId": wallet_id, "chainId": chain_id, "tokenAddress": token,
         "tokenDecimals": decimals, "slippageBps": slippage, "priority": priority}
    )  # fmt: skip


@ROUTES.put("/v1/organizations/{orgId}/auto-swap-settings")
async def put_auto_swap(request: web.Request) -> web.Response:
    """``PUT …/auto-swap-settings``: owners only; given fields replace the stored ones."""
    _, org = own_org(request)
    body = await json_body(request)
    store = context(request).store
    settings = dict(org.auto_swap if org.auto_swap is not None else default_auto_swap())
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise bad_field("'enabled' must be a boolean")
        settings["enabled"] = body["enabled"]
    if "maxSwapAmountUsd" in body:
        cap = body["maxSwapAmountUsd"]
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap < 0:
            raise bad_field("'maxSwapAmountUsd' must be a number >= 0 (0 = no limit)")
        settings["maxSwapAmountUsd"] = cap
    if "mode" in body:
        if body["mode"] not in SWAP_MODES:
            raise ApiError(400, BAD_FIELD, f"'mode' must be one of {', '.join(SWAP_MODES)}")
        settings["mode"] = body["mode"]
    if "sources" in body:
        if not isinstance(body["sources"], list):
            raise bad_field("'sources' must be a list")
        sources = [_source(store, org.id, raw, i) for i, raw in enumerate(body["sources"])]
        settings["sources"] = sorted(sources, key=lambda s: s["priority"])
    org.auto_swap = settings
    return ok(request, settings)
