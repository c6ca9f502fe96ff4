"""The emulator's HTTP layer: the aiohttp application, its middleware and response helpers.

Theory of operation
-------------------
One middleware wraps every request, in this order:

1. a request id ``req_…`` (seeded) is assigned; every answer carries it in ``X-Request-ID`` and in
   the body's ``requestId``;
2. the request is appended to ``emu.requests`` (method, raw path, query, headers without
   ``Authorization``, body bytes);
3. fault injection (``_faults.py``): a matching fault answers instead of the handler, delays it,
   or is handed to the stream handler (faults model the network in front of the API, so they
   apply to any path, before anything else);
4. unknown routes answer 404 (404001), wrong methods 405 (405001), before authentication;
5. authentication: ``Authorization: Bearer b3sk_…`` must name a known key (401001 missing,
   401002 unknown); ``X-Org-ID``, when sent, must be the key's organization (403002); a ``read``
   key may only ``GET``/``HEAD`` (403001). The resume route also accepts ``?secret=`` (the
   workflow's ``triggerSecret``) instead of a bearer token; its handler checks the secret;
6. the handler; an :class:`ApiError` anywhere becomes an error body
   ``{code, message, details, requestId}`` with the HTTP status.

Successful JSON answers use the envelope ``{code: <HTTP status>, data, message: "OK", requestId}``
(the resume route answers bare ``{action, reason}``, as the OpenAPI document declares).
"""

from __future__ import annotations

import asyncio
import contextvars
import re
from collections import deque
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from b3os_async.testing._common import (
    BAD_FIELD,
    BAD_JSON,
    BAD_PAGING,
    BAD_QUERY,
    INVALID_KEY,
    METHOD_NOT_ALLOWED,
    MISSING_TOKEN,
    NO_ROUTE,
    ORG_MISMATCH,
    RATE_LIMITED,
    READ_ONLY_KEY,
    ApiError,
    IdSource,
    dumps,
)

if TYPE_CHECKING:
    from b3os_async.testing._engine import Engine
    from b3os_async.testing._faults import Fault, FaultRegistry
    from b3os_async.testing._store import Store
    from b3os_async.testing._streams import Broker

REQUEST_LOG_SIZE = 10_000
"""How many requests ``emu.requests`` keeps (the oldest are dropped; a long-running server)."""

SECRET_ROUTES = frozenset({"resume_node"})
"""Route names that accept ``?secret=`` instead of a bearer token."""

_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)


class RecordedRequest(NamedTuple):
    """One request as the emulator received it (``emu.requests`` holds these, oldest first)."""

    method: str
    path: str
    """The raw (still percent-encoded) path, without the query string."""
    query: MultiDictProxy[str]
    headers: CIMultiDictProxy[str]
    """Request headers except ``Authorization``."""
    body: bytes


@attrs.frozen
class Principal:
    """Who is calling: the API key's organization, scope, key id and acting user id."""

    org_id: str
    scope: str
    key_id: str
    user_id: str


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
    requests: deque[RecordedRequest] = attrs.field(factory=lambda: deque(maxlen=REQUEST_LOG_SIZE))
    open_streams: int = 0
    inflight: set[asyncio.Task[Any]] = attrs.field(factory=set)


CONTEXT = web.AppKey("b3os_emulator_context", Context)


@attrs.define
class _RequestState:
    request_id: str
    principal: Principal | None = None
    stream_fault: Fault | None = None


# Per-request state lives in a context variable: aiohttp runs every request in its own task
# (with a copied context), and request["key"] storage warns on recent aiohttp versions.
_STATE: contextvars.ContextVar[_RequestState] = contextvars.ContextVar("b3os_emulator_request")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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


def _json(status: int, body: Any, rid: str, headers: dict[str, str] | None = None) -> web.Response:
    response = web.Response(
        status=status, text=dumps(body), content_type="application/json", headers=headers
    )
    response.headers["X-Request-ID"] = rid
    return response


def ok(request: web.Request, data: Any) -> web.Response:
    """A 200 with the B3OS envelope around ``data``."""
    rid = request_id(request)
    return _json(200, {"code": 200, "data": data, "message": "OK", "requestId": rid}, rid)


def bare(request: web.Request, data: Any) -> web.Response:
    """A 200 with ``data`` as the whole body (for routes the OpenAPI declares bare)."""
    return _json(200, data, request_id(request))


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
    return _json(error.status, body, rid, headers)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when empty); 400001 when not a JSON object."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        parsed = await request.json()
    except ValueError:
        raise ApiError(400, BAD_JSON, "request body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise ApiError(400, BAD_JSON, "request body must be a JSON object")
    return parsed


def int_param(request: web.Request, name: str, default: int, code: int = BAD_QUERY) -> int:
    """An integer query parameter (``default`` when absent); 400 when not an integer."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw.strip()):
        raise ApiError(400, code, f"query parameter {name!r} must be an integer, got {raw!r}")
    return int(raw)


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
    raise ApiError(400, BAD_QUERY, f"query parameter {name!r} must be true or false, got {raw!r}")


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


def paging(request: web.Request) -> tuple[int, int]:
    """``(limit, offset)``: limit 1..100 (default 20), offset >= 0 (default 0); else 400003."""
    limit = int_param(request, "limit", 20, BAD_PAGING)
    offset = int_param(request, "offset", 0, BAD_PAGING)
    if not 1 <= limit <= 100:
        raise ApiError(400, BAD_PAGING, f"limit must be between 1 and 100, got {limit}")
    if offset < 0:
        raise ApiError(400, BAD_PAGING, f"offset must not be negative, got {offset}")
    return limit, offset


def page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """``{items, limit, offset, hasMore}`` for one page of ``items``."""
    return {
        "items": items[offset : offset + limit],
        "limit": limit,
        "offset": offset,
        "hasMore": offset + limit < len(items),
    }


def require(body: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    """Field ``name`` of ``body``, which must be present and of ``kind``; else 400002."""
    value = body.get(name)
    if value is None or not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ApiError(400, BAD_FIELD, f"{name!r} is required and must be {what}")
    return value


def optional(body: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    """Field ``name`` of ``body`` if present and not null (must be of ``kind``); else ``None``."""
    if body.get(name) is None:
        return None
    return require(body, name, kind, what)


# -- middleware ----------------------------------------------------------------------------------


def _retry_after(value: float | int | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else str(value)


_HTML = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>emulated-proxy</center>\r\n"
    "</body>\r\n</html>\r\n"
)


async def _apply_fault(request: web.Request, fault: Fault) -> web.StreamResponse | None:
    rid = request_id(request)
    if fault.stream_only:
        _STATE.get().stream_fault = fault
        return None
    if fault.kind in ("delay", "stall"):
        await asyncio.sleep(fault.seconds)
        return None
    phrase = _phrase(fault.http_status)
    if fault.kind == "html_error":
        response = web.Response(
            status=fault.http_status,
            text=_HTML.format(status=fault.http_status, phrase=phrase),
            content_type="text/html",
        )
        response.headers["X-Request-ID"] = rid
        return response
    if fault.kind == "truncated_body":
        return await _truncated(request, rid)
    headers = {} if fault.retry_after is None else {"Retry-After": _retry_after(fault.retry_after)}
    if fault.body is None:
        code = RATE_LIMITED if fault.http_status == 429 else fault.http_status * 1000
        message = f"{phrase} (injected by the emulator)"
        return error_response(rid, ApiError(fault.http_status, code, message), headers)
    if isinstance(fault.body, (dict, list)):
        return _json(fault.http_status, fault.body, rid, headers)
    text = fault.body.decode() if isinstance(fault.body, bytes) else str(fault.body)
    response = web.Response(status=fault.http_status, text=text, headers=headers)
    response.headers["X-Request-ID"] = rid
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _truncated(request: web.Request, rid: str) -> web.StreamResponse:
    partial = b'{"code":200,"data":{"id":"wf_trunc'
    response = web.StreamResponse(status=200)
    response.content_type = "application/json"
    response.content_length = len(partial) + 512
    response.headers["X-Request-ID"] = rid
    await response.prepare(request)
    await response.write(partial)
    # Close mid-body: the client sees fewer bytes than Content-Length promised.
    if request.transport is not None:
        request.transport.close()
    return response


def _authenticate(request: web.Request, ctx: Context) -> None:
    header = request.headers.get("Authorization")
    route_name = request.match_info.route.name
    if header is None and route_name in SECRET_ROUTES and "secret" in request.query:
        return  # the handler checks the secret
    if not header:
        raise ApiError(401, MISSING_TOKEN, "missing bearer token: send Authorization: Bearer …")
    scheme, _, token = header.strip().partition(" ")
    key = ctx.store.keys.get(token.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        raise ApiError(401, INVALID_KEY, "invalid API key")
    org_header = request.headers.get("X-Org-ID")
    if org_header and org_header != key.org_id:
        raise ApiError(403, ORG_MISMATCH, "X-Org-ID does not match the API key's organization")
    if key.scope == "read" and request.method not in ("GET", "HEAD"):
        raise ApiError(403, READ_ONLY_KEY, "this API key is read-only (scope 'read')")
    org = ctx.store.orgs[key.org_id]
    _STATE.get().principal = Principal(key.org_id, key.scope, key.id, org.user_id)


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, request log, faults, routing errors, authentication, error bodies."""
    ctx = context(request)
    rid = ctx.ids.new("req_", 20)
    _STATE.set(_RequestState(rid))
    headers = CIMultiDict(request.headers)
    headers.popall("Authorization", None)
    ctx.requests.append(
        RecordedRequest(
            request.method,
            request.rel_url.raw_path,
            MultiDictProxy(MultiDict(request.query)),
            CIMultiDictProxy(headers),
            await request.read(),
        )
    )
    task = asyncio.current_task()
    if task is not None:
        ctx.inflight.add(task)
    try:
        stream = request.path.endswith("/stream")
        fault = ctx.faults.match(request.method, request.path, stream=stream)
        if fault is not None:
            answered = await _apply_fault(request, fault)
            if answered is not None:
                return answered
        routing_error = request.match_info.http_exception
        if routing_error is not None:
            if routing_error.status == 405:
                raise ApiError(405, METHOD_NOT_ALLOWED, f"method {request.method} not allowed")
            raise ApiError(404, NO_ROUTE, f"no route for {request.method} {request.path}")
        _authenticate(request, ctx)
        return await handler(request)
    except ApiError as error:
        return error_response(rid, error)
    finally:
        if task is not None:
            ctx.inflight.discard(task)
