"""Workflow releases in the emulator: release, history newest first, reverts."""

from __future__ import annotations

from typing import Any

from emu_helpers import Api, linear


async def draft(api: Api, message: str = "one") -> str:
    """A workflow whose draft (v1) echoes ``message``; its id."""
    return str((await api.create(linear(("say", "echo", {"m": message}))))["id"])


async def update(api: Api, wf_id: str, message: str) -> None:
    """A new draft version echoing ``message``."""
    body = {"definition": linear(("say", "echo", {"m": message}))}
    await api.data("PUT", f"/v1/workflows/{wf_id}", json=body)


async def live_message(api: Api, wf_id: str) -> Any:
    """What the live version echoes."""
    live = await api.data("GET", f"/v1/workflows/{wf_id}/live")
    return live["definition"]["nodes"]["say"]["payload"]["m"]


async def test_release_publishes_the_draft(api: Api) -> None:
    """POST …/release makes the draft live and records release 1 of that version."""
    wf_id = await draft(api)
    release = await api.data("POST", f"/v1/workflows/{wf_id}/release", json={})
    assert (release["releaseVersion"], release["workflowVersion"], release["kind"]) == (
        1,
        1,
        "release",
    )
    assert (await api.data("GET", f"/v1/workflows/{wf_id}"))["status"] == "active"


async def test_release_honours_expected_version(api: Api) -> None:
    """A stale expectedVersion is a 409001 and nothing is released."""
    wf_id = await draft(api)
    path = f"/v1/workflows/{wf_id}/release"
    body = await api.call("POST", path, json={"expectedVersion": 7}, expect=409)
    assert body["code"] == 409001
    assert (await api.data("GET", f"/v1/workflows/{wf_id}/releases"))["items"] == []


async def test_release_without_a_draft_records_the_live_version(api: Api) -> None:
    """With nothing to publish, the live version is released as it is."""
    wf_id = await draft(api)
    await api.data("POST", f"/v1/workflows/{wf_id}/publish", json={})
    release = await api.data("POST", f"/v1/workflows/{wf_id}/release", json={})
    assert release["workflowVersion"] == 1


async def test_releases_are_listed_newest_first(api: Api) -> None:
    """The history pages newest first."""
    wf_id = await draft(api)
    await api.data("POST", f"/v1/workflows/{wf_id}/release", json={})
    await update(api, wf_id, "two")
    await api.data("POST", f"/v1/workflows/{wf_id}/release", json={})
    page = await api.data("GET", f"/v1/workflows/{wf_id}/releases", params={"limit": "1"})
    assert ([r["releaseVersion"] for r in page["items"]], page["hasMore"]) == ([2], True)


async def test_revert_makes_an_old_release_live_again(api: Api) -> None:
    """Reverting to release 1 puts its content live as a new version and a new release."""
    wf_id = await draft(api)
    await api.data("POST", f"/v1/workflows/{wf_id}/release", json={})
    await update(api, wf_id, "two")
    await api.data("POST", f"/v1/workflows/{wf_id}/release", json={})
    reverted = await api.data("POST", f"/v1/workflows/{wf_id}/releases/1/revert")
    assert (reverted["kind"], reverted["revertedFrom"], reverted["releaseVersion"]) == (
        "revert",
        1,
        3,
    )
    assert await live_message(api, wf_id) == "one"


async def test_revert_to_an_unknown_release_is_404018(api: Api) -> None:
    """A release number that does not exist: 404018."""
    wf_id = await draft(api)
    body = await api.call("POST", f"/v1/workflows/{wf_id}/releases/4/revert", expect=404)
    assert body["code"] == 404018


async def test_revert_to_version_records_a_release_without_an_app(api: Api) -> None:
    """revert-to-version makes version 1 live again: kind version_revert, hasApp false."""
    wf_id = await draft(api)
    await api.data("POST", f"/v1/workflows/{wf_id}/publish", json={})
    await update(api, wf_id, "two")
    await api.data("POST", f"/v1/workflows/{wf_id}/publish", json={})
    body = {"workflowVersion": 1}
    release = await api.data("POST", f"/v1/workflows/{wf_id}/revert-to-version", json=body)
    assert (release["kind"], release["hasApp"]) == ("version_revert", False)
    assert await live_message(api, wf_id) == "one"


async def test_revert_to_an_unknown_version_is_404004(api: Api) -> None:
    """A version that does not exist: 404004."""
    wf_id = await draft(api)
    path = f"/v1/workflows/{wf_id}/revert-to-version"
    body = await api.call("POST", path, json={"workflowVersion": 9}, expect=404)
    assert body["code"] == 404004


async def test_releases_of_another_orgs_workflow_are_404(api: Api) -> None:
    """Another organization's workflow: 404002."""
    wf_id = await draft(api)
    _, other = api.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    path = f"/v1/workflows/{wf_id}/releases"
    assert (await api.call("GET", path, headers=headers, expect=404))["code"] == 404002
