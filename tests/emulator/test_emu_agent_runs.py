"""The emulator's agent runs over raw HTTP: a log that grows over time, since=, phases,
artifacts, errors."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from emu_helpers import Api

from b3os_async.testing import Emulator
from b3os_async.testing._common import IdSource
from b3os_async.testing._domain.agent_runs import AgentRunBook
from b3os_async.testing._domain.organizations import Principal
from b3os_async.testing._graph import validation_errors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
async def slow() -> AsyncIterator[Api]:
    """An emulator whose agent runs take ~0.3 s (one event every 0.05 s), and raw helpers."""
    async with Emulator(seed=4, caddie_pace=0.01) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            yield Api(emu, session)


async def finished(api: Api, run_id: str) -> Any:
    """Poll until the run ended; its data."""
    for _ in range(200):
        data = await api.data("GET", f"/v1/agent-runs/{run_id}")
        if data["state"]["phase"] in ("completed", "failed"):
            return data
        await asyncio.sleep(0.02)
    raise AssertionError(f"agent run {run_id} did not end")


async def start(api: Api, agent: str = "app-builder", prompt: str = "an app", **body: Any) -> Any:
    return await api.data(
        "POST", "/v1/agent-runs", json={"agentType": agent, "prompt": prompt, **body}
    )


def test_the_log_grows_with_time_from_queued_to_completed() -> None:
    """With the clock at 0, 1, 2.5 and 6 steps: queued, 1 row, 2 rows, then completed with
    all rows and the conversation's artifact."""
    now = [100.0]
    book = AgentRunBook(IdSource(0), lambda: now[0], lambda: 0.1)  # one row every 0.5 s
    who = Principal(org_id="org_1", scope="read-write", key_id="k", user_id="u")
    run = book.start(who, "app-builder", "an app", None)
    seen = []
    for elapsed in (0.0, 0.5, 1.25, 3.0):
        now[0] = 100.0 + elapsed
        view = book.view(run, 0, "http://emu")
        artifacts, _ = book.artifacts("org_1", run.conversation_id, 10, 0, "http://emu")
        seen.append((view["state"]["phase"], len(view["events"]), len(artifacts)))
    assert seen == [("queued", 0, 0), ("running", 1, 0), ("running", 2, 0), ("completed", 6, 1)]
    assert view["state"]["servedUrl"] == f"http://emu/artifacts/{run.id}/"
    assert "finishedAt" in view["state"]


@pytest.mark.slow
async def test_a_new_run_is_queued_then_completes(slow: Api) -> None:
    """Over HTTP a run ends completed with all six rows in seq order."""
    started = await start(slow)
    path = f"/v1/agent-runs/{started['runId']}"
    for _ in range(200):
        data = await slow.data("GET", path)
        if data["state"]["phase"] == "completed":
            break
        await asyncio.sleep(0.02)
    assert [e["seq"] for e in data["events"]] == [1, 2, 3, 4, 5, 6]


async def test_a_slow_run_is_queued_right_after_the_start() -> None:
    """Before its first row is due (pace 1: 5 s per row) a run is queued with no rows."""
    async with Emulator(caddie_pace=1.0) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            api = Api(emu, session)
            started = await start(api)
            data = await api.data("GET", f"/v1/agent-runs/{started['runId']}")
    assert data["state"]["phase"] == "queued"
    assert data["events"] == []


@pytest.mark.slow
async def test_since_returns_only_later_rows(slow: Api) -> None:
    """?since=N answers the rows with seq > N."""
    started = await start(slow)
    await finished(slow, started["runId"])
    data = await slow.data("GET", f"/v1/agent-runs/{started['runId']}", params={"since": 4})
    assert [e["seq"] for e in data["events"]] == [5, 6]


@pytest.mark.slow
async def test_a_finished_serving_run_is_a_conversation_artifact(slow: Api) -> None:
    """A conversation's artifacts list its finished serving runs (other conversations' not)."""
    started = await start(slow, conversationId="conv_a")
    other = await start(slow, conversationId="conv_b")
    query = {"conversationId": "conv_a"}
    await finished(slow, started["runId"])
    await finished(slow, other["runId"])
    after = await slow.data("GET", "/v1/agent-runs/artifacts", params=query)
    assert [item["runId"] for item in after["items"]] == [started["runId"]]


@pytest.mark.slow
async def test_the_workflow_builder_ends_with_a_valid_definition(slow: Api) -> None:
    """workflow-builder's last result row carries a definition that validates; it serves none."""
    started = await start(slow, "workflow-builder", "every hour fetch the ETH price and log it")
    data = await finished(slow, started["runId"])
    result = next(e for e in data["events"] if e["type"] == "result")
    assert validation_errors(result["metadata"]["definition"]) == []
    assert "servedUrl" not in data["state"]


@pytest.mark.slow
async def test_a_fail_prompt_ends_failed(slow: Api) -> None:
    """A prompt with [fail] ends the run in phase failed with an error row."""
    started = await start(slow, prompt="[fail] please")
    data = await finished(slow, started["runId"])
    assert data["state"]["phase"] == "failed"
    assert data["events"][-1]["level"] == "error"


async def test_another_organizations_run_is_404008(slow: Api) -> None:
    """A run of another organization (or none) is not found."""
    started = await start(slow)
    _, key = slow.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {key}"}
    path = f"/v1/agent-runs/{started['runId']}"
    body = await slow.call("GET", path, expect=404, headers=headers)
    assert body["code"] == 404008


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/v1/agent-runs", {"json": {"agentType": "nope", "prompt": "x"}}),
        ("POST", "/v1/agent-runs", {"json": {"agentType": "app-builder"}}),
        ("GET", "/v1/agent-runs/artifacts", {}),
    ],
)
async def test_bad_requests_are_400(slow: Api, method: str, path: str, kwargs: Any) -> None:
    """An unknown agent type, a missing prompt, artifacts without a conversation: 400."""
    await slow.call(method, path, expect=400, **kwargs)


async def test_a_negative_since_is_400(slow: Api) -> None:
    """since must not be negative."""
    started = await start(slow)
    await slow.call("GET", f"/v1/agent-runs/{started['runId']}", expect=400, params={"since": -1})


async def test_agents_lists_the_enabled_agents(slow: Api) -> None:
    """Three agents, each with an agentType and whether it serves an artifact."""
    data = await slow.data("GET", "/v1/agent-runs/agents")
    assert {a["agentType"]: a["serves"] for a in data["agents"]} == {
        "workflow-builder": False,
        "app-builder": True,
        "report-writer": True,
    }
