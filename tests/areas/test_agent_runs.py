"""b3.agent_runs: start, get, agents, artifacts, and follow() (a polled log read like a stream)."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import TYPE_CHECKING, Any

import pytest
from support.scripted import Reply, ScriptedServer

from b3os_async import (
    B3OS,
    AgentRunFollower,
    APITimeoutError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    RetryPolicy,
    StreamTimeouts,
)
from b3os_async.models import AgentRunPhase
from b3os_async.testing import Emulator, Fault

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Poll intervals short enough for tests (the adaptive rule stays the same)."""
    monkeypatch.setattr(AgentRunFollower, "MIN_INTERVAL", 0.01)
    monkeypatch.setattr(AgentRunFollower, "MAX_INTERVAL", 0.05)


@pytest.fixture
async def paced() -> AsyncIterator[tuple[Emulator, B3OS]]:
    """An emulator whose agent runs take ~0.3 s, with a client."""
    async with (
        Emulator(seed=5, caddie_pace=0.01) as emu,
        B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as b3,
    ):
        yield emu, b3


async def test_start_answers_the_run_and_its_conversation(b3: B3OS) -> None:
    """start() returns the run id, the agent type and a conversation id."""
    started = await b3.agent_runs.start("report-writer", "a report", conversation_id="c1")
    assert started.run_id.startswith("arun_")
    assert (started.agent_type, started.conversation_id) == ("report-writer", "c1")


async def test_an_unknown_agent_type_is_a_bad_request(b3: B3OS) -> None:
    """An agent type the runtime does not offer is refused (400)."""
    with pytest.raises(BadRequestError, match="unknown agentType"):
        await b3.agent_runs.start("time-machine", "go back")


async def test_agents_are_typed(b3: B3OS) -> None:
    """agents() lists AgentType objects; serving agents say so."""
    agents = {agent.agent_type: agent for agent in await b3.agent_runs.agents()}
    assert agents["app-builder"].serves is True
    assert "build_workflow" in agents["workflow-builder"].skills


@pytest.mark.parametrize("since", [-1, "3", 1.5, True])
async def test_a_bad_since_is_refused_before_any_request(
    emu: Emulator, b3: B3OS, since: Any
) -> None:
    """since must be an int >= 0, for follow() and get() alike; nothing is sent otherwise."""
    with pytest.raises(ConfigurationError, match="since"):
        b3.agent_runs.follow("arun_1", since=since)
    with pytest.raises(ConfigurationError, match="since"):
        await b3.agent_runs.get("arun_1", since=since)
    assert [r for r in emu.requests if r.path.startswith("/v1/agent-runs")] == []


async def test_get_of_a_missing_run_is_not_found(b3: B3OS) -> None:
    """get() of a run that does not exist raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.agent_runs.get("arun_nope")


@pytest.mark.slow
@pytest.mark.usefixtures("quick_polls")
async def test_follow_yields_every_row_once_in_order_and_ends(paced: Any) -> None:
    """follow() hands out rows 1..6 once each, then stops at the completed state."""
    _, b3 = paced
    started = await b3.agent_runs.start("app-builder", "an app")
    async with b3.agent_runs.follow(started.run_id) as follower:
        rows = [event async for event in follower]
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5, 6]
    assert follower.state is not None
    assert follower.state.phase is AgentRunPhase.COMPLETED
    assert follower.state.served_url is not None
    assert follower.last_seq == 6


@pytest.mark.slow
@pytest.mark.usefixtures("quick_polls")
async def test_follow_since_starts_after_that_row(paced: Any) -> None:
    """since=3 yields rows 4..6 only, and polls ask for since=3 first."""
    emu, b3 = paced
    started = await b3.agent_runs.start("app-builder", "an app")
    rows = [event async for event in b3.agent_runs.follow(started.run_id, since=3)]
    assert [row.seq for row in rows] == [4, 5, 6]
    first = next(r for r in emu.requests if r.path == f"/v1/agent-runs/{started.run_id}")
    assert first.query["since"] == "3"


@pytest.mark.slow
@pytest.mark.usefixtures("quick_polls")
async def test_wait_returns_the_failed_state(paced: Any) -> None:
    """wait() follows to the end and returns the final state (failed here)."""
    _, b3 = paced
    started = await b3.agent_runs.start("app-builder", "[fail]")
    state = await b3.agent_runs.follow(started.run_id).wait()
    assert state.phase is AgentRunPhase.FAILED
    assert state.is_terminal


@pytest.mark.slow
async def test_artifacts_of_a_conversation_are_paged(paced: Any) -> None:
    """artifacts() lists the conversation's served artifacts once the runs ended."""
    _, b3 = paced
    started = await b3.agent_runs.start("report-writer", "a report", conversation_id="conv_x")
    await (
        b3.with_options(stream_timeouts=StreamTimeouts(deadline=10))
        .agent_runs.follow(started.run_id)
        .wait()
    )
    artifacts = [a async for a in b3.agent_runs.artifacts("conv_x")]
    assert [a.run_id for a in artifacts] == [started.run_id]
    assert artifacts[0].url is not None
    assert artifacts[0].url.endswith("/")


@pytest.mark.slow
@pytest.mark.usefixtures("quick_polls")
async def test_a_429_while_following_is_waited_out_with_retry_after(paced: Any) -> None:
    """A throttled poll is retried after the server's Retry-After, and the follow goes on."""
    emu, _ = paced
    async with B3OS(
        emu.api_key, base_url=emu.url, retry=RetryPolicy(initial_delay=0, jitter=False)
    ) as b3:
        started = await b3.agent_runs.start("app-builder", "an app")
        emu.faults.add(Fault.rate_limit(retry_after=0.3), path="/v1/agent-runs/arun_*", times=1)
        began = time.monotonic()
        rows = [event async for event in b3.agent_runs.follow(started.run_id)]
    assert time.monotonic() - began >= 0.3
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5, 6]


# -- a scripted server: repeated rows, Retry-After on 200, deadlines ------------------------------


def state(phase: str) -> dict[str, Any]:
    return {"runId": "arun_1", "phase": phase}


def rows(*seqs: int) -> list[dict[str, Any]]:
    return [{"seq": seq, "type": "log", "message": f"row {seq}"} for seq in seqs]


def polls_of(server: ScriptedServer) -> list[tuple[float, str]]:
    """(time, since) of each poll the server received."""
    polls = [seen for seen in server.requests if seen.path == "/v1/agent-runs/arun_1"]
    return [(seen.at, seen.query.get("since", [""])[0]) for seen in polls]


async def answering(answers: list[tuple[dict[str, Any], dict[str, str]]]) -> ScriptedServer:
    """A started server answering GET /v1/agent-runs/arun_1 with ``answers`` in turn (the last
    repeats)."""
    server = await ScriptedServer().start()
    replies = [Reply(200, {"code": 200, "data": data}, headers) for data, headers in answers]
    server.script("/v1/agent-runs/arun_1", *replies, method="GET")
    return server


async def follow_scripted(
    answers: list[tuple[dict[str, Any], dict[str, str]]], **options: Any
) -> tuple[list[int], list[tuple[float, str]], AgentRunFollower]:
    server = await answering(answers)
    try:
        async with B3OS("b3sk_test_follow_0123456789", base_url=server.url, **options) as b3:
            follower = b3.agent_runs.follow("arun_1")
            got = [event.seq async for event in follower]
    finally:
        await server.close()
    return got, polls_of(server), follower


@pytest.mark.usefixtures("quick_polls")
async def test_rows_a_server_repeats_are_never_handed_out_twice() -> None:
    """A server that answers old rows again (since ignored) cannot make a row repeat."""
    answers = [
        ({"state": state("running"), "events": rows(1, 2)}, {}),
        ({"state": state("running"), "events": rows(1, 2, 3)}, {}),
        ({"state": state("completed"), "events": rows(3, 2, 4)}, {}),
    ]
    got, polls, _ = await follow_scripted(answers)
    assert got == [1, 2, 3, 4]
    assert [since for _, since in polls[:3]] == ["0", "2", "3"]


@pytest.mark.usefixtures("quick_polls")
async def test_a_terminal_state_gets_one_last_poll_then_ends() -> None:
    """After the terminal state one more poll collects late rows; then no further polls."""
    answers = [
        ({"state": state("completed"), "events": rows(1)}, {}),
        ({"state": state("completed"), "events": rows(2)}, {}),
    ]
    got, polls, follower = await follow_scripted(answers)
    assert got == [1, 2]
    assert len(polls) == follower.polls == 2


@pytest.mark.slow
async def test_polls_slow_down_while_nothing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty polls back off (x BACKOFF, up to the maximum); a poll with rows resets the wait."""
    monkeypatch.setattr(AgentRunFollower, "MIN_INTERVAL", 0.01)
    monkeypatch.setattr(AgentRunFollower, "MAX_INTERVAL", 0.2)
    monkeypatch.setattr(AgentRunFollower, "BACKOFF", 3.0)
    quiet = ({"state": state("running"), "events": []}, {})
    busy = ({"state": state("running"), "events": rows(1)}, {})
    answers = [quiet] * 4 + [busy, quiet, ({"state": state("completed"), "events": []}, {})]
    _, polls, _ = await follow_scripted(answers)
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(polls)]
    # waits: 0.03, 0.09, 0.2 (capped), 0.2, then 0.01 after the rows, 0.03, then none
    assert gaps[0] < gaps[3]
    assert gaps[4] < gaps[3]
    assert all(gap >= 0.009 for gap in gaps[:6])


@pytest.mark.slow
@pytest.mark.usefixtures("quick_polls")
async def test_a_retry_after_on_a_successful_poll_sets_the_next_wait() -> None:
    """A 200 with Retry-After: 0.3 delays the next poll by at least that much."""
    answers = [
        ({"state": state("running"), "events": rows(1)}, {"Retry-After": "0.3"}),
        ({"state": state("completed"), "events": rows(2)}, {}),
    ]
    got, polls, _ = await follow_scripted(answers)
    assert got == [1, 2]
    assert polls[1][0] - polls[0][0] >= 0.3


@pytest.mark.slow
async def test_the_stream_deadline_bounds_a_follow() -> None:
    """A run that never ends raises APITimeoutError once stream_timeouts.deadline passed."""
    answers = [({"state": state("running"), "events": []}, {})]
    with pytest.raises(APITimeoutError, match="deadline"):
        await follow_scripted(answers, stream_timeouts=StreamTimeouts(deadline=0.5))


@pytest.mark.slow
async def test_aclose_from_another_task_ends_a_waiting_follow() -> None:
    """Closing the follower while it waits between polls ends the iteration promptly."""
    server = await answering([({"state": state("running"), "events": []}, {})])
    try:
        async with B3OS("b3sk_test_follow_0123456789", base_url=server.url) as b3:
            follower = b3.agent_runs.follow("arun_1")
            task = asyncio.ensure_future(follower.__anext__())
            await asyncio.sleep(0.5)  # first poll done; now waiting (backing off)
            began = time.monotonic()
            await follower.aclose()
            with pytest.raises(StopAsyncIteration):
                await task
            assert time.monotonic() - began < 0.5
    finally:
        await server.close()
