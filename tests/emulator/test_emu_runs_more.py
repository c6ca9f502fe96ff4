"""Runs in the emulator, the rest: synchronous runs, transaction attribution, counts by workflow."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import Api, linear

from b3os_async.testing.routes import runs as run_routes


async def sync(api: Api, body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
    """POST /v1/runs/sync; the (bare) answer."""
    async with api.session.post("/v1/runs/sync", json=body) as response:
        assert response.status == expect, await response.text()
        return dict(await response.json())


async def test_a_sync_run_answers_when_it_ended(api: Api) -> None:
    """The bare answer carries the final status and every node's state."""
    body = {"definition": linear(("e", "echo", {"v": "{{root.result.v}}"})), "payload": {"v": 2}}
    data = await sync(api, body)
    assert data["status"] == "success"
    assert data["executionState"]["e"]["result"] == {"v": 2}
    assert isinstance(data["durationMs"], int)


async def test_a_sync_run_is_a_stored_run(api: Api) -> None:
    """The run can be fetched afterwards (an ephemeral run, workflowId "")."""
    data = await sync(api, {"definition": linear()})
    run = await api.data("GET", f"/v1/runs/{data['runId']}")
    assert (run["status"], run["workflowId"]) == ("success", "")


async def test_wait_and_for_each_nodes_are_refused(api: Api) -> None:
    """A wait or for-each node: 400228 naming the nodes, nothing runs."""
    definition = linear(("w", "wait", {}), ("f", "for-each", {}))
    body = await sync(api, {"definition": definition}, expect=400)
    assert body["code"] == 400228
    assert sorted(item["nodeId"] for item in body["details"]) == ["f", "w"]
    assert (await api.data("GET", "/v1/runs"))["items"] == []


async def test_more_than_20_nodes_are_refused(api: Api) -> None:
    """21 nodes: 400228."""
    definition = linear(*[(f"n{i}", "echo", {}) for i in range(20)])
    body = await sync(api, {"definition": definition}, expect=400)
    assert "at most 20" in body["message"]


async def test_a_sync_run_needs_a_manual_trigger(api: Api) -> None:
    """A cronjob trigger: 400229, like ephemeral runs."""
    body = await sync(api, {"definition": linear(trigger="cronjob")}, expect=400)
    assert body["code"] == 400229


@pytest.mark.slow
async def test_a_sync_run_past_the_time_limit_is_cancelled(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run still going at the limit is cancelled and answered cancelled."""
    monkeypatch.setattr(run_routes, "SYNC_TIMEOUT", 0.2)
    data = await sync(api, {"definition": linear(("d", "delay", {"ms": 5000}))})
    assert data["status"] == "cancelled"
    assert data["executionState"]["d"]["status"] == "cancelled"


async def test_tx_attribution_finds_the_run_and_node(api: Api) -> None:
    """A hash a node reported (txHash in its result) is attributed; others are left out."""
    wf = await api.create(linear(("send", "echo", {"txHash": "0xAbC"})), name="payer")
    started = await api.data("POST", f"/v1/workflows/{wf['id']}/run", json={})
    await api.emu.wait_for_run(started["runId"])
    body = {"txHashes": ["0xabc", "0xdead"]}
    data = await api.data("POST", "/v1/runs/tx-attribution", json=body)
    assert list(data) == ["0xabc"]
    hit = data["0xabc"]
    assert (hit["runId"], hit["nodeId"], hit["actionType"], hit["workflowName"]) == (
        started["runId"],
        "send",
        "echo",
        "payer",
    )


async def test_tx_attribution_hides_other_orgs_runs(api: Api) -> None:
    """Another organization's hashes are not attributed."""
    await api.run(linear(("send", "echo", {"txHash": "0x1"})))
    _, other = api.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    body = {"txHashes": ["0x1"]}
    answer = await api.call("POST", "/v1/runs/tx-attribution", json=body, headers=headers)
    assert answer["data"] == {}


async def test_tx_attribution_needs_1_to_200_hashes(api: Api) -> None:
    """No hash or 201 hashes: 400002."""
    for hashes in ([], ["0x1"] * 201):
        body = {"txHashes": hashes}
        answer = await api.call("POST", "/v1/runs/tx-attribution", json=body, expect=400)
        assert answer["code"] == 400002


async def test_counts_by_workflow_most_runs_first(api: Api) -> None:
    """Each workflow's counts, the busiest first; ephemeral runs belong to none."""
    quiet, busy = await api.create(linear()), await api.create(linear())
    for wf in (quiet, busy, busy):
        started = await api.data("POST", f"/v1/workflows/{wf['id']}/run", json={})
        await api.emu.wait_for_run(started["runId"])
    await api.run(linear())
    rows = await api.data("GET", "/v1/runs/status-counts/by-workflow")
    assert [(row["workflowId"], row["total"]) for row in rows] == [
        (busy["id"], 2),
        (quiet["id"], 1),
    ]


async def test_counts_by_workflow_since_the_future_are_empty(api: Api) -> None:
    """since after every run: no rows."""
    await api.run(linear())
    wf = await api.create(linear())
    started = await api.data("POST", f"/v1/workflows/{wf['id']}/run", json={})
    await api.emu.wait_for_run(started["runId"])
    params = {"since": "2999-01-01T00:00:00Z"}
    assert await api.data("GET", "/v1/runs/status-counts/by-workflow", params=params) == []


async def test_variable_writes_of_another_orgs_run_are_404(api: Api) -> None:
    """variable-writes of a run the caller cannot see: 404003."""
    done = await api.run(linear())
    _, other = api.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    path = f"/v1/runs/{done['id']}/variable-writes"
    assert (await api.call("GET", path, headers=headers, expect=404))["code"] == 404003
