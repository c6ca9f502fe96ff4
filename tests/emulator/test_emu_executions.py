"""Emulator area ``executions`` over raw HTTP: lifecycle, codes, stream framing and replay."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from emu_helpers import Api, SseReader, linear

if TYPE_CHECKING:
    import aiohttp

    from b3os_async.testing import Emulator

CREATE = {"sourceSystem": "shop", "sourceEntityType": "order"}


async def _execution(api: Api, definition: dict[str, Any] | None = None, **body: Any) -> Any:
    wf = await api.create(definition or linear(("e", "echo", {})))
    return await api.data("POST", "/v1/executions", json={"workflowId": wf["id"], **CREATE, **body})


async def _frames(session: aiohttp.ClientSession, path: str, **headers: str) -> list[Any]:
    async with session.get(path, headers=headers) as response:
        assert response.status == 200
        reader, frames = SseReader(response), []
        while (frame := await reader.frame()) is not None:
            frames.append(frame)
        return frames


async def test_an_execution_of_another_org_is_404011(api: Api, emu: Emulator) -> None:
    """Reading another organization's execution answers 404011, like an unknown one."""
    created = await _execution(api)
    _, other_key = emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other_key}"}
    for path in ("", "/events", "/stream"):
        body = await api.call(
            "GET", f"/v1/executions/{created['execution']['id']}{path}", headers=headers, expect=404
        )
        assert body["code"] == 404011


async def test_create_validates_its_body(api: Api) -> None:
    """workflowId, sourceSystem and sourceEntityType are required (400002); unknown wf 404002."""
    wf = await api.create(linear())
    body = await api.call("POST", "/v1/executions", json={"workflowId": wf["id"]}, expect=400)
    assert body["code"] == 400002
    body = await api.call(
        "POST", "/v1/executions", json={"workflowId": "wf_x", **CREATE}, expect=404
    )
    assert body["code"] == 404002


async def test_an_idempotency_key_for_another_workflow_is_409006(api: Api) -> None:
    """The same key for a second workflow of the organization is a 409006."""
    await _execution(api, idempotencyKey="k")
    wf = await api.create(linear())
    body = await api.call(
        "POST",
        "/v1/executions",
        expect=409,
        json={"workflowId": wf["id"], **CREATE, "idempotencyKey": "k"},
    )
    assert body["code"] == 409006


async def test_the_stream_replays_after_last_event_id_then_ends(
    api: Api, session: aiohttp.ClientSession
) -> None:
    """Last-Event-ID: 2 replays seq 3.. with ids and event names, ending at the terminal one."""
    created = await _execution(api)
    await api.emu.wait_for_run(created["execution"]["runId"])
    frames = await _frames(
        session, f"/v1/executions/{created['execution']['id']}/stream", **{"Last-Event-ID": "2"}
    )
    events = [frame for frame in frames if "json" in frame]
    assert [frame["id"] for frame in events] == [str(n) for n in range(3, 3 + len(events))]
    assert events[-1]["event"] == events[-1]["json"]["status"] == "workflow_succeeded"
    assert all(frame["event"] == frame["json"]["type"] for frame in events)


async def test_an_ended_execution_sends_its_last_event_without_last_event_id(
    api: Api, session: aiohttp.ClientSession
) -> None:
    """Live-only subscription to an ended execution gets just its terminal event."""
    created = await _execution(api)
    await api.emu.wait_for_run(created["execution"]["runId"])
    frames = await _frames(session, f"/v1/executions/{created['execution']['id']}/stream")
    assert [frame["event"] for frame in frames if "json" in frame] == ["workflow_succeeded"]


async def test_the_public_stream_needs_the_token_and_omits_data(
    api: Api, emu: Emulator, session: aiohttp.ClientSession
) -> None:
    """A wrong token is a JSON 401004 before the stream; the right one streams without data."""
    wf = await api.create(linear(("e", "echo", {"x": 1})))
    await api.data(
        "PUT", f"/v1/workflows/{wf['id']}/visibility", json={"visibility": "public_execute"}
    )
    created = await api.data("POST", f"/v1/public/workflows/{wf['id']}/executions", json=CREATE)
    execution_id, token = created["execution"]["id"], created["clientToken"]
    await emu.wait_for_run(created["execution"]["runId"])
    body = await api.call(
        "GET", f"/v1/public/executions/{execution_id}/stream", params={"token": "nope"}, expect=401
    )
    assert body["code"] == 401004
    frames = await _frames(
        session,
        f"/v1/public/executions/{execution_id}/stream?token={token}",
        **{"Last-Event-ID": "0"},
    )
    events = [frame["json"] for frame in frames if "json" in frame]
    assert any(event["type"] == "node_completed" for event in events)
    assert all("data" not in event for event in events)


async def test_the_org_stream_numbers_events_per_organization(
    api: Api, session: aiohttp.ClientSession
) -> None:
    """GET /v1/executions/stream replays the org's log with Last-Event-ID (its own seq)."""
    first = await _execution(api)
    second = await _execution(api)
    for created in (first, second):
        await api.emu.wait_for_run(created["execution"]["runId"])
    async with session.get("/v1/executions/stream", headers={"Last-Event-ID": "0"}) as response:
        reader = SseReader(response)
        seen: list[dict[str, Any]] = []
        while len(seen) < 8:
            frame = await reader.frame()
            assert frame is not None
            if "json" in frame:
                seen.append(frame["json"])
    assert [event["seq"] for event in seen] == list(range(1, 9))
    assert {event["executionId"] for event in seen} == {
        first["execution"]["id"],
        second["execution"]["id"],
    }


async def test_stats_need_from_to_and_granularity(api: Api) -> None:
    """Missing or bad stats parameters are 400004."""
    for params in (
        {},
        {"from": "1", "to": "2"},
        {"from": "5", "to": "1", "granularity": "daily"},
        {"from": "x", "to": "2", "granularity": "daily"},
    ):
        body = await api.call("GET", "/v1/executions/stats", params=params, expect=400)
        assert body["code"] == 400004


async def test_confirm_payment_refuses_an_execution_not_awaiting_payment(api: Api) -> None:
    """Emulator.confirm_payment on a queued execution raises ValueError (nothing changes)."""
    created = await _execution(api)
    with pytest.raises(ValueError, match="not awaiting payment"):
        api.emu.confirm_payment(created["execution"]["id"])
