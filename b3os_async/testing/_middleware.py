"""The emulator's middleware: one function wraps every request (see ``middleware``).

Theory of operation
-------------------
In this order:

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
   workflow's ``triggerSecret``) instead of a bearer token; its handler checks the secret.
   Routes named ``public.…`` skip authentication; ``OPTIONAL_AUTH_ROUTES`` skip it when no
   ``Authorization`` is sent (``_server.py``); then ``_auth.authorize``: a revoked or expired
   key, or one of a disabled service account, is 401; a caller without the route's permission
   403 (403040);
6. the handler; an :class:`ApiError` anywhere becomes an error body
   ``{code, message, details, requestId}`` with the HTTP status. Any other exception (an
   emulator bug) becomes a 500 error body with code 500001 and is logged, unless the answer had
   already started (a stream). ``aiohttp`` HTTP exceptions and cancellation pass through.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from b3os_async.testing._auth import authorize
from b3os_async.testing._common import (
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
from b3os_async.testing._server import (
    OPTIONAL_AUTH_ROUTES,
    PUBLIC_ROUTE_PREFIX,
    SECRET_ROUTES,
    Context,
    RecordedRequest,
    begin_request,
    context,
    error_response,
    json_response,
    request_id,
    request_state,
)

if TYPE_CHECKING:
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


def _authenticate(request: web.Request, ctx: Context) -> None:
    header = request.headers.get("Authorization")
    route_name = request.match_info.route.name
    if header is None and route_name in SECRET_ROUTES and "secret" in request.query:
        return  # the handler checks the secret
    if route_name is not None and route_name.startswith(PUBLIC_ROUTE_PREFIX):
        return  # a public route: anonymous, whatever the caller sends
    if not header and route_name in OPTIONAL_AUTH_ROUTES:
        return  # anonymous caller of a route that also serves them (public templates)
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
    request_state().principal = Principal(key.org_id, key.scope, key.id, org.user_id)


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, request log, faults, routing errors, authentication, error bodies."""
    ctx = context(request)
    rid = ctx.ids.new("req_", 20)
    state = begin_request(rid)
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
        authorize(request, ctx)  # revoked/expired/disabled keys, permissions, audit (_auth.py)
        return await handler(request)
    except ApiError as error:
        return error_response(rid, error)
    except web.HTTPException:
        raise  # aiohttp's own answers (e.g. 413 for a too large body) keep their meaning
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
