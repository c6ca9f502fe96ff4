"""The emulator's middleware: one function wraps every request (see ``middleware``).

Theory of operation
-------------------
In this order:

1. a request id ``req_…`` (seeded) is assigned; every answer carries it in ``X-Request-ID`` and in
   the body's ``requestId``;
2. the credentials are checked (the answer to bad ones comes at step 5) and, only when they are
   valid, the request is appended to ``emu.requests`` (method, raw path, query, headers without
   ``Authorization``, body bytes; bounded, see ``_request_log.py``): a process without a key
   cannot make the emulator hold its bodies;
3. fault injection (``_faults.py``): a matching fault answers instead of the handler, delays it,
   or is handed to the stream handler (faults model the network in front of the API, so they
   apply to any path, before anything else);
4. unknown routes answer 404 (404001), wrong methods 405 (405001, with an ``Allow`` header as
   RFC 9110 asks), before authentication;
5. authentication: ``Authorization: Bearer b3sk_…`` must name a known key (401001 missing,
   401002 unknown); ``X-Org-ID``, when sent, must be the key's organization (403002); a ``read``
   key may only ``GET``/``HEAD`` (403001). The resume route also accepts ``?secret=`` (the
   workflow's ``triggerSecret``) instead of a bearer token; its handler checks the secret.
   Routes named ``public.…`` skip authentication; ``OPTIONAL_AUTH_ROUTES`` skip it when no
   ``Authorization`` is sent (``_server.py``); then ``_auth.authorize``: a revoked or expired
   key, or one of a disabled service account, is 401; a caller without the route's permission
   403 (403040);
6. the handler; an :class:`ApiError` anywhere becomes an error body
   ``{code, message, details, requestId}`` with the HTTP status. Any other exception (an
   emulator bug) becomes a 500 error body with code 500001 and is logged, unless the answer had
   already started (a stream). ``aiohttp``'s own HTTP errors (413 for a body over
   ``MAX_BODY_BYTES``) get the same error body (code ``status * 1000 + 1``); cancellation passes
   through. Errors aiohttp answers before any middleware runs (a malformed request, a request
   line or header over its limits) get that body too: see ``_protocol.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from b3os_async.testing import _limits
from b3os_async.testing._auth import authorize
from b3os_async.testing._common import (
    BODY_TOO_LARGE,
    INTERNAL_ERROR,
    INVALID_KEY,
    METHOD_NOT_ALLOWED,
    MISSING_TOKEN,
    NO_ROUTE,
    ORG_MISMATCH,
    RATE_LIMITED,
    READ_ONLY_KEY,
    ApiError,
)
from b3os_async.testing._domain.organizations import Principal
from b3os_async.testing._request_log import RecordedRequest
from b3os_async.testing._server import (
    OPTIONAL_AUTH_ROUTES,
    PUBLIC_ROUTE_PREFIX,
    SECRET_ROUTES,
    Context,
    begin_request,
    context,
    error_response,
    json_response,
    request_id,
    request_state,
)

if TYPE_CHECKING:
    from b3os_async.testing._domain.organizations import ApiKey
    from b3os_async.testing._faults import Fault

logger = logging.getLogger("b3os_async.testing")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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
    """Apply each part of ``fault`` in order: sleep, answer instead of the handler, or hand the
    stream parts to the stream (``_sse.Connection``). ``None``: the handler runs."""
    if fault.stream_only:
        request_state().stream_fault = fault  # its stream parts act inside the stream
    for part in fault.effects():
        if part.stream_only:
            continue
        if part.kind in ("delay", "stall"):
            await asyncio.sleep(part.seconds)
            continue
        return await _answer(request, part)
    return None


async def _answer(request: web.Request, fault: Fault) -> web.StreamResponse:
    """The answer of a fault that replaces the handler's."""
    rid = request_id(request)
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
        return json_response(fault.http_status, fault.body, rid, headers)
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


def _authenticate(request: web.Request, ctx: Context) -> tuple[ApiError | None, bool]:
    """The authentication error to answer (if any) and whether the credentials are valid.

    Sets the request's principal when the key may make this request.
    """
    header = request.headers.get("Authorization")
    route_name = request.match_info.route.name
    if header is None and route_name in SECRET_ROUTES and "secret" in request.query:
        return None, _secret_matches(request, ctx)  # the handler checks the secret
    if route_name is not None and route_name.startswith(PUBLIC_ROUTE_PREFIX):
        # A public route: anonymous, whatever the caller sends; recorded with a valid key only.
        return None, _key(header, ctx) is not None
    if not header and route_name in OPTIONAL_AUTH_ROUTES:
        return None, False  # anonymous caller of a route that also serves them (templates)
    if not header:
        return ApiError(
            401, MISSING_TOKEN, "missing bearer token: send Authorization: Bearer …"
        ), False
    key = _key(header, ctx)
    if key is None:
        return ApiError(401, INVALID_KEY, "invalid API key"), False
    org_header = request.headers.get("X-Org-ID")
    if org_header and org_header != key.org_id:
        message = "X-Org-ID does not match the API key's organization"
        return ApiError(403, ORG_MISMATCH, message), True
    if key.scope == "read" and request.method not in ("GET", "HEAD"):
        return ApiError(403, READ_ONLY_KEY, "this API key is read-only (scope 'read')"), True
    org = ctx.store.orgs[key.org_id]
    request_state().principal = Principal(key.org_id, key.scope, key.id, org.user_id)
    return None, True


def _key(header: str | None, ctx: Context) -> ApiKey | None:
    """The API key a ``Bearer`` header names, if it is one."""
    scheme, _, token = (header or "").strip().partition(" ")
    return ctx.store.keys.get(token.strip()) if scheme.lower() == "bearer" else None


def _secret_matches(request: web.Request, ctx: Context) -> bool:
    """Whether ``?secret=`` is the trigger secret of the run's workflow (resume route)."""
    run = ctx.store.runs.get(request.match_info.get("id", ""))
    workflow = ctx.store.workflows.find(run.workflow_id) if run is not None else None
    return workflow is not None and workflow.trigger_secret == request.query.get("secret")


async def _record(request: web.Request, ctx: Context) -> None:
    headers = CIMultiDict(request.headers)
    headers.popall("Authorization", None)
    ctx.requests.append(
        RecordedRequest(
            request.method,
            request.rel_url.raw_path,
            MultiDictProxy(MultiDict(request.query)),
            CIMultiDictProxy(headers),
            await request.read(),  # over MAX_BODY_BYTES: HTTPRequestEntityTooLarge (413001)
        )
    )


async def _allowed(request: web.Request, every: set[str]) -> set[str]:
    """The methods of the most specific route matching the path (the ``Allow`` header).

    aiohttp allows the methods of every route the path matches: ``/v1/workflows/validate`` also
    matches ``/v1/workflows/{id}``, whose GET/PUT/DELETE are not methods of the validate action.
    The routes with the fewest ``{parameters}`` are the target resource (a literal path first).
    """
    found: dict[int, set[str]] = {}
    for resource in request.app.router.resources():
        match, allowed = await resource.resolve(request)
        if match is None and allowed:
            found.setdefault(resource.canonical.count("{"), set()).update(allowed)
    return found[min(found)] if found else every


def _http_error(rid: str, exc: web.HTTPException) -> web.Response:
    """aiohttp's own HTTP error as a B3OS error body (its status and ``Allow`` header kept)."""
    if exc.status == 413:
        code = BODY_TOO_LARGE
        message = (
            f"request body is larger than {_limits.MAX_BODY_BYTES:,} bytes (the emulator's limit)"
        )
    else:
        code = exc.status * 1000 + 1
        message = exc.text or exc.reason
    headers = {name: exc.headers[name] for name in ("Allow", "Retry-After") if name in exc.headers}
    return error_response(rid, ApiError(exc.status, code, message), headers)


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, request log, faults, routing errors, authentication, error bodies."""
    ctx = context(request)
    rid = ctx.ids.new("req_", 20)
    state = begin_request(rid)
    task = asyncio.current_task()
    if task is not None:
        ctx.inflight.add(task)
    try:
        auth_error, valid = _authenticate(request, ctx)
        if valid and ctx.requests.enabled:
            await _record(request, ctx)
        stream = request.path.endswith("/stream")
        fault = ctx.faults.match(request.method, request.path, stream=stream)
        if fault is not None:
            answered = await _apply_fault(request, fault)
            if answered is not None:
                return answered
        routing_error = request.match_info.http_exception
        if isinstance(routing_error, web.HTTPMethodNotAllowed):
            allow = ", ".join(sorted(await _allowed(request, routing_error.allowed_methods)))
            error = ApiError(405, METHOD_NOT_ALLOWED, f"method {request.method} not allowed")
            return error_response(rid, error, {"Allow": allow})
        if routing_error is not None:
            path = request.path[: _limits.MAX_QUOTED_CHARS]  # a URL may be 8 KiB long
            raise ApiError(404, NO_ROUTE, f"no route for {request.method} {path}")
        if auth_error is not None:
            raise auth_error
        authorize(request, ctx)  # revoked/expired/disabled keys, permissions, audit (_auth.py)
        return await handler(request)
    except ApiError as error:
        return error_response(rid, error)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _http_error(rid, exc)
    except Exception as exc:
        # Last resort: an emulator bug. CancelledError (a BaseException) is not caught here,
        # and an answer already started (a stream) cannot be replaced: aiohttp closes it.
        if state.started:
            raise
        logger.exception("emulator error answering %s %s", request.method, request.path)
        message = f"internal emulator error ({type(exc).__name__}); see the emulator's log"
        return error_response(rid, ApiError(500, INTERNAL_ERROR, message))
    finally:
        if task is not None:
            ctx.inflight.discard(task)
