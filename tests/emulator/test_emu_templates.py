"""Emulator area ``templates`` over raw HTTP: codes, anonymity, props and list categories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
from emu_helpers import Api, linear

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

PROPS = [
    {"key": "n", "type": "number", "required": True},
    {"key": "s", "type": "string", "default": "x"},
]


async def _template(api: Api, **changes: Any) -> dict[str, Any]:
    body = {
        "name": "T",
        "description": "d",
        "definition": linear(("e", "echo", {})),
        "tags": ["a"],
        "visibility": "org",
        "templateProps": PROPS,
        **changes,
    }
    created: dict[str, Any] = await api.data("POST", "/v1/templates", json=body)
    return created


async def test_a_new_template_is_version_one_of_the_callers_org(api: Api) -> None:
    """POST /v1/templates answers version 1, forkCount 0, the caller's organization."""
    template = await _template(api)
    assert (template["version"], template["forkCount"]) == (1, 0)
    assert template["organizationId"] == api.emu.org_id


async def test_missing_required_fields_are_400002(api: Api) -> None:
    """A create without tags or with a bad visibility is refused with 400002."""
    body = {"name": "T", "description": "d", "definition": linear(), "visibility": "org"}
    assert (await api.call("POST", "/v1/templates", json=body, expect=400))["code"] == 400002
    body = {**body, "tags": [], "visibility": "everyone"}
    assert (await api.call("POST", "/v1/templates", json=body, expect=400))["code"] == 400002


async def test_anonymous_callers_see_public_templates_only(api: Api, emu: Emulator) -> None:
    """Without a key GET /v1/templates/{id} serves public templates and 404009 for org ones."""
    org_only = await _template(api)
    public = await _template(api, visibility="public")
    async with aiohttp.ClientSession(emu.url) as anonymous:
        async with anonymous.get(f"/v1/templates/{public['id']}") as response:
            assert response.status == 200
        async with anonymous.get(f"/v1/templates/{org_only['id']}") as response:
            assert (response.status, (await response.json())["code"]) == (404, 404009)
        async with anonymous.get("/v1/templates") as response:
            assert response.status == 401  # listing needs a key


async def test_an_unchanged_patch_adds_no_version(api: Api) -> None:
    """PATCH with the same content keeps the version; another content adds one."""
    template = await _template(api)
    same = await api.data("PATCH", f"/v1/templates/{template['id']}", json={"name": "T"})
    changed = await api.data("PATCH", f"/v1/templates/{template['id']}", json={"name": "U"})
    assert (same["version"], changed["version"]) == (1, 2)


async def test_an_unknown_version_is_404010(api: Api) -> None:
    """GET …/versions/7 of a template with one version is 404010; 0 is 400004."""
    template = await _template(api)
    body = await api.call("GET", f"/v1/templates/{template['id']}/versions/7", expect=404)
    assert body["code"] == 404010
    body = await api.call("GET", f"/v1/templates/{template['id']}/versions/0", expect=400)
    assert body["code"] == 400004


async def test_a_workflow_from_a_template_checks_and_fills_props(api: Api) -> None:
    """templateId + propValues: required props are checked, defaults filled, forks counted."""
    template = await _template(api)
    base = {"name": "w", "description": "", "definition": linear(), "templateId": template["id"]}
    missing = await api.call("POST", "/v1/workflows", json=base, expect=400)
    assert missing["code"] == 400002
    assert "n" in missing["message"]
    wrong = await api.call(
        "POST", "/v1/workflows", json={**base, "propValues": {"n": "1"}}, expect=400
    )
    assert "type number" in wrong["message"]
    made = await api.data("POST", "/v1/workflows", json={**base, "propValues": {"n": 2}})
    assert made["sourceTemplateId"] == template["id"]
    started = await api.data("POST", f"/v1/workflows/{made['id']}/run", json={})
    run = await api.emu.wait_for_run(started["runId"])
    assert run["propValues"] == {"n": 2, "s": "x"}
    again = await api.data("GET", f"/v1/templates/{template['id']}")
    assert again["forkCount"] == 1


async def test_an_unknown_template_id_on_a_workflow_is_404009(api: Api) -> None:
    """POST /v1/workflows naming a template nobody can see is 404009."""
    body = {"name": "w", "description": "", "definition": linear(), "templateId": "tpl_nope"}
    assert (await api.call("POST", "/v1/workflows", json=body, expect=404))["code"] == 404009


async def test_categories_split_own_public_and_promoted(api: Api, emu: Emulator) -> None:
    """org lists the caller's, public every public one, all merges both without duplicates."""
    own = await _template(api)
    own_public = await _template(api, visibility="public")
    _, other_key = emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other_key}"}
    other = await api.data(
        "POST",
        "/v1/templates",
        headers=headers,
        json={
            "name": "O",
            "description": "",
            "definition": linear(),
            "tags": [],
            "visibility": "public",
        },
    )

    async def ids(category: str) -> list[str]:
        page = await api.data("GET", "/v1/templates", params={"category": category})
        return [item["id"] for item in page["items"]]

    assert await ids("org") == [own_public["id"], own["id"]]
    public = await ids("public")
    assert public[:2] == [other["id"], own_public["id"]]
    assert own["id"] not in public
    everything = await ids("all")
    assert everything[:3] == [other["id"], own_public["id"], own["id"]]
    assert len(everything) == len(set(everything)) == 5  # the two built-ins too


async def test_paging_of_the_merged_category(api: Api) -> None:
    """category=all pages with limit/offset and hasMore like any list."""
    for _ in range(3):
        await _template(api)
    first = await api.data("GET", "/v1/templates", params={"limit": "2"})
    second = await api.data("GET", "/v1/templates", params={"limit": "2", "offset": "2"})
    assert (len(first["items"]), first["hasMore"]) == (2, True)
    assert {t["id"] for t in first["items"]}.isdisjoint(t["id"] for t in second["items"])


async def test_recommended_needs_a_category(api: Api) -> None:
    """GET /v1/templates/recommended without category is 400004."""
    body = await api.call("GET", "/v1/templates/recommended", expect=400)
    assert body["code"] == 400004
