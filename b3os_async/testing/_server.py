"""The emulator's HTTP layer: per-request state, the shared context and response helpers.

Theory of operation
-------------------
Every request passes through the middleware (``_middleware.py``), which assigns a request id
``req_…`` and keeps per-request state (the id, the authenticated :class:`Principal`, a matched
stream fault, whether the answer has started) in a context variable read by the helpers here.
Handlers raise :class:`ApiError`; the middleware turns it into an error body
``{code, message, details, requestId}`` with the HTTP status.

Successful JSON answers use the envelope ``{code: <HTTP status>, data, message: "OK", requestId}``
(the resume route answers bare ``{action, reason}``, as the OpenAPI document declares).
"""

from __future__ import annotations

import contextvars
import re
from typing import TYPE_CHECKING, Any

import attrs
from aiohttp import web

from b3os_async.testing import _limits
from b3os_async.testing._common import (
    BAD_FIELD,
    BAD_JSON,
    BAD_PAGING,
    BAD_QUERY,
    MAX_JSON_DEPTH,
    MISSING_TOKEN,
    ApiError,
    IdSource,
    dumps,
    nested_deeper_than,
    quoted,
)
from b3os_async.testing._json import JsonError, loads
from b3os_async.testing._request_log import RecordedRequest, RequestLog

if TYPE_CHECKING:
    import asyncio

    from b3os_async.testing._domain.organizations import Principal
    from b3os_async.testing._engine import Engine
    from b3os_async.testing._fault_rules import FaultRegistry
    from b3os_async.testing._faults import Fault
    from b3os_async.testing._scheduler import Scheduler
    from b3os_async.testing._store import Store
    from b3os_async.testing._streams import Broker

__all__ = ["RecordedRequest"]  # re-exported: it lived here before _request_log.py

SECRET_ROUTES = frozenset({"resume_node"})
"""Route names that accept ``?secret=`` instead of a bearer token."""

PUBLIC_ROUTE_PREFIX = "public."
"""Routes named ``public.…`` need no API key (``/v1/public/*``): any ``Authorization`` is ignored
and the handler sees no principal (area public)."""

OPTIONAL_AUTH_ROUTES = frozenset(
    {
        "template_get",
        # area actions: the catalog and CU costs (public on B3OS); inbound workflow webhooks
        # (the secret in the path authenticates them: the handler checks it)
        "list_actions",
        "get_action",
        "list_logic_actions",
        "cu_costs",
        "list_triggers",
        "get_trigger",
        "list_connector_types",
        "get_connector_type",
        "inbound_webhook",
    }
)
"""Route names that serve anonymous callers too (a key, when sent, is checked as usual)."""

_INTEGER = re.compile(r"[-+]?[0-9]+", re.ASCII)


@attrs.define
class Context:
    """Everything the handlers need; one per emulator."""

    store: Store
    engine: Engine
    broker: Broker
    faults: FaultRegistry
    ids: IdSource
    retry_ms: int
    heartbeat: float
    replay: bool
    requests: RequestLog = attrs.field(factory=RequestLog)
    open_streams: int = 0
    inflight: set[asyncio.Task[Any]] = attrs.field(factory=set)
    scheduler: Scheduler | None = None  # time triggers (_scheduler.py); set by the Emulator


CONTEXT = web.AppKey("b3os_emulator_context", Context)


@attrs.define
class RequestState:
    """What the middleware learned about the current request (see :func:`request_state`)."""

    request_id: str
    principal: Principal | None = None
    stream_fault: Fault | None = None
    started: bool = False
    """Whether the answer's headers went out (a stream): it can no longer be replaced."""


# Per-request state lives in a context variable: aiohttp runs every request in its own task
# (with a copied context), and request["key"] storage warns on recent aiohttp versions.
_STATE: contextvars.ContextVar[RequestState] = contextvars.ContextVar("b3os_emulator_request")


def begin_request(rid: str) -> RequestState:
    """Start the state of a new request (called once, by the middleware)."""
    state = RequestState(rid)
    _STATE.set(state)
    return state


def request_state() -> RequestState:
    """The current request's state."""
    return _STATE.get()


async def mark_started(request: web.Request, response: web.StreamResponse) -> None:
    """``on_response_prepare`` signal: the answer's headers are being sent."""
    state = _STATE.get(None)
    if state is not None:
        state.started = True


def context(request: web.Request) -> Context:
    """The emulator context of the request's application."""
    return request.app[CONTEXT]


def authenticated(request: web.Request) -> Principal | None:
    """The caller authenticated by API key; ``None`` on a secret route called with a secret."""
    return _STATE.get().principal


def principal(request: web.Request) -> Principal:
    """The authenticated caller (the middleware guarantees one, except on secret routes)."""
    found = _STATE.get().principal
    if found is None:
        raise ApiError(401, MISSING_TOKEN, "missing bearer token")
    return found


def request_id(request: web.Request) -> str:
    """The id assigned to this request."""
    return _STATE.get().request_id


def stream_fault(request: web.Request) -> Fault | None:
    """The stream-level fault matched for this request, if any."""
    return _STATE.get().stream_fault


def json_response(
    status: int, body: Any, rid: str, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer with ``body`` as given and the ``X-Request-ID`` header."""
    response = web.Response(
        status=status, text=dumps(body), content_type="application/json", headers=headers
    )
    response.headers["X-Request-ID"] = rid
    return response


def ok(request: web.Request, data: Any) -> web.Response:
    """A 200 with the B3OS envelope around ``data``."""
    rid = request_id(request)
    return json_response(200, {"code": 200, "data": data, "message": "OK", "requestId": rid}, rid)


def ok_page(
    request: web.Request, items: list[str], limit: int, offset: int, has_more: bool
) -> web.Response:
    """:func:`ok` of a ``{items, limit, offset, hasMore}`` page whose items are JSON texts.

    The bytes are exactly those :func:`ok` would send for the decoded items.
    """
    rid = request_id(request)
    more = "true" if has_more else "false"
    text = (
        f'{{"code":200,"data":{{"items":[{",".join(items)}],"limit":{limit},'
        f'"offset":{offset},"hasMore":{more}}},"message":"OK","requestId":{dumps(rid)}}}'
    )
    response = web.Response(status=200, text=text, content_type="application/json")
    response.headers["X-Request-ID"] = rid
    return response


def bare(request: web.Request, data: Any) -> web.Response:
    """A 200 with ``data`` as the whole body (for routes the OpenAPI declares bare)."""
    return json_response(200, data, request_id(request))


def error_response(
    rid: str, error: ApiError, headers: dict[str, str] | None = None
) -> web.Response:
    """The B3OS error body for ``error``."""
    body = {
        "code": error.code,
        "message": error.message,
        "details": error.details,
        "requestId": rid,
    }
    return json_response(error.status, body, rid, headers)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when there is none).

    400001 when it is not a JSON object (``NaN``/``Infinity`` and integers over
    ``MAX_INT_DIGITS`` digits included: see ``_json.py``); 400002 when nested deeper than
    ``MAX_JSON_DEPTH``.
    """
    raw = await request.read()
    if not raw:  # no body at all; whitespace alone is not JSON (400001), as for a Go server
        return {}
    try:
        parsed = loads(raw)
    except RecursionError:  # json's decoder gives up on very deep nesting ([[[[…]]]])
        raise ApiError(
            400, BAD_JSON, "request body is not valid JSON: nested too deeply to parse"
        ) from None
    except JsonError as exc:
        message = str(exc)[: _limits.MAX_QUOTED_CHARS]
        raise ApiError(400, BAD_JSON, f"request body is not valid JSON: {message}") from None
    if not isinstance(parsed, dict):
        raise ApiError(400, BAD_JSON, "request body must be a JSON object")
    # A bound on nesting keeps every later walk of the body (copies, expression resolution,
    # JSON encoding of answers and events) far from Python's recursion limit.
    if nested_deeper_than(parsed, MAX_JSON_DEPTH):
        raise ApiError(
            400, BAD_FIELD, f"request body is nested more than {MAX_JSON_DEPTH} levels deep"
        )
    return parsed


def int_param(request: web.Request, name: str, default: int, code: int = BAD_QUERY) -> int:
    """A 64-bit integer query parameter (``default`` when absent or empty); else 400 ``code``."""
    raw = request.query.get(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    # The length check comes first: int() of thousands of digits is slow, and refused by
    # Python past 4,300 digits (a 500 before). A Go server's strconv.ParseInt refuses the same.
    if len(text) > 20 or not _INTEGER.fullmatch(text):
        raise ApiError(400, code, f"query parameter {name!r} must be an integer, got {quoted(raw)}")
    value = int(text)
    if not _limits.INT64_MIN <= value <= _limits.INT64_MAX:
        raise ApiError(400, code, f"query parameter {name!r} must be a 64-bit integer")
    return value


def bool_param(request: web.Request, name: str) -> bool | None:
    """A boolean query parameter (true/false/1/0); ``None`` when absent; 400 otherwise."""
    raw = request.query.get(name)
    if raw is None:
        return None
    lowered = raw.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ApiError(
        400, BAD_QUERY, f"query parameter {name!r} must be true or false, got {quoted(raw)}"
    )


def choice_param(request: web.Request, name: str, allowed: tuple[str, ...]) -> str | None:
    """A query parameter restricted to ``allowed`` values; ``None`` when absent or empty."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if raw not in allowed:
        raise ApiError(
            400, BAD_QUERY, f"query parameter {name!r} must be one of {', '.join(allowed)}"
        )
    return raw


DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def paging(request: web.Request) -> tuple[int, int]:
    """``(limit, offset)`` of a list request, clamped like the API documents them.

    ``limit`` defaults to 20 and is at most 100 (a larger one reads 100; zero or negative reads
    the default); ``offset`` defaults to 0 (a negative one reads 0, one beyond 64 bits reads
    2^63-1). Any integer is accepted, as the OpenAPI document types both as plain integers;
    anything else is 400003.
    """
    limit = _clamped(request, "limit", DEFAULT_LIMIT, DEFAULT_LIMIT, MAX_LIMIT)
    offset = _clamped(request, "offset", 0, 0, _limits.INT64_MAX)
    return limit, offset


def _clamped(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter of any size, ``low`` below 1 (``0`` for an offset)..``high``.

    Integers longer than 18 digits are not converted (``int()`` of thousands of digits is slow,
    and refused by Python past 4,300): their sign says all that matters.
    """
    raw = request.query.get(name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    if not _INTEGER.fullmatch(text):
        message = f"query parameter {name!r} must be an integer, got {quoted(raw)}"
        raise ApiError(400, BAD_PAGING, message)
    digits = text.lstrip("+-")
    negative = text.startswith("-")
    value = int(text) if len(digits) <= 18 else (-1 if negative else high)
    floor = 1 if name == "limit" else 0
    return low if value < floor else min(value, high)


def page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """``{items, limit, offset, hasMore}`` for one page of ``items``."""
    return {
        "items": items[offset : offset + limit],
        "limit": limit,
        "offset": offset,
        "hasMore": offset + limit < len(items),
    }


def require(body: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    """Field ``name`` of ``body``, which must be present and of ``kind``; else 400002.

    An ``int`` field holds a 64-bit integer, as the real (Go) server's do.
    """
    value = body.get(name)
    if value is None or not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ApiError(400, BAD_FIELD, f"{name!r} is required and must be {what}")
    if isinstance(value, int) and not _limits.INT64_MIN <= value <= _limits.INT64_MAX:
        raise ApiError(400, BAD_FIELD, f"{name!r} must be a 64-bit integer")
    return value


def optional(body: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    """Field ``name`` of ``body`` if present and not null (must be of ``kind``); else ``None``."""
    if body.get(name) is None:
        return None
    return require(body, name, kind, what)
