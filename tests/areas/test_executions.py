"""``b3.executions`` and the public execution stream against the emulator.

External executions are not runs: they wrap one, follow its status and keep a timeline.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from area_helpers import DEFINITION, public_workflow

from b3os_async import B3OS, ConfigurationError, ConflictError, ReconnectInfo
from b3os_async.models import ExecutionEvent, ExternalExecutionStatus
from b3os_async.testing import Emulator, Fault

S = ExternalExecutionStatus
WAITS: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["hold"]},
        "hold": {"type": "wait", "payload": {}, "children": ["done"]},
        "done": {"type": "echo", "payload": {"ok": True}},
    },
}
FAILS: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["boom"]},
        "boom": {"type": "fail", "payload": {"message": "kaput"}},
    },
}


async def _workflow(b3: B3OS, definition: dict[str, Any] = DEFINITION) -> str:
    return (await b3.workflows.create(name="x", description="", definition=definition)).id


async def _finished(b3: B3OS, execution_id: str) -> list[ExecutionEvent]:
    async with b3.executions.stream(execution_id) as stream:
        return [event async for event in stream]


async def test_an_execution_follows_its_run_to_success(b3: B3OS) -> None:
    """create() queues the run; the execution ends workflow_succeeded with the run's results."""
    wf_id = await _workflow(b3)
    created = await b3.executions.create(
        wf_id, source_system="shop", source_entity_type="order", request_payload={"n": 7}
    )
    assert created.execution.status in (S.WORKFLOW_QUEUED, S.WORKFLOW_RUNNING)
    events = await _finished(b3, created.execution.id)
    assert [e.type for e in events][:2] == ["workflow_queued", "workflow_running"]
    assert events[-1].is_terminal
    assert events[-1].status is S.WORKFLOW_SUCCEEDED
    detail = await b3.executions.get(created.execution.id)
    assert detail.execution.run_id is not None
    assert detail.execution.response_payload == {"greet": {"who": None, "n": 7}}
    assert [e.event_type for e in detail.events] == [e.type for e in events]


async def test_create_generates_one_idempotency_key_and_is_retried_safely(
    b3: B3OS, emu: Emulator
) -> None:
    """A 503 on the first attempt is retried with the same generated key: one execution."""
    wf_id = await _workflow(b3)
    emu.faults.add(Fault.status(503), method="POST", path="/v1/executions", times=1)
    emu.requests.clear()
    created = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
    keys = [json.loads(r.body)["idempotencyKey"] for r in emu.requests if r.method == "POST"]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert keys[0].startswith("idem_")
    assert [e.id async for e in b3.executions.list()] == [created.execution.id]


@pytest.mark.slow
async def test_a_repeated_idempotency_key_returns_the_same_execution(b3: B3OS) -> None:
    """The same key gives the same execution and token; for another workflow it is a 409."""
    wf_id, other = await _workflow(b3), await _workflow(b3)
    first = await b3.executions.create(
        wf_id, source_system="s", source_entity_type="e", idempotency_key="order-1042"
    )
    again = await b3.executions.create(
        wf_id, source_system="s", source_entity_type="e", idempotency_key="order-1042"
    )
    assert again.execution.id == first.execution.id
    assert again.client_token == first.client_token
    with pytest.raises(ConflictError):
        await b3.executions.create(
            other, source_system="s", source_entity_type="e", idempotency_key="order-1042"
        )


async def test_a_payable_workflow_awaits_payment_first(b3: B3OS, emu: Emulator) -> None:
    """A payable workflow's execution waits for payment; once confirmed its run goes ahead."""
    wf_id = await _workflow(b3)
    emu.make_payable(wf_id, price=5000)
    created = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
    assert created.execution.status is S.AWAITING_PAYMENT
    assert created.execution.payment_status == "pending"
    assert created.execution.run_id is None
    emu.confirm_payment(created.execution.id)
    events = await _finished(b3, created.execution.id)
    assert [e.type for e in events][:4] == [
        "awaiting_payment",
        "payment_confirmed",
        "workflow_queued",
        "workflow_running",
    ]
    assert events[-1].status is S.WORKFLOW_SUCCEEDED


async def test_a_failing_run_fails_the_execution_with_its_reason(b3: B3OS) -> None:
    """A failed node and run: node_failed (level error), then workflow_failed with the reason."""
    wf_id = await _workflow(b3, FAILS)
    created = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
    events = await _finished(b3, created.execution.id)
    failed = [e for e in events if e.type == "node_failed"]
    assert [(e.node_id, e.level, e.message) for e in failed] == [("boom", "error", "kaput")]
    detail = await b3.executions.get(created.execution.id)
    assert detail.execution.status is S.WORKFLOW_FAILED
    assert detail.execution.status_reason == "node 'boom' failed: kaput"


async def test_a_waiting_run_makes_the_execution_wait(b3: B3OS, emu: Emulator) -> None:
    """A wait node: workflow_waiting, then after the resume workflow_running and success."""
    wf_id = await _workflow(b3, WAITS)
    created = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
    run_id = created.execution.run_id
    assert run_id is not None
    await emu.wait_for_run(run_id, "waiting")
    assert (await b3.executions.get(created.execution.id)).execution.status is S.WORKFLOW_WAITING
    await b3.runs.resume_node(run_id, "hold", data={"go": 1})
    statuses = [e.status for e in await _finished(b3, created.execution.id)]
    assert statuses.index(S.WORKFLOW_WAITING) < len(statuses) - 1
    assert statuses[-2:] == [S.WORKFLOW_RUNNING, S.WORKFLOW_SUCCEEDED]


async def test_events_are_the_timeline_oldest_first(b3: B3OS) -> None:
    """events() returns the timeline entries with their ids, oldest first."""
    wf_id = await _workflow(b3)
    created = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
    streamed = await _finished(b3, created.execution.id)
    records = await b3.executions.events(created.execution.id)
    assert [r.id for r in records] == [e.event_id for e in streamed]
    assert all(r.execution_id == created.execution.id for r in records)


async def test_stats_summarise_a_window(b3: B3OS) -> None:
    """stats() counts the window's executions by outcome and source system."""
    ok_wf, bad_wf = await _workflow(b3), await _workflow(b3, FAILS)
    for wf_id in (ok_wf, ok_wf, bad_wf):
        created = await b3.executions.create(wf_id, source_system="shop", source_entity_type="o")
        await _finished(b3, created.execution.id)
    now = datetime.now(timezone.utc)
    stats = await b3.executions.stats(
        start=now - timedelta(minutes=5), end=now, granularity="hourly"
    )
    assert stats.summary is not None
    assert (stats.summary.total, stats.summary.succeeded, stats.summary.failed) == (3, 2, 1)
    assert [(s.source_system, s.total) for s in stats.source_systems] == [("shop", 3)]
    assert len(stats.recent_failures) == 1


async def test_stats_refuse_naive_datetimes_before_any_request(b3: B3OS, emu: Emulator) -> None:
    """A naive datetime is a ConfigurationError; nothing is sent."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        await b3.executions.stats(start=datetime(2025, 1, 1), end=datetime.now(timezone.utc))
    assert list(emu.requests) == []


async def test_stream_without_history_starts_from_now(b3: B3OS, emu: Emulator) -> None:
    """history=False skips what already happened and delivers only the new events."""
    wf_id = await _workflow(b3, WAITS)
    created = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
    run_id = created.execution.run_id
    assert run_id is not None
    await emu.wait_for_run(run_id, "waiting")
    async with b3.executions.stream(created.execution.id, history=False) as stream:
        await stream.connect()
        await b3.runs.resume_node(run_id, "hold")
        types = [event.type async for event in stream]
    assert types[0] == "workflow_running"
    assert types[-1] == "workflow_succeeded"
    assert "workflow_queued" not in types


async def test_the_organization_stream_carries_every_execution_and_resumes(
    b3: B3OS, emu: Emulator
) -> None:
    """stream() follows all executions; a new stream resumes after last_event_id."""
    wf_id = await _workflow(b3, WAITS)
    async with b3.executions.stream() as stream:
        await stream.connect()
        first = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
        second = await b3.executions.create(wf_id, source_system="s", source_entity_type="e")
        seen: list[ExecutionEvent] = []
        while {e.execution_id for e in seen if e.type == "workflow_waiting"} != {
            first.execution.id,
            second.execution.id,
        }:
            seen.append(await asyncio.wait_for(stream.__anext__(), 5))
        resume_from = stream.last_event_id
    assert second.execution.run_id is not None
    await b3.runs.resume_node(second.execution.run_id, "hold")
    async with b3.executions.stream(last_event_id=resume_from) as later:
        event = await asyncio.wait_for(later.__anext__(), 5)
    assert event.execution_id == second.execution.id
    assert event.seq == int(resume_from or 0) + 1


@pytest.mark.slow
async def test_a_paid_public_execution_streams_each_transition_once_across_a_drop(
    b3: B3OS, anon: B3OS, emu: Emulator
) -> None:
    """awaiting_payment to workflow_succeeded, once per transition, across a dropped connection."""
    wf_id = await public_workflow(b3)
    emu.make_payable(wf_id, price=2500)
    created = await anon.public.create_execution(wf_id, source_system="web", source_entity_type="c")
    token = created.client_token
    assert token is not None
    emu.faults.add(Fault.drop_stream(after_events=2), path="/v1/public/executions/*", times=1)
    reconnects: list[ReconnectInfo] = []
    watcher = anon.with_options(on_reconnect=reconnects.append)
    async with watcher.public.stream_execution(created.execution.id, token) as stream:
        first = await stream.__anext__()
        emu.confirm_payment(created.execution.id)
        events = [first] + [event async for event in stream]
    assert [e.status for e in events if e.type == e.status] == [
        S.AWAITING_PAYMENT,
        S.PAYMENT_CONFIRMED,
        S.WORKFLOW_QUEUED,
        S.WORKFLOW_RUNNING,
        S.WORKFLOW_SUCCEEDED,
    ]
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len(reconnects) == 1
    assert not any(e.synthetic for e in events)
    assert all(token not in repr(info) for info in reconnects)  # the token stays secret
    assert all(e.data is None for e in events)  # public streams carry no event data


@pytest.mark.slow
async def test_a_server_without_replay_is_made_up_for_from_the_timeline() -> None:
    """No ids and a drop: the missed entries come from the timeline as synthetic, once each."""
    async with (
        Emulator(seed=3, retry_ms=10, replay=False) as emu,
        B3OS(emu.api_key, base_url=emu.url) as b3,
        B3OS.public(base_url=emu.url) as anon,
    ):
        wf_id = await public_workflow(b3, definition=WAITS)
        emu.make_payable(wf_id)
        created = await anon.public.create_execution(
            wf_id, source_system="web", source_entity_type="c"
        )
        token = created.client_token
        assert token is not None
        emu.faults.add(Fault.drop_stream(after_events=1), path="/v1/public/*", times=1)
        reconnects: list[ReconnectInfo] = []
        watcher = anon.with_options(on_reconnect=reconnects.append)
        events = []
        async with watcher.public.stream_execution(created.execution.id, token) as stream:
            await stream.connect()  # a server without replay sends nothing of the past
            emu.confirm_payment(created.execution.id)
            async for event in stream:
                events.append(event)
                if event.type == "workflow_waiting":  # the connection is down: resume
                    detail = await b3.executions.get(created.execution.id)
                    assert detail.execution.run_id is not None
                    await b3.runs.resume_node(detail.execution.run_id, "hold")
        timeline = await anon.public.execution(created.execution.id, token)
    assert [e.event_id for e in events] == [e.id for e in timeline.events]
    assert events[0].type == "awaiting_payment"
    assert events[0].synthetic
    assert events[-1].type == "workflow_succeeded"
    assert len(reconnects) == 1
