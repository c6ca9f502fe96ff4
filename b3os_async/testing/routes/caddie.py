"""Area ``caddie``: the AI chat stream (SSE, or a v3 session), sessions, history, snapshot,
preflight and the Pulse feed (``/v1/ai/*``).

The rules (turns, resume, history, credits) are the domain's (``_domain/caddie.py``); what a turn
says is the builder's (``_caddie_builder.py``). The chat stream is data-only SSE through the shared
framing (``_sse.py``), so stream faults apply to it like to any other stream.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from b3os_async.testing import _sse
from b3os_async.testing._collection import page_body
from b3os_async.testing._common import (
    BAD_PAGING,
    BAD_QUERY,
    ApiError,
    bad_field,
    iso,
    now_iso,
    parse_time,
)
from b3os_async.testing._domain.caddie import ChatRequest, Conversation, Message
from b3os_async.testing._server import (
    bare,
    context,
    int_param,
    json_body,
    ok,
    optional,
    paging,
    principal,
)
from b3os_async.testing._streams import Subscription

ROUTES = web.RouteTableDef()

AGENT_VERSIONS = ("v1", "v2", "v3", "both")
MODES = ("planning", "building", "repair", "conversation")
SEARCH_MODES = ("lightweight", "hybrid")
MAX_SESSIONS_PAGE = 50


def _choice(body: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value: str | None = optional(body, name, str, "a string")
    if value is not None and value not in allowed:
        raise bad_field(f"{name!r} must be one of {', '.join(allowed)}")
    return value


def _text(body: dict[str, Any], name: str, limit: int) -> str | None:
    value: str | None = optional(body, name, str, "a string")
    if value is not None and len(value) > limit:
        raise bad_field(f"{name!r} must be at most {limit} characters")
    return value


def _chat_request(body: dict[str, Any]) -> ChatRequest:
    """Parse and check a chat body (``ChatParams``); 400002 for a field that does not fit."""
    index = optional(body, "lastEventIndex", int, "an integer")
    if index is not None and index < 0:
        raise bad_field("'lastEventIndex' must not be negative")
    images = optional(body, "images", list, "a list")
    if images is not None and not all(isinstance(image, dict) for image in images):
        raise bad_field("'images' must be a list of {base64, ipfsUrl} objects")
    for name, limit in (("name", 100), ("description", 500)):
        _text(body, name, limit)
    optional(body, "timezone", str, "a string")
    _choice(body, "templateSearchMode", SEARCH_MODES)
    return ChatRequest(
        request_id=optional(body, "requestId", str, "a string") or None,
        conversation_id=_text(body, "conversationId", 255) or None,
        message=_text(body, "message", 10_000),
        last_event_index=index,
        workflow_id=optional(body, "workflowId", str, "a string") or None,
        session_id=optional(body, "sessionId", str, "a string") or None,
        definition=optional(body, "definition", dict, "an object"),
        mode=_choice(body, "preferredMode", MODES),
        agent_version=_choice(body, "agentVersion", AGENT_VERSIONS),
    )


def render_message(message: Message) -> dict[str, Any]:
    """A ``ChatMessage`` object (optional fields left out)."""
    body: dict[str, Any] = {
        "id": message.id,
        "organizationId": message.org_id,
        "conversationId": message.conversation_id,
        "role": message.role,
        "content": message.content,
        "createdAt": iso(message.created),
    }
    for name, value in (
        ("sessionId", message.session_id),
        ("workflowId", message.workflow_id),
        ("agentVersion", message.agent_version),
        ("turnId", message.turn_id),
        ("tokensUsed", message.tokens_used),
    ):
        if value is not None:
            body[name] = value
    return body


def render_session(conversation: Conversation, workflow_name: str | None) -> dict[str, Any]:
    """A ``ChatSession`` object."""
    body: dict[str, Any] = {
        "conversationId": conversation.conversation_id,
        "contextType": "workflow" if conversation.workflow_id else "session",
        "preview": conversation.preview,
        "messageCount": conversation.message_count,
        "firstMessageAt": iso(conversation.first_at),
        "lastMessageAt": iso(conversation.last_at),
    }
    for name, value in (
        ("sessionId", conversation.session_id),
        ("workflowId", conversation.workflow_id),
        ("workflowName", workflow_name),
    ):
        if value is not None:
            body[name] = value
    return body


def base_url(request: web.Request) -> str:
    """The emulator's own URL as the client reached it."""
    return f"{request.scheme}://{request.host}"


@ROUTES.post("/v1/ai/workflow/chat/stream")
async def chat_stream(request: web.Request) -> web.StreamResponse:
    """``POST …/chat/stream``: a Caddie turn as data-only SSE; ``agentVersion: v3`` gets a
    Socket.IO session ``{sessionToken, socketUrl}`` instead (bare JSON, as the OpenAPI says).

    A ``requestId`` seen before resumes its turn after ``lastEventIndex`` (replay off: from the
    start); events are sent when due (the emulator's ``caddie_pace``), with heartbeats between.
    """
    who = principal(request)
    ctx = context(request)
    chat = _chat_request(await json_body(request))
    book = ctx.store.caddie
    if chat.agent_version == "v3":
        return bare(request, book.issue_session(who.org_id, base_url(request)))

    def definition_of(workflow_id: str) -> dict[str, Any]:
        workflow = ctx.store.workflows.get(who.org_id, workflow_id)  # 404 if not theirs
        definition: dict[str, Any] = workflow.current().content["definition"]
        return definition

    turn, start = book.open_turn(who, chat, definition_of)

    async def prepare(connection: _sse.Connection) -> None:
        index = start if connection.ids else 0  # replay off: lastEventIndex is ignored
        events = turn.events
        while index < len(events) and not connection.finished:
            wait = turn.due(index) - time.monotonic()
            if wait > 0:
                await connection.pause(wait)
                continue
            event = events[index]
            # The done event (the largest) goes out over several data: lines, as servers do.
            await connection.send_data(event, multiline=event["type"] == "done")
            index += 1

    return await _sse.serve(request, Subscription([], lambda: None), prepare)


@ROUTES.get("/v1/ai/workflow/chat/sessions")
async def chat_sessions(request: web.Request) -> web.Response:
    """``GET …/chat/sessions``: the organization's conversations, latest activity first."""
    who = principal(request)
    store = context(request).store
    limit, offset = paging(request)
    if limit > MAX_SESSIONS_PAGE:
        raise ApiError(400, BAD_PAGING, f"limit must be between 1 and 50, got {limit}")
    conversations, more = store.caddie.sessions(who.org_id, limit, offset)
    items = []
    for conversation in conversations:
        workflow = store.workflows.find(conversation.workflow_id or "")
        name = None
        if workflow is not None and workflow.org_id == who.org_id:
            name = workflow.current().content["name"]
        items.append(render_session(conversation, name))
    return ok(request, page_body(items, limit, offset, more))


@ROUTES.get("/v1/ai/workflow/chat/history")
async def chat_history(request: web.Request) -> web.Response:
    """``GET …/chat/history``: keyset pages (``before`` + ``beforeId``), each oldest first."""
    who = principal(request)
    query = request.query
    named = [
        (kind, query.get(name, ""))
        for kind, name in (
            ("conversation", "conversationId"),
            ("workflow", "workflowId"),
            ("session", "sessionId"),
        )
    ]
    given = [(kind, key) for kind, key in named if key]
    if not given:
        raise ApiError(400, BAD_QUERY, "one of conversationId, workflowId or sessionId is required")
    kind, key = given[0]
    limit = int_param(request, "limit", 20, BAD_PAGING)
    if not 1 <= limit <= 100:
        raise ApiError(400, BAD_PAGING, f"limit must be between 1 and 100, got {limit}")
    raw = query.get("before")
    before = parse_time(raw) if raw else None
    if raw and before is None:
        raise ApiError(400, BAD_QUERY, f"'before' must be an RFC 3339 timestamp, got {raw!r}")
    before_id = query.get("beforeId") or None
    messages = context(request).store.caddie.history(
        who.org_id, kind, key, limit, before, before_id
    )
    return ok(request, [render_message(message) for message in messages])


@ROUTES.get("/v1/ai/workflow/chat/snapshot")
async def chat_snapshot(request: web.Request) -> web.Response:
    """``GET …/chat/snapshot``: ``{isActive, mode, pendingInterrupt}`` of a conversation."""
    who = principal(request)
    conversation_id = request.query.get("conversationId")
    if not conversation_id:
        raise ApiError(400, BAD_QUERY, "query parameter 'conversationId' is required")
    return ok(request, context(request).store.caddie.snapshot(who.org_id, conversation_id))


@ROUTES.get("/v1/ai/workflow/chat/preflight")
async def chat_preflight(request: web.Request) -> web.Response:
    """``GET …/chat/preflight``: bare ``{allowed}`` from the organization's AI credits."""
    who = principal(request)
    return bare(request, context(request).store.caddie.preflight(who.org_id))


_DEMO_CARDS = [
    {"id": "demo_eth", "kind": "situation", "title": "ETH moved 5% in the last hour",
     "body": "A price monitor would have fired 3 times today.", "severity": "info"},
    {"id": "demo_gas", "kind": "signal", "title": "Gas is low", "body": "Good time to batch "
     "transfers.", "severity": "info"},
]  # fmt: skip


@ROUTES.get("/v1/ai/pulse")
async def pulse(request: web.Request) -> web.Response:
    """``GET /v1/ai/pulse``: bare ``{cards, signals, generatedAt}``.

    Cards: the organization's five latest failed runs (``demo=true``: fixed demo cards).
    """
    who = principal(request)
    if request.query.get("demo", "").lower() in ("1", "true"):
        return bare(request, {"cards": _DEMO_CARDS, "signals": [], "generatedAt": now_iso()})
    runs, _ = context(request).store.runs.of_org(who.org_id).page(5, 0, "failure")
    cards = [
        {
            "id": f"card_{run.id}",
            "kind": "situation",
            "title": f"Run {run.id} failed",
            "body": run.summary or "",
            "severity": "warning",
            "runId": run.id,
            "workflowId": run.workflow_id,
        }
        for run in runs
    ]
    return bare(request, {"cards": cards, "signals": [], "generatedAt": now_iso()})
