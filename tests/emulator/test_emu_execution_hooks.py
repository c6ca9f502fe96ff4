"""Execution hooks in the emulator: endpoints, real signed deliveries, retries, retry and replay."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from emu_helpers import Api, linear
from hook_receiver import HookReceiver, closed_url

from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

HOOKS = "/v1/execution-webhooks"
DELIVERIES = "/v1/execution-webhooks/deliveries"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator whose failed deliveries are retried after 20 ms (40, 80 ...)."""
    async with Emulator(seed=7, hook_retry_delay=0.02, hook_timeout=0.5) as emulator:
        yield emulator


async def _endpoint(api: Api, url: str, **body: Any) -> dict[str, Any]:
    created: dict[str, Any] = await api.data(
        "POST", HOOKS, json={"name": "hook", "url": url, **body}
    )
    return created


async def _deliveries(api: Api, **params: str) -> list[dict[str, Any]]:
    page = await api.data("GET", DELIVERIES, params={"limit": "100", **params})
    items: list[dict[str, Any]] = page["items"]
    return items


async def _settled(api: Api, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The delivery records once ``count`` exist and none is pending or retrying."""
    deadline = time.monotonic() + timeout
    while True:
        items = await _deliveries(api)
        if len(items) >= count and all(d["status"] in ("success", "failure") for d in items):
            return items
        assert time.monotonic() < deadline, items
        await asyncio.sleep(0.02)


def _signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def test_create_answers_the_endpoint_and_its_secret_once(api: Api) -> None:
    """Create returns the endpoint and a signing secret; GET never shows the secret."""
    created = await _endpoint(api, "https://hooks.example.com/b3os", maxRetries=2)
    assert created["signingSecret"].startswith("whsec_")
    endpoint = created["endpoint"]
    assert (endpoint["status"], endpoint["maxRetries"], endpoint["subscribedEventTypes"]) == (
        "active", 2, [],
    )  # fmt: skip
    fetched = await api.data("GET", f"{HOOKS}/{endpoint['id']}")
    assert fetched == endpoint
    assert created["signingSecret"] not in json.dumps(fetched)


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://x.example"},
        {"name": "n"},
        {"name": "n", "url": "http://hooks.example.com/x"},
        {"name": "n", "url": "ftp://127.0.0.1/x"},
        {"name": "n", "url": "https://x.example", "subscribedEventTypes": ["run.finished"]},
        {"name": "n", "url": "https://x.example", "maxRetries": 11},
        {"name": " ", "url": "https://x.example"},
    ],
)
async def test_create_refuses_bad_bodies(api: Api, body: dict[str, Any]) -> None:
    """Missing name or url, plain http off loopback, unknown types, a bad budget: 400002."""
    answer = await api.call("POST", HOOKS, json=body, expect=400)
    assert answer["code"] == 400002


async def test_list_is_newest_first_and_paged(api: Api) -> None:
    """Endpoints list newest first, ``limit``/``offset`` pages with ``hasMore``."""
    ids = [(await _endpoint(api, f"https://h{i}.example"))["endpoint"]["id"] for i in range(3)]
    first = await api.data("GET", HOOKS, params={"limit": "2"})
    second = await api.data("GET", HOOKS, params={"limit": "2", "offset": "2"})
    assert [e["id"] for e in first["items"] + second["items"]] == ids[::-1]
    assert (first["hasMore"], second["hasMore"]) == (True, False)


async def test_unknown_or_foreign_endpoint_is_404071(api: Api, emu: Emulator) -> None:
    """An endpoint id that is not the caller organization's answers 404 code 404071."""
    created = await _endpoint(api, "https://h.example")
    _, other_key = emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other_key}"}
    answer = await api.call(
        "GET", f"{HOOKS}/{created['endpoint']['id']}", headers=headers, expect=404
    )
    assert answer["code"] == 404071
    assert (await api.call("POST", f"{HOOKS}/whk_nope/enable", expect=404))["code"] == 404071


async def test_disable_and_enable_toggle_status(api: Api) -> None:
    """Disable sets ``disabled``/``disabledAt``; enable clears it; repeating changes nothing."""
    endpoint_id = (await _endpoint(api, "https://h.example"))["endpoint"]["id"]
    disabled = await api.data("POST", f"{HOOKS}/{endpoint_id}/disable")
    again = await api.data("POST", f"{HOOKS}/{endpoint_id}/disable")
    assert (disabled["status"], again["disabledAt"]) == ("disabled", disabled["disabledAt"])
    enabled = await api.data("POST", f"{HOOKS}/{endpoint_id}/enable")
    assert enabled["status"] == "active"
    assert "disabledAt" not in enabled


async def test_run_events_are_posted_signed_with_the_raw_body(api: Api) -> None:
    """Each subscribed run/node event is a POST whose x-b3os-signature is HMAC-SHA256(body)."""
    async with HookReceiver() as rx:
        created = await _endpoint(api, rx.url)
        run = await api.run(linear(("a", "echo", {"x": 1})))
        received = await rx.wait_for(6)
    types = [json.loads(r.body)["eventType"] for r in received]
    assert sorted(types) == sorted(
        ["run.started", "node.started", "node.completed", "node.started", "node.completed",
         "run.completed"]
    )  # fmt: skip
    for request in received:
        assert request.headers["x-b3os-signature"] == _signature(
            created["signingSecret"], request.body
        )
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.body)["runId"] == run["id"]


async def test_payload_carries_ids_status_and_data(api: Api) -> None:
    """A node event's body has its own id, type, run/node ids, status, timestamp and result."""
    async with HookReceiver() as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["node.completed"])
        wf = await api.create(linear(("a", "echo", {"x": 1})))
        await api.data("POST", f"/v1/workflows/{wf['id']}/run", json={"runId": "run_pay1"})
        received = await rx.wait_for(2)
    bodies = [json.loads(r.body) for r in received]
    body = next(b for b in bodies if b["nodeId"] == "a")
    assert body["id"].startswith("evt_")
    assert (body["eventType"], body["runId"], body["workflowId"]) == (
        "node.completed", "run_pay1", wf["id"],
    )  # fmt: skip
    assert (body["status"], body["data"]["result"]) == ("success", {"x": 1})
    assert body["timestamp"].endswith("Z")


@pytest.mark.slow
async def test_only_subscribed_types_are_delivered(api: Api) -> None:
    """An endpoint subscribed to run.failed gets that event and nothing else."""
    async with HookReceiver() as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["run.failed"])
        await api.run(linear(("ok", "echo", {})))
        await api.run(linear(("boom", "fail", {"message": "no"})))
        received = await rx.wait_for(1)
        await asyncio.sleep(0.1)
    assert [json.loads(r.body)["eventType"] for r in rx.received] == ["run.failed"]
    assert len(received) == 1


@pytest.mark.slow
async def test_disabled_endpoint_and_other_orgs_get_nothing(api: Api, emu: Emulator) -> None:
    """A disabled endpoint, and another organization's endpoint, receive no deliveries."""
    async with HookReceiver() as rx, HookReceiver() as other_rx:
        endpoint_id = (await _endpoint(api, rx.url))["endpoint"]["id"]
        await api.data("POST", f"{HOOKS}/{endpoint_id}/disable")
        _, other_key = emu.create_org("Other")
        await api.data(
            "POST", HOOKS, json={"name": "o", "url": other_rx.url},
            headers={"Authorization": f"Bearer {other_key}"},
        )  # fmt: skip
        await api.run(linear(("a", "echo", {})))
        await asyncio.sleep(0.1)
    assert (rx.received, other_rx.received) == ([], [])
    assert await _deliveries(api) == []


async def test_failing_receiver_is_retried_until_it_recovers(api: Api) -> None:
    """Two 500s then 204: the same record goes retrying -> success with retryCount 2."""
    async with HookReceiver(statuses=[500, 500]) as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"])
        await api.run(linear())
        await rx.wait_for(3)
        (delivery,) = await _settled(api, 1)
    assert (delivery["status"], delivery["retryCount"], delivery["responseStatus"]) == (
        "success", 2, 204,
    )  # fmt: skip
    assert len({r.body for r in rx.received}) == 1  # every attempt sent the same bytes


@pytest.mark.slow
async def test_receiver_answering_500_ends_in_failure_after_max_retries(api: Api) -> None:
    """Always 500: maxRetries + 1 attempts, then ``failure`` with the last answer recorded."""
    async with HookReceiver(default=500) as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"], maxRetries=2)
        await api.run(linear())
        (delivery,) = await _settled(api, 1)
    assert len(rx.received) == 3
    assert (delivery["status"], delivery["retryCount"], delivery["responseStatus"]) == (
        "failure", 2, 500,
    )  # fmt: skip
    assert delivery["errorMessage"] == "the endpoint answered 500"
    assert delivery["responseBody"] == "answered 500"
    assert "nextRetryAt" not in delivery


async def test_receiver_that_is_down_fails_with_a_connection_error(api: Api) -> None:
    """Nothing listening: every attempt fails to connect, the record ends in failure."""
    await _endpoint(api, closed_url(), subscribedEventTypes=["run.completed"], maxRetries=1)
    await api.run(linear())
    (delivery,) = await _settled(api, 1)
    assert (delivery["status"], delivery["retryCount"]) == ("failure", 1)
    assert delivery["errorMessage"].startswith("connection failed")
    assert "responseStatus" not in delivery


@pytest.mark.slow
async def test_slow_receiver_times_out(api: Api) -> None:
    """A receiver slower than the attempt timeout is a failed attempt ("no answer within")."""
    async with HookReceiver(delay=2.0) as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"], maxRetries=0)
        await api.run(linear())
        (delivery,) = await _settled(api, 1)
    assert delivery["status"] == "failure"
    assert delivery["errorMessage"] == "no answer within 0.5 s"


@pytest.mark.slow
async def test_a_stalled_receiver_never_slows_the_run(api: Api) -> None:
    """Runs finish while every delivery is still waiting for a receiver that stalls."""
    async with HookReceiver(delay=2.0) as rx:
        await _endpoint(api, rx.url)
        started = time.monotonic()
        await api.run(linear(("a", "echo", {}), ("b", "echo", {})))
        elapsed = time.monotonic() - started
        # Waiting on the receiver would cost at least the 0.5 s attempt timeout per event.
        assert elapsed < 1.5
        statuses = {d["status"] for d in await _deliveries(api)}
        assert statuses <= {"pending", "retrying"}


async def test_retry_requeues_the_same_failed_record(api: Api) -> None:
    """Retry of a failed delivery keeps its id, attempts once more and continues the count."""
    async with HookReceiver(statuses=[500]) as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"], maxRetries=0)
        await api.run(linear())
        (failed,) = await _settled(api, 1)
        assert failed["status"] == "failure"
        requeued = await api.data("POST", f"{DELIVERIES}/{failed['id']}/retry")
        assert (requeued["id"], requeued["status"]) == (failed["id"], "pending")
        (done,) = await _settled(api, 1)
    assert (done["id"], done["status"], done["retryCount"]) == (failed["id"], "success", 1)
    assert len(rx.received) == 2


async def test_retry_of_a_successful_delivery_is_409004(api: Api) -> None:
    """Only failed deliveries can be retried."""
    async with HookReceiver() as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"])
        await api.run(linear())
        (done,) = await _settled(api, 1)
    answer = await api.call("POST", f"{DELIVERIES}/{done['id']}/retry", expect=409)
    assert answer["code"] == 409004


async def test_replay_creates_a_new_record_with_the_same_request(api: Api) -> None:
    """Replay of a successful delivery is a new record that sends the same event again."""
    async with HookReceiver() as rx:
        await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"])
        await api.run(linear())
        (original,) = await _settled(api, 1)
        replayed = await api.data("POST", f"{DELIVERIES}/{original['id']}/replay")
        await _settled(api, 2)
        await rx.wait_for(2)
    assert replayed["id"] != original["id"]
    assert (replayed["requestBody"], replayed["retryCount"]) == (original["requestBody"], 0)
    assert rx.received[0].body == rx.received[1].body


async def test_replay_to_a_disabled_endpoint_is_409004(api: Api) -> None:
    """A delivery cannot be replayed while its endpoint is disabled."""
    async with HookReceiver() as rx:
        endpoint_id = (await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"]))[
            "endpoint"
        ]["id"]
        await api.run(linear())
        (original,) = await _settled(api, 1)
    await api.data("POST", f"{HOOKS}/{endpoint_id}/disable")
    answer = await api.call("POST", f"{DELIVERIES}/{original['id']}/replay", expect=409)
    assert answer["code"] == 409004


async def test_regenerated_secret_signs_the_next_deliveries(api: Api) -> None:
    """After regenerate-secret the old secret is void: deliveries carry the new signature."""
    async with HookReceiver() as rx:
        created = await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"])
        rotated = await api.data("POST", f"{HOOKS}/{created['endpoint']['id']}/regenerate-secret")
        await api.run(linear())
        (request,) = await rx.wait_for(1)
    assert rotated["signingSecret"] != created["signingSecret"]
    assert rotated["endpoint"]["id"] == created["endpoint"]["id"]
    assert request.headers["x-b3os-signature"] == _signature(rotated["signingSecret"], request.body)


async def test_deliveries_filter_by_endpoint(api: Api) -> None:
    """``endpointId`` lists the deliveries of that endpoint only."""
    async with HookReceiver() as rx:
        first = await _endpoint(api, rx.url, subscribedEventTypes=["run.completed"])
        await _endpoint(api, rx.url, subscribedEventTypes=["run.started"])
        await api.run(linear())
        await _settled(api, 2)
    only = await _deliveries(api, endpointId=first["endpoint"]["id"])
    assert [d["eventType"] for d in only] == ["run.completed"]


async def test_unknown_delivery_is_404072(api: Api) -> None:
    """A delivery id that is not the organization's answers 404 code 404072."""
    for path in (f"{DELIVERIES}/whd_nope", f"{DELIVERIES}/whd_nope/retry"):
        method = "GET" if path.endswith("nope") else "POST"
        assert (await api.call(method, path, expect=404))["code"] == 404072


# -- outbound webhooks (send-webhook nodes) -------------------------------------------------------

OUTBOUND = "/v1/outbound-webhook/deliveries"


async def test_send_webhook_node_records_and_sends_a_delivery(api: Api) -> None:
    """A send-webhook node POSTs its body with its headers; the record lists the outcome."""
    async with HookReceiver() as rx:
        payload = {"url": rx.url, "body": {"v": "{{root.result.v}}"}, "headers": {"X-K": "1"}}
        wf = await api.create(linear(("send", "send-webhook", payload)))
        run = await api.data(
            "POST", f"/v1/workflows/{wf['id']}/run", json={"payload": {"v": 7}, "runId": "run_o1"}
        )
        finished = await api.emu.wait_for_run(run["runId"])
        (request,) = await rx.wait_for(1)
        await asyncio.sleep(0.05)
        page = await api.data("GET", OUTBOUND, params={"workflowId": wf["id"]})
    assert json.loads(request.body) == {"v": 7}
    assert request.headers["X-K"] == "1"
    (record,) = page["items"]
    assert finished["executionState"]["send"]["result"]["deliveryId"] == record["id"]
    assert (record["status"], record["nodeId"], record["runId"], record["method"]) == (
        "success", "send", "run_o1", "POST",
    )  # fmt: skip
    assert await api.data("GET", f"{OUTBOUND}/{record['id']}") == record


async def test_outbound_retry_and_replay(api: Api) -> None:
    """A failed outbound delivery can be retried (same record) and replayed (a new one)."""
    async with HookReceiver(statuses=[503]) as rx:
        payload = {"url": rx.url, "body": {}, "maxRetries": 0}
        await api.run(linear(("send", "send-webhook", payload)))
        await rx.wait_for(1)
        await asyncio.sleep(0.05)
        (failed,) = (await api.data("GET", OUTBOUND))["items"]
        retried = await api.data("POST", f"{OUTBOUND}/{failed['id']}/retry")
        replayed = await api.data("POST", f"{OUTBOUND}/{failed['id']}/replay")
        await rx.wait_for(3)
    assert (failed["status"], failed["responseStatus"]) == ("failure", 503)
    assert retried["id"] == failed["id"]
    assert replayed["id"] != failed["id"]


async def test_send_webhook_refuses_non_loopback_targets(api: Api) -> None:
    """A send-webhook node aimed off loopback fails (code loopback_only) and records nothing."""
    run = await api.run(linear(("send", "send-webhook", {"url": "https://example.com/x"})))
    assert run["executionState"]["send"]["error"]["code"] == "loopback_only"
    assert (await api.data("GET", OUTBOUND))["items"] == []


async def test_unknown_outbound_delivery_is_404073(api: Api) -> None:
    """An outbound delivery id that is not the organization's answers 404 code 404073."""
    assert (await api.call("GET", f"{OUTBOUND}/owd_nope", expect=404))["code"] == 404073


async def test_read_keys_may_list_but_not_create(emu: Emulator) -> None:
    """A read-scope key lists endpoints and deliveries but cannot create one (403001)."""
    headers = {"Authorization": f"Bearer {emu.create_api_key('read')}"}
    async with aiohttp.ClientSession(emu.url, headers=headers) as session:
        async with session.get(HOOKS) as listed:
            assert listed.status == 200
        async with session.post(HOOKS, json={"name": "n", "url": "https://x.example"}) as made:
            assert (made.status, (await made.json())["code"]) == (403, 403001)
