"""The stream guarantees one at a time: resume cursor, progress, pacing, history, baseline.

Each test pins one rule of :mod:`b3os_async._streams` with a server that isolates it (the fault
matrix, test_fault_matrix.py, checks them all together).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest
from hostile import EVENTS, N, check_delivery, frame
from stream_fakes import collect, run_stream

from b3os_async import RetryPolicy
from b3os_async._streams import runs as _runs
from b3os_async._streams.config import DEFAULT_RECONNECT

if TYPE_CHECKING:
    from conftest import Serve
    from stream_fakes import Conn

    from b3os_async.models.events import RunEvent
    from b3os_async.streams import ReconnectInfo

TWO = RetryPolicy.no_wait(max_attempts=2)


def _burst(first: int, last: int, *, ids: bool = True) -> bytes:
    """Frames of events ``first``..``last`` (seqs, inclusive)."""
    return b"".join(frame(EVENTS[seq - 1], with_id=ids) for seq in range(first, last + 1))


async def test_real_events_after_a_reconcile_move_the_cursor_and_count_as_progress(
    serve: Serve,
) -> None:
    """Real events dropped as duplicates of synthetic ones still advance Last-Event-ID and are
    progress: the stream moves on instead of replaying the same position until it gives up."""

    async def script(conn: Conn) -> None:
        server = conn.server
        await conn.open()
        if conn.index == 0:  # a server that lost its ids: reconciled (synthetic up to seq 7)
            server.published = 7
            await conn.burst_then_reset(_burst(7, 7, ids=False))
            return
        start = int(conn.last_event_id or 0)  # then it replays again, two events a connection
        last = min(N, start + 2)
        server.published = max(server.published, last)
        if last == N:
            await conn.write(_burst(start + 1, last))
            return
        await conn.burst_then_reset(_burst(start + 1, last))

    server, client = await serve(script, EVENTS)
    got: list[RunEvent] = await collect(run_stream(client, history=True, reconnect=TWO))
    check_delivery(got)
    assert [e.seq for e in got if not e.synthetic] == [8, 9, 10]
    assert [r.get("Last-Event-ID") for r in server.requests] == ["0", "0", "2", "4", "6", "8"]


@pytest.mark.slow
async def test_retry_zero_cannot_make_reconnects_spin(serve: Serve) -> None:
    """A server that says retry: 0, sends one new event and closes, forever, is reconnected at
    most every ~0.1 s with the default policy (the floor applies to clean reconnects too)."""

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        start = int(conn.last_event_id or 0)
        await conn.write(_burst(start + 1, start + 1))

    server, client = await serve(script, EVENTS)
    infos: list[ReconnectInfo] = []
    stream = run_stream(
        client, history=True, reconnect=DEFAULT_RECONNECT, on_reconnect=infos.append
    )
    got = await collect(stream, limit=5)  # five connections: four reconnects
    assert [e.seq for e in got] == [1, 2, 3, 4, 5]
    gaps = [b - a for a, b in zip(server.times, server.times[1:], strict=False)]
    assert len(gaps) == 4
    assert all(gap >= 0.1 for gap in gaps), gaps
    assert all(0.1 <= i.delay <= 0.2 and i.failures == 0 for i in infos)


@pytest.mark.slow
async def test_a_larger_retry_is_honoured(serve: Serve) -> None:
    """After a clean end with new events, the wait is the server's retry: when above the floor."""

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=300)  # above the floor (0.1-0.2 s)
        start = int(conn.last_event_id or 0)
        await conn.write(_burst(start + 1, min(N, start + 5)))

    server, client = await serve(script, EVENTS)
    infos: list[ReconnectInfo] = []
    stream = run_stream(
        client, history=True, reconnect=DEFAULT_RECONNECT, on_reconnect=infos.append
    )
    got = await collect(stream)
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert [(i.reason, i.delay) for i in infos] == [("eof", 0.3)]
    assert server.times[1] - server.times[0] >= 0.3


@pytest.mark.parametrize("replays", [True, False], ids=["replaying", "without-ids"])
async def test_attaching_yields_the_history_first(serve: Serve, replays: bool) -> None:
    """A stream attached to a running run yields what already happened first -- replayed, or
    made up from the run's state -- then the live events."""

    async def script(conn: Conn) -> None:
        conn.server.published = 4  # the run is under way
        await conn.open()
        if replays:
            await conn.write(_burst(int(conn.last_event_id or 0) + 1, N))
            return
        await conn.write(_burst(5, 5, ids=False))
        await conn.server.got_run.wait()
        await conn.write(_burst(6, N, ids=False))

    server, client = await serve(script, EVENTS)
    got: list[RunEvent] = await collect(run_stream(client, history=True))
    check_delivery(got)
    assert got[0].type == "run_started"
    assert [e.synthetic for e in got[:3]] == [not replays] * 3
    assert [e.seq for e in got if not e.synthetic][-6:] == [5, 6, 7, 8, 9, 10]
    assert server.run_gets == (0 if replays else 1)


@pytest.mark.parametrize(("history", "last_event_id", "first"), [(False, None, 5), (True, "6", 7)])
async def test_following_from_now_or_from_an_id(
    serve: Serve, history: bool, last_event_id: str | None, first: int
) -> None:
    """history=False follows from now only; last_event_id resumes after that id."""

    async def script(conn: Conn) -> None:
        conn.server.published = 4
        await conn.open()
        after = conn.last_event_id
        await conn.write(_burst(int(after) + 1 if after else 5, N))

    server, client = await serve(script, EVENTS)
    stream = run_stream(client, history=history, last_event_id=last_event_id)
    got: list[RunEvent] = await collect(stream)
    assert [e.seq for e in got] == list(range(first, N + 1))
    assert not any(e.synthetic for e in got)
    assert server.requests[0].get("Last-Event-ID") == last_event_id


@pytest.mark.slow
async def test_a_quiet_server_without_replay_still_gives_the_history(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attached to a waiting run, a server that cannot replay and only sends heartbeats: the
    history comes from the run's state once no event arrived within the replay grace."""
    monkeypatch.setattr(_runs, "REPLAY_GRACE", 0.1)

    async def script(conn: Conn) -> None:
        conn.server.published = 5  # waiting at node w
        await conn.open()
        while True:
            await conn.write(b": heartbeat\n\n")
            await asyncio.sleep(0.02)

    server, client = await serve(script, EVENTS)
    started = time.monotonic()
    got: list[RunEvent] = await collect(run_stream(client, history=True), limit=3)
    assert time.monotonic() - started < 1.0
    assert [(e.type, e.node_id, e.synthetic) for e in got] == [
        ("run_started", None, True),
        ("node_completed", "a", True),
        ("run_waiting", "w", True),
    ]
    assert len(server.requests) == 1


async def test_a_server_that_closes_at_once_without_replay_ends_with_the_run(serve: Serve) -> None:
    """A finished run on a server that cannot replay and closes every stream at once: after two
    such connections the third reconciles, and the stream ends with the run's state."""

    async def script(conn: Conn) -> None:
        conn.server.published = N
        await conn.open()

    server, client = await serve(script, EVENTS)
    got: list[RunEvent] = await collect(run_stream(client, history=True))
    check_delivery(got)
    assert all(e.synthetic for e in got)
    assert got[-1].type == "run_completed"
    assert len(server.requests) == 3


async def test_history_false_baseline_that_fails_is_taken_again(serve: Serve) -> None:
    """history=False: when the silent first look at the run fails, the next connection takes it
    again instead of reporting the whole history."""

    async def script(conn: Conn) -> None:
        server = conn.server
        if conn.index == 0:
            server.published = 4
            server.run_failures = 3  # every attempt of the client's request policy
        await conn.open()
        if conn.index == 0:
            await asyncio.sleep(0.5)  # the client gives up on the baseline and reconnects
            return
        await conn.server.got_run.wait()
        await conn.write(_burst(5, N, ids=False))

    server, client = await serve(script, EVENTS)
    got: list[RunEvent] = await collect(run_stream(client, history=False))
    assert [e.seq for e in got] == list(range(5, N + 1))
    assert not any(e.synthetic for e in got)
    assert len(server.requests) == 2


async def test_history_false_on_a_finished_run_ends_with_its_end(serve: Serve) -> None:
    """history=False on a finished run whose server closes at once: the stream still ends with
    the terminal event (the silent baseline keeps the end of the run to report)."""

    async def script(conn: Conn) -> None:
        conn.server.published = N
        await conn.open()

    server, client = await serve(script, EVENTS)
    got: list[RunEvent] = await collect(run_stream(client, history=False))
    assert [(e.type, e.synthetic) for e in got] == [("run_completed", True)]
    assert len(server.requests) == 2


async def test_an_explicitly_repeated_id_is_not_a_server_without_ids(serve: Serve) -> None:
    """A frame that repeats the previous id is a duplicate, not a sign the server has no ids:
    the reconnect resumes by id, no reconcile."""

    async def script(conn: Conn) -> None:
        await conn.open()
        start = int(conn.last_event_id or 0)
        if conn.index == 0:
            await conn.burst_then_reset(_burst(1, 3) + _burst(3, 3))
            return
        await conn.write(_burst(start + 1, N))

    server, client = await serve(script, EVENTS)
    got: list[RunEvent] = await collect(run_stream(client, history=True))
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert server.run_gets == 0
    assert [r.get("Last-Event-ID") for r in server.requests] == ["0", "3"]
