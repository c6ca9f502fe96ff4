"""Area ``workflow_insights``: counts, batch metadata and stats, links, resolve, fund analysis.

Read-only views of the workflow and run books. ``…/counts`` and ``…/owner-counts`` walk the
organization's workflows (the filters make counters impossible); the others cost what they
return. The literal paths (``/v1/workflows/counts`` …) are registered before the ``workflows``
module's ``/v1/workflows/{id}`` (modules load in name order).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import (
    INVALID_DEFINITION,
    WORKFLOW_NOT_FOUND,
    ApiError,
    bad_field,
    compact,
    not_found,
)
from b3os_async.testing._domain.funds import analyze_funds
from b3os_async.testing._graph import nodes_of, shape_error, trigger_ids
from b3os_async.testing._server import context, int_param, json_body, ok, optional, principal
from b3os_async.testing.routes.workflows import workflow_query

if TYPE_CHECKING:
    from b3os_async.testing._domain.workflows import Workflow

ROUTES = web.RouteTableDef()
# A sub-area of workflows: its paths are /v1/workflows/{id}/....
ALSO_SERVES = ("/v1/workflows/",)

MAX_BATCH = 200
RECENT_RUNS = 5


def _found(request: web.Request) -> Workflow:
    return context(request).store.workflows.get(principal(request).org_id, request.match_info["id"])


def _batch(body: dict[str, Any], request: web.Request) -> list[Workflow]:
    """The caller's workflows named by ``workflowIds`` (1-200 strings; unknown ids dropped)."""
    ids = body.get("workflowIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_BATCH:
        raise bad_field(f"'workflowIds' must be a list of 1 to {MAX_BATCH} workflow ids")
    if not all(isinstance(item, str) for item in ids):
        raise bad_field("'workflowIds' must hold strings")
    org_id = principal(request).org_id
    book = context(request).store.workflows
    found = [book.find(item) for item in dict.fromkeys(ids)]
    return [w for w in found if w is not None and w.org_id == org_id]


@ROUTES.get("/v1/workflows/counts")
async def workflow_counts(request: web.Request) -> web.Response:
    """``GET /v1/workflows/counts``: counts by status under the list's filters (not status)."""
    query = workflow_query(request, None)
    keep = query.matcher() or (lambda workflow: True)
    book = context(request).store.workflows
    org_id = principal(request).org_id
    counts = dict.fromkeys(("active", "archived", "draft", "paused", "total"), 0)
    types: set[str] = set()
    connectors: set[str] = set()
    for workflow in filter(keep, book.iterate(org_id, archived=False)):
        counts["total"] += 1
        for status in workflow.lifecycle():
            counts[status] += 1
        derived = workflow.current().derived
        types.update([derived.trigger_type] if derived.trigger_type else [])
        connectors.update(derived.connector_types)
    counts["archived"] = sum(1 for _ in filter(keep, book.iterate(org_id, archived=True)))
    body = {**counts, "availableTypes": sorted(types), "availableConnectors": sorted(connectors)}
    return ok(request, body)


@ROUTES.get("/v1/workflows/owner-counts")
async def owner_counts(request: web.Request) -> web.Response:
    """``GET /v1/workflows/owner-counts``: ``{yours, org, public}`` (archived ones left out)."""
    who = principal(request)
    workflows = context(request).store.workflows.iterate(who.org_id, archived=False)
    return ok(
        request,
        {
            "yours": sum(1 for w in workflows if w.created_by == who.user_id),
            "org": len(workflows),
            "public": sum(1 for w in workflows if w.visibility.startswith("public")),
        },
    )


@ROUTES.post("/v1/workflows/batch-meta")
async def batch_meta(request: web.Request) -> web.Response:
    """``POST /v1/workflows/batch-meta``: ``{id: WorkflowMetaItem}`` for the ids given."""
    found: dict[str, Any] = {}
    for workflow in _batch(await json_body(request), request):
        row = workflow.current()
        definition = row.content["definition"]
        nodes = nodes_of(definition)
        found[workflow.id] = compact(
            {
                "id": workflow.id,
                "name": row.content["name"],
                "status": workflow.status_of(row.number),
                "hasDraft": workflow.draft is not None,
                "hasLiveVersion": workflow.live is not None,
                "nodeTypes": sorted(row.derived.node_types),
                "triggerType": row.derived.trigger_type,
                "triggerTypes": [nodes[t]["type"] for t in trigger_ids(definition) if t in nodes],
                "updatedAt": workflow.updated_at,
            }
        )
    return ok(request, found)


@ROUTES.post("/v1/workflows/batch-stats")
async def batch_stats(request: web.Request) -> web.Response:
    """``POST /v1/workflows/batch-stats``: ``{id: {counts, recentRuns}}`` for the ids given."""
    runs = context(request).store.runs
    found: dict[str, Any] = {}
    for workflow in _batch(await json_body(request), request):
        recent, _ = runs.of_workflow(workflow.id).page(RECENT_RUNS, 0)
        found[workflow.id] = {
            "counts": runs.of_workflow(workflow.id).counts(),
            "recentRuns": [
                compact(
                    {
                        "id": run.id,
                        "status": run.status,
                        "startedAt": run.started_at,
                        "finishedAt": run.finished_at,
                    }
                )
                for run in recent
            ],
        }
    return ok(request, found)


@ROUTES.post("/v1/workflows/analyze-funds")
async def analyze_inline(request: web.Request) -> web.Response:
    """``POST /v1/workflows/analyze-funds``: fund needs of an inline definition (nothing runs)."""
    principal(request)
    body = await json_body(request)
    definition = body.get("definition")
    problem = shape_error(definition)
    if problem is not None or not isinstance(definition, dict):
        raise ApiError(400, INVALID_DEFINITION, f"invalid definition: {problem}")
    wallet = optional(body, "defaultWalletAddress", str, "a string")
    return ok(request, analyze_funds(definition, default_wallet=wallet))


@ROUTES.get("/v1/workflows/{id}/analyze-funds")
async def analyze_saved(request: web.Request) -> web.Response:
    """``GET …/analyze-funds``: fund needs of the current (or ``version``) version."""
    workflow = _found(request)
    given = "version" in request.query
    row = workflow.version(int_param(request, "version", 0)) if given else workflow.current()
    analysis = analyze_funds(row.content["definition"], workflow_id=workflow.id, version=row.number)
    return ok(request, analysis)


@ROUTES.get("/v1/workflows/{id}/incoming-links")
async def incoming_links(request: web.Request) -> web.Response:
    """``GET …/incoming-links``: ``{ids}`` of the workflows whose ``trigger-workflow`` nodes
    start this one (the caller's, current versions)."""
    workflow = _found(request)
    book = context(request).store.workflows
    ids = [
        source
        for source in book.incoming(workflow.id)
        if (found := book.find(source)) is not None and found.org_id == workflow.org_id
    ]
    return ok(request, {"ids": ids})


@ROUTES.get("/v1/workflows/{id}/resolve")
async def resolve(request: web.Request) -> web.Response:
    """``GET …/resolve``: the workflow's organization and whether the caller is a member.

    Another organization's workflow resolves only when it is public (``isMember: false``).
    """
    who = principal(request)
    store = context(request).store
    workflow = store.workflows.find(request.match_info["id"])
    member = workflow is not None and workflow.org_id == who.org_id
    if workflow is None or not (member or workflow.visibility.startswith("public")):
        raise not_found(WORKFLOW_NOT_FOUND, f"workflow {request.match_info['id']!r}")
    org = store.orgs[workflow.org_id]
    return ok(request, {"isMember": member, "organizationId": org.id, "organizationName": org.name})
