"""``b3.triggers`` against the emulator: catalog, trigger info, webhook secret, inbound webhook
events and replay, block cursors, CEX prices, the situation universe."""

from __future__ import annotations

from typing import Any

import pytest
from area_helpers import sent

from b3os_async import B3OS, ConfigurationError, InternalServerError, NotFoundError
from b3os_async.models import WebhookEventAction, WebhookEventStatus
from b3os_async.testing import Emulator, Fault

HOOK: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["say"]},
        "say": {"type": "echo", "payload": {"got": "{{$trigger.body.order}}"}},
    },
    "triggerNodeIds": ["root"],
}


async def _published(b3: B3OS) -> tuple[str, str]:
    wf = await b3.workflows.create(name="orders", description="d", definition=HOOK)
    await b3.workflows.publish(wf.id)
    assert wf.trigger_secret is not None
    return wf.id, wf.trigger_secret


async def test_list_filters_by_tags(b3: B3OS) -> None:
    """list(tags=[...]) returns the triggers carrying every tag."""
    found = await b3.triggers.list(tags=["prices"])
    assert [t.type for t in found] == ["token-price-cexes"]


async def test_get_decodes_the_wait_schema(b3: B3OS) -> None:
    """get() keeps the trigger's wait payload schema as data."""
    trigger = await b3.triggers.get("erc20-receive")
    assert trigger.wait_payload_schema is not None
    assert trigger.wait_payload_schema["required"] == ["timeoutMs"]


async def test_get_of_an_unknown_trigger_is_not_found(b3: B3OS) -> None:
    """An unknown trigger type raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.triggers.get("webhook-of-doom")


async def test_info_shows_the_inbound_email_address(b3: B3OS) -> None:
    """info() of an e-mail-triggered workflow has its address."""
    definition = {"nodes": {"root": {"type": "email-new-email-received", "payload": {}}}}
    wf = await b3.workflows.create(name="mail", description="d", definition=definition)
    info = await b3.triggers.info(wf.id)
    assert info.email_address == f"{wf.id}@inbound.emulator.b3os.org"
    assert info.payment_link_url is None


async def test_webhook_secret_is_hidden_from_repr(b3: B3OS) -> None:
    """The organization's secret is readable but never in repr() or str()."""
    found = await b3.triggers.webhook_secret()
    assert found.secret is not None
    assert found.secret.startswith("whsec_")
    assert found.secret not in repr(found)
    assert found.secret not in str(found)


async def test_webhook_secret_needs_an_organization(emu: Emulator) -> None:
    """Without org_id (argument or client) webhook_secret() raises before sending anything."""
    async with B3OS(emu.api_key, base_url=emu.url) as b3:
        with pytest.raises(ConfigurationError, match="org_id"):
            await b3.triggers.webhook_secret()
    assert not any(r.path.endswith("/webhook-secret") for r in emu.requests)


async def test_events_show_what_an_inbound_webhook_did(emu: Emulator, b3: B3OS) -> None:
    """An inbound webhook's event is listed typed, naming the run it started."""
    _, secret = await _published(b3)
    answer = await b3.request("POST", "/v1/webhooks/{}", secret, json={"order": 17})
    [event] = [e async for e in b3.triggers.events()]
    assert event.action_taken is WebhookEventAction.TRIGGERED
    assert event.status is WebhookEventStatus.SUCCESS
    assert (event.id, event.body) == (answer["eventId"], {"order": 17})
    assert event.run_id is not None
    run = await emu.wait_for_run(event.run_id)
    assert run["executionState"]["say"]["result"] == {"got": 17}


async def test_replay_event_starts_another_run(emu: Emulator, b3: B3OS) -> None:
    """replay_event() re-processes the body: a new event and a new run."""
    _, secret = await _published(b3)
    first = await b3.request("POST", "/v1/webhooks/{}", secret, json={"order": 5})
    result = await b3.triggers.replay_event(first["eventId"])
    assert result.action is WebhookEventAction.TRIGGERED
    assert result.event_id != first["eventId"]
    assert len(result.run_ids) == 1
    run = await emu.wait_for_run(result.run_ids[0])
    assert run["executionState"]["say"]["result"] == {"got": 5}


async def test_replay_event_is_not_retried(emu: Emulator, b3: B3OS) -> None:
    """replay_event() meeting a 503 raises: resending could start a second run."""
    _, secret = await _published(b3)
    first = await b3.request("POST", "/v1/webhooks/{}", secret, json={})
    path = f"/v1/webhook-events/{first['eventId']}/replay"
    emu.faults.add(Fault.status(503), path=path, times=1)
    with pytest.raises(InternalServerError):
        await b3.triggers.replay_event(first["eventId"])
    assert sent(emu, "POST", path) == 1


async def test_replay_of_an_unknown_event_is_not_found(b3: B3OS) -> None:
    """Replaying an event that does not exist raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.triggers.replay_event("whe_nope")


async def test_block_cursor_is_typed(b3: B3OS) -> None:
    """block_cursor() returns the chain, an integer block and a timestamp."""
    cursor = await b3.triggers.block_cursor(8453)
    assert cursor.chain_id == 8453
    assert isinstance(cursor.last_block, int)
    assert cursor.updated_at is not None


async def test_cex_prices_are_exact_decimal_strings(b3: B3OS) -> None:
    """cex_prices() returns the available assets' prices as strings, as sent."""
    assets = await b3.triggers.cex_assets()
    prices = await b3.triggers.cex_prices(assets.assets[:2])
    assert prices.prices == {"BTCUSD": "97312.554210000000", "ETHUSD": "3512.410032000000"}


async def test_situation_universe_pages_through_everything(b3: B3OS) -> None:
    """Iterating the listing 7 at a time yields every ticker once, in rank order."""
    tickers = [t.symbol async for t in b3.triggers.situation_universe(page_size=7)]
    assert len(tickers) == len(set(tickers)) == 30
    assert tickers[:3] == ["BTC", "ETH", "NVDA"]
