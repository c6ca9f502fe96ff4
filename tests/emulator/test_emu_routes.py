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
        "execution_hooks",
        "organizations",
        "outbound_webhooks",
        "runs",
        "workflows",
    ]
    tables = routes.discover()
    assert tables == [importlib.import_module(f"{routes.__name__}.{a}").ROUTES for a in areas]


# Areas whose SDK name is not their path's (b3.execution_hooks serves /v1/execution-webhooks).
PATH_NAMES = {"execution_hooks": "execution-webhooks"}


def test_each_route_lives_in_the_module_of_its_area() -> None:
    """A module's paths all start with its area's name (/v1/workflow-runs is workflows')."""
    for area, table in zip(routes.areas(), routes.discover(), strict=True):
        name = PATH_NAMES.get(area, area).replace("_", "-").rstrip("s")
        for route in table:
            assert isinstance(route, web.RouteDef)
            segment = route.path.split("/")[2]
            assert segment.startswith(name), (area, route.path)
