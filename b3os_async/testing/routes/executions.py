"""Area ``executions``: external executions of the organization and their two streams.

External executions are NOT runs and NOT node executions: client-trackable, payment-aware
sessions around a run (``_domain/executions.py`` has the lifecycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from b3os_async.testing import _sse
from b3os_async.testing._common import BAD_QUERY, ApiError
from b3os_async.testing._server import (
    choice_param,
    context,
    json_body,
    ok,
    paging,
    principal,
    require,
)
from b3os_async.testing.routes._execution_views import (
    event_json,
    execution_json,
    is_payable,
    launch,
    parse_create,
    serve_stream,
)

if TYPE_CHECKING:
    from b3os_async.testing._domain.executions import Execution

ROUTES = web.RouteTableDef()


def _found(request: web.Request) -> Execution:
    store = context(request).store
    return store.executions.get(principal(request).org_id, request.match_info["id"])


def _ms_param(request: web.Request, name: str) -> int:
    raw = request.query.get(name, "").strip()
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(400, BAD_QUERY, f"query parameter {name!r} is required (Unix milliseconds)")
    return int(raw)


@ROUTES.get("/v1/executions")
async def list_executions(request: web.Request) -> web.Response:
    """``GET /v1/executions``: the organization's external executions, newest first."""
    who = principal(request)
    limit, offset = paging(request)
    book = context(request).store.executions
    return ok(request, book.page(who.org_id, limit, offset, execution_json))


@ROUTES.post("/v1/executions")
async def create_execution(request: web.Request) -> web.Response:
    """``POST /v1/executions``: ``{execution, clientToken}``; an idempotency key repeats it."""
    who = principal(request)
    ctx = context(request)
    body = await json_body(request)
    workflow_id = require(body, "workflowId", str, "a string")
    fields = parse_create(body)
    workflow = ctx.store.workflows.get(who.org_id, workflow_id)
    workflow.runnable(None)  # 409 archived, 400228 invalid: before anything is created
    payable = is_payable(workflow)
    execution, created = ctx.store.executions.create(
        who.org_id, workflow.id, fields, payable=payable, initiated=(who.key_id, "api_key")
    )
    if created and not payable:
        launch(ctx, execution, workflow)
    return ok(request, {"execution": execution_json(execution), "clientToken": execution.token})


@ROUTES.get("/v1/executions/stats")
async def execution_stats(request: web.Request) -> web.Response:
    """``GET /v1/executions/stats``: ``from``, ``to`` (Unix ms), ``granularity`` (required)."""
    who = principal(request)
    start, end = _ms_param(request, "from"), _ms_param(request, "to")
    granularity = choice_param(request, "granularity", ("hourly", "daily"))
    if granularity is None:
        raise ApiError(400, BAD_QUERY, "query parameter 'granularity' is required (hourly|daily)")
    if end < start:
        raise ApiError(400, BAD_QUERY, "'to' must not be before 'from'")
    book = context(request).store.executions
    return ok(request, book.stats(who.org_id, start, end, granularity))


@ROUTES.get("/v1/executions/stream")
async def org_execution_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/executions/stream``: every execution update of the organization (never ends)."""
    who = principal(request)
    log = context(request).store.executions.log(who.org_id)
    return await _sse.notifications(request, who.org_id, lambda event: True, log=log)


@ROUTES.get("/v1/executions/{id}")
async def get_execution(request: web.Request) -> web.Response:
    """``GET /v1/executions/{id}``: ``{execution, events, message}``."""
    execution = _found(request)
    events = [event_json(execution, record) for record in execution.events]
    return ok(
        request,
        {"execution": execution_json(execution), "events": events, "message": execution.status},
    )


@ROUTES.get("/v1/executions/{id}/events")
async def execution_events(request: web.Request) -> web.Response:
    """``GET /v1/executions/{id}/events``: the timeline, oldest first."""
    execution = _found(request)
    return ok(request, [event_json(execution, record) for record in execution.events])


@ROUTES.get("/v1/executions/{id}/stream")
async def execution_stream(request: web.Request) -> web.StreamResponse:
    """``GET /v1/executions/{id}/stream``: one execution's records; ends after a terminal one."""
    return await serve_stream(request, _found(request), public=False)
