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
        "caddie",
        "execution_hooks",
        "executions",
        "metrics",
        "organizations",
        "outbound_webhooks",
        "public",
        "runs",
        "templates",
        "workflow_insights",
        "workflow_releases",
        "workflow_schedules",
        "workflow_settings",
        "workflow_variables",
        "workflows",
        "x402",
    ]
    tables = routes.discover()
    assert tables == [importlib.import_module(f"{routes.__name__}.{a}").ROUTES for a in areas]


# Areas whose paths do not start with their name: caddie serves /v1/ai/*, execution_hooks
# serves /v1/execution-webhooks, the sub-areas of workflows (workflow_variables ...) serve
# /v1/workflows/....
SEGMENTS = {
    "caddie": "ai",
    "execution_hooks": "execution-webhook",
    **dict.fromkeys(
        (
            "workflow_insights",
            "workflow_releases",
            "workflow_schedules",
            "workflow_settings",
            "workflow_variables",
        ),
        "workflow",
    ),
}


def test_each_route_lives_in_the_module_of_its_area() -> None:
    """A module's paths all start with its area's name (/v1/workflow-runs is workflows'; a
    sub-area such as workflow_variables serves /v1/workflows/...)."""
    for area, table in zip(routes.areas(), routes.discover(), strict=True):
        expected = SEGMENTS.get(area, area.rstrip("s").replace("_", "-"))
        for route in table:
            assert isinstance(route, web.RouteDef)
            segment = route.path.split("/")[2]
            assert segment.startswith(expected), (area, route.path)
