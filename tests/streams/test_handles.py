"""Run handles and run streams against the emulator: pre-subscription, wait, cancel, resume."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from stream_fakes import linear, until_zero

from b3os_async import B3OS, ConfigurationError, ConflictError, RetryPolicy
from b3os_async.streams import StreamTimeouts
from b3os_async.testing import Emulator, Fault

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from b3os_async.streams import ReconnectInfo, RunEvent

INSTANT = linear(("a", "echo", {"v": "{{root.result.n}}"}), ("b", "echo", {"w": 2}))
WAITS = linear(("a", "echo", {}), ("hold", "wait", {}), ("b", "echo", {}))
NO_WAIT = RetryPolicy.no_wait(max_attempts=5)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator whose streams ask for immediate reconnects."""
    async with Emulator(seed=3, retry_ms=0) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """A client for the emulator whose request retries never sleep."""
    async with B3OS(api_key=emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


async def _workflow(b3: B3OS, definition: dict[str, Any]) -> str:
    created = await b3.workflows.create(name="t", description="d", definition=definition)
    return created.id


def _kinds(events: list[RunEvent]) -> list[tuple[str, str | None]]:
    return [(e.type, e.node_id) for e in events]


FULL = [
    ("run_started", None),
    ("node_started", "root"),
    ("node_completed", "root"),
    ("node_started", "a"),
    ("node_completed", "a"),
    ("node_started", "b"),
    ("node_completed", "b"),
    ("run_completed", None),
]


async def test_presubscription_never_misses_run_started(b3: B3OS, emu: Emulator) -> None:
    """A run that finishes at once still shows run_started first, every time."""
    workflow_id = await _workflow(b3, INSTANT)
    for n in range(5):
        async with b3.workflows.start(workflow_id, payload={"n": n}) as run:
            events = [event async for event in run.events()]
        assert _kinds(events) == FULL
        assert [e.seq for e in events] == list(range(1, len(FULL) + 1))
        assert events[3].run_id == run.run_id
        assert run.created is not None
        assert run.created.run_id == run.run_id
    assert await until_zero(lambda: emu.open_streams) == 0


async def test_start_iterated_directly(b3: B3OS) -> None:
    """A run handle iterated directly yields the whole run, ending with its terminal event."""
    workflow_id = await _workflow(b3, INSTANT)
    async with b3.workflows.start(workflow_id, payload={"n": 1}) as events:
        got = [event async for event in events]
    assert _kinds(got) == FULL
    assert got[4].result == {"v": 1}


async def test_start_ephemeral_without_async_with(b3: B3OS) -> None:
    """runs.start() iterated without ``async with`` runs an inline definition, stream first."""
    got = [event async for event in b3.runs.start(INSTANT, payload={"n": 2})]
    assert _kinds(got) == FULL


async def test_wait_returns_final_run(b3: B3OS) -> None:
    """wait() drains the events and returns the finished run."""
    run = await b3.runs.start(INSTANT, payload={"n": 3})
    final = await run.wait()
    assert final.id == run.run_id
    assert final.status.value == "success"
    assert final.execution_state is not None
    assert final.execution_state["a"].result == {"v": 3}


async def test_cancel_stops_a_waiting_run(b3: B3OS, emu: Emulator) -> None:
    """cancel() cancels the run on the server and closes the stream."""
    workflow_id = await _workflow(b3, WAITS)
    async with b3.workflows.start(workflow_id) as run:
        async for event in run.events():
            if event.type == "run_waiting":
                break
        cancelled = await run.cancel()
        assert cancelled.status.value == "cancelled"
        assert run.events().closed
        with pytest.raises(ConflictError):
            await run.cancel()
    assert await until_zero(lambda: emu.open_streams) == 0


async def test_until_complete_after_cancel_from_elsewhere(b3: B3OS) -> None:
    """until_complete() returns the final run when the run is cancelled by another caller."""
    workflow_id = await _workflow(b3, WAITS)
    run = await b3.workflows.start(workflow_id)
    async for event in run.events():
        if event.type == "run_waiting":
            break
    await b3.runs.cancel(run.run_id)
    final = await run.events().until_complete()
    assert final.status.value == "cancelled"
    terminal = run.events().terminal_event
    assert terminal is not None
    assert terminal.type == "run_cancelled"


@pytest.mark.parametrize("after", [0, 1, 3, 6])
async def test_emulator_drop_resumes_by_id(b3: B3OS, emu: Emulator, after: int) -> None:
    """Streams dropped by the emulator after N events resume with Last-Event-ID, no loss."""
    emu.faults.add(Fault.drop_stream(after_events=after), path="/v1/runs/*/stream", times=2)
    infos: list[ReconnectInfo] = []
    tuned = b3.with_options(reconnect=NO_WAIT, on_reconnect=infos.append)
    run = tuned.runs.start(INSTANT, payload={"n": 1})
    async with run:
        got = [event async for event in run.events()]
    assert [e.seq for e in got] == list(range(1, len(FULL) + 1))
    assert not any(e.synthetic for e in got)
    assert len(infos) >= 1


@pytest.mark.slow
async def test_emulator_without_replay_reconciles() -> None:
    """A server that stops sending ids on reconnect is reconciled: each state once, in order."""
    async with (
        Emulator(seed=4, retry_ms=0, heartbeat_interval=0.02) as emu,
        B3OS(api_key=emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as b3,
    ):
        emu.faults.add(Fault.stall(0.6, after_events=2), path="/v1/runs/*/stream", times=1)
        emu.faults.add(Fault.no_replay(), path="/v1/runs/*/stream")
        workflow_id = await _workflow(b3, linear(("a", "delay", {"ms": 100}), ("b", "echo", {})))
        infos: list[ReconnectInfo] = []
        tuned = b3.with_options(
            reconnect=NO_WAIT, stream_timeouts=StreamTimeouts(idle=0.2), on_reconnect=infos.append
        )
        async with tuned.workflows.start(workflow_id) as run:
            got = [event async for event in run.events()]
    keys = _kinds(got)
    assert any(e.synthetic for e in got)
    assert infos[0].reason == "idle_timeout"  # the stall, then a connection without ids
    assert len(keys) == len(set(keys))
    assert keys[0] == ("run_started", None)
    assert keys[-1] == ("run_completed", None)
    done = [node for kind, node in keys if kind == "node_completed"]
    assert done == ["root", "a", "b"]


async def test_presubscription_without_replay_never_misses_an_event(
    b3: B3OS, emu: Emulator
) -> None:
    """With a run stream that never replays, an instant run still shows all its events."""
    # Without replay, Last-Event-ID: 0 cannot hide a handle that triggers before subscribing.
    emu.faults.add(Fault.no_replay(), path="/v1/runs/*/stream")
    workflow_id = await _workflow(b3, INSTANT)
    for n in range(10):
        async with b3.workflows.start(workflow_id, payload={"n": n}) as run:
            events = [event async for event in run.events()]
        assert _kinds(events) == FULL
        assert not any(e.synthetic for e in events)


async def test_client_aclose_ends_a_consumer_blocked_on_a_read(b3: B3OS) -> None:
    """B3OS.aclose() while a task reads a waiting run's stream makes it raise at once."""
    workflow_id = await _workflow(b3, WAITS)
    tuned = b3.with_options(stream_timeouts=StreamTimeouts(idle=2))
    run = await tuned.workflows.start(workflow_id)
    waiting = asyncio.Event()
    got: list[str] = []

    async def consume() -> None:
        async for event in run.events():
            got.append(event.type)
            if event.type == "run_waiting":
                waiting.set()

    task = asyncio.ensure_future(consume())
    await asyncio.wait_for(waiting.wait(), 2)
    await b3.aclose()
    with pytest.raises(ConfigurationError, match="client was closed"):
        await asyncio.wait_for(task, 1)  # before the idle timeout could even fire
    assert got[-1] == "run_waiting"
    assert run.events().closed
