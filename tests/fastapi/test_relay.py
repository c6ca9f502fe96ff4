"""``relay_run`` under a real uvicorn server, following real emulator runs."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from fastapi import FastAPI, Request
from kit_helpers import SseClient, serve
from starlette.responses import Response  # noqa: TC002 (FastAPI reads the annotation)

from b3os_async.fastapi import B3OSLifespan, relay_run
from b3os_async.testing import Emulator, Fault

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async import B3OS

HOLD: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["first"]},
        "first": {"type": "echo", "payload": {"n": 1}, "children": ["hold"]},
        "hold": {"type": "wait", "payload": {}, "children": ["last"]},
        "last": {"type": "echo", "payload": {"n": 2}},
    },
    "triggerNodeIds": ["root"],
}
"""A run that waits at ``hold`` until resumed: 7 events before (the last: run_waiting), 5 after."""


def relay_app(factory: Callable[[], B3OS], **options: Any) -> tuple[FastAPI, B3OSLifespan]:
    kit = B3OSLifespan(factory)
    app = FastAPI(lifespan=kit)

    @app.get("/runs/{run_id}/events")
    async def events(run_id: str, request: Request) -> Response:
        return await relay_run(request, run_id, **options)

    return app, kit


async def _held_run(b3: B3OS, emu: Emulator) -> str:
    created = await b3.runs.create(HOLD)
    await emu.wait_for_run(created.run_id, "waiting")
    return created.run_id


async def _upstream(b3: B3OS, run_id: str) -> list[tuple[str | None, str]]:
    async with b3.runs.stream(run_id) as stream:
        return [(event.id, event.type) async for event in stream]


async def _open_streams_back_to(emu: Emulator, count: int, timeout: float = 3.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        if emu.open_streams <= count or time.monotonic() > deadline:
            return emu.open_streams
        await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_every_event_is_relayed_with_the_upstream_id(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """A whole run arrives in order: SSE ids = upstream ids, type = event, data = its JSON."""
    app, _ = relay_app(client_factory)
    async with serve(app) as url, client_factory() as b3, aiohttp.ClientSession() as http:
        run_id = await _held_run(b3, emu)
        async with http.get(f"{url}/runs/{run_id}/events") as response:
            assert response.status == 200
            assert response.content_type == "text/event-stream"
            assert response.headers["Cache-Control"] == "no-store"
            reader = SseClient(response)
            first = await reader.next_events(7)
            await b3.runs.resume_node(run_id, "hold", data={"ok": True})
            rest = await reader.events()
        upstream = await _upstream(b3, run_id)
    relayed = first + rest
    assert [(e.id, e.event) for e in relayed] == upstream
    assert reader.decoder.retry == 1000
    data = json.loads(relayed[-1].data)
    assert (data["type"], data["runId"], data["status"]) == ("run_completed", run_id, "success")


@pytest.mark.slow
async def test_last_event_id_resumes_the_upstream_stream_there(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """A browser reconnecting with ``Last-Event-ID: 3`` gets the events after id 3 only."""
    app, _ = relay_app(client_factory)
    async with serve(app) as url, client_factory() as b3, aiohttp.ClientSession() as http:
        run_id = await _held_run(b3, emu)
        headers = {"Last-Event-ID": "3"}
        async with http.get(f"{url}/runs/{run_id}/events", headers=headers) as response:
            reader = SseClient(response)
            before = await reader.next_events(3)
            await b3.runs.resume_node(run_id, "hold")
            after = await reader.events()
        upstream = await _upstream(b3, run_id)
    assert [(e.id, e.event) for e in before + after] == upstream[3:]


@pytest.mark.slow
async def test_a_missing_run_is_404_before_any_byte(client_factory: Callable[[], B3OS]) -> None:
    """An unknown (or malformed) run id is a plain 404 JSON answer, not an event stream."""
    app, _ = relay_app(client_factory)
    async with serve(app) as url, aiohttp.ClientSession() as http:
        for run_id in ("run_doesnotexist", "nope"):
            async with http.get(f"{url}/runs/{run_id}/events") as response:
                assert response.status == 404
                assert response.content_type == "application/json"
                assert "not found" in (await response.json())["detail"]


@pytest.mark.slow
async def test_silence_is_filled_with_keep_alive_comments(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """While the run waits, ``: keep-alive`` comments flow; events continue afterwards."""
    app, _ = relay_app(client_factory, keepalive=0.05)
    async with serve(app) as url, client_factory() as b3, aiohttp.ClientSession() as http:
        run_id = await _held_run(b3, emu)
        async with http.get(f"{url}/runs/{run_id}/events") as response:
            reader = SseClient(response)
            await reader.next_events(7)
            await asyncio.sleep(0.3)
            await b3.runs.resume_node(run_id, "hold")
            rest = await reader.events()
    raw = b"".join(reader.chunks)
    assert raw.count(b": keep-alive\n\n") >= 2
    assert [e.event for e in rest][-1] == "run_completed"


@pytest.mark.slow
async def test_an_upstream_failure_is_one_error_frame_then_the_end(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """A non-retryable upstream error becomes ``event: error`` with the typed error, no id."""
    emu.faults.add(Fault.stream_error(status=403, after_events=2), path="/v1/runs/*/stream")
    app, _ = relay_app(client_factory)
    async with serve(app) as url, client_factory() as b3, aiohttp.ClientSession() as http:
        run_id = await _held_run(b3, emu)
        async with http.get(f"{url}/runs/{run_id}/events") as response:
            reader = SseClient(response)
            events = await reader.events()
    assert [e.event for e in events] == ["run_started", "node_started", "error"]
    error = json.loads(events[-1].data)
    assert (error["type"], error["error"], error["status"]) == (
        "error", "PermissionDeniedError", 403,
    )  # fmt: skip
    last_frame = b"".join(reader.chunks).rsplit(b"\n\n", 2)[-2]
    assert last_frame.startswith(b"event: error\n")  # no id: a reconnect resumes before it


@pytest.mark.slow
async def test_a_browser_that_leaves_releases_the_upstream_stream(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """Closing the browser side closes the relay's upstream stream at once."""
    app, _ = relay_app(client_factory)
    async with serve(app) as url, client_factory() as b3, aiohttp.ClientSession() as http:
        run_id = await _held_run(b3, emu)
        response = await http.get(f"{url}/runs/{run_id}/events")
        await SseClient(response).next_events(7)
        assert emu.open_streams == 1
        response.close()
        assert await _open_streams_back_to(emu, 0) == 0


@pytest.mark.slow
async def test_after_the_end_a_reconnect_gets_204_or_only_what_it_missed(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """Finished run: Last-Event-ID of the last event -> 204; of an earlier one -> the rest."""
    app, _ = relay_app(client_factory)
    async with serve(app) as url, client_factory() as b3, aiohttp.ClientSession() as http:
        run_id = await _held_run(b3, emu)
        await b3.runs.resume_node(run_id, "hold")
        await emu.wait_for_run(run_id)
        upstream = await _upstream(b3, run_id)
        last = upstream[-1][0] or ""
        events_url = f"{url}/runs/{run_id}/events"
        async with http.get(events_url, headers={"Last-Event-ID": last}) as response:
            assert (response.status, await response.read()) == (204, b"")
        async with http.get(events_url, headers={"Last-Event-ID": "7"}) as response:
            rest = await SseClient(response).events()
    assert [(e.id, e.event) for e in rest] == upstream[7:]


@pytest.mark.slow
async def test_closing_relays_ends_them_cleanly_and_refuses_new_ones(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """``close_relays()`` (what SIGTERM triggers) ends open relays without an error frame;
    new ones get 503."""
    app, kit = relay_app(client_factory)
    async with serve(app) as url, client_factory() as b3, aiohttp.ClientSession() as http:
        run_id = await _held_run(b3, emu)
        async with http.get(f"{url}/runs/{run_id}/events") as response:
            reader = SseClient(response)
            await reader.next_events(7)
            await kit.close_relays()
            assert await reader.events(timeout=2) == []
        async with http.get(f"{url}/runs/{run_id}/events") as refused:
            assert refused.status == 503
        assert await _open_streams_back_to(emu, 0) == 0


@pytest.mark.slow
async def test_200_relays_with_random_disconnects_leave_no_upstream_stream(
    client_factory: Callable[[], B3OS], emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """200 browsers follow runs, half of them leave at random moments: every upstream stream
    is released, those who stayed got every event once, nothing is logged as an error."""
    rng = random.Random(5)
    app, _ = relay_app(client_factory)
    caplog.set_level(logging.WARNING)
    async with serve(app, limit_concurrency=1000) as url, client_factory() as b3:
        run_ids = [await _held_run(b3, emu) for _ in range(20)]
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def browser(index: int) -> list[str | None] | None:
                run_id = run_ids[index % len(run_ids)]
                leave_after = rng.choice([0, 1, 3, 5, 7]) if index % 2 else None
                response = await http.get(f"{url}/runs/{run_id}/events")
                reader = SseClient(response)
                if leave_after is not None:
                    if leave_after:
                        await reader.next_events(leave_after)
                    await asyncio.sleep(rng.random() * 0.05)
                    response.close()
                    return None
                try:
                    return [e.id for e in await reader.events(timeout=20)]
                finally:
                    response.close()

            browsers = [asyncio.ensure_future(browser(i)) for i in range(200)]
            while True:  # until the staying half is connected
                if emu.open_streams >= 100:
                    break
                await asyncio.sleep(0.05)
            for run_id in run_ids:
                await b3.runs.resume_node(run_id, "hold")
            results = await asyncio.gather(*browsers)
        assert await _open_streams_back_to(emu, 0) == 0
    stayed = [ids for ids in results if ids is not None]
    assert len(stayed) == 100
    assert all(ids == [str(n) for n in range(1, 13)] for ids in stayed)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
