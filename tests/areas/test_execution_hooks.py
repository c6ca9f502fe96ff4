"""``b3.execution_hooks`` and ``b3.outbound_webhooks`` against the emulator, end to end."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
from hook_receiver import HookReceiver

from b3os_async import (
    B3OS,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InternalServerError,
    NotFoundError,
)
from b3os_async.models import (
    DeliveryStatus,
    ExecutionHookDelivery,
    HookEndpointStatus,
    HookEventType,
)
from b3os_async.testing import Emulator, Fault
from b3os_async.webhooks import parse

if TYPE_CHECKING:
    from b3os_async.models import OutboundWebhookDelivery

DEFINITION: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["fetch"]},
        "fetch": {"type": "echo", "payload": {"price": "{{root.result.price}}"}},
    },
    "triggerNodeIds": ["root"],
}


def _sender(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["send"]},
            "send": {"type": "send-webhook", "payload": {"url": url, "body": {"a": 1}, **extra}},
        },
        "triggerNodeIds": ["root"],
    }


async def _settled(b3: B3OS, count: int, **filters: Any) -> list[ExecutionHookDelivery]:
    deadline = time.monotonic() + 5
    while True:
        items = [d async for d in b3.execution_hooks.deliveries(**filters)]
        done = (DeliveryStatus.SUCCESS, DeliveryStatus.FAILURE)
        if len(items) >= count and all(d.status in done for d in items):
            return items
        assert time.monotonic() < deadline, items
        await asyncio.sleep(0.02)


async def _outbound_settled(b3: B3OS, count: int) -> list[OutboundWebhookDelivery]:
    deadline = time.monotonic() + 5
    while True:
        items = [d async for d in b3.outbound_webhooks.deliveries()]
        done = (DeliveryStatus.SUCCESS, DeliveryStatus.FAILURE)
        if len(items) >= count and all(d.status in done for d in items):
            return items
        assert time.monotonic() < deadline, items
        await asyncio.sleep(0.02)


async def test_create_returns_the_secret_once_and_keeps_it_out_of_repr(b3: B3OS) -> None:
    """``create`` answers the typed endpoint and its signing secret, which repr never shows."""
    created = await b3.execution_hooks.create(
        "alerts",
        "https://hooks.example.com/b3os",
        description="failures only",
        subscribed_event_types=[HookEventType.RUN_FAILED, "node.failed"],
        max_retries=3,
    )
    assert created.signing_secret.startswith("whsec_")
    assert created.signing_secret not in repr(created)
    endpoint = created.endpoint
    assert endpoint is not None
    assert endpoint.status is HookEndpointStatus.ACTIVE
    assert endpoint.subscribed_event_types == ("run.failed", "node.failed")
    assert (endpoint.max_retries, endpoint.description) == (3, "failures only")
    assert isinstance(endpoint.created_at, datetime)


async def test_create_refused_by_the_api_raises_bad_request(b3: B3OS) -> None:
    """Plain http to a public host is refused by the API (BadRequestError, code 400002)."""
    with pytest.raises(BadRequestError) as caught:
        await b3.execution_hooks.create("x", "http://hooks.example.com/b3os")
    assert caught.value.code == 400002


async def test_event_types_given_as_one_string_are_refused_before_sending(
    b3: B3OS, emu: Emulator
) -> None:
    """``subscribed_event_types="run.failed"`` (not a list) fails before any request."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match="list of strings"):
        await b3.execution_hooks.create("x", "https://h.example", subscribed_event_types="a")  # type: ignore[arg-type]
    assert list(emu.requests) == []


async def test_create_is_not_retried(b3: B3OS, emu: Emulator) -> None:
    """A 503 to create is raised, not resent: a resend could register a second endpoint."""
    emu.faults.add(Fault.status(503), path="/v1/execution-webhooks", method="POST", times=1)
    with pytest.raises(InternalServerError):
        await b3.execution_hooks.create("x", "https://h.example")
    assert [e async for e in b3.execution_hooks.list()] == []


async def test_list_get_disable_enable(b3: B3OS) -> None:
    """Endpoints list newest first; get, disable and enable answer the typed endpoint."""
    first = await b3.execution_hooks.create("one", "https://one.example")
    second = await b3.execution_hooks.create("two", "https://two.example")
    assert first.endpoint is not None
    assert second.endpoint is not None
    listed = [e.name async for e in b3.execution_hooks.list(page_size=1)]
    assert listed == ["two", "one"]
    fetched = await b3.execution_hooks.get(first.endpoint.id)
    assert fetched == first.endpoint
    disabled = await b3.execution_hooks.disable(first.endpoint.id)
    assert disabled is not None
    assert disabled.status is HookEndpointStatus.DISABLED
    assert disabled.disabled_at is not None
    enabled = await b3.execution_hooks.enable(first.endpoint.id)
    assert enabled is not None
    assert (enabled.status, enabled.disabled_at) == (HookEndpointStatus.ACTIVE, None)


async def test_unknown_endpoint_is_not_found(b3: B3OS) -> None:
    """``get`` of an id that is not the organization's raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.execution_hooks.get("whk_nope")


async def test_deliveries_are_signed_and_parse_into_hook_events(b3: B3OS) -> None:
    """A run's events reach the receiver; each verifies with the secret and parses typed."""
    async with HookReceiver() as rx:
        created = await b3.execution_hooks.create(
            "all", rx.url, subscribed_event_types=["node.completed", "run.completed"]
        )
        async with b3.runs.start(DEFINITION, payload={"price": 3100}) as run:
            await run.wait()
        received = await rx.wait_for(3)
    events = [parse(r.body, r.headers, created.signing_secret) for r in received]
    assert sorted(e.type.value for e in events) == [
        "node.completed", "node.completed", "run.completed",
    ]  # fmt: skip
    assert {e.run_id for e in events} == {run.run_id}
    fetch = next(e for e in events if e.node_id == "fetch")
    assert fetch.data["data"]["result"] == {"price": 3100}


async def test_regenerated_secret_verifies_and_the_old_one_does_not(b3: B3OS) -> None:
    """After ``regenerate_secret`` deliveries verify with the new secret only."""
    async with HookReceiver() as rx:
        created = await b3.execution_hooks.create(
            "r", rx.url, subscribed_event_types=["run.completed"]
        )
        assert created.endpoint is not None
        rotated = await b3.execution_hooks.regenerate_secret(created.endpoint.id)
        await b3.runs.start(DEFINITION)
        (request,) = await rx.wait_for(1)
    assert rotated.signing_secret != created.signing_secret
    parse(request.body, request.headers, [rotated.signing_secret])
    with pytest.raises(Exception, match="does not match"):
        parse(request.body, request.headers, created.signing_secret)


async def test_deliveries_pager_filters_by_endpoint_and_is_typed(b3: B3OS) -> None:
    """``deliveries(endpoint_id=...)`` lists that endpoint's records with typed fields."""
    async with HookReceiver() as rx:
        wanted = await b3.execution_hooks.create(
            "a", rx.url, subscribed_event_types=["run.completed"]
        )
        await b3.execution_hooks.create("b", rx.url, subscribed_event_types=["run.started"])
        await b3.runs.start(DEFINITION)
        await _settled(b3, 2)
    assert wanted.endpoint is not None
    (delivery,) = await _settled(b3, 1, endpoint_id=wanted.endpoint.id)
    assert (delivery.event_type, delivery.status, delivery.response_status) == (
        "run.completed", DeliveryStatus.SUCCESS, 204,
    )  # fmt: skip
    assert (delivery.retry_count, delivery.endpoint_id) == (0, wanted.endpoint.id)
    assert isinstance(delivery.duration_ms, int)
    assert "request_headers" not in repr(delivery)
    assert await b3.execution_hooks.get_delivery(delivery.id) == delivery


async def test_retry_requeues_the_same_record_and_replay_makes_a_new_one(b3: B3OS) -> None:
    """A failed delivery: retry keeps its id; replay is a new record; retrying a success fails."""
    async with HookReceiver(statuses=[500]) as rx:
        await b3.execution_hooks.create(
            "f", rx.url, subscribed_event_types=["run.completed"], max_retries=0
        )
        await b3.runs.start(DEFINITION)
        (failed,) = await _settled(b3, 1)
        assert (failed.status, failed.error_message) == (
            DeliveryStatus.FAILURE, "the endpoint answered 500",
        )  # fmt: skip
        retried = await b3.execution_hooks.retry_delivery(failed.id)
        assert retried.id == failed.id
        (succeeded,) = await _settled(b3, 1)
        replayed = await b3.execution_hooks.replay_delivery(failed.id)
        await _settled(b3, 2)
        await rx.wait_for(3)
    assert (succeeded.status, succeeded.retry_count) == (DeliveryStatus.SUCCESS, 1)
    assert replayed.id != failed.id
    assert replayed.request_body == failed.request_body
    with pytest.raises(ConflictError):
        await b3.execution_hooks.retry_delivery(succeeded.id)


async def test_unknown_delivery_is_not_found(b3: B3OS) -> None:
    """get/retry/replay of a delivery that is not the organization's raise NotFoundError."""
    hooks = b3.execution_hooks
    for call in (hooks.get_delivery, hooks.retry_delivery, hooks.replay_delivery):
        with pytest.raises(NotFoundError):
            await call("whd_nope")


async def test_outbound_deliveries_list_get_retry_replay(b3: B3OS) -> None:
    """A send-webhook node's delivery is listed by workflow, fetched, retried and replayed."""
    async with HookReceiver(statuses=[502]) as rx:
        wf = await b3.workflows.create(
            name="sender", description="d", definition=_sender(rx.url, maxRetries=0)
        )
        await b3.workflows.start(wf.id)
        (failed,) = await _outbound_settled(b3, 1)
        listed = [d async for d in b3.outbound_webhooks.deliveries(workflow_id=wf.id)]
        retried = await b3.outbound_webhooks.retry_delivery(failed.id)
        replayed = await b3.outbound_webhooks.replay_delivery(failed.id)
        await _outbound_settled(b3, 2)
        await rx.wait_for(3)
    assert listed == [failed]
    assert (failed.status, failed.response_status, failed.node_id) == (
        DeliveryStatus.FAILURE, 502, "send",
    )  # fmt: skip
    assert await b3.outbound_webhooks.get_delivery(failed.id) != failed  # retried since
    assert retried.id == failed.id
    assert replayed.id != failed.id
    assert [d async for d in b3.outbound_webhooks.deliveries(workflow_id="wf_other")] == []


async def test_unknown_outbound_delivery_is_not_found(b3: B3OS) -> None:
    """get/retry/replay of an unknown outbound delivery raise NotFoundError."""
    hooks = b3.outbound_webhooks
    for call in (hooks.get_delivery, hooks.retry_delivery, hooks.replay_delivery):
        with pytest.raises(NotFoundError):
            await call("owd_nope")
