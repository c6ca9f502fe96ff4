"""Route discovery: one module per API area under testing/routes/, each with its own routes."""

from __future__ import annotations

import importlib

from aiohttp import web

from b3os_async.testing import routes


def test_every_area_module_is_discovered() -> None:
    """discover() returns the ROUTES table of every area module, in areas() order."""
    areas = routes.areas()
    assert areas == [
        "activity",
        "agent_runs",
        "api_keys",
        "caddie",
        "caddie_memory",
        "compute_units",
        "database",
        "execution_hooks",
        "executions",
        "organizations",
        "outbound_webhooks",
        "public",
        "runs",
        "service_accounts",
        "templates",
        "wallet_sessions",
        "wallets",
        "workflows",
        "x402",
    ]
    tables = routes.discover()
    assert tables == [importlib.import_module(f"{routes.__name__}.{a}").ROUTES for a in areas]


# Areas whose paths do not start with their name: caddie serves /v1/ai/*, execution_hooks
# /v1/execution-webhooks; organizations also /v1/orgs/*, /v1/invites and /v1/tiers.
SEGMENTS: dict[str, tuple[str, ...]] = {
    "caddie": ("ai",),
    "execution_hooks": ("execution-webhook",),
    "organizations": ("organization", "orgs", "invites", "tiers"),
}
ORG_PARTS = {
    "cu": "compute_units",
    "wallets": "wallets",
    "sessions": "wallet_sessions",
    "database": "database",
    "caddie-memory": "caddie_memory",
}
"""Sub-resources of ``/v1/organizations/{orgId}/…`` that are areas of their own."""


def test_each_route_lives_in_the_module_of_its_area() -> None:
    """A module's paths all start with its area's name (/v1/workflow-runs is workflows'; an
    organization's sub-resource such as /v1/organizations/{orgId}/cu is its own area's)."""
    for area, table in zip(routes.areas(), routes.discover(), strict=True):
        expected = SEGMENTS.get(area, (area.rstrip("s").replace("_", "-"),))
        for route in table:
            assert isinstance(route, web.RouteDef)
            parts = route.path.split("/")
            if parts[2] == "organizations" and len(parts) > 4 and parts[4] in ORG_PARTS:
                assert ORG_PARTS[parts[4]] == area, (area, route.path)
                continue
            assert parts[2].startswith(expected), (area, route.path)
