"""The fault matrix through the emulator's faults (:class:`b3os_async.testing.Fault`).

The same rows as test_fault_matrix.py -- every fault, at every position k, once and on every
connection -- produced by the package's emulator instead of the hand-written server, on a real
run: attaching to a finished run (its history replayed), and following a run from its start
(a run handle, pre-subscribed). The same guarantees: each event exactly once and in order
(gaps made up by synthetic events), ``Last-Event-ID`` = the newest id received, every reconnect
waits the floor, and the stream ends at the terminal event.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from hostile import FAULTS, FLOOR, HINT, check_delivery, rows
from stream_fakes import linear, until_zero

from b3os_async import B3OS, RetryPolicy
from b3os_async.streams import StreamTimeouts
from b3os_async.testing import Emulator, Fault

# A full matrix: part of CI, left out of the fast suite (`pytest -m "not slow"`).
pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from b3os_async.models.events import RunEvent
    from b3os_async.streams import ReconnectInfo

#: Echo nodes whose results carry 2-, 3- and 4-byte characters (for the cut inside one).
DEFINITION = linear(
    ("a", "echo", {"label": "étape €😀"}), ("b", "echo", {"note": "ünïcødé ✓"}), ("c", "echo", {})
)
N = 10  # run_started, (node_started, node_completed) x 4 (root, a, b, c), run_completed
STREAM = "/v1/runs/*/stream"
#: As the hostile matrix, with room for the extra failures of status rows at k = 0 (a status
#: answer after each of the three silent connections before the reconcile).
POLICY = RetryPolicy(
    max_attempts=8, max_elapsed=30.0, initial_delay=0.0, max_delay=FLOOR, jitter=False,
    retry_after_max=1.0,
)  # fmt: skip


def emulator_faults(fault: str, k: int) -> list[Fault]:
    """The emulator's rules for one occurrence of ``fault`` after ``k`` events, in order."""
    if fault == "eof":
        return [Fault.close_stream(after_events=k)]
    if fault == "reset":  # k events held back and written in one write, then RST
        return [Fault.reset_stream(burst=k)]
    if fault in ("cut_event", "cut_char"):
        return [Fault.cut_event(after_events=k, inside_character=fault == "cut_char")]
    if fault == "stall":
        return [Fault.stall(5.0, after_events=k)]
    if fault == "error_event":
        return [Fault.stream_error(503, after_events=k, retry_after=HINT)]
    if fault == "retry_zero":
        return [Fault.combine(Fault.retry(0), Fault.close_stream(after_events=k))]
    if fault.startswith("status_"):
        status = int(fault.split("_")[1])
        return [Fault.close_stream(after_events=k), Fault.status(status, retry_after=HINT)]
    reset = Fault.reset_stream(after_events=k)
    if fault == "no_ids":
        return [Fault.combine(Fault.no_replay(), reset)]
    if fault == "partial_replay":
        return [Fault.combine(Fault.partial_replay(skip=1), reset)]
    if fault == "repeat_ids":
        return [Fault.combine(Fault.repeat_events(2, after_events=1), reset)]
    raise AssertionError(fault)


async def _follow(stream: Any, got: list[RunEvent]) -> None:
    async with stream:
        async for event in stream:
            got.append(event)


def _check_resumes(
    emu: Emulator, got: list[RunEvent], infos: list[tuple[ReconnectInfo, int]]
) -> None:
    """Each reconnect resumed after the newest id received before it ("0": none yet)."""
    sent = [r.headers.get("Last-Event-ID") for r in emu.requests if r.path.endswith("/stream")]
    expected = []
    for info, seen in infos:
        ids = [int(e.id) for e in got[:seen] if e.id is not None]
        expected.append(str(max(ids, default=0)))
        assert info.delay >= FLOOR, info
        if info.reason in ("status 429", "status 503", "error_event 503"):
            assert info.delay == HINT, info
    assert sent[1:] == expected == [info.last_event_id for info, _ in infos]


async def _row(
    fault: str, k: int, every: bool, *, handle: bool
) -> tuple[list[RunEvent], list[dict[str, Any]]]:
    async with (
        Emulator(seed=7, retry_ms=0) as emu,
        B3OS(api_key=emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as b3,
    ):
        workflow = await b3.workflows.create(name="m", description="", definition=DEFINITION)
        if not handle:  # attach to a finished run: its history is replayed
            created = await b3.workflows.run(workflow.id)
            await emu.wait_for_run(created.run_id)
        for _ in range(20 if every else 1):
            for rule in emulator_faults(fault, k):
                emu.faults.add(rule, path=STREAM, times=1)
        emu.requests.clear()
        got: list[RunEvent] = []
        infos: list[tuple[ReconnectInfo, int]] = []
        tuned = b3.with_options(
            reconnect=POLICY,
            stream_timeouts=StreamTimeouts(idle=0.1),
            on_reconnect=lambda info: infos.append((info, len(got))),
        )
        if handle:
            run = tuned.workflows.start(workflow.id)
            await asyncio.wait_for(_follow(run, got), 20)
            run_id = run.run_id
        else:
            run_id = created.run_id
            await asyncio.wait_for(_follow(tuned.runs.stream(run_id), got), 20)
        _check_resumes(emu, got, infos)
        emu.faults.clear()
        reference = [event.data async for event in b3.runs.stream(run_id)]
        assert await until_zero(lambda: emu.open_streams) == 0
    return got, reference


@pytest.mark.parametrize(("fault", "k", "every"), rows(FAULTS, N))
async def test_emulator_fault_matrix(fault: str, k: int, every: bool) -> None:
    """Each emulator fault after k events of a finished run's history (once / on every
    connection): exactly once and in order, resumed by id, paced, ending at the terminal."""
    got, reference = await _row(fault, k, every, handle=False)
    assert len(reference) == N
    ids = True if fault != "no_ids" else (False if every else None)  # once: ids come back
    check_delivery(got, ids=ids, events=reference)
    assert got[-1].is_terminal
    if fault in ("no_ids", "partial_replay") or (every and k == 0):
        return  # reconciled: synthetic events fill the gaps (checked above)
    assert not any(e.synthetic for e in got), "a server that replays needs no reconcile"


@pytest.mark.parametrize("every", [False, True], ids=["once", "every"])
@pytest.mark.parametrize("k", [0, 1, 4])
@pytest.mark.parametrize("fault", FAULTS)
async def test_emulator_fault_matrix_run_handle(fault: str, k: int, every: bool) -> None:
    """The same faults on a run followed from its start (pre-subscribed handle): each event
    exactly once and in order, ending at the terminal."""
    got, reference = await _row(fault, k, every, handle=True)
    check_delivery(got, ids=None, events=reference)
    assert got[-1].is_terminal


async def test_the_issues_burst_then_drop_on_every_connection() -> None:
    """The issue's report: a finished run whose every stream connection is dropped (FIN) after 5
    events yields all of them, resuming after id 5, with no StreamError."""
    async with (
        Emulator(seed=8, retry_ms=0) as emu,
        B3OS(api_key=emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as b3,
    ):
        workflow = await b3.workflows.create(name="m", description="", definition=DEFINITION)
        created = await b3.workflows.run(workflow.id)
        await emu.wait_for_run(created.run_id)
        emu.faults.add(Fault.drop_stream(after_events=5), path=STREAM)
        emu.requests.clear()
        tuned = b3.with_options(reconnect=RetryPolicy.no_wait(max_attempts=2))
        got = [event async for event in tuned.runs.stream(created.run_id, last_event_id="0")]
        sent = [r.headers.get("Last-Event-ID") for r in emu.requests if r.path.endswith("/stream")]
    assert [e.seq for e in got] == list(range(1, N + 1))
    assert not any(e.synthetic for e in got)
    assert sent == ["0", "5"]
