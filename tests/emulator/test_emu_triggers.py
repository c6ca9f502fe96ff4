"""The emulator's trigger area over raw HTTP: catalog, trigger info, webhook secret, inbound
webhooks and their events, block cursors, CEX prices, the situation universe."""

from __future__ import annotations

import json
from typing import Any

from emu_helpers import Api, linear

PUBLIC = {"Authorization": ""}  # the session's key replaced by nothing: an outside caller


def _hook(**payload: Any) -> dict[str, Any]:
    """root (manual) -> say (echo of the webhook body's ``x``)."""
    return linear(("say", "echo", {"got": "{{$trigger.body.x}}", **payload}))


async def _live(api: Api, definition: dict[str, Any]) -> dict[str, Any]:
    workflow = await api.create(definition)
    await api.data("POST", f"/v1/workflows/{workflow['id']}/publish", json={})
    return workflow


async def _other(api: Api) -> dict[str, str]:
    _, key = api.emu.create_org("Other")
    return {"Authorization": f"Bearer {key}"}


async def test_trigger_tags_filter_with_and(api: Api) -> None:
    """?tags=blockchain&tags=tokens lists only triggers with both tags."""
    found = await api.data(
        "GET", "/v1/triggers", params=[("tags", "blockchain"), ("tags", "tokens")]
    )
    assert [t["type"] for t in found] == ["erc20-receive", "erc20-send", "eth-receive"]


async def test_trigger_definition_has_its_wait_schema(api: Api) -> None:
    """GET /v1/triggers/evm-log carries payloadSchema and waitPayloadSchema."""
    trigger = await api.data("GET", "/v1/triggers/evm-log", headers=PUBLIC)
    assert trigger["payloadSchema"]["required"] == ["chainId", "address", "eventSignature"]
    assert "timeoutMs" in trigger["waitPayloadSchema"]["properties"]


async def test_unknown_trigger_is_404(api: Api) -> None:
    """GET /v1/triggers/{unknown} is a 404 (404013)."""
    assert (await api.call("GET", "/v1/triggers/nope", expect=404))["code"] == 404013


async def test_trigger_info_gives_an_email_trigger_its_address(api: Api) -> None:
    """An e-mail trigger's workflow has an inbound address naming the workflow."""
    wf = await api.create(linear(trigger="email-new-email-received"))
    info = await api.data("GET", f"/v1/workflows/{wf['id']}/trigger-info")
    assert info == {"emailAddress": f"{wf['id']}@inbound.emulator.b3os.org"}


async def test_trigger_info_gives_a_stripe_trigger_its_payment_link(api: Api) -> None:
    """A stripe-payment-receive workflow has a payment link."""
    wf = await api.create(linear(trigger="stripe-payment-receive"))
    info = await api.data("GET", f"/v1/workflows/{wf['id']}/trigger-info")
    assert info == {"paymentLinkUrl": f"https://buy.stripe.com/test_{wf['id']}"}


async def test_trigger_info_of_a_manual_workflow_is_empty(api: Api) -> None:
    """A manual workflow has neither address nor payment link."""
    wf = await api.create(linear())
    assert await api.data("GET", f"/v1/workflows/{wf['id']}/trigger-info") == {}


async def test_trigger_info_of_another_organization_is_404(api: Api) -> None:
    """Another organization's workflow is not found."""
    wf = await api.create(linear())
    headers = await _other(api)
    await api.call("GET", f"/v1/workflows/{wf['id']}/trigger-info", headers=headers, expect=404)


async def test_org_webhook_secret_is_stable(api: Api) -> None:
    """Two reads of the organization's webhook secret give the same secret."""
    path = f"/organizations/{api.emu.org_id}/webhook-secret"
    first, second = await api.data("GET", path), await api.data("GET", path)
    assert first == second
    assert first["secret"].startswith("whsec_")
    assert first["secret"] not in first["webhookUrl"]


async def test_org_webhook_secret_of_another_org_is_refused(api: Api) -> None:
    """Asking for another organization's secret is a 403 (403002)."""
    body = await api.call("GET", "/organizations/org_someone/webhook-secret", expect=403)
    assert body["code"] == 403002


async def test_inbound_webhook_starts_a_run_with_the_body(api: Api) -> None:
    """POST /v1/webhooks/{secret}, without a token, runs the live version with the body."""
    wf = await _live(api, _hook())
    path = f"/v1/webhooks/{wf['triggerSecret']}"
    result = await api.call("POST", path, json={"x": 42}, headers=PUBLIC)
    assert result["action"] == "triggered"
    run = await api.emu.wait_for_run(result["runIds"][0])
    assert run["executionState"]["say"]["result"] == {"got": 42}
    assert run["triggerSource"] == "webhook"


async def test_inbound_webhook_records_an_event(api: Api) -> None:
    """The delivery is in the event log with its body, run and action."""
    wf = await _live(api, _hook())
    result = await api.call("POST", f"/v1/webhooks/{wf['triggerSecret']}", json={"x": 1})
    events = await api.call("GET", "/v1/webhook-events")
    event = events["items"][0]
    assert (event["id"], event["runId"], event["body"]) == (
        result["eventId"],
        result["runIds"][0],
        {"x": 1},
    )
    assert (event["status"], event["actionTaken"], event["platform"]) == (
        "success",
        "triggered",
        "webhook",
    )


async def test_inbound_webhook_with_an_unknown_secret_is_404(api: Api) -> None:
    """A secret no workflow has is a 404 and records nothing."""
    await api.call("POST", "/v1/webhooks/wsec_nope", json={}, headers=PUBLIC, expect=404)
    assert (await api.call("GET", "/v1/webhook-events"))["items"] == []


async def test_inbound_webhook_skips_an_unpublished_workflow(api: Api) -> None:
    """A draft-only workflow is skipped (reason given), and no run starts."""
    wf = await api.create(_hook())
    result = await api.call("POST", f"/v1/webhooks/{wf['triggerSecret']}", json={})
    assert result == {
        "action": "skipped",
        "eventId": result["eventId"],
        "reason": "the workflow is not published",
        "runIds": [],
    }
    assert (await api.data("GET", "/v1/runs"))["items"] == []


async def test_inbound_webhook_skips_a_paused_workflow(api: Api) -> None:
    """A paused workflow is skipped."""
    wf = await _live(api, _hook())
    await api.data("POST", f"/v1/workflows/{wf['id']}/pause")
    result = await api.call("POST", f"/v1/webhooks/{wf['triggerSecret']}", json={})
    assert result["reason"] == "the workflow is paused"


async def test_inbound_webhook_needs_a_manual_trigger(api: Api) -> None:
    """A scheduled workflow is not started by a webhook."""
    wf = await _live(api, linear(trigger="cronjob"))
    result = await api.call("POST", f"/v1/webhooks/{wf['triggerSecret']}", json={})
    assert result["reason"] == "the workflow has no manual trigger"


async def test_inbound_webhook_body_must_be_an_object(api: Api) -> None:
    """A JSON array body is a 400 (400001)."""
    wf = await _live(api, _hook())
    body = await api.call(
        "POST", f"/v1/webhooks/{wf['triggerSecret']}", data=json.dumps([1]), expect=400
    )
    assert body["code"] == 400001


async def test_events_are_listed_newest_first_and_paged(api: Api) -> None:
    """Three deliveries list newest first, two per page."""
    wf = await _live(api, _hook())
    for n in range(3):
        await api.call("POST", f"/v1/webhooks/{wf['triggerSecret']}", json={"x": n})
    page = await api.call("GET", "/v1/webhook-events", params={"limit": "2"})
    assert [e["body"]["x"] for e in page["items"]] == [2, 1]
    assert page["hasMore"] is True


async def test_events_of_another_organization_are_invisible(api: Api) -> None:
    """Another organization lists none of these events."""
    wf = await _live(api, _hook())
    await api.call("POST", f"/v1/webhooks/{wf['triggerSecret']}", json={})
    other = await api.call("GET", "/v1/webhook-events", headers=await _other(api))
    assert other["items"] == []


async def test_replay_processes_the_stored_body_as_a_new_event(api: Api) -> None:
    """Replaying an event starts another run with the same body, recorded as a new event."""
    wf = await _live(api, _hook())
    first = await api.call("POST", f"/v1/webhooks/{wf['triggerSecret']}", json={"x": 7})
    again = await api.call("POST", f"/v1/webhook-events/{first['eventId']}/replay")
    assert again["action"] == "triggered"
    assert again["eventId"] != first["eventId"]
    run = await api.emu.wait_for_run(again["runIds"][0])
    assert run["executionState"]["say"]["result"] == {"got": 7}
    newest = (await api.call("GET", "/v1/webhook-events"))["items"][0]
    assert newest["metadata"]["replayOf"] == first["eventId"]


async def test_replay_of_an_unknown_event_is_404(api: Api) -> None:
    """Replaying an event that does not exist is a 404 (404015)."""
    body = await api.call("POST", "/v1/webhook-events/whe_nope/replay", expect=404)
    assert body["code"] == 404015


async def test_native_transfer_cursor_is_a_block_behind(api: Api) -> None:
    """On one chain, the native-transfer cursor trails the evm-log cursor by one block."""
    logs = await api.call(
        "GET", "/v1/block-cursors", params={"chainId": "1", "cursorType": "evm-log"}
    )
    native = await api.call(
        "GET", "/v1/block-cursors", params={"chainId": "1", "cursorType": "native-transfer"}
    )
    assert logs["lastBlock"] - native["lastBlock"] in (0, 1)  # a block may land in between
    assert logs["chainId"] == 1


async def test_unknown_chain_has_no_cursor(api: Api) -> None:
    """A chain B3OS does not index is a 404 (404016)."""
    params = {"chainId": "424242", "cursorType": "evm-log"}
    assert (await api.call("GET", "/v1/block-cursors", params=params, expect=404))["code"] == 404016


async def test_latest_cex_prices_answer_the_assets_asked_for(api: Api) -> None:
    """Prices come back for exactly the assets asked for, as decimal strings."""
    data = await api.data("GET", "/v1/token-price-cexes/latest", params={"assets": "ETHUSD"})
    assert list(data["prices"]) == ["ETHUSD"]
    assert float(data["prices"]["ETHUSD"]) > 0


async def test_unknown_cex_assets_are_refused(api: Api) -> None:
    """An asset that is not available is a 400 listing it."""
    body = await api.call(
        "GET", "/v1/token-price-cexes/latest", params={"assets": "BTCUSD,NOPE"}, expect=400
    )
    assert body["details"] == ["NOPE"]


async def test_situation_universe_lists_in_rank_order(api: Api) -> None:
    """The listing is paged in rank order."""
    page = await api.call("GET", "/v1/situation/universe", params={"limit": "2", "offset": "1"})
    assert [t["symbol"] for t in page["items"]] == ["ETH", "NVDA"]
    assert page["hasMore"] is True


async def test_situation_search_ranks_symbol_matches_first(api: Api) -> None:
    """q=ar ranks a symbol starting with it (ARB) before a name merely containing it (HOOD)."""
    page = await api.call("GET", "/v1/situation/universe", params={"q": "ar"})
    assert [t["symbol"] for t in page["items"]] == ["ARB", "HOOD"]


async def test_situation_universe_filters_by_asset_class(api: Api) -> None:
    """asset_class=index keeps only indexes."""
    page = await api.call("GET", "/v1/situation/universe", params={"asset_class": "index"})
    assert {t["type"] for t in page["items"]} == {"index"}
