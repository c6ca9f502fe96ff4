"""Behaviour of the session manager against a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
import socket
import sys
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import aiohttp
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.scripted import Reply, ScriptedServer, envelope

from b3os_async import (
    B3OS,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    RetryPolicy,
    StreamError,
    Timeout,
)
from b3os_async._errors import redact_url  # a private pure function, unit-tested here
from b3os_async._retry import Failure
from b3os_async._transport.envelope import unwrap_envelope
from b3os_async._transport.http import NOT_GIVEN, build_query, classify_exception

if TYPE_CHECKING:
    from collections.abc import Callable

KEY = "b3sk_live_abcdefghijklmnopqrstuvwxyz0123456789WXYZ"


@pytest.fixture
def server(scripted: ScriptedServer) -> ScriptedServer:
    """The scripted server on 127.0.0.1 these tests talk to."""
    return scripted


@pytest.fixture
def make_client(server: ScriptedServer) -> Callable[..., B3OS]:
    """Build clients pointed at ``server`` (no-wait retries by default); all closed afterwards."""
    return functools.partial(server.client, api_key=KEY)


def acquired(b3: B3OS) -> int:
    """Connections currently checked out of the client's pool (aiohttp keeps no public counter)."""
    session = b3._manager.pools.request_session
    assert session is not None
    connector = session.connector
    assert connector is not None
    return len(connector._acquired)


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- envelopes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": 200, "data": {"id": "wf_1"}, "message": "OK", "requestId": "r"}, {"id": "wf_1"}),
        ({"code": 200, "data": None, "message": "OK", "requestId": "r"}, None),
        ({"success": True, "data": [1, 2]}, [1, 2]),
        ({"success": True, "data": [1], "hasMore": True}, {"items": [1], "hasMore": True}),
        ({"code": 200, "message": "deleted", "requestId": "r"}, None),
        ({"id": "wf_1", "name": "bare"}, {"id": "wf_1", "name": "bare"}),
        ({"code": "x", "message": "y", "extra": 1}, {"code": "x", "message": "y", "extra": 1}),
        ([1, 2, 3], [1, 2, 3]),
        ({"data": {"only": 1}}, {"data": {"only": 1}}),
        ({"success": True}, {"success": True}),  # a bare answer (the faucet's), not an envelope
    ],
)
def test_unwrap_envelope_variants(body: Any, expected: Any) -> None:
    """Each documented envelope unwraps to its data; other bodies pass through unchanged."""
    assert unwrap_envelope(body)[0] == expected


def test_unwrap_envelope_keeps_request_id() -> None:
    """The envelope's requestId is returned alongside the data."""
    assert unwrap_envelope(envelope(1)) == (1, "req-body-1")


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(200, envelope({"id": "wf_1"})), {"id": "wf_1"}),
        (Reply(200, {"success": True, "data": {"id": "wf_2"}}), {"id": "wf_2"}),
        (Reply(200, {"code": 200, "message": "deleted", "requestId": "r"}), None),
        (Reply(200, {"items": [], "hasMore": False}), {"items": [], "hasMore": False}),
        (Reply(200, b""), None),
        (Reply(204, b""), None),
    ],
)
async def test_request_unwraps_over_http(
    server: ScriptedServer, make_client: Callable[..., B3OS], reply: Reply, expected: Any
) -> None:
    """request() returns the unwrapped data for every envelope variant and empty bodies."""
    server.script("/v1/x", reply)
    assert await make_client().request("GET", "/v1/x") == expected


async def test_non_json_2xx_is_response_validation_error(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """An HTML page on a 200 is a ResponseValidationError with status, type, tag-free excerpt."""
    page = "<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1>" + "x" * 500
    server.script("/v1/x", Reply(200, page, {"Content-Type": "text/html"}))
    with pytest.raises(ResponseValidationError) as info:
        await make_client().request("GET", "/v1/x")
    err = info.value
    assert err.status == 200
    assert err.content_type == "text/html"
    assert err.excerpt is not None
    assert err.excerpt.startswith("502 Bad Gateway")
    assert "<" not in err.excerpt
    assert len(err.excerpt) <= 200
    assert "502 Bad Gateway" in str(err)


async def test_deeply_nested_2xx_is_response_validation_error(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """JSON nested too deeply to parse is a ResponseValidationError, not a RecursionError."""
    server.script("/v1/x", Reply(200, b"[" * 200_000, {"Content-Type": "application/json"}))
    b3 = make_client()
    with pytest.raises(ResponseValidationError) as info:
        await b3.request("GET", "/v1/x")
    assert info.value.status == 200
    assert acquired(b3) == 0


# -- error mapping -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "cls", "hint"),
    [
        (401, AuthenticationError, "B3OS_API_KEY"),
        (402, InsufficientCreditsError, "compute units"),
        (403, PermissionDeniedError, "read-write"),
        (404, NotFoundError, "not visible"),
        (409, ConflictError, "fetch it again"),
        (500, InternalServerError, "retry later"),
    ],
)
async def test_error_status_maps_to_class_with_hint(
    server: ScriptedServer, make_client: Callable[..., B3OS], status: int, cls: type, hint: str
) -> None:
    """An error status raises its class carrying the body's fields and a what-to-do hint."""
    body = {"code": status * 1000 + 1, "message": "nope", "details": [{"f": 1}], "requestId": "q1"}
    server.script("/v1/x", Reply(status, body))
    with pytest.raises(APIStatusError) as info:
        await make_client(retry=RetryPolicy.disabled()).request("GET", "/v1/x")
    err = info.value
    assert type(err) is cls
    assert (err.status, err.code, err.details, err.request_id) == (
        status,
        status * 1000 + 1,
        [{"f": 1}],
        "q1",
    )
    assert (err.method, err.attempts) == ("GET", 1)
    assert err.url == server.url + "/v1/x"
    assert "nope" in str(err)
    assert hint in str(err)


async def test_429_carries_retry_after(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A final 429 is a RateLimitError whose retry_after and message come from Retry-After."""
    server.script("/v1/x", Reply(429, {"code": 429, "message": "slow"}, {"Retry-After": "7"}))
    with pytest.raises(RateLimitError) as info:
        await make_client(retry=RetryPolicy.disabled()).request("GET", "/v1/x")
    assert info.value.retry_after == 7.0
    assert "retry after 7 s" in str(info.value)


async def test_html_error_body_keeps_status_class(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A 502 HTML page maps to InternalServerError with a short tag-free excerpt in the message."""
    page = "<html><body><center><h1>502 Bad Gateway</h1></center><hr>cloudflare</body></html>"
    server.script("/v1/x", Reply(502, page, {"Content-Type": "text/html"}))
    with pytest.raises(InternalServerError) as info:
        await make_client(retry=RetryPolicy.disabled()).request("GET", "/v1/x")
    assert "502 Bad Gateway cloudflare" in str(info.value)
    assert "<h1>" not in str(info.value)


async def test_empty_error_body_and_request_id_header(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """An empty 404 is a NotFoundError saying so, with the X-Request-ID header as request_id."""
    server.script("/v1/x", Reply(404, b"", {"X-Request-ID": "hdr-9"}))
    with pytest.raises(NotFoundError) as info:
        await make_client().request("GET", "/v1/x")
    assert "empty body" in str(info.value)
    assert info.value.request_id == "hdr-9"


async def test_legacy_error_envelope(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """The legacy {success: false, error: {message, code}} body fills message and code."""
    body = {"success": False, "error": {"message": "Workflow gone", "code": "NOT_FOUND"}}
    server.script("/v1/x", Reply(404, body))
    with pytest.raises(NotFoundError) as info:
        await make_client().request("GET", "/v1/x")
    assert info.value.code == "NOT_FOUND"
    assert "Workflow gone" in str(info.value)


async def test_redirect_not_followed(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A redirect is surfaced as an APIStatusError instead of being followed with the key."""
    server.script("/v1/x", Reply(302, b"", {"Location": "http://127.0.0.1:1/steal"}))
    with pytest.raises(APIStatusError) as info:
        await make_client().request("GET", "/v1/x")
    assert info.value.status == 302
    assert server.hits("/v1/x") == 1


# -- retries -----------------------------------------------------------------------------------


async def test_5xx_retried_then_surfaced(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A persistent 503 is retried up to max_attempts, then raised with attempts == max_attempts."""
    server.script("/v1/x", Reply(503, {"code": 503, "message": "down"}))
    with pytest.raises(InternalServerError) as info:
        await make_client(retry=RetryPolicy.no_wait(4)).request("GET", "/v1/x")
    assert info.value.attempts == 4
    assert server.hits("/v1/x") == 4


async def test_5xx_then_success(server: ScriptedServer, make_client: Callable[..., B3OS]) -> None:
    """A 500 followed by a 200 returns the data of the 200."""
    server.script("/v1/x", Reply(500, b"boom"), Reply(200, envelope(5)))
    assert await make_client().request("GET", "/v1/x") == 5
    assert server.hits("/v1/x") == 2


async def test_post_not_retried_on_503(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A POST is not idempotent by default: one 503 is raised after exactly one request."""
    server.script("/v1/x", Reply(503, b""))
    with pytest.raises(InternalServerError) as info:
        await make_client().request("POST", "/v1/x", json={"a": 1})
    assert info.value.attempts == 1
    assert server.hits("/v1/x") == 1


async def test_idempotent_post_retried(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A POST marked idempotent=True is resent after a 503."""
    server.script("/v1/x", Reply(503, b""), Reply(200, envelope("ok")))
    result = await make_client().request("POST", "/v1/x", json={}, idempotent=True)
    assert result == "ok"
    assert server.hits("/v1/x") == 2


@pytest.mark.slow  # waits a real Retry-After: 1
async def test_429_retry_after_is_waited(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A 429 with Retry-After: 1 is retried after about one second (the one sleeping test)."""
    server.script("/v1/x", Reply(429, b"", {"Retry-After": "1"}), Reply(200, envelope(1)))
    policy = RetryPolicy(max_attempts=2, initial_delay=0, max_delay=0)
    b3 = make_client(retry=policy)
    started = time.monotonic()
    assert await b3.request("GET", "/v1/x") == 1
    assert time.monotonic() - started >= 0.9


async def test_connect_refused_retried_for_post(make_client: Callable[..., B3OS]) -> None:
    """Connection refused means nothing was sent, so even a POST is retried, then raised."""
    b3 = make_client(base_url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(APIConnectionError) as info:
        await b3.request("POST", "/v1/x", json={})
    assert type(info.value) is APIConnectionError
    assert info.value.attempts == 3
    assert info.value.method == "POST"


@pytest.mark.slow
async def test_timeout_becomes_api_timeout_error(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A response slower than the total timeout raises APITimeoutError after the retries."""
    release = asyncio.Event()
    server.script("/v1/slow", Reply(200, envelope(1), wait=release))
    b3 = make_client(timeout=Timeout(total=0.2), retry=RetryPolicy.no_wait(2))
    try:
        with pytest.raises(APITimeoutError) as info:
            await b3.request("GET", "/v1/slow")
    finally:
        release.set()
    assert info.value.attempts == 2
    assert server.hits("/v1/slow") == 2


@pytest.mark.slow
async def test_a_retry_never_runs_past_max_elapsed(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A retry that hangs is cut at the policy's total time budget, not the per-call timeout."""
    release = asyncio.Event()
    server.script("/v1/flaky", Reply(503), Reply(200, envelope(1), wait=release))
    policy = attrs.evolve(RetryPolicy.no_wait(3), max_elapsed=0.5)
    b3 = make_client(timeout=Timeout(total=30.0), retry=policy)
    started = time.monotonic()
    try:
        with pytest.raises(APITimeoutError) as info:
            await b3.request("GET", "/v1/flaky")
    finally:
        release.set()
    assert time.monotonic() - started < 5.0
    assert info.value.attempts == 2


@pytest.mark.slow
async def test_connections_released_after_errors(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """After error statuses, bad bodies and timeouts no connection stays checked out."""
    release = asyncio.Event()
    server.script("/v1/err", Reply(500, b"x" * 100_000))
    server.script("/v1/html", Reply(200, "<p>hi</p>", {"Content-Type": "text/html"}))
    server.script("/v1/slow", Reply(200, b"{}", wait=release))
    b3 = make_client(timeout=Timeout(total=0.2), max_connections=2)
    try:
        for route, exc in [
            ("/v1/err", InternalServerError),
            ("/v1/html", ResponseValidationError),
            ("/v1/slow", APITimeoutError),
            ("/v1/err", InternalServerError),
        ]:
            with pytest.raises(exc):
                await b3.request("GET", route)
            assert acquired(b3) == 0
    finally:
        release.set()


async def test_connection_released_on_cancel(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """Cancelling a request while it waits for the response leaves no connection checked out."""
    release = asyncio.Event()
    server.script("/v1/slow", Reply(200, b"{}", wait=release))
    b3 = make_client()
    task = asyncio.ensure_future(b3.request("GET", "/v1/slow"))
    try:
        await server.wait_for("/v1/slow")  # the request is on the wire, its answer held
        assert acquired(b3) == 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert acquired(b3) == 0
    finally:
        release.set()


@pytest.mark.parametrize(
    ("exc", "failure", "error_cls"),
    [
        (aiohttp.ConnectionTimeoutError(), Failure.CONNECT, APITimeoutError),
        (aiohttp.SocketTimeoutError(), Failure.TIMEOUT, APITimeoutError),
        (asyncio.TimeoutError(), Failure.TIMEOUT, APITimeoutError),
        (aiohttp.ServerDisconnectedError(), Failure.CONNECTION, APIConnectionError),
        (aiohttp.ClientPayloadError("truncated"), Failure.CONNECTION, APIConnectionError),
    ],
)
def test_classify_exception(exc: BaseException, failure: Failure, error_cls: type) -> None:
    """Exceptions map to a retry kind and a final error class (connect timeouts were not sent)."""
    assert classify_exception(exc) == (failure, error_cls)


async def test_max_connections_applied(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """max_connections sets the connector's total and per-host limits."""
    server.script("/v1/x", Reply(200, envelope(1)))
    b3 = make_client(max_connections=7)
    await b3.request("GET", "/v1/x")
    session = b3._manager.pools.request_session
    assert session is not None
    connector = session.connector
    assert isinstance(connector, aiohttp.TCPConnector)
    assert (connector.limit, connector.limit_per_host) == (7, 7)


# -- what goes on the wire ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ident", "raw_segment"),
    [
        ("../admin", "..%2Fadmin"),
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("?x", "%3Fx"),
        ("#", "%23"),
        ("%2F", "%252F"),
    ],
)
async def test_path_encoding_seen_by_server(
    server: ScriptedServer, make_client: Callable[..., B3OS], ident: str, raw_segment: str
) -> None:
    """An id reaches the server as one encoded segment under the intended route."""
    route = f"/v1/workflows/{raw_segment}/runs"
    server.script(route, Reply(200, envelope(ident)))
    assert await make_client().request("GET", "/v1/workflows/{}/runs", ident) == ident
    assert server.requests[-1].raw_path == route


async def test_default_headers(server: ScriptedServer, make_client: Callable[..., B3OS]) -> None:
    """Bearer auth, JSON accept and the b3os-async/python/aiohttp user agent are sent."""
    server.script("/v1/x", Reply(200, envelope(1)))
    await make_client().request("GET", "/v1/x")
    headers = server.requests[-1].headers
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert headers["Accept"] == "application/json"
    py = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert re.fullmatch(rf"b3os-async/\S+ python/{py} aiohttp/\d+\.\d+", headers["User-Agent"])
    assert "X-Org-ID" not in headers


async def test_org_id_and_user_agent_prefix(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """org_id is sent as X-Org-ID and user_agent is put in front of our product token."""
    server.script("/v1/x", Reply(200, envelope(1)))
    await make_client(org_id="org_42", user_agent="myapp/2.0").request("GET", "/v1/x")
    headers = server.requests[-1].headers
    assert headers["X-Org-ID"] == "org_42"
    assert headers["User-Agent"].startswith("myapp/2.0 b3os-async/")


async def test_json_body_and_query(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """JSON bodies are sent as application/json; query None values drop, lists repeat."""
    server.script("/v1/x", Reply(200, envelope(1)))
    b3 = make_client()
    params = {"status": ["a", "b"], "q": None, "flag": True, "n": 3, "s": "x y&z"}
    await b3.request("POST", "/v1/x", params=params, json={"k": [1, None]})
    seen = server.requests[-1]
    assert seen.raw_path == "/v1/x?status=a&status=b&flag=true&n=3&s=x%20y%26z"
    assert seen.headers["Content-Type"] == "application/json"
    assert json.loads(seen.body) == {"k": [1, None]}


async def test_none_json_is_null_and_not_given_is_empty(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """json=None sends the JSON literal null; json=NOT_GIVEN sends no body."""
    server.script("/v1/x", Reply(200, envelope(1)))
    b3 = make_client()
    await b3._requester.request("PUT", "/v1/x", json=None)  # b3.request() maps None to no body
    await b3._requester.request("PUT", "/v1/x", json=NOT_GIVEN)
    assert [s.body for s in server.requests] == [b"null", b""]
    assert "Content-Type" not in server.requests[1].headers


def test_build_query_empty() -> None:
    """No parameters (or only None values) give an empty query string."""
    assert build_query(None) == ""
    assert build_query({"a": None}) == ""


# -- redaction ---------------------------------------------------------------------------------


async def test_key_never_logged_or_in_errors(
    server: ScriptedServer, make_client: Callable[..., B3OS], caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG, through retries and errors, the key appears in no log record and no error text."""
    caplog.set_level(logging.DEBUG)
    echo = f"<html>Authorization: Bearer {KEY}</html>"
    server.script("/v1/x", Reply(503, echo, {"Content-Type": "text/html"}))
    b3 = make_client()
    with pytest.raises(InternalServerError) as info:
        await b3.request("GET", "/v1/x", params={"secret": "s3cr3t-value"})
    assert any("(retrying)" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert KEY not in record.getMessage()
        if not record.name.startswith("aiohttp.access"):  # the test server's own access log
            assert "s3cr3t-value" not in record.getMessage()
    for text in (str(info.value), repr(info.value), repr(b3), repr(b3._manager)):
        assert KEY not in text
        assert "s3cr3t-value" not in text
    assert info.value.url is not None
    assert "secret=%3Credacted%3E" in info.value.url or "secret=<redacted>" in info.value.url


# -- raw responses -----------------------------------------------------------------------------


async def test_with_raw_response_meta(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """with_raw_response returns parsed data plus status, headers, request id, retries, timing."""
    server.script(
        "/v1/x", Reply(502, b""), Reply(200, envelope({"v": 1}, None), {"X-Request-ID": "hdr-1"})
    )
    b3 = make_client()
    raw = await b3.with_raw_response(b3.request("GET", "/v1/x", params={"token": "t"}))
    assert raw.parsed == {"v": 1}
    meta = raw.meta
    assert (meta.status, meta.request_id, meta.retries_taken, meta.method) == (
        200,
        "hdr-1",
        1,
        "GET",
    )
    assert meta.headers["x-request-id"] == "hdr-1"
    assert meta.elapsed > 0
    assert "token=" in meta.url
    assert "token=t" not in meta.url


async def test_raw_request_id_from_envelope(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """The envelope's requestId is the meta request_id, preferred to the X-Request-ID header."""
    server.script("/v1/x", Reply(200, envelope(1), {"X-Request-ID": "hdr-2"}))
    b3 = make_client()
    raw = await b3.with_raw_response(b3.request("GET", "/v1/x"))
    assert raw.meta.request_id == "req-body-1"


async def test_with_raw_response_refuses_tasks(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """Passing a Task to with_raw_response raises TypeError (its context was already copied)."""
    server.script("/v1/x", Reply(200, envelope(1)))
    b3 = make_client()
    task = asyncio.ensure_future(b3.request("GET", "/v1/x"))
    with pytest.raises(TypeError, match="not a Task"):
        await b3.with_raw_response(task)
    assert await task == 1


async def test_raw_capture_is_per_call(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """Concurrent with_raw_response calls each see their own response."""
    server.script("/v1/a", Reply(200, envelope("a", None), {"X-Request-ID": "ra"}))
    server.script("/v1/b", Reply(201, envelope("b", None), {"X-Request-ID": "rb"}))
    b3 = make_client()
    ra, rb = await asyncio.gather(
        b3.with_raw_response(b3.request("GET", "/v1/a")),
        b3.with_raw_response(b3.request("GET", "/v1/b")),
    )
    assert (ra.parsed, ra.meta.request_id, ra.meta.status) == ("a", "ra", 200)
    assert (rb.parsed, rb.meta.request_id, rb.meta.status) == ("b", "rb", 201)


# -- lifecycle and sessions --------------------------------------------------------------------


async def test_use_after_close(server: ScriptedServer, make_client: Callable[..., B3OS]) -> None:
    """A request after aclose() raises a ConfigurationError saying the client is closed."""
    server.script("/v1/x", Reply(200, envelope(1)))
    b3 = make_client()
    await b3.request("GET", "/v1/x")
    await b3.aclose()
    with pytest.raises(ConfigurationError, match="closed"):
        await b3.request("GET", "/v1/x")


async def test_caller_owned_session_left_open(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A caller-owned aiohttp session is used with our headers and is not closed by aclose()."""
    server.script("/v1/x", Reply(200, envelope(1)))
    async with aiohttp.ClientSession() as own:
        b3 = make_client(session=own)
        assert await b3.request("GET", "/v1/x") == 1
        await b3.aclose()
        assert not own.closed
        assert server.requests[-1].headers["Authorization"] == f"Bearer {KEY}"


# -- streaming helpers -------------------------------------------------------------------------


async def test_stream_sends_stream_headers(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """b3.stream() sends Accept: text/event-stream, Last-Event-ID and the key; yields raw events."""
    server.script(
        "/v1/runs/run_1/stream",
        Reply(200, "id: 5\ndata: 1\n\n", {"Content-Type": "text/event-stream"}),
    )
    b3 = make_client()
    async with b3.stream("/v1/runs/{}/stream", "run_1", last_event_id="4") as events:
        first = await events.__anext__()
    assert (first.id, first.data) == ("5", "1")
    headers = server.requests[0].headers
    assert headers["Accept"] == "text/event-stream"
    assert headers["Last-Event-ID"] == "4"
    assert headers["Authorization"] == f"Bearer {KEY}"


async def test_stream_error_status_maps_like_requests(
    server: ScriptedServer, make_client: Callable[..., B3OS]
) -> None:
    """A stream answered 401 raises AuthenticationError with the API's message, like request()."""
    server.script("/v1/s", Reply(401, {"code": 401, "message": "bad key"}))
    async with make_client().stream("/v1/s") as events:
        with pytest.raises(AuthenticationError, match="bad key"):
            await events.__anext__()


async def test_stream_connect_error_is_ours(make_client: Callable[..., B3OS]) -> None:
    """A refused stream connection ends in StreamError caused by APIConnectionError (no aiohttp)."""
    b3 = make_client(base_url=f"http://127.0.0.1:{closed_port()}")
    async with b3.with_options(reconnect=RetryPolicy.disabled()).stream("/v1/s") as events:
        with pytest.raises(StreamError) as info:
            await events.__anext__()
    assert isinstance(info.value.__cause__, APIConnectionError)


_SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.booleans())


def _as_query_text(value: str | int | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@pytest.mark.slow  # a property test: over a second of examples
@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=12),
        st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3)),
        max_size=5,
    )
)
def test_build_query_equals_urlencode(params: dict[str, Any]) -> None:
    """The hand-rolled query encoder gives exactly what urlencode(quote_via=quote) would."""
    pairs = [
        (k, _as_query_text(item))
        for k, v in params.items()
        for item in (v if isinstance(v, list) else [v])
    ]
    assert build_query(params) == urlencode(pairs, quote_via=quote, safe="")


def test_redact_url_fast_path_keeps_plain_urls_and_still_redacts_secrets() -> None:
    """Plain URLs come back unchanged; a secret in the query is still redacted."""
    plain = "https://api.b3os.org/v1/runs?status=success&limit=20&offset=0"
    assert redact_url(plain) == plain
    secret = "https://api.b3os.org/v1/runs/run_1/nodes/a/resume?secret=abc&x=1"
    assert "abc" not in redact_url(secret)
    assert "abcdefghijklmnop" not in redact_url("https://h/p?note=b3sk_abcdefghijklmnop1234")
