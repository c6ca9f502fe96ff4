"""Workflow run notifications and the activity stream: no terminal event, dedupe, resume, merge."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from stream_fakes import NO_WAIT, Conn, linear, until_zero

from b3os_async import B3OS, ConfigurationError, RetryPolicy
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from conftest import Serve

    from b3os_async.models.events import ActivityEvent, RunEvent


def _note(seq: int, workflow_id: str, etype: str = "run_started") -> bytes:
    data = {"type": etype, "seq": seq, "runId": f"run_{seq}", "workflowId": workflow_id}
    return f"id: {seq}\nevent: {etype}\ndata: {json.dumps(data)}\n\n".encode()


async def test_stream_runs_many_splits_by_24_and_merges(serve: Serve) -> None:
    """30 workflow ids open 2 server streams (24 + 6 ids) whose events arrive merged."""
    wanted = [f"wf_{i}" for i in range(30)]

    async def script(conn: Conn) -> None:
        ids = conn.request.query["ids"].split(",")
        await conn.open()
        for n, workflow_id in enumerate(ids):
            await conn.write(_note(n + 1, workflow_id))
        await conn.hold()

    server, client = await serve(script)
    seen: list[RunEvent] = []
    tuned = client.with_options(reconnect=NO_WAIT)
    async with tuned.workflows.stream_runs_many([*wanted, "wf_0"]) as s:
        async for event in s:
            seen.append(event)
            if len(seen) == 30:
                break
    groups = [path.split("ids=")[1].split("%2C") for path in server.paths]
    assert sorted(len(g) for g in groups) == [6, 24]
    assert sorted(g for group in groups for g in group) == sorted(wanted)
    assert sorted(str(e.workflow_id) for e in seen) == sorted(wanted)
    assert all(e.type == "run_started" and e.run_id for e in seen)
    assert await until_zero(lambda: server.open_streams) == 0


async def test_stream_runs_many_rejects_bad_ids(serve: Serve) -> None:
    """A single string, an empty list or an id with a comma is refused before any request."""

    async def script(conn: Conn) -> None:
        raise AssertionError("no request expected")

    server, client = await serve(script)
    api = client.workflows
    for bad in ("wf_1", [], ["a,b"], [""]):
        with pytest.raises(ConfigurationError):
            api.stream_runs_many(bad)
    assert server.requests == []


async def test_activity_stream_resumes_and_dedupes(serve: Serve) -> None:
    """The activity stream resumes with Last-Event-ID and drops events it already delivered."""

    async def script(conn: Conn) -> None:
        await conn.open(retry_ms=0)
        if conn.index == 0:
            for seq in (1, 2, 3):
                await conn.write(_note(seq, "wf_a", "workflow_updated"))
            await conn.server.wait_seen(3)
            conn.drop()
            return
        start = int(conn.last_event_id or 0) - 1  # a sloppy server that repeats one event
        for seq in range(start, 6):
            await conn.write(_note(seq, "wf_a", "workflow_updated"))
        await conn.hold()

    server, client = await serve(script)
    got: list[ActivityEvent] = []
    async with client.with_options(reconnect=NO_WAIT).activity.stream() as stream:
        async for event in stream:
            got.append(event)
            server.saw(len(got))
            if len(got) == 5:
                break
        assert stream.last_event_id == "5"
    assert [e.seq for e in got] == [1, 2, 3, 4, 5]
    assert all(e.type == "workflow_updated" for e in got)
    assert {type(e).__name__ for e in got} == {"ActivityEvent"}
    assert server.requests[1]["Last-Event-ID"] == "3"


async def test_stream_runs_and_activity_against_emulator() -> None:
    """Against the emulator, a workflow's run notifications and org activity both arrive."""
    async with (
        Emulator(seed=5, retry_ms=0) as emu,
        B3OS(api_key=emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as b3,
    ):
        created = await b3.workflows.create(
            name="n", description="d", definition=linear(("a", "echo", {}))
        )
        tuned = b3.with_options(reconnect=NO_WAIT)
        runs_stream = tuned.workflows.stream_runs(created.id)
        activity = tuned.activity.stream()
        async with runs_stream, activity:
            await runs_stream.connect()
            await activity.connect()
            final = await tuned.workflows.start(created.id).wait()
            notes = [await runs_stream.__anext__(), await runs_stream.__anext__()]
            kinds: list[Any] = []
            while "run_completed" not in kinds:
                kinds.append((await activity.__anext__()).type)
        assert [(n.type, n.run_id, n.workflow_id) for n in notes] == [
            ("run_started", final.id, created.id),
            ("run_completed", final.id, created.id),
        ]
        assert kinds[-2:] == ["run_started", "run_completed"]
        assert await until_zero(lambda: emu.open_streams) == 0
