"""Decoding one SSE event into a typed event, on the per-event hot path (no cattrs).

:func:`decode_run_event` and :func:`decode_activity_event` never raise for a bad payload
(forward compatible): a field whose JSON value has the wrong type is ``None`` and the raw value
stays in ``data``; a payload that is not JSON is kept as text in ``data``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import parse_datetime
from b3os_async._transport.json_parser import loads
from b3os_async.models.events import ActivityEvent, RunEvent

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.sse import ServerSentEvent

__all__ = [
    "decode_activity_event",
    "decode_run_event",
    "payload_of",
    "str_or_none",
    "timestamp_or_none",
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


def timestamp_or_none(value: Any) -> Any:
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
        timestamp_or_none(get("timestamp")),
        obj,
    )


def payload_of(sse: ServerSentEvent) -> tuple[str, Any]:
    """``(type, payload)`` of one SSE event: its JSON (the raw text when it is not JSON), and its
    type from the ``event:`` field, else from the JSON's ``type`` key."""
    try:
        obj = loads(sse.data)
    except ValueError:
        return sse.event, sse.data
    etype = sse.event
    if etype == "message" and type(obj) is dict:
        named = obj.get("type")
        if type(named) is str and named:
            etype = named
    return etype, obj


def decode_activity_event(sse: ServerSentEvent, event_id: str | None) -> ActivityEvent:
    """Build an :class:`ActivityEvent` from one SSE event (wrong-typed fields become None)."""
    etype, obj = payload_of(sse)
    if type(obj) is not dict:
        return ActivityEvent(type=etype, id=event_id, data=obj)
    seq = obj.get("seq")
    return ActivityEvent(
        type=etype,
        id=event_id,
        seq=seq if type(seq) is int else None,
        workflow_id=str_or_none(obj.get("workflowId")),
        run_id=str_or_none(obj.get("runId")),
        status=str_or_none(obj.get("status")),
        timestamp=timestamp_or_none(obj.get("timestamp")),
        data=obj,
    )


def str_or_none(value: Any) -> str | None:
    """``value`` when it is a string, else None (the raw value stays in the event's data)."""
    return value if type(value) is str else None
