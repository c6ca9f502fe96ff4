"""Workflow endpoints: CRUD, versions, lifecycle, validation and manual runs.

The version/lifecycle rules are described in ``_store.py``'s docstring. Lifecycle changes are
published to the organization's notification log (the activity stream).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from b3os_async.testing._common import (
    BAD_FIELD,
    BAD_QUERY,
    INVALID_DEFINITION,
    INVALID_RUN_ID,
    VERSION_CONFLICT,
    ApiError,
    bad_field,
    is_run_id,
    now_iso,
)
from b3os_async.testing._graph import graph_errors, nodes_of, shape_error, validation_errors
from b3os_async.testing._render import run_list_item, trigger_type, workflow_json
from b3os_async.testing._render import workflow_list_item as list_item
from b3os_async.testing._routes_runs import (
    RUN_STATUSES,
    check_new_run_id,
    count_runs,
    new_run,
    pick_trigger,
)
from b3os_async.testing._server import (
    Principal,
    bool_param,
    choice_param,
    context,
    json_body,
    ok,
    optional,
    page,
    paging,
    principal,
    require,
)
from b3os_async.testing._store import Workflow, wrong_state

ROUTES = web.RouteTableDef()

STATUSES = ("draft", "active", "paused", "archived")
SORTS = ("updatedAt:desc", "name:asc", "createdAt:desc", "runs:desc")
OWNERS = ("yours", "org", "public")
VISIBILITIES = ("private", "org", "public_view", "public_execute")


def _content(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The version-content fields present in ``body``, validated (all required ones on create)."""
    fields: dict[str, Any] = {}
    get = require if creating else optional
    name = get(body, "name", str, "a string")
    if name is not None:
        if not name.strip() or len(name) > 255:
            raise bad_field("'name' must be 1 to 255 characters")
        fields["name"] = name
    description = get(body, "description", str, "a string")
    if description is not None:
        fields["description"] = description
    if creating or body.get("definition") is not None:
        problem = shape_error(body.get("definition"))
        if problem is not None:
            raise ApiError(400, INVALID_DEFINITION, f"invalid definition: {problem}")
        fields["definition"] = body["definition"]
    cooldown = optional(body, "cooldownMs", int, "an integer")
    if cooldown is not None:
        if cooldown < 1000:
            raise bad_field("'cooldownMs' must be at least 1000")
        fields["cooldownMs"] = cooldown
    max_runs = optional(body, "maxRuns", int, "an integer")
    if max_runs is not None:
        if not 1 <= max_runs <= 99999:
            raise bad_field("'maxRuns' must be between 1 and 99999")
        fields["maxRuns"] = max_runs
    ui_metadata = optional(body, "uiMetadata", dict, "an object")
    if ui_metadata is not None:
        fields["uiMetadata"] = ui_metadata
    return fields


def find_workflow(request: web.Request) -> tuple[Principal, Workflow]:
    """The caller and the workflow named by the ``{id}`` path segment (404 if not theirs)."""
    who = principal(request)
    return who, context(request).store.workflow(who.org_id, request.match_info["id"])


def not_archived(workflow: Workflow) -> Workflow:
    """``workflow`` itself, or a 409 when it is archived."""
    if workflow.archived:
        raise wrong_state(f"workflow {workflow.id!r} is archived; unarchive it first")
    return workflow


def notify(request: web.Request, event_type: str, workflow: Workflow) -> None:
    """Publish a workflow lifecycle notification to the organization's activity log."""
    context(request).broker.org_log(workflow.org_id).publish(
        event_type,
        workflowId=workflow.id,
        version=workflow.current().number,
        status=workflow.status_of(workflow.current().number),
    )


def _multi(request: web.Request, name: str) -> set[str]:
    values: set[str] = set()
    for raw in request.query.getall(name, []):
        values.update(part.strip() for part in raw.split(",") if part.strip())
    if len(values) > 50:
        raise ApiError(400, BAD_QUERY, f"at most 50 values for {name!r}")
    return values


@ROUTES.get("/v1/workflows")
async def list_workflows(request: web.Request) -> web.Response:
    """``GET /v1/workflows``: filters q, status, type, actions, connectors, owner, madeByMe."""
    who = principal(request)
    store = context(request).store
    limit, offset = paging(request)
    text = request.query.get("q", "")
    if len(text) > 256:
        raise ApiError(400, BAD_QUERY, "'q' must be at most 256 characters")
    status = choice_param(request, "status", STATUSES)
    kind = request.query.get("type") or None
    sort = choice_param(request, "sort", SORTS) or "updatedAt:desc"
    owner = choice_param(request, "owner", OWNERS)
    made_by_me = bool_param(request, "madeByMe")
    actions, connectors = _multi(request, "actions"), _multi(request, "connectors")
    found: list[tuple[int, Workflow]] = []
    for index, workflow in enumerate(store.workflows.values()):
        if workflow.org_id != who.org_id:
            continue
        content = workflow.current().content
        nodes = nodes_of(content["definition"])
        haystack = (content["name"] + "\n" + content["description"]).lower()
        if (
            (status is None and workflow.archived)
            or (status is not None and status not in workflow.lifecycle())
            or (text and text.lower() not in haystack)
            or (kind is not None and trigger_type(content["definition"]) != kind)
            or (actions and not actions & {node["type"] for node in nodes.values()})
            or (connectors and not connectors & _connector_types(nodes))
            or (owner == "yours" and workflow.created_by != who.user_id)
            or (owner == "public" and not workflow.visibility.startswith("public"))
            or (made_by_me and workflow.created_by != who.user_id)
        ):
            continue
        found.append((index, workflow))
    runs: dict[str, int] = {}
    for run in store.runs.values():
        runs[run.workflow_id] = runs.get(run.workflow_id, 0) + 1
    keys = {
        "updatedAt:desc": lambda pair: (pair[1].updated_at, pair[0]),
        "createdAt:desc": lambda pair: (pair[1].created_at, pair[0]),
        "runs:desc": lambda pair: (runs.get(pair[1].id, 0), pair[0]),
    }
    if sort == "name:asc":
        found.sort(key=lambda pair: (pair[1].current().content["name"].lower(), pair[0]))
    else:
        found.sort(key=keys[sort], reverse=True)
    return ok(request, page([list_item(workflow) for _, workflow in found], limit, offset))


def _connector_types(nodes: dict[str, dict[str, Any]]) -> set[str]:
    return {
        str(node["connector"].get("type"))
        for node in nodes.values()
        if isinstance(node.get("connector"), dict)
    }


@ROUTES.post("/v1/workflows")
async def create_workflow(request: web.Request) -> web.Response:
    """``POST /v1/workflows``: a new workflow whose version 1 is a draft."""
    who = principal(request)
    ctx = context(request)
    content = _content(await json_body(request), creating=True)
    at = now_iso()
    workflow = Workflow(
        id=ctx.ids.new("wf_"),
        org_id=who.org_id,
        created_at=at,
        created_by=who.user_id,
        trigger_secret=ctx.ids.new("wsec_", 32, stream="secret"),
        updated_at=at,
        updated_by=who.user_id,
    )
    workflow.add_version(content, who.user_id, at)
    ctx.store.workflows[workflow.id] = workflow
    notify(request, "workflow_created", workflow)
    return ok(request, workflow_json(workflow))


@ROUTES.post("/v1/workflows/validate")
async def validate_workflow(request: web.Request) -> web.Response:
    """``POST /v1/workflows/validate``: problems reported in a 200 ``{valid, errors}``."""
    principal(request)
    body = await json_body(request)
    if body.get("definition") is None:
        raise bad_field("'definition' is required")
    errors = validation_errors(body["definition"], body.get("name"))
    return ok(request, {"valid": not errors, "errors": errors})


@ROUTES.get("/v1/workflows/{id}")
async def get_workflow(request: web.Request) -> web.Response:
    """``GET /v1/workflows/{id}``: the current version (draft if any, else live)."""
    return ok(request, workflow_json(find_workflow(request)[1]))


def check_version(name: str, expected: int | None, actual: int | None) -> None:
    """A 409 (409001) when an optimistic-locking ``expected`` version is not ``actual``."""
    if expected is not None and expected != actual:
        raise ApiError(
            409,
            VERSION_CONFLICT,
            f"version conflict: {name} is {expected} but the workflow is at {actual}",
            [{name: expected, "currentVersion": actual}],
        )


@ROUTES.put("/v1/workflows/{id}")
async def update_workflow(request: web.Request) -> web.Response:
    """``PUT /v1/workflows/{id}``: a content change makes a new draft version."""
    who, workflow = find_workflow(request)
    body = await json_body(request)
    expected = optional(body, "expectedCurrentVersion", int, "an integer")
    updates = _content(body, creating=False)
    current = not_archived(workflow).current()
    check_version("expectedCurrentVersion", expected, current.number)
    merged = {**current.content, **updates}
    if merged != current.content:
        workflow.add_version(merged, who.user_id, now_iso())
        notify(request, "workflow_updated", workflow)
    return ok(request, workflow_json(workflow))


@ROUTES.delete("/v1/workflows/{id}")
async def archive_workflow(request: web.Request) -> web.Response:
    """``DELETE /v1/workflows/{id}``: archive (soft delete); archiving twice is harmless."""
    who, workflow = find_workflow(request)
    if not workflow.archived:
        workflow.archived_version = workflow.current().number
        workflow.draft = workflow.live = None
        workflow.updated_at, workflow.updated_by = now_iso(), who.user_id
        notify(request, "workflow_archived", workflow)
    return ok(request, workflow_json(workflow))


@ROUTES.post("/v1/workflows/{id}/unarchive")
async def unarchive_workflow(request: web.Request) -> web.Response:
    """``POST …/unarchive``: the latest version becomes the draft again."""
    who, workflow = find_workflow(request)
    if not workflow.archived:
        raise wrong_state(f"workflow {workflow.id!r} is not archived")
    workflow.draft, workflow.archived_version = workflow.archived_version, None
    workflow.updated_at, workflow.updated_by = now_iso(), who.user_id
    notify(request, "workflow_unarchived", workflow)
    return ok(request, workflow_json(workflow))


@ROUTES.post("/v1/workflows/{id}/publish")
async def publish_workflow(request: web.Request) -> web.Response:
    """``POST …/publish``: the draft becomes the live, active version."""
    who, workflow = find_workflow(request)
    expected = optional(await json_body(request), "expectedVersion", int, "an integer")
    if not_archived(workflow).draft is None:
        raise wrong_state(f"workflow {workflow.id!r} has no draft to publish")
    check_version("expectedVersion", expected, workflow.draft)
    errors = graph_errors(workflow.draft_version().content["definition"])
    if errors:
        raise ApiError(400, INVALID_DEFINITION, "the draft's definition is invalid", errors)
    workflow.live, workflow.draft, workflow.live_status = workflow.draft, None, "active"
    workflow.updated_at, workflow.updated_by = now_iso(), who.user_id
    notify(request, "workflow_published", workflow)
    return ok(request, workflow_json(workflow))


async def _set_live_status(request: web.Request, status: str, event_type: str) -> web.Response:
    who, workflow = find_workflow(request)
    if not_archived(workflow).live is None:
        raise wrong_state(f"workflow {workflow.id!r} has no live version; publish it first")
    if workflow.live_status != status:
        workflow.live_status = status
        workflow.updated_at, workflow.updated_by = now_iso(), who.user_id
        notify(request, event_type, workflow)
    return ok(request, workflow_json(workflow))


@ROUTES.post("/v1/workflows/{id}/pause")
async def pause_workflow(request: web.Request) -> web.Response:
    """``POST …/pause``: the live version stops (``paused``); pausing twice is harmless."""
    return await _set_live_status(request, "paused", "workflow_paused")


@ROUTES.post("/v1/workflows/{id}/resume")
async def resume_workflow(request: web.Request) -> web.Response:
    """``POST …/resume``: the live version is ``active`` again."""
    return await _set_live_status(request, "active", "workflow_resumed")


@ROUTES.post("/v1/workflows/{id}/run")
async def run_workflow(request: web.Request) -> web.Response:
    """``POST …/run``: run ``version`` if given, else the draft if any, else the live version."""
    who, workflow = find_workflow(request)
    ctx = context(request)
    body = await json_body(request)
    run_id = body.get("runId")
    if run_id is not None and not is_run_id(run_id):
        raise ApiError(400, INVALID_RUN_ID, "invalid run ID: it must start with 'run_'")
    payload = optional(body, "payload", dict, "an object") or {}
    number = optional(body, "version", int, "an integer")
    simulate = bool(optional(body, "simulate", bool, "a boolean"))
    dust = bool(optional(body, "dustTest", bool, "a boolean"))
    if simulate and dust:
        raise ApiError(400, BAD_FIELD, "'simulate' and 'dustTest' are mutually exclusive")
    requested = optional(body, "triggerNodeId", str, "a string")
    not_archived(workflow)
    version = workflow.version(number) if number is not None else workflow.current()
    definition = version.content["definition"]
    errors = graph_errors(definition)
    if errors:
        raise ApiError(400, INVALID_DEFINITION, "the workflow's definition is invalid", errors)
    trigger = pick_trigger(definition, requested)
    check_new_run_id(ctx, run_id)
    run = new_run(
        ctx,
        who,
        run_id=run_id,
        workflow=workflow,
        version=version.number,
        definition=definition,
        trigger=trigger,
        payload=payload,
        prop_values={},
        source="manual",
        simulate=simulate,
        dust=dust,
    )
    workflow.last_triggered_at = run.started_at
    ctx.engine.launch(run)
    return ok(request, {"runId": run.id})


@ROUTES.put("/v1/workflows/{id}/visibility")
async def set_visibility(request: web.Request) -> web.Response:
    """``PUT …/visibility``: ``{id, visibility}``."""
    workflow = find_workflow(request)[1]
    visibility = (await json_body(request)).get("visibility")
    if visibility not in VISIBILITIES:
        raise bad_field(f"'visibility' must be one of {', '.join(VISIBILITIES)}")
    workflow.visibility = str(visibility)
    return ok(request, {"id": workflow.id, "visibility": workflow.visibility})


@ROUTES.get("/v1/workflows/{id}/runs")
async def list_workflow_runs(request: web.Request) -> web.Response:
    """``GET …/runs``: the workflow's runs, newest first (``status`` filter)."""
    workflow = find_workflow(request)[1]
    limit, offset = paging(request)
    status = choice_param(request, "status", RUN_STATUSES)
    runs = [
        run_list_item(run)
        for run in reversed(context(request).store.runs.values())
        if run.workflow_id == workflow.id and status in (None, run.status)
    ]
    return ok(request, page(runs, limit, offset))


@ROUTES.get("/v1/workflows/{id}/runs/count")
async def count_workflow_runs(request: web.Request) -> web.Response:
    """``GET …/runs/count``: counts by status (``total`` includes cancelled runs)."""
    workflow = find_workflow(request)[1]
    runs = [run for run in context(request).store.runs.values() if run.workflow_id == workflow.id]
    return ok(request, count_runs(runs))
