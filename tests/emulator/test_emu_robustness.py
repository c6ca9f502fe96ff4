"""The emulator under hostile input: very long graphs, very deep bodies, and its own bugs."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from emu_helpers import Api, SseReader, linear

from b3os_async.testing import Emulator, _server, _sse
from b3os_async.testing._common import nested_deeper_than
from b3os_async.testing._expr import ConditionError, evaluate_condition
from b3os_async.testing.routes import runs as run_routes

JSON = {"Content-Type": "application/json"}


def _chain(length: int, head: str, tail: str | None = None) -> dict[str, Any]:
    """root -> head -> n0 -> n1 … -> n<length-1> (-> tail)."""
    nodes: dict[str, Any] = {
        "root": {"type": "manual", "payload": {}, "children": ["head"]},
        "head": {"type": head, "payload": {}, "children": ["n0"]},
    }
    for i in range(length):
        following = [f"n{i + 1}"] if i < length - 1 else ([] if tail is None else ["tail"])
        nodes[f"n{i}"] = {"type": "echo", "payload": {"i": i}, "children": following}
    if tail is not None:
        nodes["tail"] = {"type": tail, "payload": {}}
    return {"nodes": nodes, "triggerNodeIds": ["root"]}


def _nested(depth: int) -> dict[str, Any]:
    """An object nested ``depth`` levels deep."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


async def _start_waiting_chain(api: Api, length: int) -> str:
    body = {"definition": _chain(length, "echo", tail="wait")}
    run_id: str = (await api.data("POST", "/v1/runs", json=body))["runId"]
    await api.emu.wait_for_run(run_id, "waiting", timeout=30)
    return run_id


# -- long graphs -----------------------------------------------------------------------------


async def test_a_3000_node_chain_below_a_failed_node_is_all_skipped(api: Api) -> None:
    """Every node of a 3,000-node chain below a failed node ends skipped; none stays pending."""
    started = await api.data("POST", "/v1/runs", json={"definition": _chain(3000, "fail")})
    run = await api.emu.wait_for_run(started["runId"], timeout=30)
    statuses = Counter(state["status"] for state in run["executionState"].values())
    assert statuses == {"success": 1, "failure": 1, "skipped": 3000}
    assert run["status"] == "failure"


@pytest.mark.slow
async def test_cancelling_a_run_waiting_after_a_long_chain(api: Api) -> None:
    """A run waiting after a 1,500-node chain cancels with 200 (no recursion through the chain)."""
    run_id = await _start_waiting_chain(api, 1500)
    cancelled = await api.data("POST", f"/v1/runs/{run_id}/cancel")
    assert (cancelled["status"], cancelled["executionState"]["tail"]["status"]) == (
        "cancelled",
        "cancelled",
    )


@pytest.mark.slow
async def test_closing_the_emulator_while_a_long_chain_waits() -> None:
    """Closing the emulator with a run waiting after a 1,500-node chain does not overflow."""
    emu = Emulator(seed=3)
    await emu.start()
    overflow: RecursionError | None = None
    try:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            await _start_waiting_chain(Api(emu, session), 1500)
    finally:
        try:
            await asyncio.wait_for(emu.close(), 10)
        except RecursionError as exc:  # cancelling nested gathers recursed once per node
            overflow = exc
    assert overflow is None


# -- deep bodies -----------------------------------------------------------------------------


def test_nested_deeper_than_counts_object_and_array_levels() -> None:
    """nested_deeper_than measures nesting (objects and arrays) without recursing."""
    assert not nested_deeper_than(_nested(5), 5)
    assert nested_deeper_than(_nested(6), 5)
    assert nested_deeper_than({"a": [[[]]]}, 3)
    assert not nested_deeper_than({"a": [[1]]}, 3)
    very_deep: list[Any] = []
    for _ in range(100_000):
        very_deep = [very_deep]
    assert nested_deeper_than(very_deep, 128)


async def test_a_body_nested_100000_deep_is_400001(api: Api) -> None:
    """A body the JSON parser gives up on (100,000 nested arrays) is 400001, not a 500."""
    raw = b"[" * 100_000 + b"]" * 100_000
    body = await api.call("POST", "/v1/workflows", data=raw, headers=JSON, expect=400)
    assert (body["code"], body["message"]) == (
        400001,
        "request body is not valid JSON: nested too deeply to parse",
    )


async def test_a_payload_nested_900_deep_is_400002(api: Api) -> None:
    """A run payload nested 900 levels deep is refused with 400002 (the body depth limit)."""
    raw = json.dumps({"definition": linear(("a", "echo", {})), "payload": _nested(900)})
    body = await api.call("POST", "/v1/runs", data=raw, headers=JSON, expect=400)
    assert body["code"] == 400002
    assert "nested more than 128 levels deep" in body["message"]


async def test_a_payload_too_deep_to_copy_is_400002(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the depth limit, a payload deepcopy cannot copy is still 400002, not a 500."""
    monkeypatch.setattr(_server, "MAX_JSON_DEPTH", 1_000_000)
    raw = json.dumps({"definition": linear(("a", "echo", {})), "payload": _nested(700)})
    body = await api.call("POST", "/v1/runs", data=raw, headers=JSON, expect=400)
    assert (body["code"], body["message"]) == (400002, "'payload' is nested too deeply to copy")


def test_a_condition_nested_beyond_the_recursion_limit_is_a_condition_error() -> None:
    """An $and nesting deeper than Python's recursion limit is a ConditionError, not a crash."""
    condition: dict[str, Any] = {"left": 1, "op": "$eq", "right": 1}
    for _ in range(5000):
        condition = {"$and": [condition]}
    with pytest.raises(ConditionError, match="nested too deeply"):
        evaluate_condition(condition)


# -- the emulator's own bugs -----------------------------------------------------------------


def _raise(error: BaseException) -> Any:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error

    return broken


async def test_an_unexpected_error_is_a_500001_error_body(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in a handler answers 500 with a B3OS error body (code 500001) and is logged."""
    run = await api.run(linear(("a", "echo", {})))
    monkeypatch.setattr(run_routes, "run_json", _raise(RuntimeError("boom")))
    async with api.session.get(f"/v1/runs/{run['id']}") as response:
        assert response.status == 500
        body = await response.json()
    assert body["code"] == 500001
    assert "RuntimeError" in body["message"]
    assert body["requestId"] == response.headers["X-Request-ID"]
    assert "boom" in caplog.text


async def test_aiohttp_http_exceptions_keep_their_status(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An aiohttp HTTPException from a handler keeps its status (it is not turned into a 500)."""
    run = await api.run(linear(("a", "echo", {})))
    too_large = web.HTTPRequestEntityTooLarge(max_size=1, actual_size=2)
    monkeypatch.setattr(run_routes, "run_json", _raise(too_large))
    async with api.session.get(f"/v1/runs/{run['id']}") as response:
        assert response.status == 413


async def test_a_bug_after_a_stream_started_ends_the_stream(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug once a stream's headers are out ends that stream; no error body is appended."""
    run = await api.run(linear(("a", "echo", {})))
    monkeypatch.setattr(_sse, "dumps", _raise(RuntimeError("boom")))
    async with api.session.get(f"/v1/runs/{run['id']}/stream") as response:
        assert response.status == 200
        reader = SseReader(response)
        assert await reader.frame() == {"retry": "1000"}
        with pytest.raises(aiohttp.ClientPayloadError):
            await reader.frame()
