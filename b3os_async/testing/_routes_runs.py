"""Run endpoints (ephemeral runs, listing, detail, cancel, retry, resume) and organizations."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import (
    BAD_FIELD,
    BAD_QUERY,
    DUPLICATE_RUN_ID,
    INVALID_DEFINITION,
    INVALID_RUN_ID,
    INVALID_SECRET,
    NON_MANUAL_TRIGGER,
    NOT_RETRYABLE,
    RUN_NOT_FOUND,
    ApiError,
    copy_json,
    is_run_id,
    not_found,
    now_iso,
    parse_time,
)
from b3os_async.testing._graph import graph_errors, nodes_of, reachable, trigger_ids
from b3os_async.testing._render import org_json, run_json, run_list_item
from b3os_async.testing._server import (
    Context,
    Principal,
    authenticated,
    bare,
    bool_param,
    choice_param,
    context,
    json_body,
    ok,
    optional,
    page,
    paging,
    principal,
)
from b3os_async.testing._store import NodeState, Run, Workflow

if TYPE_CHECKING:
    from collections.abc import Iterable

ROUTES = web.RouteTableDef()

RUN_STATUSES = ("running", "waiting", "success", "partial", "failure", "cancelled")


def check_new_run_id(ctx: Context, run_id: str | None) -> None:
    """400079 when a client-chosen run id is already taken (in any organization)."""
    if run_id is not None and run_id in ctx.store.runs:
        raise ApiError(400, DUPLICATE_RUN_ID, f"duplicate run ID {run_id!r}")


def pick_trigger(definition: dict[str, Any], requested: str | None) -> str:
    """The firing trigger: ``requested`` if given, else the first ``manual`` trigger, else first."""
    declared = trigger_ids(definition)
    nodes = nodes_of(definition)
    if requested is not None:
        if requested not in declared or requested not in nodes:
            raise ApiError(400, BAD_FIELD, f"'triggerNodeId' {requested!r} is not a trigger node")
        return requested
    manual = [node_id for node_id in declared if nodes[node_id]["type"] == "manual"]
    return (manual or declared)[0]


def new_run(
    ctx: Context,
    who: Principal,
    *,
    run_id: str | None,
    workflow: Workflow | None,
    version: int | None,
    definition: dict[str, Any],
    trigger: str,
    payload: dict[str, Any],
    prop_values: dict[str, Any],
    source: str,
    simulate: bool = False,
    dust: bool = False,
) -> Run:
    """A fresh run (not launched): every node reachable from ``trigger`` is ``pending``."""
    snapshot = copy_json(definition, "'definition'")
    at = now_iso()
    nodes = nodes_of(snapshot)
    return Run(
        id=run_id or ctx.ids.new("run_"),
        org_id=who.org_id,
        workflow_id=workflow.id if workflow is not None else "",
        workflow_version=version,
        workflow_name=workflow.current().content["name"] if workflow is not None else "",
        owner_user_id=workflow.created_by if workflow is not None else who.user_id,
        definition=snapshot,
        trigger_node_id=trigger,
        trigger_source=source,
        triggered_by=who.key_id,
        trigger_result={**copy_json(payload, "'payload'"), "triggeredAt": at},
        prop_values=copy_json(prop_values, "'propValues'"),
        started_at=at,
        is_simulation=simulate,
        is_dust_test=dust,
        nodes={
            node_id: NodeState(nodes[node_id]["type"]) for node_id in reachable(snapshot, trigger)
        },
    )


def count_runs(runs: Iterable[Run]) -> dict[str, int]:
    """``WorkflowRunCount``: one count per status (``cancelled`` is an addition) and ``total``."""
    counts = dict.fromkeys(RUN_STATUSES, 0)
    total = 0
    for run in runs:
        counts[run.status] += 1
        total += 1
    counts["total"] = total
    return counts


@ROUTES.get("/v1/organizations")
async def list_organizations(request: web.Request) -> web.Response:
    """``GET /v1/organizations``: the API key's organization (also the token check)."""
    who = principal(request)
    limit, offset = paging(request)
    return ok(request, page([org_json(context(request).store.orgs[who.org_id])], limit, offset))


@ROUTES.get("/v1/runs")
async def list_runs(request: web.Request) -> web.Response:
    """``GET /v1/runs``: the organization's runs, newest first (``status`` filter)."""
    who = principal(request)
    limit, offset = paging(request)
    status = choice_param(request, "status", RUN_STATUSES)
    runs = [
        run_list_item(run)
        for run in reversed(context(request).store.runs.values())
        if run.org_id == who.org_id and status in (None, run.status)
    ]
    return ok(request, page(runs, limit, offset))


@ROUTES.post("/v1/runs")
async def ephemeral_run(request: web.Request) -> web.Response:
    """``POST /v1/runs``: run an inline definition (manual trigger only; nothing is saved)."""
    who = principal(request)
    ctx = context(request)
    body = await json_body(request)
    run_id = body.get("runId")
    if run_id is not None and not is_run_id(run_id):
        raise ApiError(400, INVALID_RUN_ID, "invalid run ID: it must start with 'run_'")
    definition = body.get("definition")
    if definition is None:
        raise ApiError(400, INVALID_DEFINITION, "invalid definition: 'definition' is required")
    errors = graph_errors(definition)
    if errors:
        raise ApiError(400, INVALID_DEFINITION, "invalid definition", errors)
    trigger = trigger_ids(definition)[0]
    if nodes_of(definition)[trigger]["type"] != "manual":
        raise ApiError(
            400, NON_MANUAL_TRIGGER, "ephemeral runs need a 'manual' trigger node", [trigger]
        )
    payload = optional(body, "payload", dict, "an object") or {}
    prop_values = optional(body, "propValues", dict, "an object") or {}
    check_new_run_id(ctx, run_id)
    run = new_run(
        ctx,
        who,
        run_id=run_id,
        workflow=None,
        version=None,
        definition=definition,
        trigger=trigger,
        payload=payload,
        prop_values=prop_values,
        source="api",
    )
    ctx.engine.launch(run)
    return ok(request, {"runId": run.id})


@ROUTES.get("/v1/runs/status-counts")
async def status_counts(request: web.Request) -> web.Response:
    """``GET /v1/runs/status-counts``: counts of runs started at or after ``since``."""
    who = principal(request)
    raw = request.query.get("since")
    since = parse_time(raw) if raw else None
    if raw and since is None:
        raise ApiError(400, BAD_QUERY, f"'since' must be an RFC 3339 timestamp, got {raw!r}")
    runs = [
        run
        for run in context(request).store.runs.values()
        if run.org_id == who.org_id
        and (since is None or (parse_time(run.started_at) or since) >= since)
    ]
    return ok(request, count_runs(runs))


def _run(request: web.Request) -> Run:
    return context(request).store.run(principal(request).org_id, request.match_info["id"])


@ROUTES.get("/v1/runs/{id}")
async def get_run(request: web.Request) -> web.Response:
    """``GET /v1/runs/{id}``: ``summary=true`` drops state and definition; ``nodeIds`` filters."""
    run = _run(request)
    summary = bool(bool_param(request, "summary"))
    raw = request.query.get("nodeIds")
    node_ids = {part.strip() for part in raw.split(",") if part.strip()} if raw else None
    return ok(request, run_json(run, summary=summary, node_ids=node_ids))


@ROUTES.post("/v1/runs/{id}/cancel")
async def cancel_run(request: web.Request) -> web.Response:
    """``POST …/cancel``: the cancelled run (409 when it already finished)."""
    run = _run(request)
    context(request).engine.cancel(run)
    return ok(request, run_json(run))


@ROUTES.post("/v1/runs/{id}/retry")
async def retry_run(request: web.Request) -> web.Response:
    """``POST …/retry``: a new run from the failure point; successful nodes are kept."""
    source = _run(request)
    ctx = context(request)
    if source.status not in ("failure", "partial", "cancelled"):
        raise ApiError(
            409, NOT_RETRYABLE, f"run {source.id!r} is {source.status}; only failed runs retry"
        )
    kept = frozenset(
        node_id for node_id, state in source.nodes.items() if state.status == "success"
    )
    run = copy.deepcopy(source)
    run.id = ctx.ids.new("run_")
    run.source_run_id = source.id
    run.trigger_source = "retry"
    run.triggered_by = principal(request).key_id
    run.status, run.started_at, run.finished_at, run.summary = "running", now_iso(), None, None
    run.nodes = {
        node_id: state if node_id in kept else NodeState(state.type)
        for node_id, state in run.nodes.items()
    }
    ctx.engine.launch(run, kept)
    return ok(request, run_json(run))


@ROUTES.post("/v1/runs/{id}/nodes/{node}/resume", name="resume_node")
async def resume_node(request: web.Request) -> web.Response:
    """``POST …/nodes/{nodeId}/resume``: bare ``{action, reason}``; bearer or ``?secret=``."""
    ctx = context(request)
    run_id = request.match_info["id"]
    if authenticated(request) is None:  # authenticated by the workflow's trigger secret
        run = ctx.store.runs.get(run_id)
        if run is None:
            raise not_found(RUN_NOT_FOUND, f"run {run_id!r}")
        workflow = ctx.store.workflows.get(run.workflow_id)
        if workflow is None or workflow.trigger_secret != request.query.get("secret"):
            raise ApiError(401, INVALID_SECRET, "invalid resume secret")
    else:
        run = _run(request)
    body = await json_body(request)
    data = optional(body, "data", dict, "an object") or {}
    optional(body, "forEachContext", dict, "an object")
    action, reason = ctx.engine.resume(run, request.match_info["node"], data)
    return bare(request, {"action": action, "reason": reason})
