"""Area ``activity``: the organization-wide notification stream."""

from __future__ import annotations

from aiohttp import web

from b3os_async.testing import _sse
from b3os_async.testing._server import principal

ROUTES = web.RouteTableDef()


@ROUTES.get("/v1/activity/stream")
async def activity_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/activity/stream``: every notification of the organization (never ends)."""
    return await _sse.notifications(request, principal(request).org_id, lambda event: True)
