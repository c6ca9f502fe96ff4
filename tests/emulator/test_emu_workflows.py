"""Workflow endpoints: create, list filters, versions, lifecycle, validation, runs per workflow."""

from __future__ import annotations

from typing import Any

import pytest
from emu_helpers import Api, linear


def _echo(text: str) -> dict[str, Any]:
    return linear(("say", "echo", {"text": text}))


async def test_create_starts_as_draft_version_1(api: Api) -> None:
    """A new workflow is version 1, status draft, with a draft and no live version."""
    created = await api.create(_echo("hi"), name="first")
    assert created["id"].startswith("wf_")
    assert (created["status"], created["version"]) == ("draft", 1)
    assert (created["hasDraft"], created["hasLiveVersion"]) == (True, False)
    assert created["type"] == "manual"
    fetched = await api.data("GET", f"/v1/workflows/{created['id']}")
    assert fetched["definition"] == _echo("hi")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"description": "d", "definition": linear()}, 400002),
        ({"name": "n", "description": "d"}, 400228),
        ({"name": "n", "description": "d", "definition": {"nodes": []}}, 400228),
        ({"name": "n", "description": "d", "definition": linear(), "cooldownMs": 5}, 400002),
    ],
)
async def test_create_rejects_invalid_bodies(api: Api, body: dict[str, Any], code: int) -> None:
    """Missing name, missing/malformed definition or a bad field answers 400 with its code."""
    answer = await api.call("POST", "/v1/workflows", json=body, expect=400)
    assert answer["code"] == code


async def test_update_with_new_content_makes_a_new_draft_version(api: Api) -> None:
    """PUT with changed content creates version n+1 as the draft."""
    created = await api.create(_echo("a"))
    updated = await api.data(
        "PUT", f"/v1/workflows/{created['id']}", json={"definition": _echo("b")}
    )
    assert (updated["version"], updated["status"]) == (2, "draft")
    assert updated["definition"] == _echo("b")
    assert updated["name"] == created["name"]


async def test_update_with_identical_content_is_a_no_op(api: Api) -> None:
    """PUT with the same content keeps the current version."""
    created = await api.create(_echo("a"), name="same")
    updated = await api.data(
        "PUT", f"/v1/workflows/{created['id']}", json={"name": "same", "definition": _echo("a")}
    )
    assert updated["version"] == 1
    count = await api.data("GET", f"/v1/workflows/{created['id']}/versions/count")
    assert count == {"total": 1}


async def test_update_with_stale_expected_version_is_409(api: Api) -> None:
    """PUT with expectedCurrentVersion not equal to the current version answers 409."""
    created = await api.create(_echo("a"))
    body = {"definition": _echo("b"), "expectedCurrentVersion": 5}
    answer = await api.call("PUT", f"/v1/workflows/{created['id']}", json=body, expect=409)
    assert answer["code"] == 409001
    body["expectedCurrentVersion"] = 1
    await api.call("PUT", f"/v1/workflows/{created['id']}", json=body)


async def test_publish_makes_the_draft_live_and_active(api: Api) -> None:
    """Publish turns the draft into the live, active version; GET then returns it."""
    wf_id = (await api.create(_echo("a")))["id"]
    published = await api.data("POST", f"/v1/workflows/{wf_id}/publish", json={})
    assert (published["status"], published["hasDraft"], published["hasLiveVersion"]) == (
        "active",
        False,
        True,
    )
    live = await api.data("GET", f"/v1/workflows/{wf_id}/live")
    assert live["version"] == 1
    await api.call("GET", f"/v1/workflows/{wf_id}/draft", expect=404)


async def test_publish_errors(api: Api) -> None:
    """Publish: stale expectedVersion 409, nothing to publish 409, broken graph 400228."""
    wf_id = (await api.create(_echo("a")))["id"]
    answer = await api.call(
        "POST", f"/v1/workflows/{wf_id}/publish", json={"expectedVersion": 3}, expect=409
    )
    assert answer["code"] == 409001
    await api.data("POST", f"/v1/workflows/{wf_id}/publish", json={"expectedVersion": 1})
    answer = await api.call("POST", f"/v1/workflows/{wf_id}/publish", expect=409)
    assert answer["code"] == 409004
    broken = {"nodes": {"root": {"type": "manual", "payload": {}, "children": ["ghost"]}}}
    broken_id = (await api.create(broken))["id"]
    answer = await api.call("POST", f"/v1/workflows/{broken_id}/publish", expect=400)
    assert answer["code"] == 400228
    assert answer["details"][0]["type"] == "connectivity"


async def test_get_returns_the_draft_when_a_live_version_exists(api: Api) -> None:
    """With both, GET /workflows/{id} returns the draft; /live returns the published one."""
    wf_id = (await api.create(_echo("a")))["id"]
    await api.data("POST", f"/v1/workflows/{wf_id}/publish")
    await api.data("PUT", f"/v1/workflows/{wf_id}", json={"definition": _echo("b")})
    current = await api.data("GET", f"/v1/workflows/{wf_id}")
    assert (current["version"], current["status"], current["hasLiveVersion"]) == (
        2,
        "draft",
        True,
    )
    live = await api.data("GET", f"/v1/workflows/{wf_id}/live")
    assert (live["version"], live["status"], live["hasDraft"]) == (1, "active", True)


async def test_pause_and_resume_change_the_live_status(api: Api) -> None:
    """Pause sets the live version paused, resume active; both need a live version."""
    wf_id = (await api.create(_echo("a")))["id"]
    answer = await api.call("POST", f"/v1/workflows/{wf_id}/pause", expect=409)
    assert answer["code"] == 409004
    await api.data("POST", f"/v1/workflows/{wf_id}/publish")
    assert (await api.data("POST", f"/v1/workflows/{wf_id}/pause"))["status"] == "paused"
    assert (await api.data("POST", f"/v1/workflows/{wf_id}/resume"))["status"] == "active"


async def test_versions_list_count_and_single_version(api: Api) -> None:
    """Versions are listed newest first with currentVersion; count and one version by number."""
    wf_id = (await api.create(_echo("a")))["id"]
    await api.data("PUT", f"/v1/workflows/{wf_id}", json={"definition": _echo("b")})
    await api.data("PUT", f"/v1/workflows/{wf_id}", json={"definition": _echo("c")})
    listed = await api.data("GET", f"/v1/workflows/{wf_id}/versions", params={"limit": "2"})
    assert [item["version"] for item in listed["items"]] == [3, 2]
    assert (listed["currentVersion"], listed["hasMore"]) == (3, True)
    assert await api.data("GET", f"/v1/workflows/{wf_id}/versions/count") == {"total": 3}
    first = await api.data("GET", f"/v1/workflows/{wf_id}/versions/1")
    assert (first["definition"], first["status"]) == (_echo("a"), "archived")
    answer = await api.call("GET", f"/v1/workflows/{wf_id}/versions/9", expect=404)
    assert answer["code"] == 404004
    await api.call("GET", f"/v1/workflows/{wf_id}/versions/x", expect=400)


async def test_rollback_creates_a_new_draft_from_an_old_version(api: Api) -> None:
    """Rollback copies targetVersion's content into a new draft version."""
    wf_id = (await api.create(_echo("a")))["id"]
    await api.data("PUT", f"/v1/workflows/{wf_id}", json={"definition": _echo("b")})
    body = {"targetVersion": 1, "expectedCurrentVersion": 2}
    rolled = await api.data("POST", f"/v1/workflows/{wf_id}/rollback", json=body)
    assert (rolled["version"], rolled["definition"]) == (3, _echo("a"))
    stale = {"targetVersion": 1, "expectedCurrentVersion": 2}
    await api.call("POST", f"/v1/workflows/{wf_id}/rollback", json=stale, expect=409)
    missing = {"targetVersion": 42}
    await api.call("POST", f"/v1/workflows/{wf_id}/rollback", json=missing, expect=404)


async def test_discard_draft_returns_to_the_live_version(api: Api) -> None:
    """DELETE …/draft drops the draft (409 when it is the only version; 404 when none)."""
    wf_id = (await api.create(_echo("a")))["id"]
    answer = await api.call("DELETE", f"/v1/workflows/{wf_id}/draft", expect=409)
    assert answer["code"] == 409004
    await api.data("POST", f"/v1/workflows/{wf_id}/publish")
    await api.call("DELETE", f"/v1/workflows/{wf_id}/draft", expect=404)
    await api.data("PUT", f"/v1/workflows/{wf_id}", json={"definition": _echo("b")})
    after = await api.data("DELETE", f"/v1/workflows/{wf_id}/draft")
    assert (after["version"], after["status"], after["hasDraft"]) == (1, "active", False)


async def test_archive_and_unarchive(api: Api) -> None:
    """DELETE archives (hidden from the default list, runs refused); unarchive restores a draft."""
    wf_id = (await api.create(_echo("a")))["id"]
    await api.data("POST", f"/v1/workflows/{wf_id}/publish")
    archived = await api.data("DELETE", f"/v1/workflows/{wf_id}")
    assert archived["status"] == "archived"
    assert (await api.data("GET", "/v1/workflows"))["items"] == []
    listed = await api.data("GET", "/v1/workflows", params={"status": "archived"})
    assert [item["id"] for item in listed["items"]] == [wf_id]
    await api.call("POST", f"/v1/workflows/{wf_id}/run", json={}, expect=409)
    restored = await api.data("POST", f"/v1/workflows/{wf_id}/unarchive")
    assert (restored["status"], restored["version"]) == ("draft", 1)
    await api.call("POST", f"/v1/workflows/{wf_id}/unarchive", expect=409)


async def test_visibility(api: Api) -> None:
    """PUT …/visibility answers {id, visibility}; unknown values are 400."""
    wf_id = (await api.create(_echo("a")))["id"]
    answer = await api.data(
        "PUT", f"/v1/workflows/{wf_id}/visibility", json={"visibility": "public_view"}
    )
    assert answer == {"id": wf_id, "visibility": "public_view"}
    await api.call("PUT", f"/v1/workflows/{wf_id}/visibility", json={"visibility": "x"}, expect=400)
    listed = await api.data("GET", "/v1/workflows", params={"owner": "public"})
    assert [item["id"] for item in listed["items"]] == [wf_id]


async def test_list_filters_and_sort(api: Api) -> None:
    """q, status, type and sort filter and order the list."""
    alpha = await api.create(_echo("a"), name="Alpha report")
    beta = await api.create(linear(("x", "delay", {"ms": 0}), trigger="cronjob"), name="beta")
    await api.data("POST", f"/v1/workflows/{beta['id']}/publish")

    async def ids(**params: str) -> list[str]:
        return [
            item["id"] for item in (await api.data("GET", "/v1/workflows", params=params))["items"]
        ]

    assert await ids(q="REPORT") == [alpha["id"]]
    assert await ids(status="active") == [beta["id"]]
    assert await ids(status="draft") == [alpha["id"]]
    assert await ids(type="cronjob") == [beta["id"]]
    assert await ids(actions="delay,wait") == [beta["id"]]
    assert await ids(sort="name:asc") == [alpha["id"], beta["id"]]
    assert await ids(sort="createdAt:desc") == [beta["id"], alpha["id"]]
    await api.call("GET", "/v1/workflows", params={"sort": "bogus"}, expect=400)
    await api.call("GET", "/v1/workflows", params={"status": "bogus"}, expect=400)


async def test_list_items_are_summaries(api: Api) -> None:
    """List items carry nodeCount/triggerType/definitionSummary instead of the definition."""
    await api.create(_echo("a"))
    item = (await api.data("GET", "/v1/workflows"))["items"][0]
    assert "definition" not in item
    assert (item["nodeCount"], item["triggerType"]) == (2, "manual")
    assert item["definitionSummary"]["nodes"]["root"] == {"type": "manual", "children": ["say"]}


async def test_validate_accepts_a_good_definition(api: Api) -> None:
    """Validate answers 200 {valid: true, errors: []} for a runnable definition."""
    answer = await api.data("POST", "/v1/workflows/validate", json={"definition": _echo("x")})
    assert answer == {"valid": True, "errors": []}


@pytest.mark.parametrize(
    ("nodes", "kind"),
    [
        ({"start": {"type": "manual", "payload": {}}}, "root"),
        ({"root": {"type": "manual", "payload": {}, "children": ["ghost"]}}, "connectivity"),
        (
            {
                "root": {"type": "manual", "payload": {}, "children": ["a"]},
                "a": {"type": "echo", "payload": {}, "children": ["b"]},
                "b": {"type": "echo", "payload": {}, "children": ["a"]},
            },
            "connectivity",
        ),
        (
            {
                "root": {"type": "manual", "payload": {}, "children": ["a"]},
                "a": {"type": "teleport", "payload": {}},
            },
            "nodes",
        ),
        (
            {
                "root": {"type": "manual", "payload": {}},
                "lonely": {"type": "echo", "payload": {}},
            },
            "connectivity",
        ),
        (
            {
                "root": {"type": "manual", "payload": {}, "children": ["check"]},
                "check": {"type": "if", "payload": {}, "children": ["a"]},
                "a": {"type": "echo", "payload": {}, "branch": "maybe"},
            },
            "pattern",
        ),
        (
            {
                "root": {"type": "manual", "payload": {}, "children": ["a"]},
                "a": {"type": "echo", "payload": {"x": "{{nowhere.result.x}}"}},
            },
            "variable",
        ),
    ],
)
async def test_validate_reports_problems_in_a_200(
    api: Api, nodes: dict[str, Any], kind: str
) -> None:
    """Validate reports each kind of problem as an error item of the right type, in a 200."""
    answer = await api.data("POST", "/v1/workflows/validate", json={"definition": {"nodes": nodes}})
    assert answer["valid"] is False
    assert kind in {error["type"] for error in answer["errors"]}


async def test_run_uses_version_then_draft_then_live(api: Api) -> None:
    """POST …/run runs `version` if given, else the draft, else the live version."""
    wf_id = (await api.create(_echo("v1")))["id"]
    await api.data("POST", f"/v1/workflows/{wf_id}/publish")
    await api.data("PUT", f"/v1/workflows/{wf_id}", json={"definition": _echo("v2")})

    async def said(body: dict[str, Any]) -> Any:
        run_id = (await api.data("POST", f"/v1/workflows/{wf_id}/run", json=body))["runId"]
        run = await api.emu.wait_for_run(run_id)
        return run["workflowVersion"], run["executionState"]["say"]["result"]["text"]

    assert await said({}) == (2, "v2")
    assert await said({"version": 1}) == (1, "v1")
    await api.data("DELETE", f"/v1/workflows/{wf_id}/draft")
    assert await said({}) == (1, "v1")


async def test_run_with_client_run_id_and_its_errors(api: Api) -> None:
    """runId is used as given; an invalid one is 400078, a reused one 400079."""
    wf_id = (await api.create(_echo("x")))["id"]
    path = f"/v1/workflows/{wf_id}/run"
    assert (await api.data("POST", path, json={"runId": "run_mine"}))["runId"] == "run_mine"
    assert (await api.call("POST", path, json={"runId": "mine"}, expect=400))["code"] == 400078
    assert (await api.call("POST", path, json={"runId": "run_mine"}, expect=400))["code"] == 400079
    assert (await api.call("POST", path, json={"version": 9}, expect=404))["code"] == 404004


async def test_workflow_runs_list_and_count(api: Api) -> None:
    """…/runs lists the workflow's runs (status filter) and …/runs/count counts them."""
    ok_id = (await api.create(_echo("x")))["id"]
    bad_id = (await api.create(linear(("boom", "fail", {}))))["id"]
    for wf_id in (ok_id, ok_id, bad_id):
        run_id = (await api.data("POST", f"/v1/workflows/{wf_id}/run", json={}))["runId"]
        await api.emu.wait_for_run(run_id)
    listed = await api.data("GET", f"/v1/workflows/{ok_id}/runs")
    assert [item["status"] for item in listed["items"]] == ["success", "success"]
    assert listed["items"][0]["workflowName"] == "wf"
    failed = await api.data("GET", f"/v1/workflows/{ok_id}/runs", params={"status": "failure"})
    assert failed["items"] == []
    counts = await api.data("GET", f"/v1/workflows/{bad_id}/runs/count")
    assert (counts["failure"], counts["success"], counts["total"]) == (1, 0, 1)
