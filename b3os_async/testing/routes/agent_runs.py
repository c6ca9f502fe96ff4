"""Area ``agent_runs``: start a fake first-party agent, list agents and artifacts, poll a run.

The run's event log grows over time and is polled with ``since=<seq>`` (``_domain/agent_runs.py``).
"""

from __future__ import annotations

from aiohttp import web

from b3os_async.testing._collection import page_body
from b3os_async.testing._common import BAD_QUERY, ApiError
from b3os_async.testing._domain.agent_runs import AGENTS
from b3os_async.testing._server import (
    context,
    int_param,
    json_body,
    ok,
    optional,
    paging,
    principal,
    require,
)
from b3os_async.testing.routes.caddie import base_url

ROUTES = web.RouteTableDef()


@ROUTES.post("/v1/agent-runs")
async def start_agent_run(request: web.Request) -> web.Response:
    """``POST /v1/agent-runs``: ``{runId, agentType, conversationId}`` of the new run."""
    who = principal(request)
    body = await json_body(request)
    agent_type = require(body, "agentType", str, "a string")
    prompt = require(body, "prompt", str, "a string")
    conversation_id = optional(body, "conversationId", str, "a string") or None
    optional(body, "payload", dict, "an object")
    run = context(request).store.agent_runs.start(who, agent_type, prompt, conversation_id)
    data = {"runId": run.id, "agentType": run.agent_type, "conversationId": run.conversation_id}
    return ok(request, data)


@ROUTES.get("/v1/agent-runs/agents")
async def list_agents(request: web.Request) -> web.Response:
    """``GET /v1/agent-runs/agents``: ``{agents: [AgentTypeInfo]}``."""
    principal(request)
    return ok(request, {"agents": list(AGENTS)})


@ROUTES.get("/v1/agent-runs/artifacts")
async def list_artifacts(request: web.Request) -> web.Response:
    """``GET /v1/agent-runs/artifacts?conversationId=``: served artifacts, newest first."""
    who = principal(request)
    conversation_id = request.query.get("conversationId")
    if not conversation_id:
        raise ApiError(400, BAD_QUERY, "query parameter 'conversationId' is required")
    limit, offset = paging(request)
    items, more = context(request).store.agent_runs.artifacts(
        who.org_id, conversation_id, limit, offset, base_url(request)
    )
    return ok(request, page_body(items, limit, offset, more))


@ROUTES.get("/v1/agent-runs/{id}")
async def get_agent_run(request: web.Request) -> web.Response:
    """``GET /v1/agent-runs/{id}?since=N``: ``{state, events}`` (events with ``seq > N``)."""
    who = principal(request)
    since = int_param(request, "since", 0)
    if since < 0:
        raise ApiError(400, BAD_QUERY, f"'since' must not be negative, got {since}")
    book = context(request).store.agent_runs
    run = book.get(who.org_id, request.match_info["id"])
    return ok(request, book.view(run, since, base_url(request)))
