"""List endpoints over their indexes: every sort and filter pages consistently as objects change."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from emu_helpers import Api, linear

WAITS = linear(("hold", "wait", {}))


async def _create(api: Api, name: str, **extra: Any) -> str:
    body = {"name": name, "description": "some text", "definition": linear(), **extra}
    created: dict[str, Any] = await api.data("POST", "/v1/workflows", json=body)
    return str(created["id"])


async def _walk(api: Api, path: str, limit: int = 2, **params: str) -> list[str]:
    """Every id of a list, page by page, checking hasMore on each page."""
    found: list[str] = []
    offset = 0
    while True:
        query = {"limit": str(limit), "offset": str(offset), **params}
        data = await api.data("GET", path, params=query)
        found += [item["id"] for item in data["items"]]
        offset += limit
        if not data["hasMore"]:
            assert len(data["items"]) <= limit
            return found
        assert len(data["items"]) == limit


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("updatedAt:desc", ["d", "a", "e", "c", "b"]),
        ("createdAt:desc", ["e", "d", "c", "b", "a"]),
        ("name:asc", ["a", "b", "c", "d", "e"]),
        ("runs:desc", ["c", "b", "e", "d", "a"]),
    ],
)
async def test_every_sort_pages_through_the_whole_list(
    api: Api, sort: str, expected: list[str]
) -> None:
    """Each sort, walked 2 by 2, lists every workflow once in order (after updates and runs)."""
    names = {name: await _create(api, f"Name {name.upper()}") for name in "abcde"}
    await asyncio.sleep(0.002)  # timestamps have millisecond resolution
    await api.data("PUT", f"/v1/workflows/{names['a']}", json={"description": "changed"})
    await api.data("PUT", f"/v1/workflows/{names['d']}", json={"description": "changed"})
    for name, runs in (("c", 2), ("b", 1)):
        for _ in range(runs):
            await api.data("POST", f"/v1/workflows/{names[name]}/run", json={})
    walked = await _walk(api, "/v1/workflows", sort=sort)
    assert walked == [names[name] for name in expected]


async def test_a_rename_moves_a_workflow_in_name_order(api: Api) -> None:
    """name:asc follows the current version's name after an update."""
    first, second = await _create(api, "alpha"), await _create(api, "beta")
    await api.data("PUT", f"/v1/workflows/{first}", json={"name": "zulu"})
    assert await _walk(api, "/v1/workflows", sort="name:asc") == [second, first]


async def test_archived_workflows_leave_and_rejoin_the_default_list(api: Api) -> None:
    """Archiving moves a workflow to the status=archived list; unarchiving brings it back."""
    ids = [await _create(api, f"w{i}") for i in range(3)]
    await api.data("DELETE", f"/v1/workflows/{ids[1]}")
    assert await _walk(api, "/v1/workflows") == [ids[1], ids[2], ids[0]][1:]
    assert await _walk(api, "/v1/workflows", status="archived") == [ids[1]]
    await api.data("POST", f"/v1/workflows/{ids[1]}/unarchive")
    assert await _walk(api, "/v1/workflows") == [ids[1], ids[2], ids[0]]
    assert await _walk(api, "/v1/workflows", status="archived") == []


async def test_filtered_pages_have_exact_has_more(api: Api) -> None:
    """A q filter matching 3 of 6 workflows pages 2 + 1 with hasMore true then false."""
    ids = [await _create(api, f"{'report' if i % 2 else 'other'} {i}") for i in range(6)]
    assert await _walk(api, "/v1/workflows", q="REPORT") == [ids[5], ids[3], ids[1]]
    await api.data("POST", f"/v1/workflows/{ids[3]}/publish")
    assert await _walk(api, "/v1/workflows", status="draft", q="report") == [ids[5], ids[1]]
    assert await _walk(api, "/v1/workflows", status="active") == [ids[3]]


async def test_filters_read_the_current_version(api: Api) -> None:
    """type, actions and q see the content of the latest version, not the first one."""
    wf = await _create(api, "plain")
    cron = linear(("x", "delay", {"ms": 0}), trigger="cronjob")
    await api.data("PUT", f"/v1/workflows/{wf}", json={"name": "renamed", "definition": cron})
    assert await _walk(api, "/v1/workflows", type="cronjob") == [wf]
    assert await _walk(api, "/v1/workflows", actions="delay") == [wf]
    assert await _walk(api, "/v1/workflows", q="plain") == []
    assert await _walk(api, "/v1/workflows", q="RENAMED") == [wf]
    assert await _walk(api, "/v1/workflows", type="manual") == []


async def test_run_lists_and_counts_follow_status_changes(api: Api) -> None:
    """A run that moves waiting -> success moves between status lists and counters."""
    wf = await _create(api, "w", definition=WAITS)
    started = [
        (await api.data("POST", f"/v1/workflows/{wf}/run", json={}))["runId"] for _ in range(3)
    ]
    for run_id in started:
        await api.emu.wait_for_run(run_id, "waiting")
    await api.call("POST", f"/v1/runs/{started[1]}/nodes/hold/resume", json={})
    await api.emu.wait_for_run(started[1])
    for path in ("/v1/runs", f"/v1/workflows/{wf}/runs"):
        assert await _walk(api, path, limit=1, status="waiting") == [started[2], started[0]]
        assert await _walk(api, path, limit=1, status="success") == [started[1]]
        assert await _walk(api, path, limit=2) == started[::-1]
    for path in ("/v1/runs/status-counts", f"/v1/workflows/{wf}/runs/count"):
        counts = await api.data("GET", path)
        assert (counts["waiting"], counts["success"], counts["total"]) == (2, 1, 3)


async def test_status_counts_since_counts_only_later_runs(api: Api) -> None:
    """status-counts?since counts the runs started at or after since, by status."""
    first = await api.run(linear(), runId="run_early")
    await asyncio.sleep(0.002)  # timestamps have millisecond resolution
    later = await api.run(linear(("boom", "fail", {})), runId="run_late")
    counts = await api.data("GET", "/v1/runs/status-counts", params={"since": later["startedAt"]})
    assert (counts["failure"], counts["success"], counts["total"]) == (1, 0, 1)
    everything = await api.data(
        "GET", "/v1/runs/status-counts", params={"since": first["startedAt"]}
    )
    assert everything["total"] == 2


async def test_list_items_show_every_change(api: Api) -> None:
    """A listed item is re-rendered after publish, visibility, a run, and a run's end."""
    wf = await _create(api, "shown", definition=WAITS)
    before = (await api.data("GET", "/v1/workflows"))["items"][0]
    assert (before["status"], before["visibility"]) == ("draft", "private")
    await api.data("POST", f"/v1/workflows/{wf}/publish")
    await api.data("PUT", f"/v1/workflows/{wf}/visibility", json={"visibility": "org"})
    run_id = (await api.data("POST", f"/v1/workflows/{wf}/run", json={}))["runId"]
    await api.emu.wait_for_run(run_id, "waiting")
    after = (await api.data("GET", "/v1/workflows"))["items"][0]
    shown = (after["status"], after["visibility"], after["hasLiveVersion"])
    assert shown == ("active", "org", True)
    assert "lastTriggeredAt" in after
    waiting = (await api.data("GET", "/v1/runs"))["items"][0]
    assert (waiting["status"], "finishedAt" in waiting) == ("waiting", False)
    await api.call("POST", f"/v1/runs/{run_id}/nodes/hold/resume", json={})
    await api.emu.wait_for_run(run_id)
    done = (await api.data("GET", "/v1/runs"))["items"][0]
    assert (done["status"], "finishedAt" in done, "summary" in done) == ("success", True, True)


async def test_a_page_of_cached_items_is_the_same_json_as_a_rendered_one(api: Api) -> None:
    """The list answer's bytes equal the envelope encoded in one piece (same keys, same order)."""
    await _create(api, "naïve € name")
    async with api.session.get("/v1/workflows", params={"limit": "5"}) as response:
        raw = await response.text()
    body = json.loads(raw)
    assert raw == json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    assert list(body) == ["code", "data", "message", "requestId"]
    assert list(body["data"]) == ["items", "limit", "offset", "hasMore"]
    assert body["data"]["items"][0]["name"] == "naïve € name"
