"""A hostile run-stream server for the fault matrix and the property test, and the checks.

:class:`HostileRun` drives a :class:`~stream_fakes.FakeServer`: one run of :data:`EVENTS` (a
wait node included; every event's data holds multi-byte text), served per connection by a
*plan* (:class:`Act`: a fault after ``k`` frames) in one of four replay modes:

* ``full``: replays everything after ``Last-Event-ID``, ids on every frame;
* ``none``: no ``id:`` lines, ``Last-Event-ID`` ignored, live events only (and nothing at all
  for a finished run);
* ``partial``: replays only the last ``window`` events before ``now``: a gap when more happened
  while the client was away;
* ``repeat``: replays from one or two ids before ``Last-Event-ID``, and sends every new frame
  twice followed by the one before it (ids that repeat and go backwards).

The run advances as frames are sent, and by ``missed`` events at each new request (events that
happen while the client is away). ``GET /v1/runs/{id}`` reports the run after ``published``
events. The server records what a correct client must have seen: :meth:`HostileRun.expected_lei`
is the ``Last-Event-ID`` each request should carry (the highest id sent in a *complete* frame,
``"0"`` -- the history request -- before any).

:func:`check_delivery` states exactly-once: the live (non-synthetic) events are server events in
strictly increasing order, unchanged; every event not delivered live is made up by synthetic
events placed in its gap (the state each node reached there, run_started, the terminal), and
synthetic events stand for nothing else. :func:`check_pacing` checks the reconnect floor.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from aiohttp import web
from stream_fakes import RUN_ID, Conn, stamp

from b3os_async import RetryPolicy

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from stream_fakes import FakeServer

    from b3os_async.models.events import RunEvent


def _matrix_events() -> list[dict[str, Any]]:
    kinds: list[tuple[str, str, str | None]] = [
        ("run_started", "running", None),
        ("node_started", "running", "a"),
        ("node_completed", "success", "a"),
        ("node_started", "running", "w"),
        ("run_waiting", "waiting", "w"),
        ("run_resumed", "running", "w"),
        ("node_completed", "success", "w"),
        ("node_started", "running", "b"),
        ("node_completed", "success", "b"),
        ("run_completed", "success", None),
    ]
    events = []
    for seq, (etype, status, node_id) in enumerate(kinds, start=1):
        event: dict[str, Any] = {"type": etype, "runId": RUN_ID, "seq": seq, "status": status}
        if node_id is not None:
            event["nodeId"] = node_id
            if etype == "node_completed":
                event["result"] = {"node": node_id, "label": "résultat ✓"}
        event["timestamp"] = stamp(seq)
        event["note"] = f"étape {seq}: €😀"  # 2-, 3- and 4-byte UTF-8 characters in every frame
        events.append(event)
    return events


#: The run: 10 events, node ``w`` waits and resumes.
EVENTS = _matrix_events()
N = len(EVENTS)
TERMINAL_SEQ = N

#: Reconnects that never back off, but every one waits the floor (``max_delay`` = 5 ms) and
#: server hints (``Retry-After`` up to 1 s) are honoured.
MATRIX_POLICY = RetryPolicy(
    max_attempts=4, max_elapsed=30.0, initial_delay=0.0, max_delay=0.005, jitter=False,
    retry_after_max=1.0,
)  # fmt: skip
FLOOR = 0.005
#: The Retry-After (seconds) of 429/503 answers and error events.
HINT = 0.02

#: Faults that end a connection after k frames (``status_*``: the *next* request is answered
#: with that status); the server modes ``none``/``partial``/``repeat`` reset after k frames.
TRANSPORT_FAULTS = (
    "eof", "reset", "cut_event", "cut_char", "stall", "error_event", "retry_zero",
    "status_429", "status_503",
)  # fmt: skip
MODE_FAULTS = {"no_ids": "none", "partial_replay": "partial", "repeat_ids": "repeat"}
FAULTS = (*TRANSPORT_FAULTS, *MODE_FAULTS)


def rows(faults: Sequence[str], last: int) -> list[Any]:
    """Matrix rows ``(fault, k, every)`` for k in 0..last; the slowest (a stall on every
    connection, one event apart: one idle timeout per event) are marked ``slow``."""
    out = []
    for fault in faults:
        for k in range(last + 1):
            for every in (False, True):
                slow = fault == "stall" and every and k <= 1
                label = f"{fault}-{k}-{'every' if every else 'once'}"
                marks = [pytest.mark.slow] if slow else []
                out.append(pytest.param(fault, k, every, marks=marks, id=label))
    return out


@attrs.frozen
class Act:
    """What one stream request gets: ``fault`` after ``k`` frames (``"clean"``: the whole rest)."""

    fault: str
    k: int = 0


def acts_for(fault: str, k: int) -> list[Act]:
    """The requests one occurrence of ``fault`` at position ``k`` takes."""
    if fault.startswith("status_"):
        return [Act("eof", k), Act(fault)]
    if fault in MODE_FAULTS:
        return [Act("reset", k)]
    return [Act(fault, k)]


def frame(event: dict[str, Any], *, with_id: bool) -> bytes:
    """One SSE frame: ``id:`` (its seq) when ``with_id``, ``event:``, JSON data (UTF-8)."""
    head = f"id: {event['seq']}\n" if with_id else ""
    return (
        f"{head}event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n".encode()
    )


class HostileRun:
    """The server side of one matrix row (see the module docstring)."""

    def __init__(
        self,
        plan: Sequence[Act],
        *,
        every: bool = False,
        replay: str = "full",
        initial: int = 3,
        missed: int = 0,
        window: int = 1,
    ) -> None:
        self.plan = list(plan)
        self.every = every
        self.replay = replay
        self.initial = initial
        self.missed = missed
        self.window = window
        self.server: FakeServer | None = None
        self.high = 0  # the highest seq sent in a complete frame with an id
        self.sent: list[list[int]] = []  # per stream request: seqs of the complete frames sent
        self.served: list[bool] = []  # per stream request: answered 200 (not an error status)
        self.expected: list[str] = []  # per stream request: the Last-Event-ID it should carry

    @classmethod
    def row(cls, fault: str, k: int, every: bool) -> HostileRun:
        """The server of one matrix row: ``fault`` after ``k`` frames, once or on every request."""
        replay = MODE_FAULTS.get(fault, "full")
        missed = 2 if replay in ("none", "partial") else 0
        return cls(acts_for(fault, k), every=every, replay=replay, missed=missed)

    def act(self, index: int) -> Act:
        """The plan's act for request ``index``: cycled when ``every``, then clean when not."""
        plan = self.plan
        if not plan:
            return Act("clean")
        if self.every:
            return plan[index % len(plan)]
        return plan[index] if index < len(plan) else Act("clean")

    def silent_twice(self) -> bool:
        """Whether two served connections in a row sent no complete frame (see runs.py: the
        third then reconciles, even on a server that replays)."""
        served = [sent for sent, ok in zip(self.sent, self.served, strict=True) if ok]
        return any(not a and not b for a, b in itertools.pairwise(served))

    def expected_lei(self) -> list[str]:
        """The Last-Event-ID each stream request should have carried."""
        return list(self.expected)

    # -- the script --------------------------------------------------------------------------------

    def _frames(self, last_event_id: str | None, published: int) -> list[tuple[int, bool]]:
        """(seq, with id) of every frame this connection would send, in order."""
        after = int(last_event_id) if last_event_id and last_event_id.isdigit() else None
        mode = self.replay
        if mode == "none":
            return [(s, False) for s in range(published + 1, N + 1)]
        if after is None:
            after = published  # no resume point: live events only
        if mode == "partial":
            start = max(after, published - self.window)
            return [(s, True) for s in range(start + 1, N + 1)]
        if mode == "repeat":  # back one or two ids, then each new frame twice and an older one
            seqs = [s for s in (after - 1, after) if s >= 1]
            for s in range(after + 1, N + 1):
                seqs += [s, s, s - 1] if s > 1 else [s, s]
            return [(s, True) for s in seqs]
        return [(s, True) for s in range(after + 1, N + 1)]

    async def script(self, conn: Conn) -> web.StreamResponse | None:
        """The FakeServer script: one request, as the plan says."""
        server = conn.server
        index = conn.index
        self.expected.append(str(self.high))
        if index == 0:
            server.published = max(server.published, self.initial)
        else:
            server.published = min(N, server.published + self.missed)
        act = self.act(index)
        self.served.append(not act.fault.startswith("status_"))
        if act.fault.startswith("status_"):
            self.sent.append([])
            status = int(act.fault.split("_")[1])
            body = {"code": status, "message": f"busy ({status})", "requestId": "req_h"}
            return web.json_response(body, status=status, headers={"Retry-After": str(HINT)})
        frames = self._frames(conn.last_event_id, server.published)
        whole = frames if act.fault == "clean" else frames[: act.k]
        sent: list[int] = []
        self.sent.append(sent)
        chunks = []
        for seq, with_id in whole:
            chunks.append(frame(EVENTS[seq - 1], with_id=with_id))
            sent.append(seq)
            server.published = max(server.published, seq)
            if with_id:
                self.high = max(self.high, seq)
        burst = b"".join(chunks)
        await conn.open(retry_ms=0 if act.fault == "retry_zero" else None)
        rest = frames[len(whole) :]
        fault = act.fault if rest else "eof"  # the run ended first: nothing left to break
        if fault in ("clean", "eof", "retry_zero"):
            await conn.write(burst)
            return None
        if fault == "reset":
            await conn.burst_then_reset(burst)
            return None
        if fault in ("cut_event", "cut_char"):
            nxt = frame(EVENTS[rest[0][0] - 1], with_id=rest[0][1])
            if fault == "cut_event":
                await conn.burst_then_close(burst + nxt[: len(nxt) // 2])
            else:
                cut = nxt.index("😀".encode()) + 2  # between the bytes of a 4-byte character
                await conn.burst_then_reset(burst + nxt[:cut])
            return None
        if fault == "error_event":
            error = {"type": "error", "status": 503, "message": "busy", "retryAfter": HINT}
            await conn.write(burst + f"event: error\ndata: {json.dumps(error)}\n\n".encode())
        elif fault == "stall":
            await conn.write(burst)
        else:
            raise AssertionError(f"unknown fault {fault!r}")
        await conn.hold()  # until the client goes away
        return None


# -- checks ----------------------------------------------------------------------------------------

_RANK = {"node_started": 1, "run_waiting": 2, "run_resumed": 3, "node_completed": 4}


def _covers(event: RunEvent, raw: dict[str, Any]) -> bool:
    return event.type == raw["type"] and event.node_id == raw.get("nodeId")


def check_delivery(
    got: Sequence[RunEvent],
    *,
    ids: bool | None = None,
    events: Sequence[dict[str, Any]] = EVENTS,
) -> None:
    """Exactly once, in order, gaps filled by synthetic events (see the module docstring).

    ``ids``: whether live events must carry their seq as id (``None``: not checked). ``events``:
    the server's events (seq n is ``events[n - 1]``). A stream that did not reach the terminal
    event (it raised) is checked up to where it stopped.
    """
    total = len(events)
    for event in got:
        if event.synthetic:
            continue
        assert event.seq is not None, event
        assert event.data == events[event.seq - 1], "a live event's data was corrupted"
        if ids is not None:
            assert event.id == (str(event.seq) if ids else None)
    seqs = [e.seq for e in got if not e.synthetic and e.seq is not None]
    assert seqs == sorted(set(seqs)), f"live events repeated or out of order: {seqs}"
    keys = [(e.type, e.node_id) for e in got]
    assert len(keys) == len(set(keys)), f"a state was reported twice: {keys}"
    complete = bool(got) and got[-1].is_terminal
    # Segments: the synthetic events between two live ones stand for the events missing there.
    segments: list[tuple[int, int, list[RunEvent]]] = []  # (after seq, before seq, synthetic)
    after, pending = 0, []
    for event in got:
        if event.synthetic:
            pending.append(event)
            continue
        assert event.seq is not None
        segments.append((after, event.seq, pending))
        after, pending = event.seq, []
    segments.append((after, total + 1, pending))
    for index, (after, before, synthetic) in enumerate(segments):
        missing = events[after : before - 1]
        later = [e for _, _, syn in segments[index + 1 :] for e in syn] + [
            e for e in got if not e.synthetic and e.seq is not None and e.seq >= before
        ]
        last = index == len(segments) - 1
        _check_segment(missing, synthetic, later, f"between seq {after} and {before}",
                       lost_ok=last and not complete)  # fmt: skip
    if complete:
        for node in {raw.get("nodeId") for raw in events} - {None}:
            told = [e.type for e in got if e.node_id == node]
            reached = [raw["type"] for raw in events if raw.get("nodeId") == node][-1]
            assert told, f"node {node} never reported"
            assert told[-1] == reached, f"node {node} ends at {told}, not {reached}"


def _check_segment(
    missing: Sequence[dict[str, Any]],
    synthetic: Sequence[RunEvent],
    later: Sequence[RunEvent],
    where: str,
    *,
    lost_ok: bool,
) -> None:
    """One gap: each synthetic event stands for a missed event; each missed event is reported."""
    matched: list[int] = []
    for event in synthetic:
        raws = [raw for raw in missing if _covers(event, raw)]
        assert raws, f"synthetic {event.type}/{event.node_id} {where} stands for nothing missed"
        matched.append(raws[-1]["seq"])
    assert matched == sorted(matched), f"synthetic events out of order {where}: {matched}"
    if lost_ok:
        return
    for raw in missing:
        node = raw.get("nodeId")
        if node is None:  # run_started, the terminal: made up in this very gap
            assert any(_covers(e, raw) for e in synthetic), f"{raw['type']} lost {where}"
            continue
        rank = _RANK[raw["type"]]
        if any(e.node_id == node and _RANK[e.type] >= rank for e in synthetic):
            continue
        # The one blind spot of a snapshot: a node that waited and resumed while the client was
        # away reads "running", like one that just started; its resume then comes live.
        lost = f"{raw['type']} of node {node} lost {where}"
        assert raw["type"] == "run_waiting", lost
        assert any(e.node_id == node and _RANK[e.type] >= _RANK["run_resumed"] for e in later), lost


def check_nothing_dropped(got: Sequence[RunEvent], run: HostileRun, run_log: Sequence[int]) -> None:
    """Every event the server sent whole, past what any snapshot of the run showed, was yielded
    live: a synthetic event may only stand for what the client missed or a snapshot reflected."""
    shown = max(run_log, default=0)
    must = {seq for sent in run.sent for seq in sent if seq > shown}
    live = {e.seq for e in got if not e.synthetic}
    assert must <= live, f"sent but not yielded: {sorted(must - live)}"


def check_pacing(times: Sequence[float], floor: float = FLOOR) -> None:
    """Consecutive stream requests are at least ``floor`` seconds apart (no reconnect spin)."""
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= floor * 0.9 for gap in gaps), f"reconnected faster than the floor: {gaps}"


async def wait_closed(predicate: Callable[[], bool], timeout: float = 1.0) -> bool:
    """Poll until ``predicate()`` is true (a server notices a closed stream asynchronously)."""
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return True
        await asyncio.sleep(0.01)
    return predicate()
