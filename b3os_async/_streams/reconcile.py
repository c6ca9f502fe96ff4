"""Reconciling a run stream from the run's state when the server could not replay (pure, no I/O).

Theory of operation
-------------------
:class:`RunProgress` remembers what the consumer has been told about one run: the last event type
per node (``node_*`` events, and ``run_waiting`` / ``run_resumed`` that name a node) and the run's
state (``running``, ``waiting``, ``done``). It is updated for every event handed out.

After a reconnect that could not resume by id, the stream opens the new connection FIRST and then
fetches ``GET /v1/runs/{id}`` (the snapshot), so every event is either before the snapshot (and
reflected in it) or arrives live after it. :meth:`RunProgress.synthesize` turns the difference
between the snapshot and what was told into ``synthetic=True`` events, in this order:
``run_started`` (if never told), node events sorted by their node's time (the state each node
*reached*: ``node_started``, ``run_waiting`` with its node id, ``node_completed``, ``node_failed``,
``node_skipped``; pending, scheduled and cancelled nodes produce nothing), ``run_waiting`` /
``run_resumed`` for the run, and the terminal event last.

Then, if it reported anything, a *window* opens: live events that were buffered before the
snapshot are already reflected, so while the window is open an event that does not advance what
was told (:meth:`is_stale`: a node event whose progress rank is not above the node's, a second
``run_started``, a run-level state equal to the current one) is dropped. The first event that
advances closes the window. Known limit: a node inside a for-each loop that starts a new
iteration inside the window looks stale (its rank goes back) and that iteration's events are
dropped; the synthetic events still carry the state the node reached.
"""

from __future__ import annotations

from typing import Any

from b3os_async._convert import parse_datetime
from b3os_async.models.events import RunEvent

__all__ = ["RunProgress"]

# Progress of one node, by the event that reported it.
_NODE_RANK = {
    "node_started": 1,
    "run_waiting": 2,
    "run_resumed": 3,
    "node_completed": 4,
    "node_failed": 4,
    "node_skipped": 4,
}
# Node status in GET /v1/runs/{id} -> the event that reports reaching it.
_NODE_EVENT = {
    "running": "node_started",
    "auto_swapping": "node_started",
    "waiting": "run_waiting",
    "success": "node_completed",
    "partial": "node_completed",
    "failure": "node_failed",
    "skipped": "node_skipped",
}
_RUN_STATE = {
    "run_started": "running",
    "run_resumed": "running",
    "run_waiting": "waiting",
    "run_completed": "done",
    "run_failed": "done",
    "run_cancelled": "done",
}


def _run_state(event: RunEvent) -> str | None:
    """The run state an event reports: a ``run_resumed`` whose status is ``waiting`` leaves the
    run waiting (another wait node holds it)."""
    state = _RUN_STATE.get(event.type)
    if state == "running" and event.type == "run_resumed" and event.status == "waiting":
        return "waiting"
    return state


_TERMINAL_EVENT = {
    "success": "run_completed",
    "partial": "run_completed",
    "failure": "run_failed",
    "cancelled": "run_cancelled",
}


class RunProgress:
    """What a consumer has been told about one run (see the module docstring)."""

    __slots__ = ("nodes", "run_state", "window")

    def __init__(self) -> None:
        self.nodes: dict[str, str] = {}
        self.run_state: str | None = None
        self.window = False

    def record(self, event: RunEvent) -> None:
        """Note that ``event`` was handed to the consumer."""
        etype = event.type
        node_id = event.node_id
        if node_id is not None and etype in _NODE_RANK:
            self.nodes[node_id] = etype
        state = _run_state(event)
        if state is not None:
            self.run_state = state

    def is_stale(self, event: RunEvent) -> bool:
        """Whether ``event`` adds nothing to what was told (used while the window is open)."""
        etype = event.type
        node_id = event.node_id
        rank = _NODE_RANK.get(etype)
        if node_id is not None and rank is not None:
            told = self.nodes.get(node_id)
            return told is not None and rank <= _NODE_RANK[told]
        if etype == "run_started":
            return self.run_state is not None
        state = _run_state(event)
        return state is not None and state == self.run_state

    def synthesize(self, run: Any, run_id: str, *, terminal: bool = True) -> list[RunEvent]:
        """Events for what ``run`` (the JSON of ``GET /v1/runs/{id}``) shows and was not told.

        Each returned event is also recorded. Returns ``[]`` for a body that is not an object.
        ``terminal=False`` leaves out (and does not record) the end of a finished run.
        """
        if not isinstance(run, dict):
            return []
        status = run.get("status")
        if not isinstance(status, str):
            return []
        out: list[RunEvent] = []
        if self.run_state is None and status != "pending":
            out.append(_synthetic("run_started", run_id, "running", run.get("startedAt")))
        nodes = run.get("executionState")
        timed: list[tuple[str, RunEvent]] = []
        if isinstance(nodes, dict):
            for node_id, node in nodes.items():
                if not isinstance(node, dict):
                    continue
                node_status = node.get("status")
                if not isinstance(node_status, str):
                    continue
                etype = _NODE_EVENT.get(node_status)
                if etype is None:
                    continue
                done = _NODE_RANK[etype] == 4
                when = node.get("finishedAt") if done else node.get("startedAt")
                key = when if isinstance(when, str) else ""
                told = self.nodes.get(node_id)
                told_rank = _NODE_RANK[told] if told is not None else 0
                if told == "run_waiting" and node_status != "waiting":
                    # Resumed since: say so first, with the run's status as a live event would
                    # carry it (another wait node may still hold the run "waiting").
                    resumed = "waiting" if status == "waiting" else "running"
                    timed.append(
                        (key, _synthetic("run_resumed", run_id, resumed, None, node_id=node_id))
                    )
                    told_rank = _NODE_RANK["run_resumed"]
                if _NODE_RANK[etype] <= told_rank:
                    continue
                event = _synthetic(
                    etype,
                    run_id,
                    node_status,
                    when,
                    node_id=node_id,
                    result=node.get("result") if etype == "node_completed" else None,
                    error=node.get("error"),
                )
                timed.append((key, event))
        timed.sort(key=lambda pair: pair[0])  # RFC 3339 UTC strings sort by time; stable on ties
        out.extend(event for _, event in timed)
        for event in out:
            self.record(event)
        tail: list[RunEvent] = []
        ending = _TERMINAL_EVENT.get(status)
        if ending is not None:
            if terminal and self.run_state != "done":
                tail.append(_synthetic(ending, run_id, status, run.get("finishedAt")))
        elif status == "waiting" and self.run_state != "waiting":
            tail.append(_synthetic("run_waiting", run_id, status, None))
        elif status == "running" and self.run_state == "waiting":
            tail.append(_synthetic("run_resumed", run_id, status, None))
        for event in tail:
            self.record(event)
        out.extend(tail)
        return out


def _synthetic(
    etype: str,
    run_id: str,
    status: str,
    when: Any,
    *,
    node_id: str | None = None,
    result: Any = None,
    error: Any = None,
) -> RunEvent:
    """A synthetic event whose ``data`` has the shape of a live one (plus ``"synthetic": true``)."""
    data: dict[str, Any] = {"type": etype, "runId": run_id, "status": status}
    if node_id is not None:
        data["nodeId"] = node_id
    if result is not None:
        data["result"] = result
    if error is not None:
        data["error"] = error
    timestamp = None
    if isinstance(when, str) and when:
        data["timestamp"] = when
        try:
            timestamp = parse_datetime(when)
        except ValueError:
            timestamp = None
    data["synthetic"] = True
    return RunEvent(
        type=etype,
        run_id=run_id,
        status=status,
        node_id=node_id,
        result=result,
        error=error,
        timestamp=timestamp,
        data=data,
        synthetic=True,
    )
