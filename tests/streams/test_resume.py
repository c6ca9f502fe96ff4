"""Resume after a dropped connection: with ids (Last-Event-ID replay) and without (reconcile)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from stream_fakes import Conn, collect, run_events, run_stream

if TYPE_CHECKING:
    from conftest import Serve

    from b3os_async.streams import ReconnectInfo, RunEvent

EVENTS = run_events()  # 8 events: run_started, 3 x (node_started, node_completed), run_completed
N = len(EVENTS)


def _stream(client: Any, **kwargs: Any) -> Any:
    return run_stream(client, **kwargs)


@pytest.mark.parametrize("ending", ["drop", "eof"])
@pytest.mark.parametrize("k", range(N + 1))
async def test_ids_every_event_once_after_drop_at_k(serve: Serve, k: int, ending: str) -> None:
    """A drop after any k events resumes with Last-Event-ID: every event once, in order."""
    # The default stream asks for the whole run: Last-Event-ID 0 on the first connection.

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            await conn.send(EVENTS[:k])
            if k < N:
                await conn.server.wait_seen(k)  # else the drop may discard unread bytes
                if ending == "drop":
                    conn.drop()
            return  # "eof": the handler returns, the body ends cleanly
        start = int(conn.last_event_id or 0)
        await conn.send(EVENTS[start:])

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client, history=True), server)
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert not any(e.synthetic for e in got)
    assert [e.id for e in got] == [str(i) for i in range(1, N + 1)]
    if k == N:
        assert len(server.requests) == 1
    else:
        assert len(server.requests) == 2
        assert server.requests[1].get("Last-Event-ID") == str(k)
    assert server.requests[0].get("Last-Event-ID") == "0"
    assert server.run_gets == 0  # the server replays: nothing to reconcile


@pytest.mark.slow
@pytest.mark.parametrize("ending", ["drop", "eof"])
@pytest.mark.parametrize("k", range(N + 1))
async def test_no_ids_reconcile_fills_gap_at_k(serve: Serve, k: int, ending: str) -> None:
    """Without ids, a drop after k events is filled from the run's state: no gap, no duplicate."""
    missed = min(N, k + 2)  # events that happen while the client is away
    buffered = min(N, missed + 1)  # events sent on the new connection before the snapshot

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            await conn.send(EVENTS[:k], ids=False)
            if k < N:
                await conn.server.wait_seen(k)
                if ending == "drop":
                    conn.drop()
            return
        assert conn.last_event_id is None
        conn.server.got_run.clear()  # (set by the live-only stream's first look at the run)
        conn.server.published = missed
        await conn.send(EVENTS[missed:buffered], ids=False)
        await conn.server.got_run.wait()
        await conn.send(EVENTS[buffered:], ids=False)

    server, client = await serve(script, EVENTS)
    got: list[RunEvent] = await collect(_stream(client), server)
    assert [(e.type, e.node_id) for e in got[:k]] == [
        (e["type"], e.get("nodeId")) for e in EVENTS[:k]
    ]
    assert not any(e.synthetic for e in got[:k])
    keys = [(e.type, e.node_id) for e in got]
    assert len(keys) == len(set(keys)), keys
    assert got[-1].type == "run_completed"
    for node in ("a", "b", "c"):
        node_events = [e.type for e in got if e.node_id == node]
        assert node_events[-1] == "node_completed"
        assert node_events in (["node_started", "node_completed"], ["node_completed"])
    if k < N:
        assert server.run_gets == 2  # where "now" was, at the start; then the gap
        assert any(e.synthetic for e in got) == (missed > k)
    assert all(e.id is None for e in got)


async def test_retry_field_is_the_reconnect_delay(serve: Serve) -> None:
    """After a clean end of the body, the reconnect waits exactly the server's retry: value."""
    from b3os_async import RetryPolicy

    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        if conn.index == 0:
            await conn.open(retry_ms=7)
            await conn.send(EVENTS[:3])
            return
        await conn.open()
        await conn.send(EVENTS[int(conn.last_event_id or 0) :])

    _, client = await serve(script, EVENTS)
    policy = RetryPolicy(initial_delay=0.0, max_delay=0.0, jitter=False)
    got = await collect(_stream(client, reconnect=policy, on_reconnect=infos.append))
    assert len(got) == N
    assert [(i.reason, i.delay, i.last_event_id, i.attempt) for i in infos] == [
        ("eof", 0.007, "3", 1)
    ]


@pytest.mark.parametrize("server_ids", [True, False])
async def test_replay_from_start_before_first_event(serve: Serve, server_ids: bool) -> None:
    """With last_event_id="0" and a drop before any event, a replaying server resends all
    events (real ones); a server without ids is reconciled once its first event shows no id."""

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            conn.server.published = 3  # the run advanced, but this connection sent nothing
            conn.drop()
            return
        if server_ids:
            await conn.send(EVENTS[int(conn.last_event_id or 0) :])
            return
        await conn.send(EVENTS[3:4], ids=False)  # live only, sent before the snapshot
        await conn.server.got_run.wait()
        await conn.send(EVENTS[4:], ids=False)

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client, last_event_id="0"), server)
    assert [r.get("Last-Event-ID") for r in server.requests] == ["0", "0"]
    if server_ids:
        assert [e.seq for e in got] == list(range(1, N + 1))
        assert not any(e.synthetic for e in got)
        assert server.run_gets == 0
    else:
        keys = [(e.type, e.node_id) for e in got]
        assert len(keys) == len(set(keys))
        assert [k for k, e in zip(keys, got, strict=False) if e.synthetic] == [
            ("run_started", None),
            ("node_completed", "a"),  # the state reached, not every step
            ("node_started", "b"),  # also sent live before the snapshot: that copy is dropped
        ]
        assert keys[-1] == ("run_completed", None)
        assert server.run_gets == 1


async def test_server_that_stops_replaying_is_reconciled(serve: Serve) -> None:
    """If the first event after sending Last-Event-ID has no id, the gap is reconciled."""

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            await conn.send(EVENTS[:3])  # with ids
            await conn.server.wait_seen(3)
            conn.drop()
            return
        assert conn.last_event_id == "3"
        conn.server.got_run.clear()
        conn.server.published = 5  # events 4 and 5 happened meanwhile; no replay here
        await conn.send(EVENTS[5:6], ids=False)
        await conn.server.got_run.wait()
        await conn.send(EVENTS[6:], ids=False)

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client), server)
    keys = [(e.type, e.node_id) for e in got]
    assert keys[:3] == [("run_started", None), ("node_started", "a"), ("node_completed", "a")]
    assert [k for k, e in zip(keys, got, strict=False) if e.synthetic] == [
        ("node_completed", "b"),
        ("node_started", "c"),
    ]
    assert keys[-2:] == [("node_completed", "c"), ("run_completed", None)]
    assert len(keys) == len(set(keys))
    assert server.run_gets == 2  # where "now" was, at the start; then the gap


async def test_failed_reconcile_request_reconnects(serve: Serve) -> None:
    """A reconcile request that fails with 503 (after the session's retries) reconnects."""
    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            await conn.send(EVENTS[:2], ids=False)
            await conn.server.wait_seen(2)
            conn.drop()
            return
        if conn.index == 1:
            conn.server.run_failures = 3  # the client's request policy makes 3 attempts
        conn.server.got_run.clear()
        conn.server.published = 4
        await conn.server.got_run.wait()
        await conn.send(EVENTS[4:], ids=False)

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client, on_reconnect=infos.append), server)
    assert [i.reason for i in infos] == ["connection_error", "status 503"]
    assert got[-1].type == "run_completed"
    keys = [(e.type, e.node_id) for e in got]
    assert len(keys) == len(set(keys))
    assert server.run_gets == 5  # "now" at the start, 3 failed attempts, then the gap
    assert len(server.requests) == 3
