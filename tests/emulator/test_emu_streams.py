"""The SSE endpoints: framing, ids, heartbeats, replay, pre-subscription, notification streams."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from emu_helpers import Api, SseReader, linear

from b3os_async.testing import Emulator

WAIT_THEN_ECHO = linear(("hold", "wait", {}), ("after", "echo", {"n": 1}))


async def _start(api: Api, run_id: str, definition: dict[str, Any] | None = None) -> None:
    body = {"definition": definition or linear(("a", "echo", {})), "runId": run_id}
    await api.data("POST", "/v1/runs", json=body)


async def _open(api: Api, path: str, **headers: str) -> aiohttp.ClientResponse:
    response = await api.session.get(path, headers=headers)
    assert response.status == 200, await response.text()
    return response


async def test_stream_answers_at_once_with_retry_first(api: Api) -> None:
    """Headers arrive and `retry:` is the first frame before the run even exists."""
    response = await _open(api, "/v1/runs/run_future/stream")
    try:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["X-Request-ID"].startswith("req_")
        frame = await SseReader(response).frame()
        assert frame == {"retry": "1000"}
    finally:
        response.close()


async def test_pre_subscription_receives_every_event_with_sequential_ids(api: Api) -> None:
    """A stream opened before the run gets run_started … run_completed, ids 1..n, then EOF."""
    response = await _open(api, "/v1/runs/run_pre/stream")
    try:
        reader = SseReader(response)
        assert "retry" in (await reader.frame() or {})
        await _start(api, "run_pre")
        events = await reader.rest()
    finally:
        response.close()
    types = [event["event"] for event in events]
    assert types[0] == "run_started"
    assert types[-1] == "run_completed"
    assert "node_completed" in types
    assert [int(event["id"]) for event in events] == list(range(1, len(events) + 1))
    for event in events:
        payload = event["json"]
        assert payload["type"] == event["event"]
        assert (payload["runId"], payload["seq"]) == ("run_pre", int(event["id"]))
        assert payload["timestamp"].endswith("Z")


async def test_node_events_carry_node_id_status_result_and_error(api: Api) -> None:
    """node_completed has nodeId/status/result; node_failed has error{message, code}."""
    definition = {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["ok", "bad"]},
            "ok": {"type": "echo", "payload": {"v": 2}},
            "bad": {"type": "fail", "payload": {"message": "no"}},
        }
    }
    response = await _open(api, "/v1/runs/run_nodes/stream")
    try:
        await _start(api, "run_nodes", definition)
        events = {
            event["event"] + ":" + event["json"].get("nodeId", ""): event["json"]
            for event in await SseReader(response).rest()
        }
    finally:
        response.close()
    assert events["node_completed:ok"]["result"] == {"v": 2}
    assert events["node_completed:ok"]["status"] == "success"
    assert events["node_failed:bad"]["error"] == {"message": "no", "code": "fail_action"}
    assert events["run_completed:"]["status"] == "partial"


@pytest.mark.slow
async def test_heartbeats_are_sent_while_idle() -> None:
    """`: heartbeat` comment frames arrive every heartbeat_interval while nothing happens."""
    async with Emulator(heartbeat_interval=0.05) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with (
            aiohttp.ClientSession(emu.url, headers=headers) as session,
            session.get("/v1/runs/run_idle/stream") as response,
        ):
            reader = SseReader(response)
            assert "retry" in (await reader.frame() or {})
            frames = [await reader.frame(timeout=2) for _ in range(3)]
    assert frames == [{":": ": heartbeat"}] * 3


async def test_last_event_id_replays_what_followed(api: Api) -> None:
    """Last-Event-ID: N replays the events with seq > N, then the stream ends (run over)."""
    await _start(api, "run_replay")
    run = await api.emu.wait_for_run("run_replay")
    assert run["status"] == "success"
    response = await _open(api, "/v1/runs/run_replay/stream", **{"Last-Event-ID": "2"})
    try:
        events = await SseReader(response).rest()
    finally:
        response.close()
    assert next(int(event["id"]) for event in events) == 3
    assert events[-1]["event"] == "run_completed"


async def test_finished_run_without_last_event_id_sends_only_the_terminal_event(api: Api) -> None:
    """A run that already ended: its terminal event, then the stream closes."""
    await _start(api, "run_over", linear(("boom", "fail", {})))
    await api.emu.wait_for_run("run_over")
    response = await _open(api, "/v1/runs/run_over/stream")
    try:
        events = await SseReader(response).rest()
    finally:
        response.close()
    assert [event["event"] for event in events] == ["run_failed"]
    assert events[0]["json"]["error"]["message"].startswith("node 'boom' failed")


async def test_live_stream_without_last_event_id_has_no_backlog(api: Api) -> None:
    """Joining a running run without Last-Event-ID gets only what happens afterwards."""
    await _start(api, "run_live", WAIT_THEN_ECHO)
    await api.emu.wait_for_run("run_live", "waiting")
    response = await _open(api, "/v1/runs/run_live/stream")
    try:
        reader = SseReader(response)
        await reader.frame()  # retry
        await api.call("POST", "/v1/runs/run_live/nodes/hold/resume", json={"data": {}})
        events = await reader.rest()
    finally:
        response.close()
    types = [event["event"] for event in events]
    assert types[0] == "run_resumed"
    assert "run_started" not in types
    assert types[-1] == "run_completed"


async def test_invalid_run_id_is_400_before_streaming(api: Api) -> None:
    """A run id without the run_ prefix answers a JSON 400 (code 400078), not a stream."""
    body = await api.call("GET", "/v1/runs/nope/stream", expect=400)
    assert body["code"] == 400078


async def test_other_orgs_run_is_404_or_error_event(api: Api) -> None:
    """Another org's run: 404 if it exists; an `event: error` (404) if it appears later."""
    _, key = api.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {key}"}
    await _start(api, "run_mine")
    async with aiohttp.ClientSession(api.emu.url, headers=headers) as other:
        async with other.get("/v1/runs/run_mine/stream") as response:
            assert response.status == 404
        async with other.get("/v1/runs/run_later/stream") as response:
            reader = SseReader(response)
            await reader.frame()
            await _start(api, "run_later")
            error = await reader.event()
            assert error is not None
            assert error["event"] == "error"
            assert (error["json"]["status"], error["json"]["code"]) == (404, 404003)
            assert await reader.frame() is None


async def test_emulator_without_replay_sends_no_ids() -> None:
    """replay=False: no `id:` lines, and Last-Event-ID is ignored (terminal event only)."""
    async with Emulator(replay=False) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            api = Api(emu, session)
            await _start(api, "run_noid")
            await emu.wait_for_run("run_noid")
            response = await _open(api, "/v1/runs/run_noid/stream", **{"Last-Event-ID": "1"})
            try:
                events = await SseReader(response).rest()
            finally:
                response.close()
    assert [event["event"] for event in events] == ["run_completed"]
    assert "id" not in events[0]


async def test_open_streams_counts_and_releases_connections(api: Api) -> None:
    """emu.open_streams counts open streams and drops when the client goes away."""
    response = await _open(api, "/v1/runs/run_count/stream")
    await SseReader(response).frame()
    assert api.emu.open_streams == 1
    response.close()
    for _ in range(100):
        if api.emu.open_streams == 0:
            break
        await asyncio.sleep(0.01)
    assert api.emu.open_streams == 0


async def test_closing_the_emulator_ends_open_streams() -> None:
    """Emulator.close() ends open streams: the client sees the end of the body."""
    emu = Emulator()
    await emu.start()
    headers = {"Authorization": f"Bearer {emu.api_key}"}
    try:
        async with (
            aiohttp.ClientSession(emu.url, headers=headers) as session,
            session.get("/v1/activity/stream") as response,
        ):
            reader = SseReader(response)
            await reader.frame()
            await emu.close()
            try:
                ended = await reader.frame(timeout=2)
            except aiohttp.ClientPayloadError:
                ended = None
            assert ended is None
    finally:
        await emu.close()
    assert emu.open_streams == 0


# -- notification streams ------------------------------------------------------------------------


async def _notifications(reader: SseReader, count: int) -> list[dict[str, Any]]:
    return [event["json"] for event in [await reader.event() for _ in range(count)] if event]


async def test_workflow_runs_stream_notifies_start_and_end_of_its_runs(api: Api) -> None:
    """…/runs/stream carries run_started and the terminal notification of that workflow only."""
    mine = (await api.create(linear(("a", "echo", {}))))["id"]
    other = (await api.create(linear(("a", "echo", {}))))["id"]
    response = await _open(api, f"/v1/workflows/{mine}/runs/stream")
    try:
        reader = SseReader(response)
        await reader.frame()
        await api.data("POST", f"/v1/workflows/{other}/run", json={"runId": "run_other"})
        await api.data("POST", f"/v1/workflows/{mine}/run", json={"runId": "run_wf"})
        events = await _notifications(reader, 2)
    finally:
        response.close()
    assert [(event["type"], event["runId"]) for event in events] == [
        ("run_started", "run_wf"),
        ("run_completed", "run_wf"),
    ]
    assert events[1]["status"] == "success"
    assert events[0]["workflowId"] == mine


async def test_multi_workflow_stream_drops_unknown_ids_and_caps_at_24(api: Api) -> None:
    """The multi-workflow stream follows listed workflows, ignores unknown ids, caps at 24."""
    first = (await api.create(linear()))["id"]
    second = (await api.create(linear()))["id"]
    too_many = ",".join(f"wf_{index}" for index in range(25))
    body = await api.call("GET", "/v1/workflow-runs/stream", params={"ids": too_many}, expect=400)
    assert body["code"] == 400005
    await api.call("GET", "/v1/workflow-runs/stream", expect=400)
    response = await _open(api, f"/v1/workflow-runs/stream?ids={first},wf_ghost,{second}")
    try:
        reader = SseReader(response)
        await reader.frame()
        await api.data("POST", f"/v1/workflows/{first}/run", json={"runId": "run_m1"})
        await api.data("POST", f"/v1/workflows/{second}/run", json={"runId": "run_m2"})
        events = await _notifications(reader, 4)
    finally:
        response.close()
    assert sorted({event["runId"] for event in events}) == ["run_m1", "run_m2"]


async def test_activity_stream_replays_buffered_notifications(api: Api) -> None:
    """The activity stream carries workflow and run notifications; Last-Event-ID replays them."""
    wf_id = (await api.create(linear()))["id"]
    await api.data("POST", f"/v1/workflows/{wf_id}/publish")
    await api.data("POST", f"/v1/workflows/{wf_id}/run", json={"runId": "run_act"})
    await api.emu.wait_for_run("run_act")
    response = await _open(api, "/v1/activity/stream", **{"Last-Event-ID": "1"})
    try:
        reader = SseReader(response)
        await reader.frame()
        frames = [await reader.event() for _ in range(3)]
    finally:
        response.close()
    assert [frame["event"] for frame in frames if frame] == [
        "workflow_published",
        "run_started",
        "run_completed",
    ]
    assert [frame["id"] for frame in frames if frame] == ["2", "3", "4"]


async def test_activity_stream_is_live_only_without_last_event_id(api: Api) -> None:
    """Without Last-Event-ID the activity stream starts with what happens next."""
    await api.create(linear(), name="before")
    response = await _open(api, "/v1/activity/stream")
    try:
        reader = SseReader(response)
        await reader.frame()
        created = await api.create(linear(), name="after")
        event = await reader.event()
    finally:
        response.close()
    assert event is not None
    assert (event["event"], event["json"]["workflowId"]) == ("workflow_created", created["id"])
