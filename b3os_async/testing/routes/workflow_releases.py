"""Area ``workflow_releases``: release (publish as a release), the release history, reverts.

The rules and the (undocumented, so the emulator's own) release shape are the domain's
(``_domain/workflow_releases.py``).
"""

from __future__ import annotations

from aiohttp import web

from b3os_async.testing._common import BAD_QUERY, ApiError, dumps
from b3os_async.testing._domain.workflow_releases import release_json
from b3os_async.testing._server import (
    context,
    json_body,
    ok,
    ok_page,
    optional,
    paging,
    principal,
    require,
)

ROUTES = web.RouteTableDef()
# A sub-area of workflows: its paths are /v1/workflows/{id}/....
ALSO_SERVES = ("/v1/workflows/",)


@ROUTES.post("/v1/workflows/{id}/release")
async def release(request: web.Request) -> web.Response:
    """``POST …/release``: publish the draft and record a release (``expectedVersion``)."""
    who = principal(request)
    releases = context(request).store.releases
    context(request).store.workflows.get(who.org_id, request.match_info["id"])  # 404 first
    expected = optional(await json_body(request), "expectedVersion", int, "an integer")
    return ok(request, release_json(releases.release(who, request.match_info["id"], expected)))


@ROUTES.get("/v1/workflows/{id}/releases")
async def list_releases(request: web.Request) -> web.Response:
    """``GET …/releases``: the release history, newest first."""
    store = context(request).store
    workflow = store.workflows.get(principal(request).org_id, request.match_info["id"])
    limit, offset = paging(request)
    found, more = store.releases.page(workflow, limit, offset)
    return ok_page(request, [dumps(release_json(r)) for r in found], limit, offset, more)


@ROUTES.post("/v1/workflows/{id}/releases/{number}/revert")
async def revert_release(request: web.Request) -> web.Response:
    """``POST …/releases/{n}/revert``: release ``n``'s version goes live again, as a release."""
    raw = request.match_info["number"]
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(400, BAD_QUERY, f"release version must be a positive integer, got {raw!r}")
    who = principal(request)
    found = context(request).store.releases.revert(who, request.match_info["id"], int(raw))
    return ok(request, release_json(found))


@ROUTES.post("/v1/workflows/{id}/revert-to-version")
async def revert_to_version(request: web.Request) -> web.Response:
    """``POST …/revert-to-version``: ``{workflowVersion}`` goes live again, as a release."""
    who = principal(request)
    store = context(request).store
    store.workflows.get(who.org_id, request.match_info["id"])  # 404 before the body
    version = require(await json_body(request), "workflowVersion", int, "an integer")
    found = store.releases.revert_to_version(who, request.match_info["id"], version)
    return ok(request, release_json(found))
