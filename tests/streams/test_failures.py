"""Failures while streaming: statuses, error events, timeouts, budgets and size caps."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web
from stream_fakes import Conn, collect, run_events, run_stream

from b3os_async import (
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    StreamError,
)
from b3os_async.streams import ReconnectInfo, StreamTimeouts

if TYPE_CHECKING:
    from conftest import Serve

EVENTS = run_events()
N = len(EVENTS)
#: Zero backoff, but server hints (retry:, Retry-After) are honoured.
HINTS = RetryPolicy(max_attempts=5, initial_delay=0.0, max_delay=0.0, jitter=False)


def _capped(client: Any, size: int) -> Any:
    """A run stream whose decoder refuses events over ``size`` characters."""
    return run_stream(client, max_event_size=size)


def _stream(client: Any, **kwargs: Any) -> Any:
    return run_stream(client, **kwargs)


async def _drain(stream: Any, got: list[Any]) -> None:
    """Append every event of ``stream`` to ``got`` (so a test sees what came before an error)."""
    async with stream:
        async for event in stream:
            got.append(event)


async def _rest(conn: Conn) -> None:
    """Serve everything after the client's Last-Event-ID."""
    await conn.open(retry_ms=0)
    await conn.send(EVENTS[int(conn.last_event_id or 0) :])


def _error_response(status: int) -> web.Response:
    body = {"code": status, "message": f"failure {status}", "requestId": "req_x"}
    return web.json_response(body, status=status)


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError)],
)
async def test_auth_and_missing_fail_at_once(
    serve: Serve, status: int, error_class: type[APIStatusError]
) -> None:
    """401, 403 and 404 raise the mapped error class after exactly one request."""

    async def script(conn: Conn) -> web.Response:
        return _error_response(status)

    server, client = await serve(script)
    with pytest.raises(error_class) as caught:
        await collect(_stream(client))
    assert caught.value.status == status
    assert caught.value.request_id == "req_x"
    assert len(server.requests) == 1


async def test_wrong_content_type_fails_at_once(serve: Serve) -> None:
    """A 200 that is not text/event-stream raises StreamError after one request."""

    async def script(conn: Conn) -> web.Response:
        return web.Response(text="<html>proxy</html>", content_type="text/html")

    server, client = await serve(script)
    with pytest.raises(StreamError, match="text/html"):
        await collect(_stream(client))
    assert len(server.requests) == 1


async def test_429_and_503_wait_retry_after(serve: Serve) -> None:
    """429 and 503 are retried after their Retry-After values, then the stream goes on."""
    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> web.StreamResponse | None:
        if conn.index == 0:
            response = _error_response(429)
            response.headers["Retry-After"] = "0.05"
            return response
        if conn.index == 1:
            response = _error_response(503)
            response.headers["Retry-After"] = "0"
            return response
        await _rest(conn)
        return None

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client, reconnect=HINTS, on_reconnect=infos.append))
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert [(i.reason, i.delay, i.failures) for i in infos] == [
        ("status 429", 0.05, 1),
        ("status 503", 0.0, 2),
    ]
    assert isinstance(infos[0].error, RateLimitError)
    assert infos[0].error.retry_after == 0.05
    assert len(server.requests) == 3


async def test_204_ends_with_terminal_from_run_state(serve: Serve) -> None:
    """A 204 stops reconnecting; the finished run's state supplies the missed terminal event."""

    async def script(conn: Conn) -> None:
        conn.server.published = N  # the run already finished
        return  # -> 204

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client))
    assert got[-1].type == "run_completed"
    assert all(e.synthetic for e in got)
    assert len(server.requests) == 1


async def test_204_on_unfinished_run_ends_and_until_complete_raises(serve: Serve) -> None:
    """After a 204 for a run still running, until_complete() raises StreamError."""

    async def script(conn: Conn) -> None:
        conn.server.published = 3
        return

    server, client = await serve(script, EVENTS)
    with pytest.raises(StreamError, match="ended before the run finished"):
        await _stream(client).until_complete()
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_class"), [(404, NotFoundError), (403, PermissionDeniedError)]
)
async def test_error_event_not_retryable_raises(
    serve: Serve, status: int, error_class: type[APIStatusError]
) -> None:
    """An event: error with a 4xx status raises that status's class, after the earlier events."""

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.send(EVENTS[:2])
        error = {"type": "error", "status": status, "code": status * 1000, "message": "gone"}
        await conn.write(f"event: error\ndata: {json.dumps(error)}\n\n".encode())
        await conn.hold()

    server, client = await serve(script, EVENTS)
    got: list[Any] = []
    with pytest.raises(error_class) as caught:
        await _drain(_stream(client), got)
    assert [e.seq for e in got] == [1, 2]
    assert caught.value.code == status * 1000
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("status", "error_class"), [(503, InternalServerError), (429, RateLimitError)]
)
async def test_error_event_retryable_reconnects(
    serve: Serve, status: int, error_class: type
) -> None:
    """An event: error with 429/5xx is retried like the HTTP status, resuming by id."""
    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        if conn.index == 0:
            await conn.open()
            await conn.send(EVENTS[:3])
            error = {"type": "error", "status": status, "message": "busy"}
            await conn.write(f"event: error\ndata: {json.dumps(error)}\n\n".encode())
            await conn.hold()
        await _rest(conn)

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client, on_reconnect=infos.append))
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert [i.reason for i in infos] == [f"error_event {status}"]
    assert isinstance(infos[0].error, error_class)
    assert server.requests[1]["Last-Event-ID"] == "3"


@pytest.mark.slow
async def test_idle_timeout_reconnects(serve: Serve) -> None:
    """A stream that goes silent for longer than the idle timeout is reconnected."""
    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        if conn.index == 0:
            await conn.open()
            await conn.send(EVENTS[:2])
            await conn.hold()  # silent: no bytes at all
        await _rest(conn)

    server, client = await serve(script, EVENTS)
    timeouts = StreamTimeouts(idle=0.2)
    got = await collect(_stream(client, timeouts=timeouts, on_reconnect=infos.append))
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert [i.reason for i in infos] == ["idle_timeout"]
    assert server.requests[1]["Last-Event-ID"] == "2"


@pytest.mark.slow
async def test_heartbeats_keep_the_stream_alive(serve: Serve) -> None:
    """Heartbeat comments count as bytes: no idle reconnect while they flow."""
    import asyncio

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.send(EVENTS[:2])
        for _ in range(8):  # 0.4 s in all: longer than the idle timeout
            await asyncio.sleep(0.05)
            await conn.write(b": heartbeat\n\n")
        await conn.send(EVENTS[2:])

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client, timeouts=StreamTimeouts(idle=0.25)))
    assert len(got) == N
    assert len(server.requests) == 1


@pytest.mark.slow
async def test_first_byte_timeout_retries(serve: Serve) -> None:
    """Response headers that do not arrive within first_byte count as a failed attempt."""
    import asyncio

    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        if conn.index == 0:
            await asyncio.sleep(5)
        await _rest(conn)

    _server, client = await serve(script, EVENTS)
    timeouts = StreamTimeouts(first_byte=0.3)
    got = await collect(_stream(client, timeouts=timeouts, on_reconnect=infos.append))
    assert len(got) == N
    assert infos[0].reason == "timeout"
    assert isinstance(infos[0].error, APITimeoutError)


@pytest.mark.slow
async def test_deadline_raises_timeout(serve: Serve) -> None:
    """The overall deadline ends a stream that is still open with APITimeoutError."""
    import asyncio

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.send(EVENTS[:1])
        while True:
            await asyncio.sleep(0.02)
            await conn.write(b": heartbeat\n\n")

    _, client = await serve(script, EVENTS)
    got: list[Any] = []
    with pytest.raises(APITimeoutError, match="deadline"):
        await _drain(_stream(client, timeouts=StreamTimeouts(deadline=0.3)), got)
    assert len(got) == 1


async def test_budget_resets_after_an_event(serve: Serve) -> None:
    """Failures separated by a delivered event do not add up against max_attempts."""
    statuses = {0: 503, 2: 503, 4: 503}

    async def script(conn: Conn) -> web.StreamResponse | None:
        if conn.index in statuses:
            return _error_response(statuses[conn.index])
        await conn.open()
        start = int(conn.last_event_id or 0)
        await conn.send(EVENTS[start : start + 1] if conn.index < 5 else EVENTS[start:])
        return None

    server, client = await serve(script, EVENTS)
    policy = RetryPolicy.no_wait(max_attempts=2)
    got = await collect(_stream(client, reconnect=policy))
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert len(server.requests) == 6


async def test_budget_spent_raises_stream_error(serve: Serve) -> None:
    """Consecutive failures beyond max_attempts raise StreamError chained to the last error."""

    async def script(conn: Conn) -> web.Response:
        return _error_response(503)

    server, client = await serve(script)
    with pytest.raises(StreamError, match="could not be resumed") as caught:
        await collect(_stream(client, reconnect=RetryPolicy.no_wait(max_attempts=3)))
    assert isinstance(caught.value.__cause__, InternalServerError)
    assert len(server.requests) == 3


async def test_event_over_size_cap_is_not_retried(serve: Serve) -> None:
    """An event larger than max_event_size raises StreamError without reconnecting."""

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.write(b"data: " + b"x" * 5000 + b"\n\n")
        await conn.hold()

    server, client = await serve(script, EVENTS)
    with pytest.raises(StreamError, match="max_"):
        await collect(_capped(client, 1024))
    assert len(server.requests) == 1


async def test_reconnect_is_logged(serve: Serve, caplog: pytest.LogCaptureFixture) -> None:
    """Each reconnect logs the attempt, the delay and the resume id on logger b3os_async."""

    async def script(conn: Conn) -> None:
        if conn.index == 0:
            await conn.open(retry_ms=0)
            await conn.send(EVENTS[:4])
            return
        await _rest(conn)

    _, client = await serve(script, EVENTS)
    with caplog.at_level(logging.INFO, logger="b3os_async"):
        await collect(_stream(client))
    lines = [r.getMessage() for r in caplog.records if "reconnect" in r.getMessage()]
    assert len(lines) == 1
    assert "attempt 1" in lines[0]
    assert "in 0.000s" in lines[0]
    assert "resuming after id 4" in lines[0]
