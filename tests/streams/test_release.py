"""Leaving a stream early (break, cancellation, aclose from another task) frees its connection."""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING, Any

import pytest
from stream_fakes import NO_WAIT, Conn, FakeServer, run_events, run_stream, until_zero

if TYPE_CHECKING:
    from conftest import Serve

    from b3os_async import B3OS

EVENTS = run_events()


def _capped(client: Any, size: int) -> Any:
    """A run stream whose decoder refuses events over ``size`` characters."""
    return run_stream(client, max_event_size=size)


def _stream(client: Any, **kwargs: Any) -> Any:
    return run_stream(client, **kwargs)


async def _two_then_hold(conn: Conn) -> None:
    await conn.open()
    await conn.send(EVENTS[:2])
    await conn.hold()


def _acquired(client: B3OS) -> int:
    """Connections checked out of the client's pools (requests and streams)."""
    sessions = {client._manager.pools.request_session, client._manager.pools.stream_session} - {
        None
    }
    assert sessions
    connectors: list[Any] = [session.connector for session in sessions if session is not None]
    return sum(len(connector._acquired) for connector in connectors)


async def _released(server: FakeServer, client: B3OS) -> None:
    """Wait (briefly) until the server's handler ended, then check the client pool."""
    assert await until_zero(lambda: server.open_streams) == 0
    assert _acquired(client) == 0


async def test_break_inside_async_with_releases(serve: Serve) -> None:
    """Breaking out of `async for` inside `async with` closes the connection."""
    server, client = await serve(_two_then_hold, EVENTS)
    async with _stream(client) as stream:
        async for _ in stream:
            assert server.open_streams == 1
            break
    assert stream.closed
    await _released(server, client)


@pytest.mark.slow
async def test_dropped_stream_without_aclose_releases(serve: Serve) -> None:
    """A stream abandoned after a bare `break` (no aclose) still frees its connection."""
    server, client = await serve(_two_then_hold, EVENTS)
    async for _ in _stream(client):
        break
    gc.collect()  # CPython frees it by refcount already; this only makes the test portable
    await _released(server, client)


async def test_cancelled_consumer_releases(serve: Serve) -> None:
    """Cancelling a task blocked inside `async with stream` releases the connection."""
    server, client = await serve(_two_then_hold, EVENTS)
    two = asyncio.Event()

    async def consume() -> None:
        async with _stream(client) as stream:
            async for event in stream:
                if event.seq == 2:
                    two.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(two.wait(), 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await _released(server, client)


async def test_aclose_from_another_task_ends_iteration(serve: Serve) -> None:
    """aclose() from another task ends a blocked `async for` quietly and releases the connection."""
    server, client = await serve(_two_then_hold, EVENTS)
    stream = _stream(client)
    got: list[Any] = []
    two = asyncio.Event()

    async def consume() -> None:
        async for event in stream:
            got.append(event)
            if len(got) == 2:
                two.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(two.wait(), 2)
    await stream.aclose()
    await asyncio.wait_for(task, 2)  # ends without an exception
    assert len(got) == 2
    await stream.aclose()  # idempotent
    await _released(server, client)


async def test_aclose_interrupts_a_reconnect_wait(serve: Serve) -> None:
    """aclose() during a long reconnect wait ends the blocked consumer at once."""
    from b3os_async import RetryPolicy

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=60_000)
        await conn.send(EVENTS[:1])  # then the body ends: reconnect in 60 s

    server, client = await serve(script, EVENTS)
    policy = RetryPolicy(initial_delay=0.0, max_delay=0.0, jitter=False)
    waiting = asyncio.Event()
    stream = _stream(client, reconnect=policy, on_reconnect=lambda info: waiting.set())

    async def consume() -> list[Any]:
        return [event async for event in stream]

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(waiting.wait(), 2)
    await stream.aclose()
    got = await asyncio.wait_for(task, 2)
    assert len(got) == 1
    assert len(server.requests) == 1
    await _released(server, client)


async def test_aclose_interrupts_a_pending_connect(serve: Serve) -> None:
    """aclose() while the response headers are awaited ends the consumer and the request."""
    started = asyncio.Event()

    async def script(conn: Conn) -> None:
        started.set()
        await conn.hold()

    server, client = await serve(script, EVENTS)
    stream = _stream(client)

    async def consume() -> list[Any]:
        return [event async for event in stream]

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(started.wait(), 2)
    await stream.aclose()
    assert await asyncio.wait_for(task, 2) == []
    await _released(server, client)


async def test_error_releases_the_connection(serve: Serve) -> None:
    """A stream that raises (size cap) has released its connection when the error surfaces."""
    from b3os_async import StreamError

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.write(b"data: " + b"y" * 4000 + b"\n\n")
        await conn.hold()

    server, client = await serve(script, EVENTS)
    stream = _capped(client, 100)
    with pytest.raises(StreamError):
        async for _ in stream:
            pass
    assert stream.closed
    await _released(server, client)


async def test_client_aclose_interrupts_a_reconnect_wait(serve: Serve) -> None:
    """B3OS.aclose() during a stream's reconnect wait makes its consumer raise at once."""
    from b3os_async import ConfigurationError, RetryPolicy

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=60_000)
        await conn.send(EVENTS[:1])  # then the body ends: reconnect in 60 s

    _, client = await serve(script, EVENTS)
    policy = RetryPolicy(initial_delay=0.0, max_delay=0.0, jitter=False)
    waiting = asyncio.Event()
    stream = _stream(client, reconnect=policy, on_reconnect=lambda info: waiting.set())
    got: list[Any] = []

    async def consume() -> None:
        async for event in stream:
            got.append(event)

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(waiting.wait(), 2)
    await client.aclose()
    with pytest.raises(ConfigurationError, match="client was closed"):
        await asyncio.wait_for(task, 1)
    assert len(got) == 1
    assert stream.closed


@pytest.mark.slow
async def test_closed_caller_session_ends_a_read_by_the_idle_watchdog(serve: Serve) -> None:
    """A caller-owned aiohttp session closed under a blocked read ends it within `idle`."""
    import aiohttp

    from b3os_async import ConfigurationError
    from b3os_async.streams import ReconnectInfo, StreamTimeouts

    infos: list[ReconnectInfo] = []
    async with aiohttp.ClientSession() as own:
        _, client = await serve(_two_then_hold, EVENTS, session=own)
        stream = _stream(client, timeouts=StreamTimeouts(idle=0.2), on_reconnect=infos.append)
        got: list[Any] = []
        two = asyncio.Event()

        async def consume() -> None:
            async for event in stream:
                got.append(event)
                if len(got) == 2:
                    two.set()

        task = asyncio.ensure_future(consume())
        await asyncio.wait_for(two.wait(), 2)
        # aiohttp drops the connection's read timer without waking the read: only our own
        # watchdog notices the silence; the reconnect then finds the session closed.
        await own.close()
        with pytest.raises(ConfigurationError, match="closed by someone else"):
            await asyncio.wait_for(task, 1)
    assert [i.reason for i in infos] == ["idle_timeout"]
    assert len(got) == 2


async def test_client_aclose_between_reads_of_a_merged_stream_raises(serve: Serve) -> None:
    """After B3OS.aclose(), the next read of a merged notification stream raises, not ends."""
    from b3os_async import ConfigurationError

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.write(b'id: 1\nevent: run_started\ndata: {"runId": "run_1"}\n\n')
        await conn.hold()

    _, client = await serve(script)
    merged = client.with_options(reconnect=NO_WAIT).workflows.stream_runs_many(["wf_1"])
    first = await merged.__anext__()
    await client.aclose()
    with pytest.raises(ConfigurationError, match="client was closed"):
        await merged.__anext__()
    assert first.run_id == "run_1"
    await merged.aclose()
