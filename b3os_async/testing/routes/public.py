"""Area ``public``: the routes that need no API key (``/v1/public/*``).

Every route here is named ``public.…``, so the middleware skips authentication for it. What a
public route may show is the domain's rule (``_domain/public.py``): only ``public_view`` and
``public_execute`` workflows and their runs exist publicly (others are 404); only
``public_execute`` ones can be run or get executions (403004). Public executions are read and
followed with their client token (``?token=``, a secret).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import (
    BAD_QUERY,
    RUN_NOT_FOUND,
    WORKFLOW_NOT_FOUND,
    ApiError,
    compact,
    dumps,
    not_found,
)
from b3os_async.testing._domain.organizations import Principal
from b3os_async.testing._domain.public import public_run, public_workflow
from b3os_async.testing._graph import children_of, nodes_of, trigger_type
from b3os_async.testing._server import (
    context,
    int_param,
    json_body,
    ok,
    ok_page,
    paging,
)
from b3os_async.testing.routes._execution_views import (
    execution_json,
    is_payable,
    launch,
    parse_create,
    public_execution_json,
    serve_stream,
)

if TYPE_CHECKING:
    from b3os_async.testing._domain.runs import Run
    from b3os_async.testing._domain.workflows import Workflow

ROUTES = web.RouteTableDef()


def _workflow(request: web.Request, *, execute: bool = False) -> Workflow:
    return public_workflow(
        context(request).store.workflows, request.match_info["id"], execute=execute
    )


def public_run_json(run: Run) -> dict[str, Any]:
    """``GetPublicRunByTxResponse``: status, node states and node shapes, nothing private."""
    nodes = nodes_of(run.definition)
    return compact(
        {
            "runId": run.id,
            "workflowId": run.workflow_id,
            "status": run.status,
            "startedAt": run.started_at,
            "finishedAt": run.finished_at,
            "executionState": {
                node_id: compact(
                    {
                        "type": state.type,
                        "status": state.status,
                        "startedAt": state.started_at,
                        "finishedAt": state.finished_at,
                    }
                )
                for node_id, state in run.nodes.items()
            },
            "nodes": {
                node_id: compact(
                    {
                        "type": node["type"],
                        "children": children_of(node) or None,
                        "loopBody": node.get("loopBody") or None,
                    }
                )
                for node_id, node in nodes.items()
            },
        }
    )


@ROUTES.get("/v1/public/workflows/{id}", name="public.workflow")
async def get_public_workflow(request: web.Request) -> web.Response:
    """``GET /v1/public/workflows/{id}``: a public workflow (``v``: one version)."""
    workflow = _workflow(request)
    raw = request.query.get("v")
    number = int_param(request, "v", 0) if raw is not None else None
    if number is not None and number < 1:
        raise ApiError(400, BAD_QUERY, "'v' must be a positive version number")
    row = (
        workflow.version(number)
        if number is not None
        else (workflow.versions[workflow.live] if workflow.live is not None else workflow.current())
    )
    content = row.content
    return ok(
        request,
        compact(
            {
                "id": workflow.id,
                "name": content["name"],
                "description": content["description"],
                "definition": content["definition"],
                "status": workflow.status_of(row.number),
                "type": trigger_type(content["definition"]),
                "version": row.number,
                "visibility": workflow.visibility,
                "createdAt": workflow.created_at,
            }
        ),
    )


@ROUTES.get("/v1/public/workflows/{id}/meta", name="public.workflow_meta")
async def get_public_meta(request: web.Request) -> web.Response:
    """``GET …/meta``: name and description only."""
    content = _workflow(request).current().content
    workflow_id = request.match_info["id"]
    body = {"workflowId": workflow_id, "name": content["name"]}
    return ok(request, {**body, "description": content["description"]})


@ROUTES.get("/v1/public/workflows/{id}/widget", name="public.workflow_widget")
async def get_public_widget(request: web.Request) -> web.Response:
    """``GET …/widget``: the enabled widget (404002 when the workflow has none)."""
    workflow = _workflow(request)
    widget = workflow.widget
    if not widget or not widget.get("enabled"):
        raise not_found(WORKFLOW_NOT_FOUND, f"public widget of workflow {workflow.id!r}")
    content = workflow.current().content
    nodes = nodes_of(content["definition"])
    trigger = nodes.get("root") or next(iter(nodes.values()), {})
    found: Any = trigger.get("payload")
    payload: dict[str, Any] = found if isinstance(found, dict) else {}
    derived = compact(
        {
            "chainId": payload.get("chainId") if isinstance(payload.get("chainId"), int) else None,
            "recipientAddress": payload.get("toAddress") or payload.get("contractAddress"),
            "tokenAddress": payload.get("tokenAddress"),
        }
    )
    return ok(
        request,
        {
            "workflowId": workflow.id,
            "workflowName": content["name"],
            "widget": {**widget, **derived},
        },
    )


@ROUTES.post("/v1/public/workflows/{id}/run", name="public.workflow_run")
async def run_public_workflow(request: web.Request) -> web.Response:
    """``POST …/run``: run a ``public_execute`` workflow with the body as trigger payload."""
    ctx = context(request)
    workflow = _workflow(request, execute=True)
    payload = await json_body(request)
    org = ctx.store.orgs[workflow.org_id]
    who = Principal(workflow.org_id, "read-write", "public", org.user_id)
    run = ctx.store.runs.for_workflow(
        who,
        workflow,
        run_id=None,
        number=workflow.live,
        trigger=None,
        payload=payload,
        simulate=False,
        dust=False,
    )
    ctx.engine.launch(run)
    return ok(request, {"runId": run.id})


@ROUTES.get("/v1/public/workflows/{id}/runs", name="public.workflow_runs")
async def list_public_runs(request: web.Request) -> web.Response:
    """``GET …/runs``: the workflow's runs, newest first, public fields only."""
    workflow = _workflow(request)
    limit, offset = paging(request)
    runs, more = context(request).store.runs.of_workflow(workflow.id).page(limit, offset)
    items = [
        dumps(
            compact(
                {
                    "id": run.id,
                    "workflowId": run.workflow_id,
                    "status": run.status,
                    "startedAt": run.started_at,
                    "finishedAt": run.finished_at,
                }
            )
        )
        for run in runs
    ]
    return ok_page(request, items, limit, offset, more)


@ROUTES.post("/v1/public/workflows/{id}/executions", name="public.workflow_executions")
async def create_public_execution(request: web.Request) -> web.Response:
    """``POST …/executions``: an execution of a ``public_execute`` workflow, with its token."""
    ctx = context(request)
    workflow = _workflow(request, execute=True)
    fields = parse_create(await json_body(request))
    workflow.runnable(workflow.live)
    payable = is_payable(workflow)
    execution, created = ctx.store.executions.create(
        workflow.org_id, workflow.id, fields, payable=payable, initiated=("anonymous", "public")
    )
    if created and not payable:
        launch(ctx, execution, workflow)
    return ok(request, {"execution": execution_json(execution), "clientToken": execution.token})


@ROUTES.get("/v1/public/executions/{id}", name="public.execution")
async def get_public_execution(request: web.Request) -> web.Response:
    """``GET /v1/public/executions/{id}?token=``: status and the public timeline."""
    book = context(request).store.executions
    execution = book.with_token(request.match_info["id"], request.query.get("token"))
    return ok(request, public_execution_json(execution))


@ROUTES.get("/v1/public/executions/{id}/stream", name="public.execution_stream")
async def public_execution_stream(request: web.Request) -> web.StreamResponse:
    """``GET …/{id}/stream?token=``: the execution's records, without their ``data``."""
    book = context(request).store.executions
    execution = book.with_token(request.match_info["id"], request.query.get("token"))
    return await serve_stream(request, execution, public=True)


@ROUTES.get("/v1/public/runs/by-tx/{txHash}", name="public.run_by_tx")
async def get_public_run_by_tx(request: web.Request) -> web.Response:
    """``GET /v1/public/runs/by-tx/{txHash}``: the public run its trigger transaction started."""
    store = context(request).store
    tx_hash = request.match_info["txHash"]
    run_id = store.tx_index.find(tx_hash)
    if run_id is None:
        raise not_found(RUN_NOT_FOUND, f"run of transaction {tx_hash!r}")
    return ok(request, public_run_json(public_run(store.runs, store.workflows, run_id)))


@ROUTES.get("/v1/public/runs/{id}", name="public.run")
async def get_public_run(request: web.Request) -> web.Response:
    """``GET /v1/public/runs/{id}``: a run of a public workflow, public fields only."""
    store = context(request).store
    run = public_run(store.runs, store.workflows, request.match_info["id"])
    return ok(request, public_run_json(run))
