"""Streams of external executions: one execution's events, or the organization's.

What is specific to them (the shared rules are in :mod:`b3os_async._streams`):

* events are :class:`~b3os_async.models.ExecutionEvent`, decoded on the hot path without cattrs
  (:func:`decode_execution_event`; wrong-typed fields become None, the payload stays in ``raw``);
* **one execution** (``GET /v1/executions/{id}/stream``, or the public
  ``/v1/public/executions/{id}/stream?token=``): deduped by the execution's ``seq`` (else the
  id); the stream ends after the event that gives the execution a terminal status. By default
  the first connection asks for the whole timeline (``Last-Event-ID: 0``). When a server cannot
  replay (the connection's first event has no id, or a reconnect finds no ids) the timeline
  (``…/events``, or the public execution with its token) supplies exactly what was missed, as
  ``synthetic=True`` events -- a timeline entry is an event, so nothing is approximated; live
  events that a reconcile already reported are dropped by their ``eventId``. ``history=False``
  notes the timeline silently at the first connection and follows from there;
* **the organization** (``GET /v1/executions/stream``): every update of every execution,
  deduped by id (a per-organization sequence), resumed with ``Last-Event-ID``; it never ends.

The public stream's client token travels in the query string: it is a secret, and the stream
shows its URL only redacted (``repr()``, errors, logs).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from b3os_async._streams.config import REPLAY_GRACE
from b3os_async._streams.dedupe import id_key
from b3os_async._streams.events import payload_of, str_or_none, timestamp_or_none
from b3os_async._streams.machine import EventStream, Hold
from b3os_async.models._area_enums import ExternalExecutionStatus
from b3os_async.models.executions import ExecutionEvent

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import Requester
    from b3os_async.sse import ServerSentEvent

    Timeline = Callable[[], Awaitable[list[Any]]]
    """Returns the execution's timeline entries (raw JSON objects), oldest first."""

__all__ = ["ExecutionEventStream", "decode_execution_event"]


def _status(value: Any) -> ExternalExecutionStatus | None:
    return ExternalExecutionStatus(value) if type(value) is str and value else None


def decode_execution_event(sse: ServerSentEvent, event_id: str | None) -> ExecutionEvent:
    """Build an :class:`ExecutionEvent` from one SSE event (type from ``event:``, else JSON)."""
    etype, obj = payload_of(sse)
    if type(obj) is not dict:
        return ExecutionEvent(type=etype, id=event_id, raw=obj)
    seq = obj.get("seq")
    return ExecutionEvent(
        type=etype,
        id=event_id,
        seq=seq if type(seq) is int else None,
        status=_status(obj.get("status")),
        execution_id=str_or_none(obj.get("executionId")),
        workflow_id=str_or_none(obj.get("workflowId")),
        run_id=str_or_none(obj.get("runId")),
        node_id=str_or_none(obj.get("nodeId")),
        event_id=str_or_none(obj.get("eventId")),
        level=str_or_none(obj.get("level")),
        title=str_or_none(obj.get("title")),
        message=str_or_none(obj.get("message")),
        data=obj.get("data"),
        timestamp=timestamp_or_none(obj.get("timestamp")),
        raw=obj,
    )


def _synthetic(entry: Any, execution_id: str) -> ExecutionEvent | None:
    """A timeline entry (``ExternalExecutionEvent`` JSON) as a synthetic stream event."""
    if type(entry) is not dict or type(entry.get("eventType")) is not str:
        return None
    kind = entry["eventType"]
    status = ExternalExecutionStatus(kind)
    return ExecutionEvent(
        type=kind,
        status=status if status.is_known else None,
        execution_id=execution_id,
        workflow_id=str_or_none(entry.get("workflowId")),
        run_id=str_or_none(entry.get("runId")),
        node_id=str_or_none(entry.get("nodeId")),
        event_id=str_or_none(entry.get("id")),
        level=str_or_none(entry.get("level")),
        title=str_or_none(entry.get("title")),
        message=str_or_none(entry.get("message")),
        data=entry.get("data"),
        timestamp=timestamp_or_none(entry.get("createdAt")),
        raw=entry,
        synthetic=True,
    )


class ExecutionEventStream(EventStream[ExecutionEvent]):
    """The events of one external execution (until it ends) or of the whole organization.

    Get one from ``b3.executions.stream(execution_id)`` / ``b3.executions.stream()`` or
    ``b3.public.stream_execution(execution_id, token)``. Use it as
    ``async with stream: async for event in stream: ...``; ``last_event_id`` resumes a later
    stream where this one stopped. See the module docstring for the rules.
    """

    __slots__ = ("_check", "_execution_id", "_terminal", "_timeline", "_told")

    def __init__(
        self,
        requester: Requester,
        path: str,
        *,
        execution_id: str | None = None,
        timeline: Timeline | None = None,
        params: Mapping[str, QueryValue] | None = None,
        last_event_id: str | None = None,
        history: bool = True,
    ) -> None:
        whole = execution_id is not None and last_event_id is None and history
        super().__init__(
            requester, path, params=params, last_event_id="0" if whole else last_event_id
        )
        if whole:
            self._last_event_id = None
        self._execution_id = execution_id
        self._timeline = timeline
        self._told: set[str] = set()  # timeline entry ids handed out (one execution only)
        self._terminal: ExecutionEvent | None = None
        self._check = False  # is the next event the first of a resumed connection?

    @property
    def execution_id(self) -> str | None:
        """The execution this stream follows (``None``: the whole organization)."""
        return self._execution_id

    @property
    def terminal_event(self) -> ExecutionEvent | None:
        """The event that ended the execution, once received."""
        return self._terminal

    # -- hooks -------------------------------------------------------------------------------------

    def _accept(self, sse: ServerSentEvent, event_id: str | None) -> ExecutionEvent | None:
        event = decode_execution_event(sse, event_id)
        if self._execution_id is None:  # the organization's: dedupe by id only
            if event_id is not None and self._dedupe.seen(id_key(event_id)):
                return None
            return event
        key: int | str | None = event.seq
        if key is None and event_id is not None:
            key = id_key(event_id)
        if self._check:  # the first event of a resumed connection: did the server replay?
            self._check = False
            self._hold_until = None
            if event_id is None:
                raise Hold  # no: `_on_hold` reconciles from the timeline first
        if key is not None and self._dedupe.seen(key):
            return None
        if event.event_id is not None:
            if event.event_id in self._told:
                return None  # a reconcile already reported it
            self._told.add(event.event_id)
        if event.is_terminal:
            self._terminal = event
            self._end_after_current()
        return event

    async def _after_connect(self, first: bool) -> None:
        if self._execution_id is None or self._timeline is None:
            return
        if first and self._cursor is None:
            await self._reconcile(emit=False)  # history=False: note where "now" is
            return
        self._check = False
        self._hold_until = None
        if self._cursor is not None and self._idless is not True:
            # The first event tells whether the server replays; none within the grace: reconcile.
            self._check = True
            self._hold_until = asyncio.get_running_loop().time() + REPLAY_GRACE
            return
        await self._reconcile()

    async def _on_hold(self) -> None:
        self._check = False
        await self._reconcile()

    async def _on_no_content(self) -> None:
        await self._reconcile()

    async def _reconcile(self, *, emit: bool = True) -> None:
        """Hand out the timeline entries not told yet (``emit=False``: only note them)."""
        if self._timeline is None or self._execution_id is None:
            return
        entries = await self._race(self._timeline(), None)
        found = False
        for entry in entries:
            event = _synthetic(entry, self._execution_id)
            if event is None or event.event_id is None or event.event_id in self._told:
                continue
            self._told.add(event.event_id)
            if not emit:
                continue
            found = True
            self._pending.append(event)
            if event.is_terminal:
                self._terminal = event
                self._end_after_current()
                break
        if found:
            self._progress()  # state found by a reconcile is new information
