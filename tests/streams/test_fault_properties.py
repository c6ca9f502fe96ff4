"""Property test: random fault schedules against the hostile server (hypothesis).

A schedule is a replay mode, where the run stands when the client attaches, how far it moves
while the client is away, and a list of per-connection faults at random positions (then the
server behaves). Whatever the schedule, the live events yielded are the server's events with
duplicates removed, in order; synthetic events fill exactly the gaps; every reconnect resumes
after the newest id the server sent and waits the floor; the stream ends at the terminal event.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from hostile import (
    EVENTS,
    FLOOR,
    HINT,
    TRANSPORT_FAULTS,
    Act,
    HostileRun,
    N,
    check_delivery,
    check_nothing_dropped,
)
from hostile import check_pacing as _check_pacing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stream_fakes import FakeServer, run_stream

from b3os_async import RetryPolicy
from b3os_async.streams import ReconnectInfo, StreamTimeouts

if TYPE_CHECKING:
    from b3os_async.models.events import RunEvent

#: Enough attempts that no schedule below can spend the budget: each one ends in a clean serve.
POLICY = RetryPolicy(
    max_attempts=20, max_elapsed=60.0, initial_delay=0.0, max_delay=FLOOR, jitter=False,
    retry_after_max=1.0,
)  # fmt: skip

ACTS = st.builds(Act, st.sampled_from(TRANSPORT_FAULTS), st.integers(min_value=0, max_value=4))
SCHEDULES = st.fixed_dictionaries(
    {
        "replay": st.sampled_from(["full", "none", "partial", "repeat"]),
        "initial": st.integers(min_value=0, max_value=N - 1),
        "missed": st.integers(min_value=0, max_value=2),
        "plan": st.lists(ACTS, min_size=1, max_size=6),
    }
)


async def _follow(run: HostileRun) -> tuple[FakeServer, list[RunEvent], list[ReconnectInfo]]:
    got: list[RunEvent] = []
    infos: list[ReconnectInfo] = []
    async with FakeServer(run.script, EVENTS) as server:
        stream = run_stream(
            server.client(),
            history=True,
            reconnect=POLICY,
            timeouts=StreamTimeouts(idle=0.05),
            on_reconnect=infos.append,
        )
        async with stream:
            async for event in stream:
                got.append(event)
    return server, got, infos


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
@given(SCHEDULES)
def test_random_fault_schedules_deliver_each_event_once(schedule: dict[str, object]) -> None:
    """Under any schedule of faults: live events = the server's, deduplicated and in order;
    synthetic ones fill exactly the gaps; resumes and pacing follow the rules; it ends."""
    run = HostileRun(
        schedule["plan"],  # type: ignore[arg-type]
        replay=str(schedule["replay"]),
        initial=int(schedule["initial"]),  # type: ignore[call-overload]
        missed=int(schedule["missed"]),  # type: ignore[call-overload]
    )
    server, got, infos = asyncio.run(asyncio.wait_for(_follow(run), 30))
    check_delivery(got, ids=run.replay != "none")
    assert got, "no event"
    assert got[-1].is_terminal
    check_nothing_dropped(got, run, server.run_log)
    assert [r.get("Last-Event-ID") for r in server.requests] == run.expected_lei()
    _check_pacing(server.times)
    hinted = [i for i in infos if i.reason in ("status 429", "status 503", "error_event 503")]
    assert all(i.delay == HINT for i in hinted)
    if run.replay == "full" and not run.silent_twice():
        assert not any(e.synthetic for e in got), "a server that replays needs no reconcile"
