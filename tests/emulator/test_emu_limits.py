"""The emulator's limits: no run, definition or expression can freeze it or make it balloon.

Each test is one item of the hardening issue (#11): the expansion bomb, the run-state cap, the
linear placeholder scan, the linear graph checks, integers too long for Python's ``int()``,
``NaN``/``Infinity``. The limits themselves are in ``b3os_async/testing/_limits.py``.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from typing import Any

import pytest
from emu_helpers import Api, linear, wire
from hypothesis import given
from hypothesis import strategies as st
from support.scripted import Reply, ScriptedServer

from b3os_async.testing import _limits
from b3os_async.testing._actions import NodeFailure, timer_seconds
from b3os_async.testing._expr import placeholders
from b3os_async.testing._json import int_from_text
from b3os_async.testing._meter import Meter, TooLarge

JSON = {"Content-Type": "application/json"}


def _doubling(count: int, seed: str = "y" * 1000) -> dict[str, Any]:
    """root -> n0 -> … -> n<count-1>: each node's result holds the previous one twice."""
    steps: list[tuple[str, str, dict[str, Any]]] = [("n0", "transform", {"x": seed})]
    for i in range(1, count):
        ref = f"{{{{n{i - 1}.result}}}}"
        steps.append((f"n{i}", "transform", {"a": ref, "b": ref}))
    return linear(*steps)


def _failed(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in run["executionState"].items() if v["status"] == "failure"}


async def _run(api: Api, body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Run an inline definition; the finished run and the size of GET /v1/runs/{id}."""
    started = await api.data("POST", "/v1/runs", json=body)
    run = await api.emu.wait_for_run(started["runId"], timeout=20)
    async with api.session.get(f"/v1/runs/{run['id']}") as response:
        assert response.status == 200
        size = len(await response.read())
    return run, size


# -- 10. the expansion bomb ------------------------------------------------------------------


@pytest.mark.slow
async def test_the_expansion_bomb_fails_a_node_instead_of_doubling_forever(api: Api) -> None:
    """30 nodes doubling the run's size per node: one fails value_too_large, the run stays small."""
    run, size = await _run(api, {"definition": _doubling(30)})
    [(node_id, state)] = _failed(run).items()
    assert state["error"]["code"] == "value_too_large"
    assert "1,048,576 bytes" in state["error"]["message"]
    assert "input" not in state
    assert "result" not in state
    assert run["status"] == "failure"
    assert size < 2 * _limits.MAX_RUN_STATE_BYTES
    assert int(node_id[1:]) < 15  # 1 KB doubled: past 1 MiB after about ten nodes


async def test_a_run_state_over_the_cap_fails_the_node_that_passes_it(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight echoes of a 20 KB payload against a 100 KB state cap: the nodes past it fail."""
    monkeypatch.setattr(_limits, "MAX_RUN_STATE_BYTES", 100_000)
    steps = [(f"e{i}", "echo", {"copy": "{{root.result.big}}"}) for i in range(8)]
    run, size = await _run(api, {"definition": linear(*steps), "payload": {"big": "z" * 20_000}})
    failed = _failed(run)
    assert {state["error"]["code"] for state in failed.values()} == {"run_state_too_large"}
    assert size < 200_000


async def test_interpolated_text_is_capped_before_it_is_built(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A string of 200 placeholders of a 10 KB value (2 MB of text) fails value_too_large."""
    monkeypatch.setattr(_limits, "MAX_VALUE_BYTES", 1_000_000)
    text = " ".join(["{{root.result.big}}"] * 200)
    body = {"definition": linear(("t", "transform", {"s": text})), "payload": {"big": "q" * 10_000}}
    run, _ = await _run(api, body)
    assert _failed(run)["t"]["error"]["code"] == "value_too_large"


@pytest.mark.slow
async def test_results_nested_past_the_depth_limit_fail_and_the_run_stays_readable(
    api: Api,
) -> None:
    """1,500 nodes each nesting the previous result: the node past 256 levels fails; GET is 200."""
    steps = [("n0", "transform", {"v": 0})]
    steps += [(f"n{i}", "transform", {"v": f"{{{{n{i - 1}.result}}}}"}) for i in range(1, 1500)]
    run, _ = await _run(api, {"definition": linear(*steps)})
    [state] = _failed(run).values()
    assert "nested more than 256 levels" in state["error"]["message"]


def test_the_meter_measures_shared_values_once() -> None:
    """A value holding the same object 2^40 times is measured (and refused) at once."""
    value: Any = {"x": "y"}
    for _ in range(40):
        value = [value, value]
    with pytest.raises(TooLarge, match="larger than 1,000 bytes"):
        Meter().measure(value, 1000, 100)
    small = [{"a": [1, "bc", None]}, {}, {"b": 2.5, "cd": False}]
    assert Meter().measure(small, 1000, 10) == len(json.dumps(small, separators=(",", ":")))


@pytest.fixture
def big_answer(scripted: ScriptedServer) -> ScriptedServer:
    """The scripted server answering ``GET /big`` with 64 KB of JSON."""
    scripted.script("/big", Reply(200, {"data": "w" * 65_536}), method="GET")
    return scripted


async def test_an_http_response_over_the_limit_fails_the_node(
    api: Api, big_answer: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """http-request stops reading a response past its limit and fails with value_too_large."""
    monkeypatch.setattr(_limits, "MAX_HTTP_RESPONSE_BYTES", 10_000)
    node = ("call", "http-request", {"url": big_answer.url + "/big"})
    run, _ = await _run(api, {"definition": linear(node)})
    assert _failed(run)["call"]["error"]["code"] == "value_too_large"


# -- 11. the placeholder scan ----------------------------------------------------------------


_OLD = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


@given(st.text(alphabet="{}a ", max_size=40))
def test_placeholders_are_found_as_the_old_pattern_found_them(text: str) -> None:
    """The linear scanner finds exactly what the non-greedy pattern \\{\\{(.*?)\\}\\} found."""
    expected = [(m.start(), m.end(), m.group(1)) for m in _OLD.finditer(text)]
    assert list(placeholders(text)) == expected


async def test_120_kib_of_opening_braces_does_not_freeze_validate_or_run(api: Api) -> None:
    """120 KiB of '{{' in a payload is validated and run in seconds (it froze the loop 82 s)."""
    definition = linear(("t", "transform", {"s": "{{" * 61_440}))
    checked = api.data("POST", "/v1/workflows/validate", json={"definition": definition})
    assert (await asyncio.wait_for(checked, 10))["valid"]
    run, _ = await asyncio.wait_for(_run(api, {"definition": definition}), 10)
    assert run["status"] == "success"


# -- 12. graph checks ------------------------------------------------------------------------


def _fan_out(children: list[str], nodes: int) -> dict[str, Any]:
    graph: dict[str, Any] = {"root": {"type": "manual", "payload": {}, "children": children}}
    for i in range(nodes):
        graph[f"c{i}"] = {"type": "echo"}  # small: 12,000 of them fit in a 1 MiB body
    return {"nodes": graph, "triggerNodeIds": ["root"]}


@pytest.mark.slow
async def test_a_wide_fan_out_is_checked_in_linear_time(api: Api) -> None:
    """A root with 45,000 child links (9,000 nodes, each listed five times) validates quickly."""
    definition = _fan_out([f"c{i % 9000}" for i in range(45_000)], 9000)
    checked = api.data("POST", "/v1/workflows/validate", json={"definition": definition})
    assert (await asyncio.wait_for(checked, 10))["valid"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (_fan_out([f"c{i}" for i in range(12_000)], 12_000), "12,001 nodes"),
        (_fan_out(["c0"] * 60_000, 1), "more than 50,000 links"),
    ],
    ids=["12001-nodes", "60000-links"],
)
@pytest.mark.parametrize("path", ["/v1/workflows/validate", "/v1/runs", "/v1/workflows"])
async def test_a_definition_over_the_limits_is_400228(
    api: Api, path: str, definition: dict[str, Any], expected: str
) -> None:
    """More than 10,000 nodes or 50,000 links is refused with 400228 wherever it is sent."""
    body = {"name": "n", "description": "", "definition": definition}
    answer = await api.call("POST", path, json=body, expect=400)
    assert answer["code"] == 400228
    assert expected in answer["message"] + json.dumps(answer["details"], ensure_ascii=False)


async def test_validation_lists_at_most_100_problems(api: Api) -> None:
    """5,000 unknown children give 100 items, the last saying how many more there are."""
    definition = _fan_out([f"missing{i}" for i in range(5000)], 0)
    result = await api.data("POST", "/v1/workflows/validate", json={"definition": definition})
    assert len(result["errors"]) == 100
    assert result["errors"][-1]["message"].startswith("… and 4,901 more problems")


# -- 14. integers longer than Python converts ------------------------------------------------


async def test_a_5000_digit_integer_in_a_payload_is_kept_exactly(api: Api) -> None:
    """Integers of up to 10,000 digits (what the SDK sends) are accepted and echoed exactly."""
    big = "7" * 5000
    definition = json.dumps(linear(("e", "echo", {"n": "{{root.result.n}}"})))
    raw = '{"definition": ' + definition + ', "payload": {"n": ' + big + "}}"
    started = await api.call("POST", "/v1/runs", data=raw, headers=JSON)
    await api.emu.wait_for_run(started["data"]["runId"])
    async with api.session.get(f"/v1/runs/{started['data']['runId']}") as response:
        text = await response.text()
    assert f'"result":{{"n":{big}}}' in text


async def test_an_integer_over_10000_digits_is_400001(api: Api) -> None:
    """A body integer longer than 10,000 digits is refused with 400001 naming the limit."""
    raw = '{"definition": {}, "payload": {"n": ' + "1" * 10_001 + "}}"
    body = await api.call("POST", "/v1/runs", data=raw, headers=JSON, expect=400)
    assert body["code"] == 400001
    assert "10,000 digits" in body["message"]


async def test_a_typed_integer_field_beyond_64_bits_is_400002(api: Api) -> None:
    """expectedCurrentVersion of 5,000 digits is 400002 (a 64-bit field), never a 500."""
    workflow = await api.create(linear(("a", "echo", {})))
    raw = '{"name": "x", "expectedCurrentVersion": ' + "9" * 5000 + "}"
    path = f"/v1/workflows/{workflow['id']}"
    body = await api.call("PUT", path, data=raw, headers=JSON, expect=400)
    assert body["code"] == 400002


@pytest.mark.parametrize("number", ["9" * 5000, "-1", "99999999999999999999"])
async def test_any_integer_version_number_is_404_when_absent(api: Api, number: str) -> None:
    """GET …/versions/{n} with a 5,000-digit, negative or huge n is 404004, never a 500."""
    workflow = await api.create(linear(("a", "echo", {})))
    body = await api.call("GET", f"/v1/workflows/{workflow['id']}/versions/{number}", expect=404)
    assert body["code"] == 404004


@pytest.mark.parametrize(
    ("literal", "code"),
    [("9" * 5000, None), ("1" * 10_001, "invalid_expression"), ("1e999", "invalid_expression")],
    ids=["5000-digits", "10001-digits", "1e999"],
)
async def test_number_literals_in_expressions(api: Api, literal: str, code: str | None) -> None:
    """A literal is exact up to 10,000 digits; longer, or not finite, fails invalid_expression."""
    run, _ = await _run(
        api, {"definition": linear(("t", "transform", {"v": f"{{{{{literal}}}}}"}))}
    )
    state = run["executionState"]["t"]
    if code is None:
        assert state["result"] == {"v": int_from_text(literal)}
    else:
        assert state["error"]["code"] == code


async def test_a_5000_digit_last_event_id_resumes_now(api: Api) -> None:
    """A Last-Event-ID longer than any sequence number ends the finished run's stream cleanly."""
    run, _ = await _run(api, {"definition": linear(("a", "echo", {}))})
    received = await wire(api.emu, f"/v1/runs/{run['id']}/stream", {"Last-Event-ID": "9" * 5000})
    assert (received.status, received.terminated, received.error) == (200, True, None)
    assert received.body == b"retry: 1000\n\n"


# -- 16. NaN and Infinity --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
async def test_non_finite_numbers_in_a_body_are_400001(api: Api, value: str) -> None:
    """NaN, ±Infinity and numbers that overflow a float are not JSON: 400001, nothing stored."""
    raw = '{"definition": {"nodes": {"root": {"type": "manual"}}}, "payload": {"x": ' + value + "}}"
    body = await api.call("POST", "/v1/runs", data=raw, headers=JSON, expect=400)
    assert body["code"] == 400001
    assert len(api.emu._ctx.store.runs) == 0


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, "5", True, None])
def test_a_timer_needs_a_finite_number(value: Any) -> None:
    """delay/wait milliseconds must be a finite number: NaN would keep a run running forever."""
    with pytest.raises(NodeFailure, match="finite number"):
        timer_seconds(value, "delay", "ms")


def test_a_huge_timer_is_cut_instead_of_overflowing() -> None:
    """10^400 ms (a float overflow before) is cut to about 31 years."""
    assert timer_seconds(10**400, "delay", "ms") == 10**9
    assert timer_seconds(-5, "wait", "timeoutMs", negative=0) == 0
