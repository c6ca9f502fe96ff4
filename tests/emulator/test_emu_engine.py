"""Workflow execution: expressions, if/else, wait/resume, delay, fail, http-request, statuses."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from emu_helpers import Api, SseReader, linear
from support.scripted import Reply, ScriptedServer

from b3os_async.testing._expr import ConditionError, evaluate_condition, resolve


def _state(run: dict[str, Any], node: str) -> dict[str, Any]:
    state: dict[str, Any] = run["executionState"][node]
    return state


# -- expressions (pure) ------------------------------------------------------------------------


def _lookup(first: str) -> Any:
    table: dict[str, Any] = {
        "root": {"result": {"n": 5, "name": "eth", "items": [{"v": 1}, {"v": 2}], "zero": 0}},
        "$props": {"limit": 10},
    }
    return table.get(first)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{root.result.n}}", 5),
        ("{{ root.result.items[1].v }}", 2),
        ("{{root.result.items.0.v}}", 1),
        ("n={{root.result.n}}, name={{root.result.name}}", "n=5, name=eth"),
        ("{{root.result.items}}", [{"v": 1}, {"v": 2}]),
        ("x{{root.result.items}}", 'x[{"v":1},{"v":2}]'),
        ("{{root.result.missing || 7}}", 7),
        ("{{root.result.missing || 'dflt'}}", "dflt"),
        ("{{root.result.zero || 7}}", 0),
        ("{{root.result.missing}}", None),
        ("[{{root.result.missing}}]", "[]"),
        ("{{$props.limit}}", 10),
        ("{{nobody.result.x || root.result.n}}", 5),
        ("plain text", "plain text"),
    ],
)
def test_expression_resolution(template: str, expected: Any) -> None:
    """Whole placeholders keep JSON types, embedded ones interpolate, || falls back."""
    assert resolve(template, _lookup) == expected


def test_resolve_recurses_into_objects_and_lists() -> None:
    """Placeholders inside nested objects and lists are resolved."""
    value = {"a": ["{{root.result.n}}", {"b": "{{root.result.name}}"}], "c": 1}
    assert resolve(value, _lookup) == {"a": [5, {"b": "eth"}], "c": 1}


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("$eq", 5, 5, True),
        ("$eq", 5, "5", True),
        ("$eq", True, 1, False),
        ("$ne", "a", "b", True),
        ("$gt", 5, 3, True),
        ("$gt", "10", 9, True),
        ("$gte", 3, 3, True),
        ("$lt", "a", "b", True),
        ("$lte", 4, 3, False),
        ("$gt", None, 3, False),
        ("$contains", "hello", "ell", True),
        ("$contains", [1, 2], 2, True),
        ("$contains", {"k": 1}, "k", True),
        ("$notContains", "hello", "z", True),
        ("$startsWith", "hello", "he", True),
        ("$endsWith", "hello", "lo", True),
        ("$exists", 0, None, True),
        ("$exists", None, None, False),
        ("$notExists", None, None, True),
        ("$in", "b", ["a", "b"], True),
        ("$in", "ell", "hello", True),
        ("$notIn", 3, [1, 2], True),
    ],
)
def test_condition_operators(op: str, left: Any, right: Any, expected: bool) -> None:
    """Each comparison operator behaves as documented."""
    assert evaluate_condition({"left": left, "op": op, "right": right}) is expected


def test_condition_and_or_nest() -> None:
    """$and/$or combine (nested) conditions."""
    true = {"left": 1, "op": "$eq", "right": 1}
    false = {"left": 1, "op": "$eq", "right": 2}
    assert evaluate_condition({"$and": [true, {"$or": [false, true]}]}) is True
    assert evaluate_condition({"$and": [true, false]}) is False
    assert evaluate_condition({"$or": []}) is False


@pytest.mark.parametrize(
    "condition", [None, {"left": 1, "op": "$like", "right": 1}, {"$and": "x"}, {"left": 1}]
)
def test_malformed_conditions_raise(condition: Any) -> None:
    """Conditions of an unknown shape or operator raise ConditionError."""
    with pytest.raises(ConditionError):
        evaluate_condition(condition)


# -- execution ---------------------------------------------------------------------------------


async def test_expressions_see_trigger_props_and_earlier_results(api: Api) -> None:
    """Node payloads resolve root/$trigger/$props and earlier nodes' results."""
    definition = linear(
        ("first", "echo", {"n": "{{root.result.n}}", "label": "n is {{$trigger.body.n}}"}),
        ("second", "transform", {"double": ["{{first.result.n}}", "{{$props.k}}"]}),
    )
    run = await api.run(definition, payload={"n": 4}, propValues={"k": "v"})
    assert run["status"] == "success"
    assert _state(run, "first")["result"] == {"n": 4, "label": "n is 4"}
    assert _state(run, "second")["result"] == {"double": [4, "v"]}
    assert _state(run, "root")["result"]["n"] == 4
    assert "triggeredAt" in _state(run, "root")["result"]


def _branching(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["check"]},
            "check": {
                "type": "if",
                "payload": {"condition": condition},
                "children": ["yes", "no"],
            },
            "yes": {"type": "echo", "payload": {"said": "yes"}, "branch": "then"},
            "no": {"type": "echo", "payload": {"said": "no"}, "branch": "else"},
        }
    }


@pytest.mark.parametrize(("price", "taken", "skipped"), [(5000, "yes", "no"), (10, "no", "yes")])
async def test_if_takes_one_branch_and_skips_the_other(
    api: Api, price: int, taken: str, skipped: str
) -> None:
    """An if node runs the matching branch; the other branch is skipped."""
    condition = {
        "$and": [
            {"left": "{{root.result.price}}", "op": "$gt", "right": 3000},
            {"left": "{{root.result.symbol}}", "op": "$eq", "right": "ETH"},
        ]
    }
    run = await api.run(_branching(condition), payload={"price": price, "symbol": "ETH"})
    assert run["status"] == "success"
    assert _state(run, taken)["status"] == "success"
    assert _state(run, skipped)["status"] == "skipped"
    assert _state(run, "check")["result"]["branch"] == ("then" if taken == "yes" else "else")


async def test_an_invalid_condition_fails_the_if_node(api: Api) -> None:
    """An if node with an unknown operator fails; its children are skipped."""
    run = await api.run(_branching({"left": 1, "op": "$like", "right": 1}))
    assert run["status"] == "failure"
    assert _state(run, "check")["error"]["code"] == "invalid_condition"
    assert _state(run, "yes")["status"] == "skipped"


async def test_delay_sleeps_for_real(api: Api) -> None:
    """A delay node takes at least its ms before completing."""
    run = await api.run(linear(("pause", "delay", {"ms": 60})))
    state = _state(run, "pause")
    assert state["status"] == "success"
    assert state["finishedAt"] > state["startedAt"]


async def test_fail_when_false_succeeds(api: Api) -> None:
    """A fail node whose `when` resolves to false does not fail."""
    run = await api.run(linear(("maybe", "fail", {"when": "{{root.result.broken}}"})), payload={})
    assert run["status"] == "success"


async def test_failure_skips_descendants_and_fails_the_run(api: Api) -> None:
    """A failed node's descendants are skipped; with no successful leaf the run fails."""
    run = await api.run(linear(("boom", "fail", {"message": "nope"}), ("after", "echo", {})))
    assert run["status"] == "failure"
    assert _state(run, "boom")["error"] == {"message": "nope", "code": "fail_action"}
    assert _state(run, "after")["status"] == "skipped"


async def test_a_failed_branch_beside_a_successful_one_is_partial(api: Api) -> None:
    """A failure in one branch while a sibling branch reaches a successful leaf is partial."""
    definition = {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["good", "bad"]},
            "good": {"type": "echo", "payload": {}},
            "bad": {"type": "fail", "payload": {}},
        }
    }
    run = await api.run(definition)
    assert run["status"] == "partial"
    assert _state(run, "good")["status"] == "success"


async def test_unknown_action_type_fails_the_node(api: Api) -> None:
    """An action type the emulator does not know fails its node."""
    run = await api.run(linear(("x", "teleport-tokens", {})))
    assert _state(run, "x")["error"]["code"] == "unknown_action"
    assert run["status"] == "failure"


def _waiting(timeout_ms: int | None = None) -> dict[str, Any]:
    payload = {} if timeout_ms is None else {"timeoutMs": timeout_ms}
    return {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["approval"]},
            "approval": {"type": "wait", "payload": payload, "children": ["go", "late"]},
            "go": {
                "type": "echo",
                "payload": {"ok": "{{approval.result.ok}}"},
                "branch": "resumed",
            },
            "late": {"type": "echo", "payload": {}, "branch": "timed_out"},
        }
    }


async def test_wait_node_waits_until_resumed(api: Api) -> None:
    """A wait node makes the run waiting; resuming continues with the resume data."""
    started = await api.data("POST", "/v1/runs", json={"definition": _waiting()})
    run_id = started["runId"]
    waiting = await api.emu.wait_for_run(run_id, "waiting")
    assert _state(waiting, "approval")["status"] == "waiting"
    answer = await api.call(
        "POST", f"/v1/runs/{run_id}/nodes/approval/resume", json={"data": {"ok": True}}
    )
    assert answer == {"action": "resumed", "reason": ""}
    run = await api.emu.wait_for_run(run_id)
    assert run["status"] == "success"
    assert _state(run, "go")["result"] == {"ok": True}
    assert _state(run, "late")["status"] == "skipped"


async def test_wait_timeout_takes_the_timed_out_branch(api: Api) -> None:
    """A wait node with timeoutMs continues on the timed_out branch when nobody resumes it."""
    run = await api.run(_waiting(timeout_ms=30))
    assert run["status"] == "success"
    assert _state(run, "approval")["result"] == {"timedOut": True}
    assert _state(run, "late")["status"] == "success"
    assert _state(run, "go")["status"] == "skipped"


async def test_run_resumed_carries_the_runs_status_after_the_resume(api: Api) -> None:
    """run_resumed says "waiting" while another wait node holds the run (GET agrees)."""
    definition = {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["w1", "w2"]},
            "w1": {"type": "wait", "payload": {}},
            "w2": {"type": "wait", "payload": {}},
        }
    }
    run_id = (await api.data("POST", "/v1/runs", json={"definition": definition}))["runId"]
    for _ in range(200):  # until both wait nodes wait
        run = await api.data("GET", f"/v1/runs/{run_id}")
        if all(_state(run, node)["status"] == "waiting" for node in ("w1", "w2")):
            break
        await asyncio.sleep(0.005)
    await api.call("POST", f"/v1/runs/{run_id}/nodes/w1/resume", json={"data": {}})
    assert (await api.data("GET", f"/v1/runs/{run_id}"))["status"] == "waiting"
    await api.call("POST", f"/v1/runs/{run_id}/nodes/w2/resume", json={"data": {}})
    assert (await api.emu.wait_for_run(run_id))["status"] == "success"
    headers = {"Last-Event-ID": "0"}
    async with api.session.get(f"/v1/runs/{run_id}/stream", headers=headers) as response:
        events = await SseReader(response).rest()
    resumed = [
        (event["json"]["nodeId"], event["json"]["status"])
        for event in events
        if event["event"] == "run_resumed"
    ]
    assert resumed == [("w1", "waiting"), ("w2", "running")]


@pytest.fixture
def target(scripted: ScriptedServer) -> ScriptedServer:
    """The scripted server as a loopback target of http-request nodes: ``/broken`` answers 503,
    any other path echoes the method, the JSON body and the ``X-T`` header."""

    async def echo(request: web.Request) -> web.Response:
        body = await request.json() if await request.read() else None  # read: kept, not gone
        return web.json_response(
            {"method": request.method, "got": body, "h": request.headers["X-T"]}
        )

    scripted.script("/broken", Reply(503, {"error": "down"}))
    scripted.script("/{path}", echo)
    return scripted


async def test_http_request_calls_a_loopback_server(api: Api, target: ScriptedServer) -> None:
    """http-request reaches a loopback server and records {status, headers, body}."""
    url = target.url + "/echo"
    payload = {
        "url": url,
        "method": "POST",
        "headers": {"X-T": "1"},
        "body": {"n": "{{root.result.n}}"},
    }
    run = await api.run(linear(("call", "http-request", payload)), payload={"n": 3})
    result = _state(run, "call")["result"]
    assert run["status"] == "success"
    assert result["status"] == 200
    assert result["body"] == {"method": "POST", "got": {"n": 3}, "h": "1"}


async def test_http_request_error_status_fails_the_node(api: Api, target: ScriptedServer) -> None:
    """A 4xx/5xx answer fails the http-request node but keeps the response as its result."""
    payload = {"url": target.url + "/broken", "headers": {"X-T": "1"}}
    run = await api.run(linear(("call", "http-request", payload)))
    state = _state(run, "call")
    assert (state["status"], state["error"]["code"]) == ("failure", "http_error")
    assert state["result"]["status"] == 503


@pytest.mark.parametrize("url", ["http://example.com/x", "http://10.0.0.1/", "ftp://127.0.0.1/"])
async def test_http_request_refuses_non_loopback_urls(api: Api, url: str) -> None:
    """Non-loopback hosts (and non-HTTP schemes) fail the node without connecting."""
    run = await api.run(linear(("call", "http-request", {"url": url})))
    state = _state(run, "call")
    assert state["status"] == "failure"
    assert state["error"]["code"] in ("loopback_only", "invalid_url")
    assert "loopback" in state["error"]["message"] or "scheme" in state["error"]["message"]
