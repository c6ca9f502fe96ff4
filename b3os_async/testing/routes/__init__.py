"""The emulator's HTTP routes: one module per API area, found at start-up (no registration list).

Every module of this package whose name does not start with ``_`` is one API area, named like the
SDK's ``b3os_async/resources/<area>.py`` and ``b3os_async/models/<area>.py``, and exposes
``ROUTES``, an ``aiohttp.web.RouteTableDef`` with the area's thin handlers: parse and validate
the input, call the domain (``_domain/``, ``_collection.py``), render JSON. A stream route lives
in the module of its area; the SSE framing they share is ``_sse.py``. Helper modules for routes
start with ``_`` and are not areas.

A module serves the paths that start with its area's name (``/v1/workflow-runs`` is
``workflows``'); an area whose API paths do not all do (``actions`` also serves
``/v1/logic-actions`` and ``/v1/cu/costs``) lists those prefixes in ``ALSO_SERVES`` (a test
checks both).

Within a module, a literal path must be declared before a templated one it would also match
(``/v1/runs/status-counts`` before ``/v1/runs/{id}``): aiohttp tries routes in that order.
"""

from __future__ import annotations

import importlib
import pkgutil

from aiohttp import web


def areas() -> list[str]:
    """The API areas the emulator serves (the route modules' names), sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if info.name[0] != "_")


def discover() -> list[web.RouteTableDef]:
    """The ``ROUTES`` of every area module, in :func:`areas` order."""
    tables: list[web.RouteTableDef] = []
    for area in areas():
        module = importlib.import_module(f"{__name__}.{area}")
        routes = getattr(module, "ROUTES", None)
        if not isinstance(routes, web.RouteTableDef):
            raise RuntimeError(f"emulator route module {module.__name__} defines no ROUTES table")
        tables.append(routes)
    return tables
