"""Workflow settings in the emulator: owner, fund auto-swap, UI metadata, widget, AI texts."""

from __future__ import annotations

from emu_helpers import Api, linear


async def test_transfer_owner_to_a_member(api: Api) -> None:
    """PUT …/owner with a member's id answers {id, ownerUserId} and the workflow shows it."""
    wf = await api.create(linear())
    user = wf["createdBy"]
    data = await api.data("PUT", f"/v1/workflows/{wf['id']}/owner", json={"ownerUserId": user})
    assert data == {"id": wf["id"], "ownerUserId": user}


async def test_transfer_owner_to_a_stranger_is_refused(api: Api) -> None:
    """Someone who is not a member of the organization: 400002."""
    wf = await api.create(linear())
    path = f"/v1/workflows/{wf['id']}/owner"
    body = await api.call("PUT", path, json={"ownerUserId": "usr_stranger"}, expect=400)
    assert body["code"] == 400002


async def test_fund_auto_swap_is_stored_and_shown(api: Api) -> None:
    """The configuration is answered and appears as the workflow's fundAutoSwapConfig."""
    wf = await api.create(linear())
    config = {"enabled": True, "maxSwapAmountUsd": 12.5, "mode": "auto", "sources": [{"id": "s"}]}
    data = await api.data("PUT", f"/v1/workflows/{wf['id']}/fund-auto-swap", json=config)
    assert data == config
    assert (await api.data("GET", f"/v1/workflows/{wf['id']}"))["fundAutoSwapConfig"] == config


async def test_fund_auto_swap_refuses_a_negative_limit(api: Api) -> None:
    """maxSwapAmountUsd below zero: 400002."""
    wf = await api.create(linear())
    path = f"/v1/workflows/{wf['id']}/fund-auto-swap"
    assert (await api.call("PUT", path, json={"maxSwapAmountUsd": -1}, expect=400))[
        "code"
    ] == 400002


async def test_ui_metadata_changes_in_place(api: Api) -> None:
    """PATCH …/ui-metadata makes no new version: same version number, new layout."""
    wf = await api.create(linear())
    layout = {"nodePositions": {"root": {"x": 3, "y": 4}}}
    body = {"uiMetadata": layout, "expectedCurrentVersion": 1}
    assert await api.data("PATCH", f"/v1/workflows/{wf['id']}/ui-metadata", json=body) == {
        "version": 1
    }
    after = await api.data("GET", f"/v1/workflows/{wf['id']}")
    assert (after["version"], after["uiMetadata"]) == (1, layout)


async def test_ui_metadata_with_a_stale_version_is_409001(api: Api) -> None:
    """An expectedCurrentVersion that moved on: 409001."""
    wf = await api.create(linear())
    body = {"uiMetadata": {}, "expectedCurrentVersion": 2}
    answer = await api.call("PATCH", f"/v1/workflows/{wf['id']}/ui-metadata", json=body, expect=409)
    assert answer["code"] == 409001


async def test_widget_enable_and_disable(api: Api) -> None:
    """Enabling shows the widget (default button "Send"); disabling keeps it, enabled false."""
    wf = await api.create(linear())
    path = f"/v1/workflows/{wf['id']}/widget"
    shown = await api.data("POST", path, json={"title": "Tip", "minAmount": "10"})
    assert (shown["enabled"], shown["buttonLabel"], shown["minAmount"]) == (True, "Send", "10")
    listed = (await api.data("GET", "/v1/workflows"))["items"][0]
    assert listed["publicWidgetEnabled"] is True
    assert (await api.data("DELETE", path))["enabled"] is False


async def test_widget_needs_a_title_and_whole_amounts(api: Api) -> None:
    """No title, or an amount that is not a whole number: 400002."""
    wf = await api.create(linear())
    path = f"/v1/workflows/{wf['id']}/widget"
    for body in ({}, {"title": "x", "maxAmount": "1.5"}):
        assert (await api.call("POST", path, json=body, expect=400))["code"] == 400002


async def test_widget_takes_chain_and_token_from_the_trigger(api: Api) -> None:
    """chainId, tokenAddress and recipient come from the trigger's payload."""
    definition = linear(trigger="erc20-receive")
    definition["nodes"]["root"]["payload"] = {
        "chainId": 8453,
        "tokenAddress": "0xT",
        "toAddress": "0xR",
    }
    wf = await api.create(definition)
    shown = await api.data("POST", f"/v1/workflows/{wf['id']}/widget", json={"title": "Pay"})
    assert (shown["chainId"], shown["tokenAddress"], shown["recipientAddress"]) == (
        8453,
        "0xT",
        "0xR",
    )


async def test_regenerate_descriptions_describes_the_graph(api: Api) -> None:
    """The generated texts name the node types and are stored on the workflow."""
    wf = await api.create(linear(("d", "delay", {"ms": 0})))
    data = await api.data("POST", f"/v1/workflows/{wf['id']}/regenerate-descriptions")
    assert "delay" in data["aiName"]
    stored = await api.data("GET", f"/v1/workflows/{wf['id']}")
    assert (stored["aiName"], stored["aiDescription"]) == (data["aiName"], data["aiDescription"])
