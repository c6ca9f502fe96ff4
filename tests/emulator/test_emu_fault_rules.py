"""Request-level faults (answers instead of the handler, delays), matching rules, times,
probability and seeded determinism. Stream faults: test_emu_faults.py."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from emu_helpers import Api, linear

from b3os_async.testing import Emulator, Fault


@pytest.mark.slow
async def test_status_fault_answers_a_b3os_error_body(api: Api) -> None:
    """Fault.status answers that status with a B3OS error body and optional Retry-After."""
    api.emu.faults.add(Fault.status(503, retry_after=2), path="/v1/workflows")
    async with api.session.get("/v1/workflows") as response:
        body = await response.json()
        assert response.status == 503
        assert response.headers["Retry-After"] == "2"
        assert body["code"] == 503000
        assert set(body) == {"code", "message", "details", "requestId"}


async def test_status_fault_with_a_custom_body(api: Api) -> None:
    """Fault.status(body=…) sends that body instead (dict as JSON, str as text)."""
    api.emu.faults.add(Fault.status(500, body="plain oops"), times=1)
    async with api.session.get("/v1/runs") as response:
        assert (response.status, await response.text()) == (500, "plain oops")


async def test_rate_limit_sends_429_with_retry_after(api: Api) -> None:
    """Fault.rate_limit answers 429, Retry-After and code 429001."""
    api.emu.faults.add(Fault.rate_limit(retry_after=1), times=1)
    async with api.session.get("/v1/runs") as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "1"
        assert (await response.json())["code"] == 429001
    await api.call("GET", "/v1/runs")


async def test_burst_hands_out_statuses_in_turn(api: Api) -> None:
    """Fault.burst gives successive matching requests its statuses, then is spent."""
    handle = api.emu.faults.add(Fault.burst([500, 502, 503]), path="/v1/runs")
    statuses = []
    for _ in range(4):
        async with api.session.get("/v1/runs") as response:
            statuses.append(response.status)
    assert statuses == [500, 502, 503, 200]
    assert handle.active is False


async def test_html_error_is_a_proxy_page(api: Api) -> None:
    """Fault.html_error answers text/html like a proxy's error page."""
    api.emu.faults.add(Fault.html_error(502), times=1)
    async with api.session.get("/v1/runs") as response:
        assert response.status == 502
        assert response.content_type == "text/html"
        assert "502 Bad Gateway" in await response.text()


async def test_truncated_body_breaks_mid_body(api: Api) -> None:
    """Fault.truncated_body sends fewer bytes than Content-Length and closes the connection."""
    api.emu.faults.add(Fault.truncated_body(), times=1)
    async with api.session.get("/v1/runs") as response:
        assert response.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    await api.call("GET", "/v1/runs")


@pytest.mark.slow
async def test_stall_exceeds_a_client_timeout(api: Api) -> None:
    """Fault.stall sends nothing for its duration, so a short client timeout fires."""
    api.emu.faults.add(Fault.stall(5), times=1)
    timeout = aiohttp.ClientTimeout(total=0.2)
    with pytest.raises(asyncio.TimeoutError):
        async with api.session.get("/v1/runs", timeout=timeout) as response:
            await response.read()
    await api.call("GET", "/v1/runs")


@pytest.mark.slow
async def test_delay_answers_correctly_but_late(api: Api) -> None:
    """Fault.delay answers normally after its delay."""
    api.emu.faults.add(Fault.delay(0.15), times=1)
    started = time.monotonic()
    body = await api.call("GET", "/v1/runs")
    assert time.monotonic() - started >= 0.15
    assert body["data"]["items"] == []


async def test_faults_answer_before_anything_happens(api: Api) -> None:
    """An injected error replaces the handler: a faulted create creates nothing."""
    api.emu.faults.add(Fault.status(503), method="POST", path="/v1/workflows", times=1)
    body = {"name": "x", "description": "", "definition": linear()}
    await api.call("POST", "/v1/workflows", json=body, expect=503)
    assert (await api.data("GET", "/v1/workflows"))["items"] == []


async def test_method_and_path_patterns_select_requests(api: Api) -> None:
    """method and fnmatch path restrict which requests a fault hits."""
    api.emu.faults.add(Fault.status(418), method="POST", path="/v1/runs")
    api.emu.faults.add(Fault.status(503), path="/v1/runs/*/cancel")
    await api.call("GET", "/v1/runs")
    await api.call("POST", "/v1/runs", json={}, expect=418)
    await api.call("POST", "/v1/runs/run_x/cancel", expect=503)
    await api.call("GET", "/v1/runs/run_x", expect=404)


async def test_times_remove_and_clear(api: Api) -> None:
    """times limits applications; handle.remove() and faults.clear() unregister faults."""
    handle = api.emu.faults.add(Fault.status(500), times=2)
    await api.call("GET", "/v1/runs", expect=500)
    await api.call("GET", "/v1/runs", expect=500)
    await api.call("GET", "/v1/runs")
    assert handle.hits == 2
    forever = api.emu.faults.add(Fault.status(500))
    await api.call("GET", "/v1/runs", expect=500)
    forever.remove()
    await api.call("GET", "/v1/runs")
    api.emu.faults.add(Fault.status(500))
    api.emu.faults.clear()
    await api.call("GET", "/v1/runs")


async def test_stream_faults_only_match_stream_routes(api: Api) -> None:
    """A catch-all stream fault does not touch (or use up on) ordinary requests."""
    handle = api.emu.faults.add(Fault.drop_stream(after_events=0), times=1)
    await api.call("GET", "/v1/runs")
    assert (handle.hits, handle.active) == (0, True)


async def _outcomes(seed: int) -> list[int]:
    async with Emulator(seed=seed) as emu:
        emu.faults.add(Fault.status(503, probability=0.5))
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            statuses = []
            for _ in range(16):
                async with session.get("/v1/runs") as response:
                    statuses.append(response.status)
            return statuses


async def test_fault_probability_is_deterministic_under_the_seed() -> None:
    """probability= draws from the seeded RNG: same seed, same outcomes; some hit, some miss."""
    first, second = await _outcomes(3), await _outcomes(3)
    assert first == second
    assert set(first) == {200, 503}


async def _script(seed: int) -> list[str]:
    async with Emulator(seed=seed) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            api = Api(emu, session)
            created = await api.call(
                "POST",
                "/v1/workflows",
                json={"name": "n", "description": "", "definition": linear()},
            )
            started = await api.data("POST", f"/v1/workflows/{created['data']['id']}/run", json={})
            return [
                emu.api_key,
                emu.org_id,
                created["data"]["id"],
                created["requestId"],
                started["runId"],
                emu.create_api_key("read"),
            ]


async def test_same_seed_same_calls_same_ids() -> None:
    """Two emulators with the same seed and the same calls generate the same ids."""
    assert await _script(11) == await _script(11)
    assert await _script(11) != await _script(12)


def test_fault_constructors_validate() -> None:
    """An empty burst and a non-positive times are refused."""
    with pytest.raises(ValueError):
        Fault.burst([])
    import random

    from b3os_async.testing import FaultRegistry

    with pytest.raises(ValueError):
        FaultRegistry(random.Random(0)).add(Fault.status(500), times=0)


async def test_a_status_fault_on_a_stream_route_answers_before_the_stream_opens(api: Api) -> None:
    """503 and 429 with Retry-After on a stream path are plain JSON errors, not a stream."""
    api.emu.faults.add(Fault.status(503, retry_after=2), path="/v1/runs/*/stream", times=1)
    api.emu.faults.add(Fault.rate_limit(retry_after=7), path="/v1/runs/*/stream", times=1)
    for status, retry_after, code in ((503, "2", 503000), (429, "7", 429001)):
        async with api.session.get("/v1/runs/run_early/stream") as response:
            assert (response.status, response.content_type) == (status, "application/json")
            assert response.headers["Retry-After"] == retry_after
            assert (await response.json())["code"] == code
    assert api.emu.open_streams == 0


def test_combine_validates_and_flattens() -> None:
    """combine() flattens nesting, refuses bursts and per-part probabilities, and is
    stream-only when any part is."""
    nested = Fault.combine(Fault.combine(Fault.retry(0), Fault.no_replay()), Fault.delay(0.1))
    assert [part.kind for part in nested.effects()] == ["retry", "no_replay", "delay"]
    assert nested.stream_only
    assert not Fault.combine(Fault.delay(0.1), Fault.status(503)).stream_only
    for bad in (
        lambda: Fault.combine(),
        lambda: Fault.combine(Fault.burst([500])),
        lambda: Fault.combine(Fault.no_replay(probability=0.5)),
        lambda: Fault.reset_stream(after_events=-1),
        lambda: Fault.cut_event(at=3, inside_character=True),
        lambda: Fault.partial_replay(),
        lambda: Fault.retry(-1),
    ):
        with pytest.raises(ValueError):
            bad()


@pytest.mark.slow
async def test_a_combined_fault_uses_one_time_per_request(api: Api) -> None:
    """A combined rule with times=1 applies all its parts to one request, then is spent."""
    handle = api.emu.faults.add(
        Fault.combine(Fault.delay(0.1), Fault.status(503)), path="/v1/runs", times=1
    )
    started = time.monotonic()
    await api.call("GET", "/v1/runs", expect=503)
    assert time.monotonic() - started >= 0.1
    await api.call("GET", "/v1/runs")
    assert (handle.hits, handle.active) == (1, False)
