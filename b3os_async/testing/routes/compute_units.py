"""Area ``compute_units``: the organization's CU balance, threshold, usage and runs' costs.

Views of the one ledger (``_domain/credits.py``; the views in ``_domain/cu_usage.py``): runs
draw CU per node as they execute, so usage and usage by workflow add up to what was drawn.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from b3os_async.testing._common import BAD_QUERY, ApiError, bad_field, compact
from b3os_async.testing._domain.cu_usage import (
    check_window,
    monthly_usage,
    runs_page,
    usage_by_workflow,
)
from b3os_async.testing._domain.plans import check_year_month
from b3os_async.testing._graph import trigger_type
from b3os_async.testing._server import context, json_body, ok, paging
from b3os_async.testing.routes._orgs import own_org

ROUTES = web.RouteTableDef()


@ROUTES.get("/v1/organizations/{orgId}/cu")
async def get_balance(request: web.Request) -> web.Response:
    """``GET …/cu``: ``{balance, minThreshold}``."""
    _, org = own_org(request)
    account = context(request).store.credits.account(org.id)
    return ok(request, {"balance": account.balance, "minThreshold": account.min_threshold})


@ROUTES.put("/v1/organizations/{orgId}/cu/threshold")
async def set_threshold(request: web.Request) -> web.Response:
    """``PUT …/cu/threshold``: owners only; ``{oldThreshold, newThreshold}``."""
    _, org = own_org(request)
    body = await json_body(request)
    value = body.get("minThreshold")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise bad_field("'minThreshold' is required and must be a number >= 0")
    old, new = context(request).store.credits.set_threshold(org.id, value)
    return ok(request, {"oldThreshold": old, "newThreshold": new})


@ROUTES.get("/v1/organizations/{orgId}/cu/usage")
async def get_usage(request: web.Request) -> web.Response:
    """``GET …/cu/usage?yearMonth=YYYY-MM``: the month's totals and daily breakdown."""
    _, org = own_org(request)
    year_month = check_year_month(request.query.get("yearMonth"))
    return ok(request, monthly_usage(context(request).store.credits, org.id, year_month))


@ROUTES.get("/v1/organizations/{orgId}/cu/usage-by-workflow")
async def get_usage_by_workflow(request: web.Request) -> web.Response:
    """``GET …/cu/usage-by-workflow?from=&to=`` (Unix ms): per-workflow totals."""
    _, org = own_org(request)
    window = check_window(request.query.get("from"), request.query.get("to"))
    if window is None:
        raise ApiError(
            400, BAD_QUERY, "'from' and 'to' are required Unix milliseconds with from <= to"
        )
    store = context(request).store

    def describe(workflow_id: str) -> dict[str, Any]:
        workflow = store.workflows.find(workflow_id)
        if workflow is None or workflow.org_id != org.id:
            return {}
        content = workflow.current().content
        return {
            "workflowName": content["name"],
            "status": workflow.status_of(workflow.current().number),
            "triggerType": trigger_type(content["definition"]),
        }

    return ok(request, usage_by_workflow(store.credits, org.id, *window, describe))


@ROUTES.get("/v1/organizations/{orgId}/cu/runs")
async def list_cu_runs(request: web.Request) -> web.Response:
    """``GET …/cu/runs``: runs that drew CU, newest first, with their total."""
    _, org = own_org(request)
    limit, offset = paging(request)
    store = context(request).store
    run_ids, more = runs_page(store.credits, org.id, limit, offset)
    items = []
    for run_id in run_ids:
        run = store.runs.get(run_id)
        items.append(
            compact(
                {
                    "runId": run_id,
                    "workflowId": run.workflow_id if run is not None else None,
                    "status": run.status if run is not None else None,
                    "triggerSource": run.trigger_source if run is not None else None,
                    "startedAt": run.started_at if run is not None else None,
                    "finishedAt": run.finished_at if run is not None else None,
                    "totalCu": store.credits.spent_by_run(org.id, run_id),
                }
            )
        )
    return ok(request, {"items": items, "limit": limit, "offset": offset, "hasMore": more})
