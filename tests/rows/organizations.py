"""Request shapes of ``b3.organizations`` (row format: ``tests/test_request_shapes.py``).

Methods of ``{orgId}`` paths learn the key's organization first (``GET /v1/organizations``,
once per client) unless ``org_id`` is given.
"""

from __future__ import annotations

from support.table import Bare, Req, Row

from b3os_async.models import AutoSwapSource

ORG = {"id": "org_1", "name": "Acme", "slug": "acme"}
LEARN = Req("GET", "/v1/organizations", {"limit": ["1"]})
"""The one request that learns the client's organization."""
LEARNT = {"items": [ORG], "hasMore": False}
SWAP = {"enabled": True, "mode": "manual", "sources": []}
SOURCE = {"walletId": "wal_1", "chainId": 8453, "tokenAddress": "native", "priority": 0}

ROWS = [
    Row(
        "organizations.list",
        lambda b3: b3.organizations.list(),
        Req("GET", "/v1/organizations", {"offset": ["0"]}),
        LEARNT,
    ),
    Row(
        "organizations.current",
        lambda b3: b3.organizations.current(),
        [LEARN, Req("GET", "/v1/organizations", {"limit": ["100"], "offset": ["0"]})],
        [LEARNT, LEARNT],
    ),
    Row(
        "organizations.public",
        lambda b3: b3.organizations.public("org_2"),
        Req("GET", "/v1/organizations/org_2/public"),
        {"id": "org_2", "name": "Other"},
    ),
    Row(
        "organizations.public",
        lambda b3: b3.organizations.public(),
        [LEARN, Req("GET", "/v1/organizations/org_1/public")],
        [LEARNT, ORG],
        note="the key's organization",
    ),
    Row(
        "organizations.public_templates",
        lambda b3: b3.organizations.public_templates("org_2", page_size=10),
        Req("GET", "/v1/organizations/org_2/templates/public", {"limit": ["10"], "offset": ["0"]}),
        {"items": [{"id": "tpl_1", "name": "Alert", "visibility": "public"}], "hasMore": False},
    ),
    Row(
        "organizations.members",
        lambda b3: b3.organizations.members(page_size=5),
        [LEARN, Req("GET", "/v1/orgs/org_1/members", {"limit": ["5"], "offset": ["0"]})],
        [LEARNT, {"items": [{"id": "mem_1", "role": "owner"}], "hasMore": False}],
    ),
    Row(
        "organizations.invites",
        lambda b3: b3.organizations.invites(org_id="org_1"),
        Req("GET", "/v1/orgs/org_1/invites", {"offset": ["0"]}),
        {"items": [{"id": "inv_1", "status": "pending"}], "hasMore": False},
    ),
    Row(
        "organizations.my_invites",
        lambda b3: b3.organizations.my_invites(),
        Req("GET", "/v1/invites", {"offset": ["0"]}),
        {"items": [{"id": "inv_1", "organizationName": "Acme"}], "hasMore": False},
    ),
    Row(
        "organizations.tiers",
        lambda b3: b3.organizations.tiers(),
        Req("GET", "/v1/tiers"),
        Bare({"tiers": [{"name": "free", "priceUSDCents": 0}]}),
    ),
    Row(
        "organizations.plan_options",
        lambda b3: b3.organizations.plan_options(org_id="org_1"),
        Req("GET", "/v1/organizations/org_1/plan-options"),
        Bare({"currentTier": "free", "options": [{"tier": "pro", "action": "upgrade"}]}),
    ),
    Row(
        "organizations.ai_credit_usage",
        lambda b3: b3.organizations.ai_credit_usage("2025-01", org_id="org_1"),
        Req("GET", "/v1/organizations/org_1/ai-credits/usage", {"yearMonth": ["2025-01"]}),
        {"yearMonth": "2025-01", "summary": {"used": 3}},
    ),
    Row(
        "organizations.auto_swap_settings",
        lambda b3: b3.organizations.auto_swap_settings(org_id="org_1"),
        Req("GET", "/v1/organizations/org_1/auto-swap-settings"),
        SWAP,
    ),
    Row(
        "organizations.update_auto_swap_settings",
        lambda b3: b3.organizations.update_auto_swap_settings(
            enabled=True,
            mode="manual",
            max_swap_amount_usd=50,
            sources=[
                AutoSwapSource(wallet_id="wal_1", chain_id=8453, token_address="native", priority=0)
            ],
            org_id="org_1",
        ),
        Req(
            "PUT",
            "/v1/organizations/org_1/auto-swap-settings",
            json={"enabled": True, "mode": "manual", "maxSwapAmountUsd": 50, "sources": [SOURCE]},
        ),
        SWAP,
    ),
]
