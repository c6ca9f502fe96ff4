"""Run event streams that reconnect, resume and never lose or repeat an event.

Theory of operation
-------------------
The transport loop (connect, read, dedupe, reconnect with backoff, timeouts, release) lives in
:mod:`b3os_async._streams.machine` and is shared by every stream; its header states those
rules. This module adds what is specific to each endpoint:

* :class:`RunEventStream` (``GET /v1/runs/{id}/stream``): events are :class:`RunEvent` built
  straight from the parsed JSON (no cattrs on the hot path); the dedupe key is the run's ``seq``
  (else the numeric id); the stream **stops after the terminal event** (``run_completed``,
  ``run_failed``, ``run_cancelled``). When a reconnect cannot resume by id -- no id to send, the
  server sends no ids, or the first event after sending ``Last-Event-ID`` has none (no replay)
  -- the new connection is open first, then ``GET /v1/runs/{id}`` is fetched and what was
  missed is yielded as ``synthetic=True`` events (:mod:`b3os_async._streams.reconcile`). A 204
  ends the stream the same way: the run's state supplies a terminal event that was missed.
  :meth:`RunEventStream.until_complete` drains the stream and returns the final :class:`Run`.
* :class:`RunNotificationStream` (``/v1/workflows/{id}/runs/stream``, ``/v1/workflow-runs/stream``)
  and :class:`ActivityStream` (``/v1/activity/stream``): no terminal event and no reconcile; they
  dedupe by id, resume with ``Last-Event-ID`` and run until closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import parse_datetime, structure
from b3os_async._errors import NotFoundError, StreamError
from b3os_async._streams.config import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_RECONNECT,
    ReconnectCallback,
    ReconnectInfo,
    StreamTimeouts,
)
from b3os_async._streams.handle import RunHandle
from b3os_async._streams.machine import EventStream, _id_key
from b3os_async._streams.merge import MergedEventStream
from b3os_async._streams.reconcile import RunProgress
from b3os_async._transport.json_parser import loads
from b3os_async._transport.paths import check_run_id, path
from b3os_async.models.events import TERMINAL_RUN_EVENT_TYPES, ActivityEvent, RunEvent
from b3os_async.models.runs import Run

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async._retry import RetryPolicy
    from b3os_async._transport.session import SessionManager
    from b3os_async.sse import ServerSentEvent

__all__ = [
    "DEFAULT_RECONNECT",
    "ActivityEvent",
    "ActivityStream",
    "EventStream",
    "MergedEventStream",
    "ReconnectCallback",
    "ReconnectInfo",
    "RunEvent",
    "RunEventStream",
    "RunHandle",
    "RunNotificationStream",
    "StreamTimeouts",
    "decode_activity_event",
    "decode_run_event",
]


def _run_event_factory() -> Callable[..., RunEvent]:
    """Return a fast positional constructor of :class:`RunEvent`.

    Why: the frozen attrs ``__init__`` sets each of the 12 slots through ``object.__setattr__``
    and costs about as much as ``json.loads`` of the event. The class has no validators,
    converters or post-init hook, so writing the slots through their descriptors builds an
    instance equal to ``RunEvent(...)`` (a test checks this stays true).
    """
    new = object.__new__
    slots = RunEvent.__dict__
    s_type, s_id, s_run, s_wf, s_seq, s_status, s_node, s_result, s_error, s_ts, s_data, s_syn = (
        slots[name].__set__
        for name in (
            "type", "id", "run_id", "workflow_id", "seq", "status", "node_id", "result", "error",
            "timestamp", "data", "synthetic",
        )
    )  # fmt: skip

    def make(
        etype: str,
        event_id: str | None,
        run_id: Any,
        workflow_id: Any,
        seq: int | None,
        status: Any,
        node_id: Any,
        result: Any,
        error: Any,
        timestamp: Any,
        data: Any,
    ) -> RunEvent:
        event = new(RunEvent)
        s_type(event, etype)
        s_id(event, event_id)
        s_run(event, run_id)
        s_wf(event, workflow_id)
        s_seq(event, seq)
        s_status(event, status)
        s_node(event, node_id)
        s_result(event, result)
        s_error(event, error)
        s_ts(event, timestamp)
        s_data(event, data)
        s_syn(event, False)
        return event

    return make


_new_run_event = _run_event_factory()


def _timestamp(value: Any) -> Any:
    """Parse an RFC 3339 timestamp; an unparsable one becomes None (the text stays in data)."""
    if type(value) is not str or not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def decode_run_event(sse: ServerSentEvent, event_id: str | None) -> RunEvent:
    """Build a :class:`RunEvent` from one SSE event (type from ``event:``, else ``data.type``).

    Never raises for a bad payload (forward compatible): a field whose JSON value has the wrong
    type (``nodeId: 3``, ``status: {...}``) is ``None`` and its raw value stays in ``data``.
    """
    text = sse.data
    try:
        obj = loads(text)
    except ValueError:
        obj = text
    etype = sse.event
    if type(obj) is not dict:
        return RunEvent(type=etype, id=event_id, data=obj)
    if etype == "message":
        named = obj.get("type")
        if type(named) is str and named:
            etype = named
    get = obj.get
    seq = get("seq")
    if type(seq) is not int:
        seq = None
    # Typed fields hold their declared type or None (cheap exact-type checks: the hot path).
    run_id = get("runId")
    if type(run_id) is not str:
        run_id = None
    workflow_id = get("workflowId")
    if workflow_id is not None and type(workflow_id) is not str:
        workflow_id = None
    status = get("status")
    if type(status) is not str:
        status = None
    node_id = get("nodeId")
    if node_id is not None and type(node_id) is not str:
        node_id = None
    return _new_run_event(
        etype,
        event_id,
        run_id,
        workflow_id,
        seq,
        status,
        node_id,
        get("result"),
        get("error"),
        _timestamp(get("timestamp")),
        obj,
    )


def decode_activity_event(sse: ServerSentEvent, event_id: str | None) -> ActivityEvent:
    """Build an :class:`ActivityEvent` from one SSE event (wrong-typed fields become None)."""
    try:
        obj = loads(sse.data)
    except ValueError:
        obj = sse.data
    etype = sse.event
    if type(obj) is not dict:
        return ActivityEvent(type=etype, id=event_id, data=obj)
    named = obj.get("type")
    if etype == "message" and type(named) is str and named:
        etype = named
    seq = obj.get("seq")
    return ActivityEvent(
        type=etype,
        id=event_id,
        seq=seq if type(seq) is int else None,
        workflow_id=_str_or_none(obj.get("workflowId")),
        run_id=_str_or_none(obj.get("runId")),
        status=_str_or_none(obj.get("status")),
        timestamp=_timestamp(obj.get("timestamp")),
        data=obj,
    )


def _str_or_none(value: Any) -> str | None:
    """``value`` when it is a string, else None (the raw value stays in the event's data)."""
    return value if type(value) is str else None


class RunEventStream(EventStream[RunEvent]):
    """The events of one run, as an async iterator that survives dropped connections.

    Get one from ``b3.runs.stream(run_id)`` (a ``run_id`` that is not ``run_`` + 1-128 letters,
    digits, ``_`` or ``-`` raises :class:`ConfigurationError` before any request). Use it as
    ``async with stream: async for event in stream: ...`` (or call :meth:`aclose`); it stops by
    itself after the run's terminal event.
    ``last_event_id`` holds the id of the last event handed out: pass it to a later
    ``b3.runs.stream(run_id, last_event_id=...)`` to resume where you stopped. Reconnects are
    reported to ``on_reconnect`` (a :class:`ReconnectInfo`), never as events.
    """

    __slots__ = ("_progress", "_run_id", "_terminal")

    def __init__(
        self,
        session: SessionManager,
        run_id: str,
        *,
        last_event_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
    ) -> None:
        super().__init__(
            session,
            path("/v1/runs/{}/stream", check_run_id(run_id)),  # a bad id: ConfigurationError
            last_event_id=last_event_id,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
            max_event_size=max_event_size,
        )
        self._run_id = run_id
        self._progress = RunProgress()
        self._terminal: RunEvent | None = None

    @property
    def run_id(self) -> str:
        """The id of the run this stream follows."""
        return self._run_id

    @property
    def terminal_event(self) -> RunEvent | None:
        """The run's terminal event, once the stream has received it."""
        return self._terminal

    async def until_complete(self) -> Run:
        """Consume the rest of the stream and return the run's final state.

        Events not yet read are discarded. Raises :class:`StreamError` when the stream ended
        (closed, or a 204 from the server) while the run is still not finished.
        """
        try:
            async for _ in self:
                pass
        finally:
            await self.aclose()
        run = structure(await self._session.request("GET", path("/v1/runs/{}", self._run_id)), Run)
        if self._terminal is None and not run.status.is_terminal:
            raise StreamError(
                f"the stream of run {self._run_id} ended before the run finished "
                f"(status {run.status.value!r})"
            )
        return run

    # -- hooks -------------------------------------------------------------------------------------

    def _accept(self, sse: ServerSentEvent, event_id: str | None) -> RunEvent | None:
        # The per-event hot path, in one function: decode, dedupe by seq (else id), drop what
        # a reconcile already reported, remember what was told, stop after the terminal event.
        event = decode_run_event(sse, event_id)
        key: int | str | None = event.seq
        if key is None and event_id is not None:
            key = _id_key(event_id)
        if type(key) is int:
            high = self._high
            if high is not None and key <= high:
                return None
            self._high = key
        elif key is not None and self._is_duplicate(key):
            return None
        progress = self._progress
        if progress.window:
            if progress.is_stale(event):
                return None
            progress.window = False
        progress.record(event)
        if event.type in TERMINAL_RUN_EVENT_TYPES:
            self._terminal = event
            self._done = True
        return event

    async def _after_connect(self, reconnect: bool) -> None:
        # After a reconnect, resume by id when the server replays; otherwise fill the gap from
        # the run's state. The new connection is already open, so nothing can fall between the
        # snapshot and the live events (those from before it are dropped by the window).
        if not reconnect:
            return
        if self._last_event_id is not None and self._idless is not True:
            # We asked for a replay: the first event tells whether we got one. With an id, yes;
            # without (a server that lost or never had ids), reconcile before that event.
            self._hold_idless = True
            return
        await self._reconcile()

    async def _on_no_content(self) -> None:
        await self._reconcile()

    async def _on_hold(self) -> None:
        await self._reconcile()

    async def _reconcile(self) -> None:
        try:
            run = await self._race(
                self._session.request("GET", path("/v1/runs/{}", self._run_id)), None
            )
        except NotFoundError:
            return  # the run does not exist yet (pre-subscription): nothing was missed
        progress = self._progress
        for event in progress.synthesize(run, self._run_id):
            self._pending.append(event)
            if event.is_terminal:
                self._terminal = event
                self._done = True
                self._drop_connection(close=True)
                return
        progress.window = True


class RunNotificationStream(EventStream[RunEvent]):
    """Run started / finished notifications of one or more workflows; runs until closed.

    Events are :class:`RunEvent` (``run_started``, ``run_completed``, ``run_failed``,
    ``run_cancelled`` with ``run_id``, ``workflow_id`` and ``status``). It dedupes by event id
    and resumes with ``Last-Event-ID``; it has no terminal event and no reconcile.
    """

    __slots__ = ()
    _decode = staticmethod(decode_run_event)


class ActivityStream(EventStream[ActivityEvent]):
    """Organization-wide notifications (``b3.activity.stream()``); runs until closed."""

    __slots__ = ()
    _decode = staticmethod(decode_activity_event)
