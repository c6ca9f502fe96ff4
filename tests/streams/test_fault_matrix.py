"""The fault matrix: every fault, at every position k of a run, once and on every connection.

Against a hand-written hostile server on 127.0.0.1 (:mod:`hostile`): clean close, a reset right
after a burst written in the same tick, a cut in the middle of an event, a cut between the bytes
of a character, a stall past the idle timeout, 429/503 with Retry-After, ``event: error`` inside a
200, ``retry: 0``, a server without ids, one that replays only part of the history, and one whose
ids repeat and go backwards. For each row: every event exactly once and in order (gaps made up by
synthetic events), ``Last-Event-ID`` = the highest id the server sent, reconnects paced by the
floor, and the stream ends at the terminal event -- or with ``StreamError`` when the server never
brings anything new -- never hangs.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from hostile import (
    EVENTS,
    FAULTS,
    HINT,
    MATRIX_POLICY,
    HostileRun,
    N,
    check_delivery,
    check_nothing_dropped,
    check_pacing,
    rows,
)
from stream_fakes import run_stream, until_zero

from b3os_async import StreamError
from b3os_async.streams import ReconnectInfo, StreamTimeouts

# A full matrix: part of CI, left out of the fast suite (`pytest -m "not slow"`).
pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from conftest import Serve

    from b3os_async.models.events import RunEvent

IDLE = StreamTimeouts(idle=0.1)


async def _drain(stream: Any, got: list[RunEvent]) -> None:
    async with stream:
        async for event in stream:
            got.append(event)


def _gives_up(fault: str, k: int, every: bool) -> bool:
    """Rows whose server never brings anything new again: the stream must end in StreamError.

    A server that replays but sends no event (k = 0 on every connection), or only ids it sent
    before (``repeat_ids`` with k <= 2: one or two older frames open each reconnect), while the
    run stands still. Where the run moves on while the client is away (``no_ids``,
    ``partial_replay``), reconciles find news and the stream reaches the end.
    """
    if not every:
        return False
    if fault == "repeat_ids":
        return k <= 2
    return k == 0 and fault not in ("no_ids", "partial_replay")


async def _run_row(
    serve: Serve, run: HostileRun
) -> tuple[Any, list[RunEvent], Exception | None, list[ReconnectInfo]]:
    server, client = await serve(run.script, EVENTS)
    got: list[RunEvent] = []
    infos: list[ReconnectInfo] = []
    stream = run_stream(
        client, history=True, reconnect=MATRIX_POLICY, timeouts=IDLE, on_reconnect=infos.append
    )
    error: Exception | None = None
    try:
        await asyncio.wait_for(_drain(stream, got), 20)
    except StreamError as exc:
        error = exc
    assert await until_zero(lambda: server.open_streams) == 0  # nothing left open
    return server, got, error, infos


@pytest.mark.parametrize(("fault", "k", "every"), rows(FAULTS, N))
async def test_fault_matrix(serve: Serve, fault: str, k: int, every: bool) -> None:
    """Each fault after k events (once / on every connection): exactly once, resumed, paced."""
    run = HostileRun.row(fault, k, every)
    server, got, error, infos = await _run_row(serve, run)
    check_delivery(got, ids=run.replay != "none")
    if not _gives_up(fault, k, every):
        assert error is None, f"gave up although the server made progress: {error}"
        assert got, "no event at all"
        assert got[-1].is_terminal, [e.type for e in got]
        check_nothing_dropped(got, run, server.run_log)
    else:
        assert error is not None, "a server that brings nothing new must spend the budget"
        assert "could not be resumed" in str(error)
        last = run.sent[-MATRIX_POLICY.max_attempts :]
        before = max((s for sent in run.sent[: -len(last)] for s in sent), default=0)
        assert all(s <= before for sent in last for s in sent), "gave up on a server with news"
    assert [r.get("Last-Event-ID") for r in server.requests] == run.expected_lei()
    check_pacing(server.times)
    hinted = [i for i in infos if i.reason in ("status 429", "status 503", "error_event 503")]
    assert all(i.delay == HINT for i in hinted), [(i.reason, i.delay) for i in hinted]
    if run.replay in ("full", "repeat") and not _gives_up(fault, k, every):
        assert not any(e.synthetic for e in got), "a server that replays needs no reconcile"
        assert server.run_gets == 0
