"""Route discovery: one module per API area under testing/routes/, each with its own routes."""

from __future__ import annotations

import importlib

from aiohttp import web

from b3os_async.testing import routes


def test_every_area_module_is_discovered() -> None:
    """discover() returns the ROUTES table of every area module, in areas() order."""
    areas = routes.areas()
    assert areas == [
        "actions", "activity", "agent_runs", "api_keys", "caddie", "caddie_memory",
        "compute_units", "connectors", "database", "execution_hooks", "executions", "metrics",
        "organizations", "outbound_webhooks", "public", "runs", "search", "service_accounts",
        "tags", "templates", "triggers", "wallet_sessions", "wallets", "workflow_insights",
        "workflow_releases", "workflow_schedules", "workflow_settings", "workflow_variables",
        "workflows", "x402",
    ]  # fmt: skip
    tables = routes.discover()
    assert tables == [importlib.import_module(f"{routes.__name__}.{a}").ROUTES for a in areas]


# Areas whose paths do not start with their name: caddie serves /v1/ai/*, execution_hooks
# /v1/execution-webhooks; organizations also /v1/orgs/*, /v1/invites and /v1/tiers. (The
# sub-areas of workflows, workflow_variables ..., declare ALSO_SERVES = ("/v1/workflows/",).)
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
    """A module's paths start with its area's name (/v1/workflow-runs is workflows'), or with
    one of the prefixes its ``ALSO_SERVES`` declares (/v1/cu/costs is actions'); an
    organization's sub-resource such as /v1/organizations/{orgId}/cu is its own area's."""
    for area in routes.areas():
        module = importlib.import_module(f"{routes.__name__}.{area}")
        expected = SEGMENTS.get(area, (area.rstrip("s").replace("_", "-"),))
        also: tuple[str, ...] = getattr(module, "ALSO_SERVES", ())
        for route in module.ROUTES:
            assert isinstance(route, web.RouteDef)
            parts = route.path.split("/")
            if parts[2] == "organizations" and len(parts) > 4 and parts[4] in ORG_PARTS:
                assert ORG_PARTS[parts[4]] == area, (area, route.path)
                continue
            declared = any(route.path.startswith(prefix) for prefix in also)
            assert parts[2].startswith(expected) or declared, (area, route.path)


def test_declared_foreign_prefixes_are_used() -> None:
    """Every ``ALSO_SERVES`` prefix of a module serves at least one of its routes."""
    for area in routes.areas():
        module = importlib.import_module(f"{routes.__name__}.{area}")
        paths = [route.path for route in module.ROUTES if isinstance(route, web.RouteDef)]
        for prefix in getattr(module, "ALSO_SERVES", ()):
            assert any(path.startswith(prefix) for path in paths), (area, prefix)
