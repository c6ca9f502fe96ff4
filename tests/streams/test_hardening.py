"""Misbehaving servers and inputs: reconnect loops, wrong-typed fields, replays, bad run ids."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest
from stream_fakes import NO_WAIT, RUN_ID, Conn, collect, frame, run_events, run_stream

from b3os_async import ConfigurationError, RetryPolicy, StreamError
from b3os_async._streams import budget as _budget
from b3os_async._streams import runs as _runs

if TYPE_CHECKING:
    from conftest import Serve

    from b3os_async.streams import ReconnectInfo

EVENTS = run_events()  # 8 events: run_started, 3 x (node_started, node_completed), run_completed
N = len(EVENTS)


def _stream(client: Any, **kwargs: Any) -> Any:
    return run_stream(client, **kwargs)


def _note(seq: int) -> bytes:
    data = {"type": "workflow_updated", "seq": seq, "workflowId": "wf_a"}
    return f"id: {seq}\nevent: workflow_updated\ndata: {json.dumps(data)}\n\n".encode()


# -- connections that deliver nothing new are failures ---------------------------------------------


@pytest.mark.parametrize("body", ["retry_zero", "heartbeat", "duplicates"])
async def test_connections_without_new_events_spend_the_budget(serve: Serve, body: str) -> None:
    """Bodies that end cleanly without a new event count as failures: StreamError, no loop."""

    async def script(conn: Conn) -> None:
        if body == "retry_zero":
            await conn.open(retry_ms=0)
        elif body == "heartbeat":
            await conn.open()
            await conn.write(b": heartbeat\n\n")
        else:
            await conn.open(retry_ms=0)
            await conn.send(EVENTS[:2])  # new only on the first connection
            if conn.index == 0:
                await conn.server.wait_seen(2)

    server, client = await serve(script, EVENTS)
    got: list[Any] = []

    async def drain() -> None:
        async with _stream(client) as stream:
            async for event in stream:
                got.append(event)
                server.saw(len(got))

    with pytest.raises(StreamError, match="without sending a new event"):
        await asyncio.wait_for(drain(), 2)
    first = 1 if body == "duplicates" else 0  # a connection that delivered events is no failure
    assert len(server.requests) == first + NO_WAIT.max_attempts
    assert [e.seq for e in got] == ([1, 2] if body == "duplicates" else [])


@pytest.mark.slow
async def test_failure_waits_have_a_floor_despite_retry_zero(serve: Serve) -> None:
    """After a failure the wait is at least ~0.1 s (jittered) even when the server says retry: 0."""
    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)

    server, client = await serve(script, EVENTS)
    policy = RetryPolicy(max_attempts=3, initial_delay=0.0, max_delay=1.0)
    with pytest.raises(StreamError):
        await asyncio.wait_for(
            collect(_stream(client, reconnect=policy, on_reconnect=infos.append)), 2
        )
    assert [i.failures for i in infos] == [1, 2]
    assert all(0.1 <= i.delay <= 0.2 for i in infos), [i.delay for i in infos]
    assert len(server.requests) == 3


@pytest.mark.slow
async def test_clean_end_after_events_waits_at_least_the_floor(serve: Serve) -> None:
    """A clean end after new events waits the server's retry: raised to the reconnect floor."""
    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=3)
        await conn.send(EVENTS[int(conn.last_event_id or 0) :][:3])

    _, client = await serve(script, EVENTS)
    got = await collect(_stream(client, reconnect=RetryPolicy(), on_reconnect=infos.append))
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert [(i.reason, i.failures) for i in infos] == [("eof", 0)] * 2
    assert all(0.1 <= i.delay <= 0.2 for i in infos)  # retry: 3 ms is below the floor


@pytest.mark.slow
@pytest.mark.parametrize(("cut", "reason"), [("eof", "eof"), ("reset", "connection_error")])
async def test_steady_quiet_connection_is_not_a_failure(
    serve: Serve, monkeypatch: pytest.MonkeyPatch, cut: str, reason: str
) -> None:
    """A connection that stayed open long enough ends (closed or reset) without events: no
    budget spent."""
    # Real proportions: a connection is recycled after minutes, the replay grace is 2 s.
    monkeypatch.setattr(_budget, "STEADY_CONNECTION", 0.05)
    monkeypatch.setattr(_runs, "REPLAY_GRACE", 0.02)
    infos: list[ReconnectInfo] = []

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index < 4:  # a quiet stream whose connections a proxy recycles
            await conn.write(b": heartbeat\n\n")
            await asyncio.sleep(0.08)
            if cut == "reset":
                conn.reset()
            return
        await conn.send(EVENTS)

    server, client = await serve(script, EVENTS)
    policy = RetryPolicy.no_wait(max_attempts=2)
    stream = _stream(client, last_event_id="0", reconnect=policy, on_reconnect=infos.append)
    got = await collect(stream)
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert not any(e.synthetic for e in got)
    assert [(i.reason, i.failures) for i in infos] == [(reason, 0)] * 4
    assert server.run_gets == 4  # each quiet connection: no event within the grace, reconciled


@pytest.mark.slow
async def test_slow_consumer_is_not_an_idle_server(serve: Serve) -> None:
    """Time the consumer spends between reads does not count as idle: no reconnect."""
    from b3os_async.streams import StreamTimeouts

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.send(EVENTS[:2])
        for _ in range(10):
            await asyncio.sleep(0.04)
            await conn.write(b": heartbeat\n\n")
        await conn.send(EVENTS[2:])

    server, client = await serve(script, EVENTS)
    got: list[Any] = []
    async with _stream(client, timeouts=StreamTimeouts(idle=0.15)) as stream:
        async for event in stream:
            got.append(event)
            if len(got) == 1:
                await asyncio.sleep(0.35)  # busy with an event, far longer than `idle`
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert len(server.requests) == 1


# -- wrong-typed fields ----------------------------------------------------------------------------


async def test_wrong_typed_fields_are_none_and_the_stream_goes_on(serve: Serve) -> None:
    """Fields of the wrong JSON type become None (raw value kept in data); nothing crashes."""
    events = [dict(event) for event in EVENTS]
    events[0].update(runId=7, status={"s": 1}, workflowId=[])
    events[1]["nodeId"] = ["a"]  # unhashable: once crashed the reconcile bookkeeping
    events[2]["nodeId"] = 3

    async def script(conn: Conn) -> None:
        await conn.open()
        await conn.send(events)

    _, client = await serve(script, events)
    got = await collect(_stream(client))
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert (got[0].run_id, got[0].status, got[0].workflow_id) == (None, None, None)
    assert (got[1].node_id, got[2].node_id) == (None, None)
    assert got[0].data["runId"] == 7
    assert got[1].data["nodeId"] == ["a"]
    assert (got[3].node_id, got[3].run_id, got[3].status) == ("b", RUN_ID, "running")


# -- never yield an event twice --------------------------------------------------------------------


async def test_replayed_and_reordered_run_events_are_yielded_once(serve: Serve) -> None:
    """A server that replays seqs at or below Last-Event-ID and repeats out of order: each once."""
    resent = [2, 3, 4, 5, 6, 3, 7, 6, 4, 8]

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            await conn.send(EVENTS[:4])
            await conn.server.wait_seen(4)
            conn.drop()
            return
        assert conn.last_event_id == "4"
        await conn.write(b"".join(frame(EVENTS[seq - 1]) for seq in resent))

    server, client = await serve(script, EVENTS)
    got = await collect(_stream(client), server)
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert len(server.requests) == 2


async def test_replayed_and_reordered_activity_ids_are_yielded_once(serve: Serve) -> None:
    """The activity stream (dedupe by event id) hands out each id once, in order, after replays."""

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            await conn.write(b"".join(_note(seq) for seq in (1, 2, 3)))
            await conn.server.wait_seen(3)
            conn.drop()
            return
        await conn.write(b"".join(_note(seq) for seq in (1, 2, 3, 4, 2, 5, 4, 3, 6)))
        await conn.hold()

    server, client = await serve(script)
    got = await collect(client.with_options(reconnect=NO_WAIT).activity.stream(), server, limit=6)
    assert [e.seq for e in got] == [1, 2, 3, 4, 5, 6]
    assert server.requests[1]["Last-Event-ID"] == "3"


# -- run ids ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["abc", "run_", "run_a/b", "wf_123"])
async def test_run_stream_rejects_a_bad_run_id(serve: Serve, bad: str) -> None:
    """A run stream for an id that is not `run_...` raises ConfigurationError before any request."""

    async def script(conn: Conn) -> None:
        await conn.open()

    server, client = await serve(script)
    with pytest.raises(ConfigurationError, match="run id"):
        client.runs.stream(bad)
    assert server.requests == []
    assert server.run_gets == 0
