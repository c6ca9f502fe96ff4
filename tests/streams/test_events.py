"""Pure tests: decoding SSE events into RunEvent / ActivityEvent, and the reconcile rules."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest
from stream_fakes import RUN_ID, run_events, run_state

from b3os_async._streams.events import _new_run_event, decode_activity_event, decode_run_event
from b3os_async._streams.reconcile import RunProgress
from b3os_async.models.events import ActivityEvent, RunEvent
from b3os_async.sse import ServerSentEvent


def _sse(data: Any, event: str = "message", id: str = "") -> ServerSentEvent:
    text = data if isinstance(data, str) else json.dumps(data)
    return ServerSentEvent(event=event, data=text, id=id)


def test_fast_constructor_equals_attrs_init() -> None:
    """The slot-writing constructor builds the same RunEvent as the attrs __init__."""
    ts = datetime(2024, 5, 1, tzinfo=timezone.utc)
    fields: dict[str, Any] = {
        "type": "node_completed", "id": "7", "run_id": "run_x", "workflow_id": "wf_1", "seq": 7,
        "status": "success", "node_id": "a", "result": {"v": 1}, "error": None, "timestamp": ts,
        "data": {"k": 1},
    }  # fmt: skip
    fast = _new_run_event(*fields.values())
    assert fast == RunEvent(**fields, synthetic=False)
    assert attrs.asdict(fast) == attrs.asdict(RunEvent(**fields))
    assert len(attrs.fields(RunEvent)) == len(fields) + 1  # a new field must be added to both


def test_decode_run_event_reads_every_field() -> None:
    """A contract event decodes into typed fields, with the raw JSON kept in data."""
    payload = {
        "type": "node_failed", "runId": RUN_ID, "seq": 4, "status": "failure", "nodeId": "b",
        "error": {"message": "boom", "code": "x"}, "timestamp": "2024-05-01T10:00:04.5Z",
    }  # fmt: skip
    event = decode_run_event(_sse(payload, event="node_failed", id="4"), "4")
    assert (event.type, event.id, event.run_id, event.seq) == ("node_failed", "4", RUN_ID, 4)
    assert (event.status, event.node_id, event.error) == ("failure", "b", payload["error"])
    assert event.timestamp == datetime(2024, 5, 1, 10, 0, 4, 500000, tzinfo=timezone.utc)
    assert event.data == payload
    assert not event.is_terminal
    assert not event.synthetic


def test_type_comes_from_data_when_the_event_field_is_absent() -> None:
    """Without an `event:` field the type is the JSON `type` key."""
    event = decode_run_event(_sse({"type": "run_completed", "status": "success"}), None)
    assert event.type == "run_completed"
    assert event.is_terminal


def test_event_field_wins_over_data_type() -> None:
    """An explicit `event:` field names the type even when the data says otherwise."""
    event = decode_run_event(_sse({"type": "node_started"}, event="node_skipped"), None)
    assert event.type == "node_skipped"


def test_unknown_type_and_non_json_data_are_kept() -> None:
    """An unknown event type with non-JSON data is delivered as a generic event."""
    event = decode_run_event(_sse("not json {", event="node_teleported"), None)
    assert (event.type, event.data, event.seq, event.timestamp) == (
        "node_teleported", "not json {", None, None,
    )  # fmt: skip


def test_too_deeply_nested_data_is_kept_as_text() -> None:
    """Event data nested too deeply to parse is delivered as its raw text, not a RecursionError."""
    text = "[" * 100_000
    event = decode_run_event(_sse(text, event="node_teleported"), None)
    assert (event.type, event.data, event.seq) == ("node_teleported", text, None)
    assert decode_activity_event(_sse(text, event="x"), None).data == text


def test_bad_timestamp_and_seq_become_none() -> None:
    """A timestamp that does not parse and a non-integer seq are None (raw kept in data)."""
    event = decode_run_event(_sse({"type": "x", "seq": "7", "timestamp": "yesterday"}), None)
    assert (event.seq, event.timestamp, event.data["timestamp"]) == (None, None, "yesterday")


def test_decode_activity_event() -> None:
    """An activity notification decodes into an ActivityEvent."""
    payload = {"type": "workflow_published", "seq": 9, "workflowId": "wf_1"}
    event = decode_activity_event(_sse(payload, id="9"), "9")
    assert event == ActivityEvent(
        type="workflow_published", id="9", seq=9, workflow_id="wf_1", data=payload
    )


@pytest.mark.parametrize("wrong", [7, 1.5, True, ["a"], {"k": "v"}])
def test_wrong_typed_string_fields_become_none(wrong: Any) -> None:
    """Run and activity events keep only strings in their string fields; data keeps the raw."""
    payload = {"type": "x", "runId": wrong, "workflowId": wrong, "status": wrong, "nodeId": wrong}
    run = decode_run_event(_sse(payload), None)
    assert (run.run_id, run.workflow_id, run.status, run.node_id) == (None, None, None, None)
    assert run.data == payload
    activity = decode_activity_event(_sse(payload), None)
    assert (activity.run_id, activity.workflow_id, activity.status) == (None, None, None)
    assert activity.data == payload


def _told(events: list[dict[str, Any]]) -> RunProgress:
    progress = RunProgress()
    for raw in events:
        progress.record(decode_run_event(_sse(raw), str(raw["seq"])))
    return progress


def test_synthesize_reports_reached_state_in_order() -> None:
    """The snapshot's unseen progress becomes synthetic events ordered by time, terminal last."""
    events = run_events()
    progress = _told(events[:2])  # run_started, node_started a
    out = progress.synthesize(run_state(RUN_ID, events), RUN_ID)
    assert [(e.type, e.node_id) for e in out] == [
        ("node_completed", "a"),
        ("node_completed", "b"),
        ("node_completed", "c"),
        ("run_completed", None),
    ]
    assert all(e.synthetic and e.id is None and e.data["synthetic"] for e in out)
    assert out[0].result == {"node": "a"}
    assert out[-1].status == "success"


def test_synthesize_nothing_when_up_to_date() -> None:
    """A snapshot equal to what was told produces no event."""
    events = run_events()
    progress = _told(events[:5])
    assert progress.synthesize(run_state(RUN_ID, events[:5]), RUN_ID) == []


def test_synthesize_run_started_and_waiting() -> None:
    """A run never seen that is waiting yields run_started, its nodes, then a waiting event."""
    state = {
        "status": "waiting",
        "startedAt": "2024-05-01T10:00:00Z",
        "executionState": {
            "a": {"status": "success", "finishedAt": "2024-05-01T10:00:02Z"},
            "w": {"status": "waiting", "startedAt": "2024-05-01T10:00:03Z"},
            "z": {"status": "pending"},
        },
    }
    out = RunProgress().synthesize(state, RUN_ID)
    assert [(e.type, e.node_id, e.status) for e in out] == [
        ("run_started", None, "running"),
        ("node_completed", "a", "success"),
        ("run_waiting", "w", "waiting"),
    ]


@pytest.mark.parametrize(
    ("told", "event", "stale"),
    [
        ([("node_completed", "a")], ("node_started", "a"), True),
        ([("node_completed", "a")], ("node_completed", "a"), True),
        ([("node_started", "a")], ("node_completed", "a"), False),
        ([("node_started", "a")], ("node_started", "b"), False),
        ([("run_started", None)], ("run_started", None), True),
        ([("run_waiting", None)], ("run_waiting", None), True),
        ([("run_waiting", None)], ("run_resumed", None), False),
        ([("run_started", None)], ("node_teleported", "a"), False),
    ],
)
def test_is_stale(told: list[tuple[str, Any]], event: tuple[str, Any], stale: bool) -> None:
    """Inside the reconcile window an event is stale iff it does not advance what was told."""
    progress = RunProgress()
    for etype, node in told:
        progress.record(RunEvent(type=etype, node_id=node))
    assert progress.is_stale(RunEvent(type=event[0], node_id=event[1])) is stale


@pytest.mark.parametrize(
    ("run_status", "resumed"),
    [
        ("waiting", [("w1", "waiting")]),  # w2 still holds the run
        ("running", [("w1", "running"), ("w2", "running")]),
    ],
)
def test_synthesized_resume_carries_the_runs_real_status(
    run_status: str, resumed: list[tuple[str, str]]
) -> None:
    """A node resumed while the client was away yields run_resumed with the run's status: still
    "waiting" when another wait node holds the run, "running" when none does."""
    progress = RunProgress()
    for node in ("w1", "w2"):
        progress.record(RunEvent(type="run_waiting", node_id=node, status="waiting"))
    state = {
        "status": run_status,
        "executionState": {
            "w1": {"status": "success", "finishedAt": "2024-05-01T10:00:05Z"},
            "w2": {"status": "waiting" if run_status == "waiting" else "success",
                   "startedAt": "2024-05-01T10:00:01Z", "finishedAt": "2024-05-01T10:00:06Z"},
        },
    }  # fmt: skip
    out = progress.synthesize(state, RUN_ID)
    assert [(e.node_id, e.status) for e in out if e.type == "run_resumed"] == resumed
    assert ("node_completed", "w1") in [(e.type, e.node_id) for e in out]
