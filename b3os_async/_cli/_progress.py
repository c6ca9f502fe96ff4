"""Showing a run as it happens, and summarising it afterwards.

Theory of operation
-------------------
:class:`RunView` receives the run's events one by one (``view.event(ev)``) and shows them in the
mode the :class:`~b3os_async._cli._output.Output` chose:

* **live** (rich on a terminal): a table of nodes — spinner while running, a coloured mark when
  done, elapsed time — redrawn in place by ``rich.live.Live``. Live refreshes from its own thread,
  so the view's state is guarded by a lock and rendered from a snapshot.
* **lines** (not a terminal, or no rich): one line per event, ``+1.23s  node_completed  fetch
  success  {…}``, flushed at once, no escape codes unless stdout is a terminal.
* **json** (``--json``): one compact JSON object per event (JSON lines).

Synthetic events (rebuilt by the SDK from ``GET /v1/runs/{id}`` after a reconnect that could not
resume by id) are shown as "(recovered)" lines only when they tell something new: one that
repeats a state the view already holds — typically what happened before ``runs watch`` started,
which :meth:`RunView.load_run` put in the headline — is recorded silently. ``--json`` prints every
event (synthetic ones carry ``"synthetic": true``).

Notes (a reconnect) go above the live table, or to stderr in the other modes. A running node's
elapsed time uses the local clock (when its start event arrived: no clock skew with the server);
a finished node's duration uses the server's event timestamps when both are known. The final
summary table uses ``started_at`` / ``finished_at`` from ``GET /v1/runs/{id}``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async._cli._output import (
    Output,
    Segment,
    Styled,
    format_duration,
    status_style,
    to_jsonable,
)
from b3os_async._cli._summary import display_text, node_order

if TYPE_CHECKING:
    from datetime import datetime
    from types import TracebackType

    from rich.console import RenderableType
    from rich.live import Live

    from b3os_async.models import Run
    from b3os_async.models.events import RunEvent
    from b3os_async.streams import ReconnectInfo

__all__ = ["RunView", "event_json", "event_status"]

_ICONS = {
    "pending": "·",
    "success": "✔",
    "partial": "◐",
    "failure": "✖",
    "cancelled": "✖",
    "skipped": "↷",
    "waiting": "⏸",
}
# Event type -> the node/run status it implies when the event carries no explicit status.
_TYPE_STATUS = {
    "run_started": "running",
    "node_started": "running",
    "node_completed": "success",
    "node_failed": "failure",
    "node_skipped": "skipped",
    "run_waiting": "waiting",
    "run_resumed": "running",
    "run_completed": "success",
    "run_failed": "failure",
    "run_cancelled": "cancelled",
}
_RESULT_WIDTH = 60
_UNFINISHED = frozenset({"pending", "running", "waiting", "scheduled"})


def event_status(event: RunEvent) -> str:
    """The status an event reports: its ``status`` field, else the one its type implies."""
    return event.status or _TYPE_STATUS.get(event.type, "")


def event_json(event: RunEvent) -> Any:
    """An event as a JSON object, without ``data`` (the raw payload its other fields repeat)."""
    value = to_jsonable(event)
    if isinstance(value, dict):
        value.pop("data", None)
    return value


def _compact(value: Any) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _RESULT_WIDTH else text[: _RESULT_WIDTH - 1] + "…"


def _error_message(error: Any) -> str:
    if error is None:
        return ""
    if isinstance(error, Mapping):
        return str(error.get("message") or error.get("code") or _compact(error))
    message = getattr(error, "message", None)
    return str(message) if message else str(error)


@attrs.define
class _NodeState:
    node_id: str
    type: str | None = None
    status: str = "pending"
    started: float | None = None  # local monotonic clock
    finished: float | None = None
    started_ts: datetime | None = None  # server timestamps, when events carry them
    finished_ts: datetime | None = None
    error: str = ""

    def elapsed(self, now: float) -> float | None:
        """Seconds spent so far (running) or in total (finished), ``None`` if never started."""
        if self.started_ts is not None and self.finished_ts is not None:
            return (self.finished_ts - self.started_ts).total_seconds()
        if self.started is None:
            return None
        return (self.finished or now) - self.started


class RunView:
    """Show a run's events live (see the module docstring). Use as a context manager."""

    def __init__(
        self,
        out: Output,
        *,
        title: str = "",
        nodes: Sequence[tuple[str, str | None]] = (),
        transient: bool = False,
    ) -> None:
        self.out = out
        # A caller that prints its own summary afterwards (the demo) erases the last frame:
        # leaving it would show the same table twice.
        self._transient = transient
        self.title = title
        self.run_status: str | None = None
        self._t0 = time.monotonic()
        self._lock = threading.Lock()
        self._nodes: dict[str, _NodeState] = {
            node_id: _NodeState(node_id, node_type) for node_id, node_type in nodes
        }
        self._live: Live | None = None
        self._loaded = False
        self._node_width = max([12, *(len(n) for n, _ in nodes)])

    def add_nodes(self, nodes: Sequence[tuple[str, str | None]]) -> None:
        """Declare nodes up front, in order, so the live table lists them before they run."""
        with self._lock:
            for node_id, node_type in nodes:
                node = self._nodes.setdefault(node_id, _NodeState(node_id))
                node.type = node.type or node_type
                self._node_width = max(self._node_width, len(node_id))

    def load_run(self, run: Run) -> None:
        """Start from a run's current state (``GET /v1/runs/{id}``): nodes, statuses, status."""
        definition = run.workflow_definition
        if definition is not None:
            order = node_order(definition.nodes, definition.trigger_node_ids)
            self.add_nodes([(n, definition.nodes[n].type) for n in order])
        with self._lock:
            for node_id, state in (run.execution_state or {}).items():
                node = self._nodes.setdefault(node_id, _NodeState(node_id))
                node.type = node.type or state.type
                node.status = display_text(state.status)
                node.started_ts, node.finished_ts = state.started_at, state.finished_at
            self.run_status = display_text(run.status)
            self._loaded = True

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> RunView:
        if self.out.live:
            from rich.live import Live

            assert self.out.console is not None
            self._live = Live(
                self, console=self.out.console, refresh_per_second=12, transient=self._transient
            )
            self._live.start()
        elif not self.out.json_mode and (self.title or self._loaded):
            self.out.line(*self._headline())
        return self

    def _headline(self) -> list[Segment]:
        """Title, and for a run loaded from its state: its status and how far it got."""
        parts: list[Segment] = [Styled(self.title, "bold")]
        if self._loaded and self.run_status:
            done = sum(n.status not in _UNFINISHED for n in self._nodes.values())
            parts += [
                "  ",
                Styled(self.run_status, status_style(self.run_status)),
                f"  ({done} of {len(self._nodes)} nodes done)",
            ]
        return parts

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()  # leaves the final table on screen, unless transient
            self._live = None

    # -- input -------------------------------------------------------------------------------

    def event(self, event: RunEvent) -> None:
        """Record one run event and show it (a synthetic one only if it tells something new)."""
        now = time.monotonic()
        kind = event.type
        status = event_status(event)
        node_id = event.node_id
        with self._lock:
            known = self._already_shown(event, kind, status, node_id)
            if node_id:
                self._update_node(node_id, kind, status, event, now)
            if event.is_terminal:
                self.run_status = status or self.run_status
            elif kind.startswith("run_") and status:
                self.run_status = status
        if self.out.json_mode:
            self.out.json_line(event_json(event))  # every event: scripts see "synthetic": true
        elif known:
            pass  # a "(recovered)" line would repeat what the headline or an earlier line showed
        elif self._live is not None:
            self._live.refresh()
        else:
            self.out.line(*self._event_line(event, kind, status, node_id, now))

    def _already_shown(self, event: RunEvent, kind: str, status: str, node_id: str | None) -> bool:
        """Whether a synthetic event only repeats the state this view already holds.

        After a reconnect that could not resume by id, the SDK rebuilds what it had not handed
        out from ``GET /v1/runs/{id}``, including what happened before a ``runs watch`` started
        (which :meth:`load_run` already put in the headline). Terminal events always show.
        """
        if not event.synthetic or event.is_terminal:
            return False
        if node_id:
            node = self._nodes.get(node_id)
            return node is not None and node.status == status
        if kind == "run_started":
            return self._loaded or self.run_status is not None
        return bool(status) and status == self.run_status

    def on_reconnect(self, info: ReconnectInfo) -> None:
        """An ``on_reconnect`` callback for streams: shows a dim note about the reconnect."""
        self.note(
            f"stream interrupted ({info.reason}); reconnecting in {info.delay:.1f} s"
            f" (attempt {info.attempt})"
        )

    def note(self, text: str) -> None:
        """Show a dim remark (e.g. "reconnected") without disturbing the event output."""
        if self._live is not None:
            from rich.text import Text

            self._live.console.print(Text(text, style="dim"))
        else:
            self.out.note(text)

    def _update_node(
        self, node_id: str, kind: str, status: str, event: RunEvent, now: float
    ) -> None:
        node = self._nodes.get(node_id)
        if node is None:
            node = self._nodes[node_id] = _NodeState(node_id)
            self._node_width = max(self._node_width, len(node_id))
        if status:
            node.status = status
        timestamp = event.timestamp
        if kind == "node_started" or (status == "running" and node.started is None):
            node.started, node.started_ts = now, timestamp
        elif status and status not in _UNFINISHED:
            node.finished, node.finished_ts = now, timestamp
        error = _error_message(event.error)
        if error:
            node.error = error

    # -- plain lines -------------------------------------------------------------------------

    def _event_line(
        self, event: RunEvent, kind: str, status: str, node_id: str | None, now: float
    ) -> list[Segment]:
        parts: list[Segment] = [
            Styled(f"+{now - self._t0:.2f}s".rjust(8), "dim"),
            "  ",
            kind.ljust(14),
            "  ",
            (node_id or "-").ljust(self._node_width),
            "  ",
            Styled(status or "-", status_style(status)),
        ]
        error = _error_message(event.error)
        result = event.result
        if error:
            parts += ["  ", Styled(error, "red")]
        elif result is not None and kind == "node_completed":
            parts += ["  ", _compact(result)]
        if event.synthetic:
            parts += ["  ", Styled("(recovered)", "dim")]
        return parts

    # -- live table --------------------------------------------------------------------------

    def __rich__(self) -> RenderableType:
        """Render the live table (called by rich.live from its refresh thread)."""
        from rich import box
        from rich.console import Group
        from rich.spinner import Spinner
        from rich.table import Table
        from rich.text import Text

        now = time.monotonic()
        with self._lock:
            snapshot = [attrs.evolve(n) for n in self._nodes.values()]
            run_status = self.run_status
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for header in ("", "node", "type", "status", "time"):
            table.add_column(header)
        for node in snapshot:
            style = status_style(node.status)
            mark: RenderableType
            if node.status == "running":
                mark = Spinner("dots", style="cyan")
            else:
                mark = Text(_ICONS.get(node.status, "•"), style=style or "dim")
            elapsed = node.elapsed(now)
            status_text = Text(node.status, style=style)
            if node.error:
                status_text.append(f"  {node.error}", style="red")
            table.add_row(
                mark, Text(node.node_id), Text(node.type or "", style="dim"), status_text,
                Text(format_duration(elapsed), style="dim"),
            )  # fmt: skip
        title = Text(self.title, style="bold")
        if run_status:
            title.append("  ")
            title.append(run_status, style=status_style(run_status))
        return Group(title, table)
