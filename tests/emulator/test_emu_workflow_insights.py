"""Read-only workflow views in the emulator: counts, batches, links, resolve, fund analysis."""

from __future__ import annotations

from typing import Any

from emu_helpers import Api, linear

SEND = {"type": "echo", "payload": {"amount": "2500", "chainId": 8453, "tokenAddress": "0xT"}}


def funds_definition(**node: Any) -> dict[str, Any]:
    """A manual trigger and one node ``pay`` (default: sends 2500 of token 0xT on Base)."""
    return {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["pay"]},
            "pay": {**SEND, **node},
        }
    }


async def test_counts_follow_the_list_filters(api: Api) -> None:
    """counts: statuses of the workflows matching type=cronjob, and the types available."""
    await api.create(linear(), name="manual one")
    cron = await api.create(linear(trigger="cronjob"), name="cron one")
    await api.data("POST", f"/v1/workflows/{cron['id']}/publish", json={})
    data = await api.data("GET", "/v1/workflows/counts", params={"type": "cronjob"})
    assert (data["total"], data["active"], data["draft"]) == (1, 1, 0)
    everything = await api.data("GET", "/v1/workflows/counts")
    assert everything["availableTypes"] == ["cronjob", "manual"]


async def test_counts_include_archived_apart(api: Api) -> None:
    """An archived workflow counts as archived, not in total."""
    wf = await api.create(linear())
    await api.data("DELETE", f"/v1/workflows/{wf['id']}")
    data = await api.data("GET", "/v1/workflows/counts")
    assert (data["total"], data["archived"]) == (0, 1)


async def test_owner_counts(api: Api) -> None:
    """owner-counts: yours and org count the org's workflows, public the public ones."""
    wf = await api.create(linear())
    await api.create(linear())
    body = {"visibility": "public_view"}
    await api.data("PUT", f"/v1/workflows/{wf['id']}/visibility", json=body)
    assert await api.data("GET", "/v1/workflows/owner-counts") == {
        "yours": 2,
        "org": 2,
        "public": 1,
    }


async def test_batch_meta_keys_by_id_and_drops_unknown_ids(api: Api) -> None:
    """batch-meta answers the known workflows by id, with their node types."""
    wf = await api.create(linear(("w", "wait", {})))
    body = {"workflowIds": [wf["id"], "wf_nope"]}
    data = await api.data("POST", "/v1/workflows/batch-meta", json=body)
    assert list(data) == [wf["id"]]
    assert data[wf["id"]]["nodeTypes"] == ["manual", "wait"]


async def test_batch_requests_need_one_to_200_ids(api: Api) -> None:
    """An empty or too long workflowIds list is a 400002."""
    for ids in ([], ["wf_x"] * 201):
        body = {"workflowIds": ids}
        answer = await api.call("POST", "/v1/workflows/batch-stats", json=body, expect=400)
        assert answer["code"] == 400002


async def test_batch_stats_counts_runs_and_lists_recent_ones(api: Api) -> None:
    """batch-stats gives run counts and the newest runs of each workflow."""
    wf = await api.create(linear())
    started = await api.data("POST", f"/v1/workflows/{wf['id']}/run", json={})
    await api.emu.wait_for_run(started["runId"])
    data = await api.data("POST", "/v1/workflows/batch-stats", json={"workflowIds": [wf["id"]]})
    stats = data[wf["id"]]
    assert (stats["counts"]["success"], stats["recentRuns"][0]["id"]) == (1, started["runId"])


async def test_incoming_links_name_the_workflows_that_start_this_one(api: Api) -> None:
    """A trigger-workflow node pointing at a workflow makes its source an incoming link."""
    target = await api.create(linear())
    source = await api.create(linear(("go", "trigger-workflow", {"workflowId": target["id"]})))
    data = await api.data("GET", f"/v1/workflows/{target['id']}/incoming-links")
    assert data == {"ids": [source["id"]]}


async def test_incoming_links_follow_the_current_version(api: Api) -> None:
    """Removing the link in a new version removes the incoming link."""
    target = await api.create(linear())
    source = await api.create(linear(("go", "trigger-workflow", {"workflowId": target["id"]})))
    await api.data("PUT", f"/v1/workflows/{source['id']}", json={"definition": linear()})
    assert await api.data("GET", f"/v1/workflows/{target['id']}/incoming-links") == {"ids": []}


async def test_resolve_names_the_organization(api: Api) -> None:
    """resolve: the caller's own workflow, isMember true."""
    wf = await api.create(linear())
    data = await api.data("GET", f"/v1/workflows/{wf['id']}/resolve")
    assert data == {
        "isMember": True,
        "organizationId": api.emu.org_id,
        "organizationName": "Emulator Org",
    }


async def test_resolve_of_another_orgs_public_workflow(api: Api) -> None:
    """A public workflow of another organization resolves with isMember false."""
    wf = await api.create(linear())
    await api.data(
        "PUT", f"/v1/workflows/{wf['id']}/visibility", json={"visibility": "public_view"}
    )
    _, other = api.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    data = (await api.call("GET", f"/v1/workflows/{wf['id']}/resolve", headers=headers))["data"]
    assert data["isMember"] is False


async def test_resolve_of_another_orgs_private_workflow_is_404(api: Api) -> None:
    """A private workflow of another organization is not found."""
    wf = await api.create(linear())
    _, other = api.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    await api.call("GET", f"/v1/workflows/{wf['id']}/resolve", headers=headers, expect=404)


async def test_analyze_funds_reports_amounts_from_payloads(api: Api) -> None:
    """A node with amount + chainId needs that amount of that token on that chain."""
    wf = await api.create(funds_definition(connector={"type": "wallet", "walletAddress": "0xW"}))
    data = await api.data("GET", f"/v1/workflows/{wf['id']}/analyze-funds")
    (need,) = data["requirements"]
    assert (need["requiredAmount"], need["chainId"], need["tokenAddress"]) == ("2500", 8453, "0xT")
    assert (need["walletAddress"], need["chainName"], need["isNative"]) == ("0xW", "Base", False)
    assert (data["workflowVersion"], data["balancesFetched"], data["unresolved"]) == (1, False, [])


async def test_analyze_funds_never_runs_anything(api: Api) -> None:
    """Analysing a workflow starts no run."""
    wf = await api.create(funds_definition())
    await api.data("GET", f"/v1/workflows/{wf['id']}/analyze-funds")
    assert (await api.data("GET", "/v1/runs"))["items"] == []


async def test_templated_amounts_are_unresolved(api: Api) -> None:
    """An amount from an expression cannot be known before the run: unresolved, template."""
    body = {"definition": funds_definition(payload={"amount": "{{root.result.x}}", "chainId": 1})}
    data = await api.data("POST", "/v1/workflows/analyze-funds", json=body)
    assert data["requirements"] == []
    assert data["unresolved"][0]["unresolvedReason"] == "template"


async def test_inline_analysis_uses_the_default_wallet(api: Api) -> None:
    """Inline: workflowId is empty and defaultWalletAddress fills nodes without a wallet."""
    body = {"definition": funds_definition(), "defaultWalletAddress": "0xD"}
    data = await api.data("POST", "/v1/workflows/analyze-funds", json=body)
    assert (data["workflowId"], data["requirements"][0]["walletAddress"]) == ("", "0xD")


async def test_analyze_funds_of_an_unknown_version_is_404004(api: Api) -> None:
    """?version= naming no version: 404004."""
    wf = await api.create(funds_definition())
    path = f"/v1/workflows/{wf['id']}/analyze-funds?version=5"
    assert (await api.call("GET", path, expect=404))["code"] == 404004
