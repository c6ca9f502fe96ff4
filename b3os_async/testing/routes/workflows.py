"""Area ``workflows``: CRUD, lifecycle, versions, validation, manual runs and run notifications.

The lifecycle rules are the domain's (``_domain/workflows.py``): every state change below is one
``book.change(org, id, lambda w: w.<transition>(...))`` call, which also re-indexes the workflow
and publishes its activity notification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing import _sse
from b3os_async.testing._common import (
    BAD_FIELD,
    BAD_QUERY,
    INVALID_DEFINITION,
    INVALID_RUN_ID,
    TOO_MANY_IDS,
    VERSION_NOT_FOUND,
    ApiError,
    bad_field,
    is_run_id,
    not_found,
    quoted,
)
from b3os_async.testing._domain.connectors import type_lookup
from b3os_async.testing._domain.run_lists import RUN_STATUSES
from b3os_async.testing._domain.workflow_book import SORTS
from b3os_async.testing._domain.workflow_query import WorkflowQuery
from b3os_async.testing._graph import shape_error, size_error, validation_errors, with_payloads
from b3os_async.testing._render import run_list_json, workflow_json, workflow_list_json
from b3os_async.testing._server import (
    bool_param,
    choice_param,
    context,
    json_body,
    ok,
    ok_page,
    optional,
    page,
    paging,
    principal,
    require,
)
from b3os_async.testing._streams import RUN_NOTIFICATIONS

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._domain.workflow_book import WorkflowBook
    from b3os_async.testing._domain.workflows import Workflow

ROUTES = web.RouteTableDef()

STATUSES = ("draft", "active", "paused", "archived")
OWNERS = ("yours", "org", "public")
VISIBILITIES = ("private", "org", "public_view", "public_execute")
MAX_STREAM_IDS = 24


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
        fields["definition"] = with_payloads(body["definition"])
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


def _multi(request: web.Request, name: str) -> frozenset[str]:
    values: set[str] = set()
    for raw in request.query.getall(name, []):
        values.update(part.strip() for part in raw.split(",") if part.strip())
    if len(values) > 50:
        raise ApiError(400, BAD_QUERY, f"at most 50 values for {name!r}")
    return frozenset(values)


def _book(request: web.Request) -> WorkflowBook:
    return context(request).store.workflows


def _found(request: web.Request) -> Workflow:
    """The caller's workflow named by the ``{id}`` path segment (404 if not theirs)."""
    return _book(request).get(principal(request).org_id, request.match_info["id"])


async def _empty_body(request: web.Request) -> None:
    """404 for an unknown workflow, then 400001 unless the (ignored) body is a JSON object."""
    _found(request)
    await json_body(request)


def _change(
    request: web.Request, transition: Callable[[Workflow, str], str | None]
) -> web.Response:
    """Apply ``transition(workflow, user_id)`` to the ``{id}`` workflow; answer the workflow."""
    who = principal(request)
    workflow = _book(request).change(
        who.org_id, request.match_info["id"], lambda found: transition(found, who.user_id)
    )
    return ok(request, workflow_json(workflow))


def workflow_query(request: web.Request, status: str | None) -> WorkflowQuery:
    """The list filters of the request's query string (also read by ``…/counts``)."""
    text = request.query.get("q", "")
    if len(text) > 256:
        raise ApiError(400, BAD_QUERY, "'q' must be at most 256 characters")
    return WorkflowQuery(
        status=status,
        text=text,
        kind=request.query.get("type") or None,
        sort=choice_param(request, "sort", tuple(SORTS)) or "updatedAt:desc",
        owner=choice_param(request, "owner", OWNERS),
        made_by_me=bool(bool_param(request, "madeByMe")),
        actions=_multi(request, "actions"),
        connectors=_multi(request, "connectors"),
        user_id=principal(request).user_id,
    )


@ROUTES.get("/v1/workflows")
async def list_workflows(request: web.Request) -> web.Response:
    """``GET /v1/workflows``: filters q, status, type, actions, connectors, owner, madeByMe."""
    who = principal(request)
    limit, offset = paging(request)
    query = workflow_query(request, choice_param(request, "status", STATUSES))
    found, more = _book(request).page(who.org_id, query, limit, offset)
    return ok_page(request, [workflow_list_json(w) for w in found], limit, offset, more)


@ROUTES.post("/v1/workflows")
async def create_workflow(request: web.Request) -> web.Response:
    """``POST /v1/workflows``: a new workflow whose version 1 is a draft."""
    who = principal(request)
    body = await json_body(request)
    content = _content(body, creating=True)
    # area templates: a workflow made from a template records it and resolves its props
    template_id = optional(body, "templateId", str, "a string")
    prop_values = optional(body, "propValues", dict, "an object")
    templates = context(request).store.templates
    template = templates.get(who.org_id, template_id) if template_id is not None else None
    if template is not None:
        content["propValues"] = template.resolve_props(prop_values or {})
    elif prop_values is not None:
        content["propValues"] = prop_values
    workflow = _book(request).create(who, content, template_id)
    if template is not None:
        templates.instantiated(template, who.org_id, workflow.id)
    return ok(request, workflow_json(workflow))


@ROUTES.post("/v1/workflows/validate")
async def validate_workflow(request: web.Request) -> web.Response:
    """``POST /v1/workflows/validate``: problems reported in a 200 ``{valid, errors}``."""
    who = principal(request)
    body = await json_body(request)
    if body.get("definition") is None:
        raise bad_field("'definition' is required")
    optional(body, "name", str, "a string")
    too_large = size_error(body["definition"])  # beyond the emulator's limits: not checked
    if too_large is not None:
        raise ApiError(400, INVALID_DEFINITION, f"invalid definition: {too_large}")
    connectors = type_lookup(context(request).store, who.org_id)  # nodes' connectors checked
    errors = validation_errors(body["definition"], body.get("name"), connectors)
    return ok(request, {"valid": not errors, "errors": errors})


@ROUTES.get("/v1/workflows/{id}")
async def get_workflow(request: web.Request) -> web.Response:
    """``GET /v1/workflows/{id}``: the current version (draft if any, else live)."""
    return ok(request, workflow_json(_found(request)))


@ROUTES.put("/v1/workflows/{id}")
async def update_workflow(request: web.Request) -> web.Response:
    """``PUT /v1/workflows/{id}``: a content change makes a new draft version."""
    _found(request)  # 404 before any complaint about the body
    body = await json_body(request)
    expected = optional(body, "expectedCurrentVersion", int, "an integer")
    updates = _content(body, creating=False)
    return _change(request, lambda w, by: w.update(updates, expected, by))


@ROUTES.delete("/v1/workflows/{id}")
async def archive_workflow(request: web.Request) -> web.Response:
    """``DELETE /v1/workflows/{id}``: archive (soft delete); archiving twice is harmless."""
    await _empty_body(request)
    return _change(request, lambda w, by: w.archive(by))


@ROUTES.post("/v1/workflows/{id}/unarchive")
async def unarchive_workflow(request: web.Request) -> web.Response:
    """``POST …/unarchive``: the latest version becomes the draft again."""
    await _empty_body(request)
    return _change(request, lambda w, by: w.unarchive(by))


@ROUTES.post("/v1/workflows/{id}/publish")
async def publish_workflow(request: web.Request) -> web.Response:
    """``POST …/publish``: the draft becomes the live, active version."""
    _found(request)
    expected = optional(await json_body(request), "expectedVersion", int, "an integer")
    return _change(request, lambda w, by: w.publish(expected, by))


@ROUTES.post("/v1/workflows/{id}/pause")
async def pause_workflow(request: web.Request) -> web.Response:
    """``POST …/pause``: the live version stops (``paused``); pausing twice is harmless."""
    await _empty_body(request)
    return _change(request, lambda w, by: w.set_live_status("paused", by))


@ROUTES.post("/v1/workflows/{id}/resume")
async def resume_workflow(request: web.Request) -> web.Response:
    """``POST …/resume``: the live version is ``active`` again."""
    await _empty_body(request)
    return _change(request, lambda w, by: w.set_live_status("active", by))


@ROUTES.post("/v1/workflows/{id}/rollback")
async def rollback_workflow(request: web.Request) -> web.Response:
    """``POST …/rollback``: a new draft version with ``targetVersion``'s content."""
    _found(request)
    body = await json_body(request)
    target = require(body, "targetVersion", int, "an integer")
    expected = optional(body, "expectedCurrentVersion", int, "an integer")
    return _change(request, lambda w, by: w.rollback(target, expected, by))


@ROUTES.delete("/v1/workflows/{id}/draft")
async def discard_draft(request: web.Request) -> web.Response:
    """``DELETE …/draft``: drop the draft; answers the live version."""
    return _change(request, lambda w, by: w.discard_draft(by))


@ROUTES.get("/v1/workflows/{id}/draft")
async def get_draft(request: web.Request) -> web.Response:
    """``GET …/draft``: the draft version (404 if none)."""
    workflow = _found(request)
    return ok(request, workflow_json(workflow, workflow.draft_version()))


@ROUTES.get("/v1/workflows/{id}/live")
async def get_live(request: web.Request) -> web.Response:
    """``GET …/live``: the live version (404 if none)."""
    workflow = _found(request)
    return ok(request, workflow_json(workflow, workflow.live_version()))


@ROUTES.get("/v1/workflows/{id}/versions")
async def list_versions(request: web.Request) -> web.Response:
    """``GET …/versions``: every version, newest first, plus ``currentVersion``."""
    workflow = _found(request)
    limit, offset = paging(request)
    rows = [workflow.versions[number] for number in sorted(workflow.versions, reverse=True)]
    data = page([workflow_json(workflow, row) for row in rows], limit, offset)
    data["currentVersion"] = workflow.current().number
    return ok(request, data)


@ROUTES.get("/v1/workflows/{id}/versions/count")
async def count_versions(request: web.Request) -> web.Response:
    """``GET …/versions/count``: ``{total}``."""
    return ok(request, {"total": len(_found(request).versions)})


@ROUTES.get("/v1/workflows/{id}/versions/{number}")
async def get_version(request: web.Request) -> web.Response:
    """``GET …/versions/{n}``: one version row."""
    workflow = _found(request)
    raw = request.match_info["number"]
    digits = raw[1:] if raw[:1] in "+-" else raw
    if not digits.isascii() or not digits.isdigit():
        message = f"version number must be an integer, got {quoted(raw)}"
        raise ApiError(400, BAD_QUERY, message)
    # Any integer is a version number that may not exist (404004); no int() of thousands of
    # digits (Python refuses more than 4,300: a 500 before).
    if len(digits) > 18:
        raise not_found(VERSION_NOT_FOUND, f"version {raw[:40]}…")
    return ok(request, workflow_json(workflow, workflow.version(int(raw))))


@ROUTES.post("/v1/workflows/{id}/run")
async def run_workflow(request: web.Request) -> web.Response:
    """``POST …/run``: run ``version`` if given, else the draft if any, else the live version."""
    who = principal(request)
    workflow = _found(request)
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
    trigger = optional(body, "triggerNodeId", str, "a string")
    run = ctx.store.runs.for_workflow(
        who,
        workflow,
        run_id=run_id,
        number=number,
        trigger=trigger,
        payload=payload,
        simulate=simulate,
        dust=dust,
    )
    ctx.engine.launch(run)
    return ok(request, {"runId": run.id})


@ROUTES.put("/v1/workflows/{id}/visibility")
async def set_visibility(request: web.Request) -> web.Response:
    """``PUT …/visibility``: ``{id, visibility}``."""
    workflow = _found(request)
    visibility = (await json_body(request)).get("visibility")
    if visibility not in VISIBILITIES:
        raise bad_field(f"'visibility' must be one of {', '.join(VISIBILITIES)}")
    workflow.visibility = str(visibility)
    return ok(request, {"id": workflow.id, "visibility": workflow.visibility})


@ROUTES.get("/v1/workflows/{id}/runs")
async def list_workflow_runs(request: web.Request) -> web.Response:
    """``GET …/runs``: the workflow's runs, newest first (``status`` filter)."""
    workflow = _found(request)
    limit, offset = paging(request)
    status = choice_param(request, "status", RUN_STATUSES)
    runs, more = context(request).store.runs.of_workflow(workflow.id).page(limit, offset, status)
    return ok_page(request, [run_list_json(run) for run in runs], limit, offset, more)


@ROUTES.get("/v1/workflows/{id}/runs/count")
async def count_workflow_runs(request: web.Request) -> web.Response:
    """``GET …/runs/count``: counts by status (``total`` includes cancelled runs)."""
    workflow = _found(request)
    return ok(request, context(request).store.runs.of_workflow(workflow.id).counts())


def _run_notification(event: dict[str, Any]) -> bool:
    return event["type"] in RUN_NOTIFICATIONS


@ROUTES.get("/v1/workflows/{id}/runs/stream")
async def workflow_runs_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/workflows/{id}/runs/stream``: run notifications of one workflow."""
    workflow = _found(request)
    ids = frozenset({workflow.id})
    return await _sse.notifications(
        request,
        workflow.org_id,
        lambda event: _run_notification(event) and event.get("workflowId") in ids,
        ids,
    )


@ROUTES.get("/v1/workflow-runs/stream")
async def multi_workflow_runs_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/workflow-runs/stream?ids=a,b``: run notifications of up to 24 workflows.

    Ids that are not the caller's workflows are dropped silently.
    """
    who = principal(request)
    book = _book(request)
    raw = request.query.get("ids", "")
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if not ids:
        raise ApiError(400, BAD_QUERY, "query parameter 'ids' is required (comma-separated)")
    if len(ids) > MAX_STREAM_IDS:
        raise ApiError(400, TOO_MANY_IDS, f"at most {MAX_STREAM_IDS} workflow ids, got {len(ids)}")
    visible = frozenset(
        workflow_id
        for workflow_id in ids
        if (found := book.find(workflow_id)) is not None and found.org_id == who.org_id
    )
    return await _sse.notifications(
        request,
        who.org_id,
        lambda event: _run_notification(event) and event.get("workflowId") in visible,
        visible,
    )
