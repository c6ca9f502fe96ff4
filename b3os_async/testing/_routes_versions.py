"""Workflow version endpoints: drafts, the live version, version history and rollback.

The version/lifecycle rules are described in ``_store.py``'s docstring.
"""

from __future__ import annotations

from aiohttp import web

from b3os_async.testing._common import BAD_QUERY, ApiError, now_iso
from b3os_async.testing._render import workflow_json
from b3os_async.testing._routes_workflows import (
    check_version,
    find_workflow,
    not_archived,
    notify,
)
from b3os_async.testing._server import json_body, ok, optional, page, paging, require
from b3os_async.testing._store import wrong_state

ROUTES = web.RouteTableDef()


@ROUTES.post("/v1/workflows/{id}/rollback")
async def rollback_workflow(request: web.Request) -> web.Response:
    """``POST …/rollback``: a new draft version with ``targetVersion``'s content."""
    who, workflow = find_workflow(request)
    body = await json_body(request)
    target = require(body, "targetVersion", int, "an integer")
    expected = optional(body, "expectedCurrentVersion", int, "an integer")
    source = not_archived(workflow).version(target)
    check_version("expectedCurrentVersion", expected, workflow.current().number)
    workflow.add_version(source.content, who.user_id, now_iso())
    notify(request, "workflow_rolled_back", workflow)
    return ok(request, workflow_json(workflow))


@ROUTES.delete("/v1/workflows/{id}/draft")
async def discard_draft(request: web.Request) -> web.Response:
    """``DELETE …/draft``: drop the draft; answers the live version."""
    who, workflow = find_workflow(request)
    draft = workflow.draft_version()
    if workflow.live is None:
        raise wrong_state("the draft is the workflow's only version; archive the workflow instead")
    del workflow.versions[draft.number]
    workflow.draft = None
    workflow.updated_at, workflow.updated_by = now_iso(), who.user_id
    notify(request, "workflow_draft_discarded", workflow)
    return ok(request, workflow_json(workflow))


@ROUTES.get("/v1/workflows/{id}/draft")
async def get_draft(request: web.Request) -> web.Response:
    """``GET …/draft``: the draft version (404 if none)."""
    workflow = find_workflow(request)[1]
    return ok(request, workflow_json(workflow, workflow.draft_version()))


@ROUTES.get("/v1/workflows/{id}/live")
async def get_live(request: web.Request) -> web.Response:
    """``GET …/live``: the live version (404 if none)."""
    workflow = find_workflow(request)[1]
    return ok(request, workflow_json(workflow, workflow.live_version()))


@ROUTES.get("/v1/workflows/{id}/versions")
async def list_versions(request: web.Request) -> web.Response:
    """``GET …/versions``: every version, newest first, plus ``currentVersion``."""
    workflow = find_workflow(request)[1]
    limit, offset = paging(request)
    rows = [workflow.versions[number] for number in sorted(workflow.versions, reverse=True)]
    data = page([workflow_json(workflow, row) for row in rows], limit, offset)
    data["currentVersion"] = workflow.current().number
    return ok(request, data)


@ROUTES.get("/v1/workflows/{id}/versions/count")
async def count_versions(request: web.Request) -> web.Response:
    """``GET …/versions/count``: ``{total}``."""
    return ok(request, {"total": len(find_workflow(request)[1].versions)})


@ROUTES.get("/v1/workflows/{id}/versions/{number}")
async def get_version(request: web.Request) -> web.Response:
    """``GET …/versions/{n}``: one version row."""
    workflow = find_workflow(request)[1]
    raw = request.match_info["number"]
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(400, BAD_QUERY, f"version number must be a positive integer, got {raw!r}")
    return ok(request, workflow_json(workflow, workflow.version(int(raw))))
