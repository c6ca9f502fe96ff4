"""Emulator area ``public`` over raw HTTP: no key needed, visibility rules, public fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from emu_helpers import Api, linear

if TYPE_CHECKING:
    from b3os_async.testing import Emulator


async def _workflow(api: Api, visibility: str) -> str:
    created = await api.create(linear(("e", "echo", {"v": "{{root.result.v}}"})))
    await api.data(
        "PUT", f"/v1/workflows/{created['id']}/visibility", json={"visibility": visibility}
    )
    await api.data("POST", f"/v1/workflows/{created['id']}/publish", json={})
    return str(created["id"])


async def _anonymous(emu: Emulator, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession(emu.url) as session,
        session.request(method, path, **kwargs) as response,
    ):
        return response.status, await response.json(content_type=None)


async def test_public_routes_ignore_any_authorization(api: Api, emu: Emulator) -> None:
    """A public route answers without a key, and with a wrong one, the same way."""
    wf_id = await _workflow(api, "public_view")
    bare = await _anonymous(emu, "GET", f"/v1/public/workflows/{wf_id}/meta")
    wrong = await _anonymous(
        emu,
        "GET",
        f"/v1/public/workflows/{wf_id}/meta",
        headers={"Authorization": "Bearer b3sk_wrong"},
    )
    assert bare[0] == wrong[0] == 200
    assert bare[1]["data"] == wrong[1]["data"]


@pytest.mark.parametrize("visibility", ["private", "org"])
async def test_non_public_workflows_are_404002_publicly(
    api: Api, emu: Emulator, visibility: str
) -> None:
    """Every public workflow route answers 404002 for private and org workflows."""
    wf_id = await _workflow(api, visibility)
    for suffix in ("", "/meta", "/widget", "/runs"):
        status, body = await _anonymous(emu, "GET", f"/v1/public/workflows/{wf_id}{suffix}")
        assert (status, body["code"]) == (404, 404002), suffix


async def test_public_view_is_403004_for_runs_and_executions(api: Api, emu: Emulator) -> None:
    """public_view workflows cannot be run nor get executions publicly (403004)."""
    wf_id = await _workflow(api, "public_view")
    status, body = await _anonymous(emu, "POST", f"/v1/public/workflows/{wf_id}/run", json={})
    assert (status, body["code"]) == (403, 403004)
    create = {"sourceSystem": "s", "sourceEntityType": "e"}
    status, body = await _anonymous(
        emu, "POST", f"/v1/public/workflows/{wf_id}/executions", json=create
    )
    assert (status, body["code"]) == (403, 403004)


async def test_a_public_run_shows_no_inputs_or_results(api: Api, emu: Emulator) -> None:
    """GET /v1/public/runs/{id} lists node types and statuses, never inputs or results."""
    wf_id = await _workflow(api, "public_execute")
    status, started = await _anonymous(
        emu, "POST", f"/v1/public/workflows/{wf_id}/run", json={"v": "secret-ish"}
    )
    assert status == 200
    await emu.wait_for_run(started["data"]["runId"])
    status, body = await _anonymous(emu, "GET", f"/v1/public/runs/{started['data']['runId']}")
    assert status == 200
    assert "secret-ish" not in str(body)
    assert set(body["data"]["executionState"]["e"]) == {"type", "status", "startedAt", "finishedAt"}


async def test_ephemeral_and_private_runs_are_404003_publicly(api: Api, emu: Emulator) -> None:
    """Runs of no workflow or of a private one are 404003 on the public run route."""
    ephemeral = await api.run(linear())
    private = await _workflow(api, "private")
    started = await api.data("POST", f"/v1/workflows/{private}/run", json={})
    for run_id in (ephemeral["id"], started["runId"]):
        status, body = await _anonymous(emu, "GET", f"/v1/public/runs/{run_id}")
        assert (status, body["code"]) == (404, 404003)


@pytest.mark.slow
async def test_a_public_run_uses_the_live_version(api: Api, emu: Emulator) -> None:
    """POST …/run runs the published version, not a newer draft."""
    wf_id = await _workflow(api, "public_execute")
    await api.data("PUT", f"/v1/workflows/{wf_id}", json={"description": "draft"})
    status, started = await _anonymous(emu, "POST", f"/v1/public/workflows/{wf_id}/run", json={})
    run = await emu.wait_for_run(started["data"]["runId"])
    assert (status, run["workflowVersion"], run["triggeredBy"]) == (200, 1, "public")


async def test_archived_workflows_are_not_public(api: Api, emu: Emulator) -> None:
    """An archived public workflow is 404002 publicly."""
    wf_id = await _workflow(api, "public_view")
    await api.data("DELETE", f"/v1/workflows/{wf_id}")
    status, _ = await _anonymous(emu, "GET", f"/v1/public/workflows/{wf_id}")
    assert status == 404
