"""Scheduled workflows on the emulator's clock: firing, pause, cooldown, maxRuns, refill."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from emu_helpers import Api, linear

from b3os_async.testing import Emulator
from b3os_async.testing._domain import schedules

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
EVERY_15 = {"schedule": "*/15 * * * *"}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator whose clock is frozen at 2030-01-01T00:00Z."""
    async with Emulator(seed=3, frozen_at=T0) as emulator:
        yield emulator


def cron(payload: dict[str, Any] = EVERY_15) -> dict[str, Any]:
    """A definition whose cronjob trigger (``payload``) starts one echo node."""
    definition = linear(("note", "echo", {"at": "{{root.result.triggeredAt}}"}), trigger="cronjob")
    definition["nodes"]["root"]["payload"] = payload
    return definition


async def published(api: Api, definition: dict[str, Any], **settings: Any) -> str:
    """Create and publish a workflow; its id."""
    body = {"name": "sched", "description": "", "definition": definition, **settings}
    wf = await api.data("POST", "/v1/workflows", json=body)
    await api.data("POST", f"/v1/workflows/{wf['id']}/publish", json={})
    return str(wf["id"])


async def runs_of(api: Api, wf_id: str) -> list[dict[str, Any]]:
    """The workflow's runs, oldest first."""
    page = await api.data("GET", f"/v1/workflows/{wf_id}/runs", params={"limit": "100"})
    return list(reversed(page["items"]))


async def eventually(
    read: Callable[[], Awaitable[list[dict[str, Any]]]], count: int
) -> list[dict[str, Any]]:
    """``read()`` once it returns ``count`` items (at most ~5 s), else its last answer."""
    found = await read()
    for _ in range(250):
        if len(found) >= count:
            break
        await asyncio.sleep(0.02)
        found = await read()
    return found


async def test_every_15_minutes_fires_four_times_in_an_hour(emu: Emulator, api: Api) -> None:
    """Advancing the clock an hour fires a */15 workflow at :15, :30, :45 and :00, in order."""
    wf_id = await published(api, cron())
    fired = await emu.clock.advance(hours=1)
    runs = await runs_of(api, wf_id)
    assert [run["id"] for run in runs] == fired
    assert [run["startedAt"] for run in runs] == [
        "2030-01-01T00:15:00.000Z",
        "2030-01-01T00:30:00.000Z",
        "2030-01-01T00:45:00.000Z",
        "2030-01-01T01:00:00.000Z",
    ]


async def test_fired_runs_are_automatic_and_finished(emu: Emulator, api: Api) -> None:
    """Scheduled runs say triggerSource "schedule" and have settled when advance returns."""
    wf_id = await published(api, cron())
    await emu.clock.advance(minutes=15)
    (run,) = await runs_of(api, wf_id)
    assert (run["triggerSource"], run["status"]) == ("schedule", "success")


async def test_a_draft_never_fires(emu: Emulator, api: Api) -> None:
    """Only the live version's triggers fire: an unpublished workflow does not."""
    body = {"name": "draft", "description": "", "definition": cron()}
    await api.data("POST", "/v1/workflows", json=body)
    assert await emu.clock.advance(hours=1) == []


async def test_pausing_stops_firing_and_resuming_starts_again(emu: Emulator, api: Api) -> None:
    """A paused workflow does not fire; resumed, it fires again from then on."""
    wf_id = await published(api, cron())
    await api.data("POST", f"/v1/workflows/{wf_id}/pause", json={})
    assert await emu.clock.advance(hours=1) == []
    await api.data("POST", f"/v1/workflows/{wf_id}/resume", json={})
    assert len(await emu.clock.advance(minutes=30)) == 2


async def test_archiving_stops_firing(emu: Emulator, api: Api) -> None:
    """An archived workflow does not fire."""
    wf_id = await published(api, cron())
    await api.data("DELETE", f"/v1/workflows/{wf_id}")
    assert await emu.clock.advance(hours=1) == []


async def test_cooldown_skips_fires_too_soon_after_the_last_run(emu: Emulator, api: Api) -> None:
    """With cooldownMs 20 min, a */15 workflow fires at :15 and :45 only in an hour."""
    wf_id = await published(api, cron(), cooldownMs=20 * 60_000)
    await emu.clock.advance(hours=1)
    runs = await runs_of(api, wf_id)
    assert [run["startedAt"][11:16] for run in runs] == ["00:15", "00:45"]


async def test_max_runs_pauses_the_workflow_when_spent(emu: Emulator, api: Api) -> None:
    """After maxRuns automatic runs the workflow pauses itself (max_runs_exhausted)."""
    wf_id = await published(api, cron(), maxRuns=2)
    assert len(await emu.clock.advance(hours=2)) == 2
    wf = await api.data("GET", f"/v1/workflows/{wf_id}")
    assert (wf["status"], wf["pausedReason"], wf["remainRuns"]) == (
        "paused",
        "max_runs_exhausted",
        0,
    )


async def test_refill_resumes_a_workflow_that_ran_out(emu: Emulator, api: Api) -> None:
    """refill(remainRuns) resumes an exhausted workflow and it fires that many more times."""
    wf_id = await published(api, cron(), maxRuns=1)
    await emu.clock.advance(minutes=30)
    refilled = await api.data("POST", f"/v1/workflows/{wf_id}/refill", json={"remainRuns": 2})
    assert refilled == {"remainRuns": 2, "workflowId": wf_id}
    assert len(await emu.clock.advance(hours=2)) == 2
    wf = await api.data("GET", f"/v1/workflows/{wf_id}")
    assert (wf["status"], wf["remainRuns"]) == ("paused", 0)


async def test_manual_runs_ignore_max_runs_and_cooldown(emu: Emulator, api: Api) -> None:
    """POST …/run works on an exhausted workflow and leaves remainRuns alone."""
    wf_id = await published(api, cron(), maxRuns=1, cooldownMs=3_600_000)
    await emu.clock.advance(minutes=15)
    started = await api.data("POST", f"/v1/workflows/{wf_id}/run", json={})
    assert (await emu.wait_for_run(started["runId"]))["triggerSource"] == "manual"
    wf = await api.data("GET", f"/v1/workflows/{wf_id}")
    assert wf["remainRuns"] == 0


async def test_refill_needs_at_least_one_run(api: Api) -> None:
    """remainRuns 0 is refused (400002)."""
    wf_id = await published(api, cron())
    body = await api.call(
        "POST", f"/v1/workflows/{wf_id}/refill", json={"remainRuns": 0}, expect=400
    )
    assert body["code"] == 400002


@pytest.mark.slow
async def test_refill_of_an_archived_workflow_is_refused(api: Api) -> None:
    """Refilling an archived workflow is a 409004."""
    wf_id = await published(api, cron())
    await api.data("DELETE", f"/v1/workflows/{wf_id}")
    path = f"/v1/workflows/{wf_id}/refill"
    body = await api.call("POST", path, json={"remainRuns": 3}, expect=409)
    assert body["code"] == 409004


async def test_schedule_answers_the_next_fire_and_the_clock(emu: Emulator, api: Api) -> None:
    """GET …/schedule is bare {nextRunAt, serverTime} read from the emulator's clock."""
    wf_id = await published(api, cron())
    await emu.clock.advance(minutes=20)
    async with api.session.get(f"/v1/workflows/{wf_id}/schedule") as response:
        body = await response.json()
    assert body == {
        "nextRunAt": "2030-01-01T00:30:00.000Z",
        "serverTime": "2030-01-01T00:20:00.000Z",
    }


async def test_schedule_of_a_paused_workflow_has_no_next_run(api: Api) -> None:
    """Nothing is armed while paused: no nextRunAt."""
    wf_id = await published(api, cron())
    await api.data("POST", f"/v1/workflows/{wf_id}/pause", json={})
    async with api.session.get(f"/v1/workflows/{wf_id}/schedule") as response:
        assert "nextRunAt" not in await response.json()


async def test_schedule_of_another_orgs_workflow_is_404(emu: Emulator, api: Api) -> None:
    """Another organization's workflow is not found (404002)."""
    wf_id = await published(api, cron())
    _, other = emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    body = await api.call("GET", f"/v1/workflows/{wf_id}/schedule", headers=headers, expect=404)
    assert body["code"] == 404002


async def test_publish_refuses_a_schedule_below_the_minimum(api: Api) -> None:
    """A 30-second rrule fails publish with 400228 and an invalid_schedule detail."""
    rule = {"rrule": "DTSTART:20300101T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=30"}
    wf = await api.create(cron(rule))
    body = await api.call("POST", f"/v1/workflows/{wf['id']}/publish", json={}, expect=400)
    assert body["code"] == 400228
    assert body["details"][0]["code"] == "invalid_schedule"


async def test_an_interval_trigger_keeps_its_phase_across_unrelated_changes(
    emu: Emulator, api: Api
) -> None:
    """A visibility change does not re-arm: the interval still fires 10 min after publish."""
    wf_id = await published(api, cron({"intervalMs": 600_000}))
    await emu.clock.advance(minutes=5)
    await api.data("PUT", f"/v1/workflows/{wf_id}/visibility", json={"visibility": "org"})
    await emu.clock.advance(minutes=5)
    assert [run["startedAt"] for run in await runs_of(api, wf_id)] == ["2030-01-01T00:10:00.000Z"]


async def test_trigger_aggregates_count_runs_per_trigger(emu: Emulator, api: Api) -> None:
    """trigger-aggregates: runs of each trigger node, last fire and next fire."""
    definition = cron()
    definition["nodes"]["by_hand"] = {"type": "manual", "payload": {}, "children": ["note"]}
    definition["triggerNodeIds"] = ["root", "by_hand"]
    wf_id = await published(api, definition)
    await emu.clock.advance(minutes=30)
    data = await api.data("GET", f"/v1/workflows/{wf_id}/trigger-aggregates")
    by_node = {item["triggerNodeId"]: item for item in data["triggers"]}
    assert by_node["root"]["runCount"] == 2
    assert by_node["root"]["lastFiredAt"] == "2030-01-01T00:30:00.000Z"
    assert by_node["root"]["nextFireAt"] == "2030-01-01T00:45:00.000Z"
    assert by_node["by_hand"]["runCount"] == 0


async def test_runs_fall_due_when_the_clock_jumps_by_freeze(emu: Emulator, api: Api) -> None:
    """freeze(at=later) moves time; the scheduler's loop fires what fell due by itself."""
    wf_id = await published(api, cron())
    emu.clock.freeze(at=T0 + timedelta(minutes=31))
    assert await eventually(lambda: runs_of(api, wf_id), 2)


@pytest.mark.slow
async def test_a_running_clock_fires_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """In real time the scheduler fires a due interval trigger without any advance()."""
    monkeypatch.setattr(schedules, "MIN_INTERVAL", timedelta(0))
    async with Emulator(seed=4) as emulator:
        headers = {"Authorization": f"Bearer {emulator.api_key}"}
        async with aiohttp.ClientSession(emulator.url, headers=headers) as session:
            api = Api(emulator, session)
            wf_id = await published(api, cron({"intervalMs": 300}))
            runs = await eventually(lambda: runs_of(api, wf_id), 1)
            assert runs[0]["triggerSource"] == "schedule"
