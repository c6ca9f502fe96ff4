"""Run endpoints: ephemeral runs, listing, detail options, counts, cancel, retry, resume."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from emu_helpers import Api, linear


def _wait_then_echo() -> dict[str, Any]:
    return linear(("hold", "wait", {}), ("after", "echo", {"done": True}))


async def test_ephemeral_run_executes_and_is_not_saved(api: Api) -> None:
    """POST /v1/runs runs an inline definition; the run has workflowId "" and no workflow."""
    run = await api.run(linear(("say", "echo", {"x": 1})), runId="run_eph1")
    assert (run["id"], run["workflowId"], run["status"]) == ("run_eph1", "", "success")
    assert (await api.data("GET", "/v1/workflows"))["items"] == []


async def test_ephemeral_run_generates_an_id_when_none_is_given(api: Api) -> None:
    """Without runId the server generates a run_ id."""
    started = await api.data("POST", "/v1/runs", json={"definition": linear()})
    assert started["runId"].startswith("run_")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, 400228),
        ({"definition": {"nodes": {"a": {"type": "echo", "payload": {}}}}}, 400228),
        ({"definition": linear(trigger="cronjob")}, 400229),
        ({"definition": linear(), "runId": "abc"}, 400078),
        ({"definition": linear(), "runId": "run_"}, 400078),
    ],
)
async def test_ephemeral_run_errors(api: Api, body: dict[str, Any], code: int) -> None:
    """Missing/invalid definition, non-manual trigger and a bad runId answer 400 with codes."""
    answer = await api.call("POST", "/v1/runs", json=body, expect=400)
    assert answer["code"] == code


async def test_duplicate_run_id_is_400079(api: Api) -> None:
    """Reusing a run id answers 400 with code 400079 (the idempotency signal)."""
    body = {"definition": linear(), "runId": "run_twice"}
    await api.data("POST", "/v1/runs", json=body)
    answer = await api.call("POST", "/v1/runs", json=body, expect=400)
    assert answer["code"] == 400079


async def test_list_runs_newest_first_with_status_filter(api: Api) -> None:
    """GET /v1/runs lists runs newest first; ?status filters; a bad status is 400."""
    await api.run(linear(), runId="run_one")
    await api.run(linear(("boom", "fail", {})), runId="run_two")
    listed = await api.data("GET", "/v1/runs")
    assert [item["id"] for item in listed["items"]] == ["run_two", "run_one"]
    failed = await api.data("GET", "/v1/runs", params={"status": "failure"})
    assert [item["id"] for item in failed["items"]] == ["run_two"]
    await api.call("GET", "/v1/runs", params={"status": "exploded"}, expect=400)


async def test_get_run_summary_and_node_filter(api: Api) -> None:
    """summary=true omits executionState and workflowDefinition; nodeIds keeps only those."""
    await api.run(linear(("a", "echo", {}), ("b", "echo", {})), runId="run_detail")
    full = await api.data("GET", "/v1/runs/run_detail")
    assert set(full["executionState"]) == {"root", "a", "b"}
    assert "workflowDefinition" in full
    summary = await api.data("GET", "/v1/runs/run_detail", params={"summary": "true"})
    assert "executionState" not in summary
    assert "workflowDefinition" not in summary
    some = await api.data("GET", "/v1/runs/run_detail", params={"nodeIds": "a,zzz"})
    assert set(some["executionState"]) == {"a"}
    await api.call("GET", "/v1/runs/run_detail", params={"summary": "maybe"}, expect=400)


async def test_status_counts_with_since(api: Api) -> None:
    """status-counts counts runs by status; since filters by start time; bad since is 400."""
    await api.run(linear(), runId="run_c1")
    await api.run(linear(("boom", "fail", {})), runId="run_c2")
    counts = await api.data("GET", "/v1/runs/status-counts")
    assert (counts["success"], counts["failure"], counts["total"]) == (1, 1, 2)
    future = await api.data(
        "GET", "/v1/runs/status-counts", params={"since": "2999-01-01T00:00:00Z"}
    )
    assert future["total"] == 0
    await api.call("GET", "/v1/runs/status-counts", params={"since": "yesterday"}, expect=400)


async def test_cancel_a_waiting_run(api: Api) -> None:
    """Cancel ends a waiting run as cancelled; cancelling again answers 409."""
    started = await api.data("POST", "/v1/runs", json={"definition": _wait_then_echo()})
    run_id = started["runId"]
    await api.emu.wait_for_run(run_id, "waiting")
    cancelled = await api.data("POST", f"/v1/runs/{run_id}/cancel")
    assert cancelled["status"] == "cancelled"
    assert cancelled["executionState"]["hold"]["status"] == "cancelled"
    assert cancelled["executionState"]["after"]["status"] == "cancelled"
    answer = await api.call("POST", f"/v1/runs/{run_id}/cancel", expect=409)
    assert answer["code"] == 409002


async def test_cancel_a_running_delay(api: Api) -> None:
    """Cancel interrupts a node that is still running (a long delay)."""
    started = await api.data(
        "POST", "/v1/runs", json={"definition": linear(("slow", "delay", {"ms": 10_000}))}
    )
    await api.emu.wait_for_run(started["runId"], "running")
    cancelled = await api.data("POST", f"/v1/runs/{started['runId']}/cancel")
    assert cancelled["executionState"]["slow"]["status"] == "cancelled"


async def test_retry_reruns_from_the_failure_point(api: Api) -> None:
    """Retry makes a new run (sourceRunId set) keeping successful nodes and re-running failed."""
    definition = linear(
        ("first", "echo", {"n": 1}),
        ("flaky", "fail", {"when": "{{$props.broken}}"}),
        ("last", "echo", {"n": "{{first.result.n}}"}),
    )
    failed = await api.run(definition, runId="run_src", propValues={"broken": True})
    assert failed["status"] == "failure"
    retried = await api.data("POST", "/v1/runs/run_src/retry")
    assert retried["sourceRunId"] == "run_src"
    assert retried["id"] != "run_src"
    kept = retried["executionState"]["first"]
    assert kept == failed["executionState"]["first"]
    # propValues are kept too, so the flaky node fails again: the point is where it restarts.
    again = await api.emu.wait_for_run(retried["id"])
    assert again["executionState"]["flaky"]["status"] == "failure"
    assert again["executionState"]["first"]["startedAt"] == kept["startedAt"]


@pytest.mark.slow
async def test_retry_of_a_cancelled_run_finishes_it(api: Api) -> None:
    """A cancelled run can be retried: finished nodes are kept, unfinished ones run again."""
    started = await api.data(
        "POST", "/v1/runs", json={"definition": linear(("a", "delay", {"ms": 5000}))}
    )
    await api.emu.wait_for_run(started["runId"], "running")
    await api.data("POST", f"/v1/runs/{started['runId']}/cancel")
    # The delay is long, so cancel the retry as well; what matters is that it restarted "a".
    retried = await api.data("POST", f"/v1/runs/{started['runId']}/retry")
    assert retried["executionState"]["root"]["status"] == "success"
    assert retried["executionState"]["a"]["status"] in ("pending", "running")
    await api.data("POST", f"/v1/runs/{retried['id']}/cancel")


async def test_retry_of_a_successful_run_is_409(api: Api) -> None:
    """Only failure, partial and cancelled runs can be retried."""
    await api.run(linear(), runId="run_fine")
    answer = await api.call("POST", "/v1/runs/run_fine/retry", expect=409)
    assert answer["code"] == 409003


async def test_resume_with_the_workflow_secret_instead_of_a_key(api: Api) -> None:
    """The resume route accepts ?secret= (the workflow's triggerSecret) without a bearer key."""
    workflow = await api.create(_wait_then_echo())
    run_id = (await api.data("POST", f"/v1/workflows/{workflow['id']}/run", json={}))["runId"]
    await api.emu.wait_for_run(run_id, "waiting")
    async with aiohttp.ClientSession(api.emu.url) as anonymous:
        url = f"/v1/runs/{run_id}/nodes/hold/resume"
        async with anonymous.post(url, params={"secret": "wrong"}, json={}) as response:
            assert response.status == 401
            assert (await response.json())["code"] == 401003
        async with anonymous.post(url, params={"secret": workflow["triggerSecret"]}) as response:
            assert response.status == 200
            assert await response.json() == {"action": "resumed", "reason": ""}
        async with anonymous.post(url, json={}) as response:
            assert response.status == 401
    assert (await api.emu.wait_for_run(run_id))["status"] == "success"


async def test_resume_of_a_node_that_is_not_waiting_is_skipped(api: Api) -> None:
    """Resuming a node that is not waiting answers 200 {action: skipped, reason}."""
    await api.run(linear(("a", "echo", {})), runId="run_done")
    answer = await api.call("POST", "/v1/runs/run_done/nodes/a/resume", json={"data": {}})
    assert answer["action"] == "skipped"
    assert "not waiting" in answer["reason"]
    missing = await api.call("POST", "/v1/runs/run_done/nodes/ghost/resume", expect=404)
    assert missing["code"] == 404007


async def test_resume_needs_a_write_key(api: Api) -> None:
    """A read-only bearer key cannot resume a node (403)."""
    key = api.emu.create_api_key("read")
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        aiohttp.ClientSession(api.emu.url, headers=headers) as session,
        session.post("/v1/runs/run_x/nodes/a/resume", json={}) as response,
    ):
        assert response.status == 403
