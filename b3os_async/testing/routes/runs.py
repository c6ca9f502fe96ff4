"""Area ``runs``: ephemeral and synchronous runs, listing, counts, detail, cancel, retry, resume,
transaction attribution, variable writes and the run stream.

How runs are built (and which checks come first) is the domain's (``_domain/runs.py``); the
engine executes them (``_engine.py``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from b3os_async.testing import _sse
from b3os_async.testing._common import (
    BAD_QUERY,
    INVALID_DEFINITION,
    INVALID_RUN_ID,
    INVALID_SECRET,
    RUN_NOT_FOUND,
    ApiError,
    bad_field,
    compact,
    dumps,
    is_run_id,
    not_found,
    parse_time,
)
from b3os_async.testing._domain.run_lists import RUN_STATUSES
from b3os_async.testing._domain.runs import Run, ephemeral_trigger
from b3os_async.testing._graph import nodes_of, with_payloads
from b3os_async.testing._render import node_json, run_json, run_list_json
from b3os_async.testing._server import (
    authenticated,
    bare,
    bool_param,
    choice_param,
    context,
    json_body,
    ok,
    ok_page,
    optional,
    paging,
    principal,
    require,
)
from b3os_async.testing._streams import CREATED, SHUTDOWN
from b3os_async.testing.routes.workflow_variables import write_json

ROUTES = web.RouteTableDef()

SYNC_MAX_NODES = 20
SYNC_TIMEOUT = 60.0
"""Seconds a synchronous run may take; then it is cancelled and answered as it stands."""
SYNC_FORBIDDEN = frozenset({"wait", "for-each"})
MAX_TX_HASHES = 200


def _run_id(body: dict[str, object]) -> str | None:
    """The client-chosen ``runId`` of a body, if any (400078 when it is not a run id)."""
    run_id = body.get("runId")
    if run_id is not None and not is_run_id(run_id):
        raise ApiError(400, INVALID_RUN_ID, "invalid run ID: it must start with 'run_'")
    return run_id if isinstance(run_id, str) else None


def _found(request: web.Request) -> Run:
    """The caller's run named by the ``{id}`` path segment (404 if not theirs)."""
    return context(request).store.runs.find(principal(request).org_id, request.match_info["id"])


@ROUTES.get("/v1/runs")
async def list_runs(request: web.Request) -> web.Response:
    """``GET /v1/runs``: the organization's runs, newest first (``status`` filter)."""
    who = principal(request)
    limit, offset = paging(request)
    status = choice_param(request, "status", RUN_STATUSES)
    runs, more = context(request).store.runs.of_org(who.org_id).page(limit, offset, status)
    return ok_page(request, [run_list_json(run) for run in runs], limit, offset, more)


@ROUTES.post("/v1/runs")
async def ephemeral_run(request: web.Request) -> web.Response:
    """``POST /v1/runs``: run an inline definition (manual trigger only; nothing is saved)."""
    who = principal(request)
    ctx = context(request)
    body = await json_body(request)
    run_id = _run_id(body)
    trigger = ephemeral_trigger(body.get("definition"))
    payload = optional(body, "payload", dict, "an object") or {}
    prop_values = optional(body, "propValues", dict, "an object") or {}
    run = ctx.store.runs.ephemeral(
        who,
        run_id=run_id,
        definition=with_payloads(body["definition"]),
        trigger=trigger,
        payload=payload,
        prop_values=prop_values,
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
    return ok(request, context(request).store.runs.of_org(who.org_id).counts(since))


@ROUTES.get("/v1/runs/status-counts/by-workflow")
async def status_counts_by_workflow(request: web.Request) -> web.Response:
    """``GET …/status-counts/by-workflow``: counts per workflow, most runs first (``since``)."""
    who = principal(request)
    raw = request.query.get("since")
    since = parse_time(raw) if raw else None
    if raw and since is None:
        raise ApiError(400, BAD_QUERY, f"'since' must be an RFC 3339 timestamp, got {raw!r}")
    counted = [
        (workflow_id, runs.counts(since))
        for workflow_id, runs in context(request).store.runs.workflows_of(who.org_id)
    ]
    counted = [item for item in counted if item[1]["total"]]
    counted.sort(key=lambda item: (-item[1]["total"], item[0]))
    return ok(request, [{"workflowId": workflow_id, **counts} for workflow_id, counts in counted])


@ROUTES.post("/v1/runs/sync")
async def sync_run(request: web.Request) -> web.Response:
    """``POST /v1/runs/sync``: run an inline definition and answer when it ends (bare).

    At most 20 nodes, no ``wait`` or ``for-each`` node (400228, the nodes in ``details``), a
    ``manual`` trigger (400229); after ``SYNC_TIMEOUT`` seconds the run is cancelled and the
    answer shows it cancelled.
    """
    who = principal(request)
    ctx = context(request)
    body = await json_body(request)
    trigger = ephemeral_trigger(body.get("definition"))
    nodes = nodes_of(body["definition"])
    refused = [
        {"type": "nodes", "nodeId": node_id, "message": f"{node['type']} nodes cannot run sync"}
        for node_id, node in nodes.items()
        if node["type"] in SYNC_FORBIDDEN
    ]
    if refused:
        raise ApiError(
            400, INVALID_DEFINITION, "synchronous runs allow no wait or for-each node", refused
        )
    if len(nodes) > SYNC_MAX_NODES:
        raise ApiError(
            400,
            INVALID_DEFINITION,
            f"synchronous runs allow at most {SYNC_MAX_NODES} nodes, got {len(nodes)}",
        )
    run = ctx.store.runs.ephemeral(
        who,
        run_id=None,
        definition=body["definition"],
        trigger=trigger,
        payload=optional(body, "payload", dict, "an object") or {},
        prop_values=optional(body, "propValues", dict, "an object") or {},
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    ctx.engine.launch(run)
    deadline = started + SYNC_TIMEOUT
    while not run.terminal and loop.time() < deadline:
        await ctx.engine.changed(min(deadline - loop.time(), 0.5))
    if not run.terminal:
        ctx.engine.cancel(run)
    return bare(
        request,
        {
            "runId": run.id,
            "status": run.status,
            "executionState": {node_id: node_json(state) for node_id, state in run.nodes.items()},
            "durationMs": round((loop.time() - started) * 1000),
        },
    )


@ROUTES.post("/v1/runs/tx-attribution")
async def tx_attribution(request: web.Request) -> web.Response:
    """``POST …/tx-attribution``: ``{txHashes}`` -> the runs whose nodes reported them."""
    who = principal(request)
    hashes = require(await json_body(request), "txHashes", list, "a list of transaction hashes")
    if not 1 <= len(hashes) <= MAX_TX_HASHES or not all(isinstance(h, str) and h for h in hashes):
        raise bad_field(f"'txHashes' must hold 1 to {MAX_TX_HASHES} non-empty strings")
    found: dict[str, Any] = {}
    for tx_hash in hashes:
        hit = context(request).store.runs.tx(tx_hash)
        if hit is None or hit[0].org_id != who.org_id:
            continue
        run, node_id = hit
        found[tx_hash] = compact(
            {
                "txHash": tx_hash,
                "runId": run.id,
                "runStatus": run.status,
                "workflowId": run.workflow_id,
                "workflowName": run.workflow_name or None,
                "nodeId": node_id,
                "actionType": run.nodes[node_id].type,
                "startedAt": run.started_at,
            }
        )
    return ok(request, found)


@ROUTES.get("/v1/runs/{id}")
async def get_run(request: web.Request) -> web.Response:
    """``GET /v1/runs/{id}``: ``summary=true`` drops state and definition; ``nodeIds`` filters."""
    run = _found(request)
    summary = bool(bool_param(request, "summary"))
    raw = request.query.get("nodeIds")
    node_ids = {part.strip() for part in raw.split(",") if part.strip()} if raw else None
    return ok(request, run_json(run, summary=summary, node_ids=node_ids))


@ROUTES.get("/v1/runs/{id}/variable-writes")
async def run_variable_writes(request: web.Request) -> web.Response:
    """``GET …/variable-writes``: the variable writes of one run, in the order they happened."""
    run = _found(request)
    limit, offset = paging(request)
    writes, more = context(request).store.variables.run_writes(run.id, limit, offset)
    return ok_page(request, [dumps(write_json(w)) for w in writes], limit, offset, more)


@ROUTES.post("/v1/runs/{id}/cancel")
async def cancel_run(request: web.Request) -> web.Response:
    """``POST …/cancel``: the cancelled run (409 when it already finished)."""
    run = _found(request)
    context(request).engine.cancel(run)
    return ok(request, run_json(run))


@ROUTES.post("/v1/runs/{id}/retry")
async def retry_run(request: web.Request) -> web.Response:
    """``POST …/retry``: a new run from the failure point; successful nodes are kept."""
    source = _found(request)
    ctx = context(request)
    run, kept = ctx.store.runs.retry(principal(request), source)
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
        workflow = ctx.store.workflows.find(run.workflow_id)
        if workflow is None or workflow.trigger_secret != request.query.get("secret"):
            raise ApiError(401, INVALID_SECRET, "invalid resume secret")
    else:
        run = _found(request)
    body = await json_body(request)
    data = optional(body, "data", dict, "an object") or {}
    optional(body, "forEachContext", dict, "an object")
    action, reason = ctx.engine.resume(run, request.match_info["node"], data)
    return bare(request, {"action": action, "reason": reason})


@ROUTES.get("/v1/runs/{id}/stream")
async def run_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/runs/{id}/stream``: the events of one run.

    * ``Last-Event-ID: N`` replays every event with ``seq > N`` and goes on live; without it the
      stream is live only, except that a run that already ended sends its terminal event;
    * a run id that does not exist yet is waited for (heartbeats meanwhile); if it turns out to
      belong to another organization the stream sends ``event: error`` (404) and ends;
    * the stream ends after the terminal event (``run_completed``/``run_failed``/…).
    """
    ctx = context(request)
    who = principal(request)
    run_id = request.match_info["id"]
    if not is_run_id(run_id):
        raise ApiError(400, INVALID_RUN_ID, "invalid run ID: it must start with 'run_'")
    run = ctx.store.runs.get(run_id)
    if run is not None and run.org_id != who.org_id:
        raise not_found(RUN_NOT_FOUND, f"run {run_id!r}")
    channel = ctx.broker.run_channel(run_id)
    subscription = channel.subscribe()
    # Everything published after this point reaches the queue; what came before is history.
    seen_at_subscription = len(channel.events)

    async def prepare(connection: _sse.Connection) -> None:
        if not channel.exists:  # pre-subscription: wait until the run is created
            item = await connection.next_item(subscription)
            while item is not CREATED and item is not SHUTDOWN:
                item = await connection.next_item(subscription)
            if item is SHUTDOWN:
                return
            if channel.org_id != who.org_id:
                await connection.error(404, RUN_NOT_FOUND, f"run {run_id!r} not found")
                return
        last_id = connection.last_event_id()
        if last_id is not None:
            last_id = min(last_id, len(channel.events))  # an id from the future: resume "now"
        last_sent = seen_at_subscription if last_id is None else last_id
        if last_id is not None:
            asked = channel.events[last_id:]  # seq n is events[n - 1]
            backlog = connection.replay(asked)
            if asked:  # what a partial replay leaves out is not sent later either
                last_sent = asked[-1]["seq"]
        elif channel.terminal and seen_at_subscription == len(channel.events):
            backlog = channel.events[-1:]  # ended before we came: just the terminal event
        else:
            backlog = []
        for event in backlog:
            if connection.finished:
                return
            await connection.send(event)
            last_sent = max(last_sent, event["seq"])
        if channel.terminal and last_sent >= channel.events[-1]["seq"]:
            return
        await _sse.pump(connection, subscription, last_sent, lambda event: True, ends=True)

    try:
        return await _sse.serve(request, subscription, prepare)
    finally:
        ctx.broker.release(channel)
