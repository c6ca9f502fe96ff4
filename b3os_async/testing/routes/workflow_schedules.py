"""Area ``workflow_schedules``: next fire time, per-trigger aggregates, refilling ``maxRuns``.

When time triggers fire is the scheduler's (``_scheduler.py``, on the emulator's clock); what a
schedule is, the domain's (``_domain/schedules.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import bad_field, compact, iso
from b3os_async.testing._graph import nodes_of, trigger_ids
from b3os_async.testing._server import bare, context, json_body, ok, principal, require

if TYPE_CHECKING:
    from datetime import datetime

    from b3os_async.testing._domain.workflows import Workflow

ROUTES = web.RouteTableDef()
# A sub-area of workflows: its paths are /v1/workflows/{id}/....
ALSO_SERVES = ("/v1/workflows/",)


def _found(request: web.Request) -> Workflow:
    return context(request).store.workflows.get(principal(request).org_id, request.match_info["id"])


def _next_fires(request: web.Request, workflow: Workflow) -> dict[str, datetime]:
    scheduler = context(request).scheduler
    return scheduler.next_fires(workflow.id) if scheduler is not None else {}


@ROUTES.get("/v1/workflows/{id}/schedule")
async def get_schedule(request: web.Request) -> web.Response:
    """``GET …/schedule``: bare ``{nextRunAt?, serverTime}`` (no ``nextRunAt``: nothing armed)."""
    workflow = _found(request)
    fires = _next_fires(request, workflow)
    next_run = iso(min(fires.values())) if fires else None
    now = context(request).store.clock.iso()
    return bare(request, compact({"nextRunAt": next_run, "serverTime": now}))


@ROUTES.get("/v1/workflows/{id}/trigger-aggregates")
async def trigger_aggregates(request: web.Request) -> web.Response:
    """``GET …/trigger-aggregates``: per trigger node of the live (else current) version."""
    workflow = _found(request)
    version = workflow.versions[workflow.live] if workflow.live else workflow.current()
    definition = version.content["definition"]
    nodes = nodes_of(definition)
    fires = _next_fires(request, workflow)
    runs = context(request).store.runs
    triggers: list[dict[str, Any]] = []
    for node_id in trigger_ids(definition):
        if node_id not in nodes:
            continue
        fired = runs.of_trigger(workflow.id, node_id)
        counts = fired.counts()
        latest = fired.latest()
        triggers.append(
            compact(
                {
                    "triggerNodeId": node_id,
                    "type": nodes[node_id]["type"],
                    "lastFiredAt": latest.started_at if latest is not None else None,
                    "nextFireAt": iso(fires[node_id]) if node_id in fires else None,
                    "runCount": counts["total"],
                    "successCount": counts["success"],
                    "failureCount": counts["failure"] + counts["partial"],
                    "cancelledCount": counts["cancelled"],
                }
            )
        )
    return ok(request, {"workflowId": workflow.id, "triggers": triggers})


@ROUTES.post("/v1/workflows/{id}/refill")
async def refill(request: web.Request) -> web.Response:
    """``POST …/refill``: ``{remainRuns}`` (>= 1); a workflow paused for running out resumes."""
    who = principal(request)
    _found(request)
    remain = require(await json_body(request), "remainRuns", int, "an integer >= 1")
    if remain < 1:
        raise bad_field("'remainRuns' must be at least 1")
    workflow = context(request).store.workflows.change(
        who.org_id, request.match_info["id"], lambda w: w.refill(remain, who.user_id)
    )
    return ok(request, {"remainRuns": workflow.remain_runs, "workflowId": workflow.id})
