"""Stream faults, each asserted on the wire: which bytes arrive, in which writes, and how the
connection ends (clean end, FIN, TCP reset). Request-level faults: test_emu_fault_rules.py."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest
from emu_helpers import Api, SseReader, Wire, linear, wire

from b3os_async.testing import Emulator, Fault

EURO = linear(("say", "echo", {"text": "5 €"}))
"""A run of 6 events; the 5th (``say`` completed) holds the 3-byte character "€"."""


async def _finished(api: Api, run_id: str) -> Wire:
    """Run EURO to its end; its stream replayed from the start without any fault."""
    await api.data("POST", "/v1/runs", json={"definition": EURO, "runId": run_id})
    await api.emu.wait_for_run(run_id)
    clean = await wire(api.emu, f"/v1/runs/{run_id}/stream", {"Last-Event-ID": "0"})
    assert (len(clean.chunks), clean.terminated, clean.error) == (7, True, None)
    return clean


async def _faulty(api: Api, fault: Fault, run_id: str, last_event_id: str = "0") -> Wire:
    api.emu.faults.add(fault, path=f"/v1/runs/{run_id}/stream", times=1)
    return await wire(api.emu, f"/v1/runs/{run_id}/stream", {"Last-Event-ID": last_event_id})


def _ids(chunks: list[bytes]) -> list[int]:
    frames = [frame for chunk in chunks for frame in chunk.split(b"\n\n") if frame]
    return [int(frame.split(b"\n")[0][4:]) for frame in frames if frame.startswith(b"id: ")]


def _seqs(chunks: list[bytes]) -> list[int]:
    frames = [frame for chunk in chunks for frame in chunk.split(b"\n\n") if b"data: " in frame]
    return [json.loads(frame.split(b"data: ", 1)[1])["seq"] for frame in frames]


async def _stream_run(api: Api, run_id: str, **headers: str) -> SseReader:
    response = await api.session.get(f"/v1/runs/{run_id}/stream", headers=headers)
    assert response.status == 200
    return SseReader(response)


async def test_drop_stream_closes_abruptly_after_n_events(api: Api) -> None:
    """Fault.drop_stream ends the body after N events; Last-Event-ID then resumes the rest."""
    api.emu.faults.add(Fault.drop_stream(after_events=2), path="/v1/runs/*/stream", times=1)
    reader = await _stream_run(api, "run_drop")
    got: list[dict[str, Any]] = []
    try:
        await reader.frame()
        await api.data("POST", "/v1/runs", json={"definition": linear(), "runId": "run_drop"})
        while (frame := await reader.event()) is not None:
            got.append(frame)
    except aiohttp.ClientPayloadError:
        pass
    finally:
        reader.response.close()
    assert [frame["id"] for frame in got] == ["1", "2"]
    resumed = await _stream_run(api, "run_drop", **{"Last-Event-ID": "2"})
    try:
        rest = await resumed.rest()
    finally:
        resumed.response.close()
    assert rest[0]["id"] == "3"
    assert rest[-1]["event"] == "run_completed"


async def test_stream_error_sends_an_error_event_then_ends(api: Api) -> None:
    """Fault.stream_error sends `event: error` with status/code/message after N events."""
    api.emu.faults.add(Fault.stream_error(503, after_events=1, message="maintenance"), times=1)
    await api.data("POST", "/v1/runs", json={"definition": linear(), "runId": "run_err"})
    await api.emu.wait_for_run("run_err")
    reader = await _stream_run(api, "run_err", **{"Last-Event-ID": "0"})
    try:
        events = await reader.rest()
    finally:
        reader.response.close()
    assert [event["event"] for event in events] == ["run_started", "error"]
    assert events[1]["json"] == {
        "type": "error",
        "status": 503,
        "code": 503000,
        "message": "maintenance",
    }


async def test_stream_error_can_carry_retry_after(api: Api) -> None:
    """Fault.stream_error(retry_after=…) adds retryAfter to the error frame."""
    api.emu.faults.add(Fault.stream_error(429, retry_after=3), times=1)
    reader = await _stream_run(api, "run_ra")
    try:
        error = await reader.event()
    finally:
        reader.response.close()
    assert error is not None
    assert error["json"]["retryAfter"] == 3
    assert error["json"]["status"] == 429


@pytest.mark.slow
async def test_mid_stream_stall_sends_nothing_not_even_heartbeats() -> None:
    """Fault.stall(after_events=N) goes silent (no heartbeats) for its duration, then closes."""
    async with Emulator(heartbeat_interval=0.02) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            api = Api(emu, session)
            emu.faults.add(Fault.stall(0.3, after_events=1), times=1)
            await api.data("POST", "/v1/runs", json={"definition": linear(), "runId": "run_st"})
            await emu.wait_for_run("run_st")
            reader = await _stream_run(api, "run_st", **{"Last-Event-ID": "0"})
            try:
                await reader.frame()  # retry
                first = await reader.frame()
                started = time.monotonic()
                with pytest.raises((aiohttp.ClientPayloadError, asyncio.TimeoutError)):
                    assert await reader.frame(timeout=0.2) is None
                silent_for = time.monotonic() - started
            finally:
                reader.response.close()
    assert first is not None
    assert first["event"] == "run_started"
    assert silent_for >= 0.19


async def test_no_replay_stream_has_no_ids_and_ignores_last_event_id(api: Api) -> None:
    """Fault.no_replay: no `id:` lines and Last-Event-ID ignored (terminal event only)."""
    api.emu.faults.add(Fault.no_replay(), times=1)
    await api.data("POST", "/v1/runs", json={"definition": linear(), "runId": "run_nr"})
    await api.emu.wait_for_run("run_nr")
    reader = await _stream_run(api, "run_nr", **{"Last-Event-ID": "1"})
    try:
        events = await reader.rest()
    finally:
        reader.response.close()
    assert [event["event"] for event in events] == ["run_completed"]
    assert "id" not in events[0]


async def test_close_stream_ends_the_body_cleanly_after_n_events(api: Api) -> None:
    """Fault.close_stream: N event frames, then the body's terminator (a clean end)."""
    clean = await _finished(api, "run_close")
    got = await _faulty(api, Fault.close_stream(after_events=2), "run_close")
    assert got.chunks == clean.chunks[:3]
    assert (got.terminated, got.error) == (True, None)


async def test_drop_stream_closes_without_the_terminator(api: Api) -> None:
    """Fault.drop_stream: N event frames, then a FIN without the body's terminator."""
    clean = await _finished(api, "run_fin")
    got = await _faulty(api, Fault.drop_stream(after_events=2), "run_fin")
    assert got.chunks == clean.chunks[:3]
    assert (got.terminated, got.error) == (False, None)


async def test_reset_after_a_burst_delivers_the_burst_in_one_write_then_resets(api: Api) -> None:
    """Fault.reset_stream(burst=3): events 2-4 arrive together in ONE chunk, then a TCP reset."""
    clean = await _finished(api, "run_burst")
    got = await _faulty(api, Fault.reset_stream(after_events=1, burst=3), "run_burst")
    assert got.chunks == [clean.chunks[0], clean.chunks[1], b"".join(clean.chunks[2:5])]
    assert got.reset
    assert not got.terminated


async def test_reset_without_a_burst_resets_right_after_n_events(api: Api) -> None:
    """Fault.reset_stream(after_events=N): N event frames, then a TCP reset (no FIN)."""
    clean = await _finished(api, "run_rst")
    got = await _faulty(api, Fault.reset_stream(after_events=2), "run_rst")
    assert got.chunks == clean.chunks[:3]
    assert got.reset


async def test_a_burst_the_stream_cannot_fill_is_written_and_reset_at_its_end(api: Api) -> None:
    """A burst larger than what is left: the rest goes out in one write, then a reset."""
    clean = await _finished(api, "run_short")
    got = await _faulty(api, Fault.reset_stream(after_events=4, burst=9), "run_short")
    assert got.chunks == [*clean.chunks[:5], b"".join(clean.chunks[5:])]
    assert got.reset


async def test_cut_event_sends_half_a_frame_then_resets(api: Api) -> None:
    """Fault.cut_event: the next frame's first half (or `at` bytes), then a TCP reset."""
    clean = await _finished(api, "run_cut")
    frame = clean.chunks[2]
    half = await _faulty(api, Fault.cut_event(after_events=1), "run_cut")
    assert half.chunks == [*clean.chunks[:2], frame[: len(frame) // 2]]
    assert half.reset
    ten = await _faulty(api, Fault.cut_event(after_events=1, at=10), "run_cut")
    assert ten.chunks[-1] == frame[:10]
    assert ten.reset


async def test_cut_inside_a_multi_byte_character(api: Api) -> None:
    """cut_event(inside_character=True) ends the wire after the first byte of "€", then resets."""
    clean = await _finished(api, "run_utf8")
    frame = clean.chunks[5]
    got = await _faulty(api, Fault.cut_event(inside_character=True), "run_utf8")
    assert got.chunks == [*clean.chunks[:5], frame[: frame.index("€".encode()) + 1]]
    assert got.body.endswith(b"\xe2")
    with pytest.raises(UnicodeDecodeError, match="unexpected end of data"):
        got.body.decode()
    assert got.reset


async def test_retry_line_value_is_set_per_fault(api: Api) -> None:
    """Fault.retry(0) makes the stream's first line `retry: 0`."""
    clean = await _finished(api, "run_retry")
    got = await _faulty(api, Fault.retry(0), "run_retry")
    assert got.chunks == [b"retry: 0\n\n", *clean.chunks[1:]]


async def test_partial_replay_skips_the_first_events_asked_for(api: Api) -> None:
    """partial_replay(skip=2): Last-Event-ID 1 replays from seq 4, as if asked from a later id."""
    await _finished(api, "run_skip")
    got = await _faulty(api, Fault.partial_replay(skip=2), "run_skip", last_event_id="1")
    assert _ids(got.chunks) == [4, 5, 6]
    assert got.terminated


async def test_partial_replay_keeps_only_the_last_events(api: Api) -> None:
    """partial_replay(last=2): Last-Event-ID 0 replays only seq 5 and 6."""
    await _finished(api, "run_last")
    got = await _faulty(api, Fault.partial_replay(last=2), "run_last")
    assert _ids(got.chunks) == [5, 6]


async def test_repeat_events_resends_frames_with_their_old_ids(api: Api) -> None:
    """repeat_events(2, after_events=3): ids 1 2 3 2 3 4 5 6; the repeats are the same bytes."""
    clean = await _finished(api, "run_repeat")
    got = await _faulty(api, Fault.repeat_events(2, after_events=3), "run_repeat")
    assert _ids(got.chunks) == [1, 2, 3, 2, 3, 4, 5, 6]
    assert got.chunks == [*clean.chunks[:4], *clean.chunks[2:4], *clean.chunks[4:]]


async def test_renumber_gives_ids_that_restart_on_each_connection(api: Api) -> None:
    """Fault.renumber: ids count this connection's frames (1, 2, …); the data keeps its seq."""
    await _finished(api, "run_renumber")
    got = await _faulty(api, Fault.renumber(), "run_renumber", last_event_id="3")
    assert (_ids(got.chunks), _seqs(got.chunks)) == ([1, 2, 3], [4, 5, 6])
    later = await _faulty(api, Fault.renumber(first_id=10), "run_renumber", last_event_id="4")
    assert _ids(later.chunks) == [10, 11]


async def test_partial_replay_on_a_notification_stream(api: Api) -> None:
    """partial_replay(last=1) on the activity stream replays only the newest notification."""
    for name in ("a", "b", "c"):
        await api.create(linear(), name=name)
    api.emu.faults.add(Fault.partial_replay(last=1), path="/v1/activity/stream", times=1)
    async with api.session.get("/v1/activity/stream", headers={"Last-Event-ID": "0"}) as resp:
        first = await SseReader(resp).event()
    assert first is not None
    assert (first["id"], first["event"]) == ("3", "workflow_created")


async def test_combined_faults_all_apply_to_one_request(api: Api) -> None:
    """One combined rule: retry 0, a replay from later, a repeat and a cut, in that order."""
    clean = await _finished(api, "run_matrix")
    fault = Fault.combine(
        Fault.retry(0),
        Fault.partial_replay(skip=1),
        Fault.repeat_events(1, after_events=2),
        Fault.cut_event(after_events=3),
    )
    got = await _faulty(api, fault, "run_matrix")
    f = clean.chunks
    assert got.chunks == [b"retry: 0\n\n", f[2], f[3], f[3], f[4], f[5][: len(f[5]) // 2]]
    assert got.reset
    again = await wire(api.emu, "/v1/runs/run_matrix/stream", {"Last-Event-ID": "0"})
    assert again.chunks == clean.chunks  # times=1: the next request is untouched


async def test_combined_faults_on_a_live_stream(api: Api) -> None:
    """No ids + a burst reset, combined, on a stream opened before its run starts."""
    fault = Fault.combine(Fault.no_replay(), Fault.reset_stream(after_events=1, burst=2))
    api.emu.faults.add(fault, path="/v1/runs/*/stream", times=1)
    subscribed = asyncio.Event()
    following = asyncio.ensure_future(
        wire(api.emu, "/v1/runs/run_live/stream", answered=subscribed)
    )
    await asyncio.wait_for(subscribed.wait(), 5)  # headers out: the stream is subscribed
    await api.data("POST", "/v1/runs", json={"definition": EURO, "runId": "run_live"})
    got = await following
    assert got.chunks[1].startswith(b"event: run_started\n")
    assert [frame.split(b"\n")[0] for frame in got.chunks[2].split(b"\n\n") if frame] == [
        b"event: node_started",
        b"event: node_completed",
    ]
    assert _ids(got.chunks) == []
    assert got.reset


@pytest.mark.slow
async def test_a_stall_that_resumes_goes_on_after_the_silence() -> None:
    """stall(resume=True): no bytes at all (no heartbeats) for its length, then the rest."""
    async with Emulator(heartbeat_interval=0.02) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            api = Api(emu, session)
            emu.faults.add(Fault.stall(0.3, after_events=2, resume=True), times=1)
            await api.data("POST", "/v1/runs", json={"definition": EURO, "runId": "run_pause"})
            await emu.wait_for_run("run_pause")
            reader = await _stream_run(api, "run_pause", **{"Last-Event-ID": "0"})
            try:
                await reader.frame()  # retry
                await reader.frame()
                await reader.frame()
                started = time.monotonic()
                third = await reader.frame()
                silent_for = time.monotonic() - started
                rest = await reader.rest()
            finally:
                reader.response.close()
    assert third is not None
    assert third["id"] == "3"
    assert silent_for >= 0.25
    assert [event["id"] for event in rest] == ["4", "5", "6"]
