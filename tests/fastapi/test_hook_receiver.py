"""``HookReceiver`` under a real uvicorn server, fed by the emulator's real signed deliveries."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from fastapi import FastAPI, Request
from kit_helpers import serve

from b3os_async.fastapi import B3OSLifespan, HookReceiver
from b3os_async.models import DeliveryStatus, ExecutionHookDelivery, HookEvent

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async import B3OS
    from b3os_async.testing import Emulator

DEFINITION: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["step"]},
        "step": {"type": "echo", "payload": {"v": 1}},
    },
    "triggerNodeIds": ["root"],
}


def hook_app(factory: Callable[[], B3OS], receiver: HookReceiver) -> FastAPI:
    app = FastAPI(lifespan=B3OSLifespan(factory))
    app.include_router(receiver.router)
    return app


async def _settled(b3: B3OS, count: int) -> list[ExecutionHookDelivery]:
    deadline = time.monotonic() + 5
    while True:
        items = [d async for d in b3.execution_hooks.deliveries()]
        done = (DeliveryStatus.SUCCESS, DeliveryStatus.FAILURE)
        if len(items) >= count and all(d.status in done for d in items):
            return items
        assert time.monotonic() < deadline, items
        await asyncio.sleep(0.02)


async def _register(b3: B3OS, url: str, *types: str, retries: int = 3) -> str:
    created = await b3.execution_hooks.create(
        "app", f"{url}/b3os/hooks", subscribed_event_types=list(types), max_retries=retries
    )
    return created.signing_secret


def _sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/b3os/hooks", data=body, headers=headers) as response,
    ):
        text = await response.text()
        return response.status, json.loads(text) if text else None


@pytest.mark.slow
async def test_genuine_deliveries_are_handled_and_answered_204(
    client_factory: Callable[[], B3OS],
) -> None:
    """Signed deliveries reach the handler of their type; the records show 204 success."""
    handled: list[HookEvent] = []
    receiver = HookReceiver("placeholder-secret")

    @receiver.on("node.completed", "run.completed")
    async def remember(event: HookEvent) -> None:
        handled.append(event)

    async with serve(hook_app(client_factory, receiver)) as url, client_factory() as b3:
        receiver.set_secrets(await _register(b3, url, "node.completed", "run.completed"))
        run = await b3.runs.start(DEFINITION)
        records = await _settled(b3, 3)
    assert sorted(e.type.value for e in handled) == [
        "node.completed", "node.completed", "run.completed",
    ]  # fmt: skip
    assert {e.run_id for e in handled} == {run.run_id}
    assert {(r.status, r.response_status) for r in records} == {(DeliveryStatus.SUCCESS, 204)}


@pytest.mark.slow
async def test_a_wrong_secret_is_401_and_nothing_is_handled(
    client_factory: Callable[[], B3OS],
) -> None:
    """Deliveries signed with another secret are refused 401; the emulator records failures."""
    handled: list[HookEvent] = []
    receiver = HookReceiver("whsec_not_the_right_one")
    receiver.on()(handled.append)
    async with serve(hook_app(client_factory, receiver)) as url, client_factory() as b3:
        await _register(b3, url, "run.completed", retries=0)
        await b3.runs.start(DEFINITION)
        (record,) = await _settled(b3, 1)
    assert handled == []
    assert (record.status, record.response_status) == (DeliveryStatus.FAILURE, 401)
    assert json.loads(record.response_body or "")["error"] == "signature_mismatch"


@pytest.mark.slow
async def test_missing_malformed_and_re_encoded_signatures_are_401(
    client_factory: Callable[[], B3OS],
) -> None:
    """No header, a non-hex header and a re-encoded body are each refused with their reason."""
    handled: list[HookEvent] = []
    receiver = HookReceiver("whsec_s")
    receiver.on()(handled.append)
    body = json.dumps({"eventType": "run.failed", "runId": "run_1"}, indent=2).encode()
    re_encoded = json.dumps(json.loads(body)).encode()
    async with serve(hook_app(client_factory, receiver)) as url:
        missing = await _post(url, body, {})
        malformed = await _post(url, body, {"x-b3os-signature": "sig"})
        changed = await _post(url, re_encoded, {"x-b3os-signature": _sign("whsec_s", body)})
        genuine = await _post(url, body, {"x-b3os-signature": _sign("whsec_s", body)})
    assert (missing[0], missing[1]["error"]) == (401, "missing_signature")
    assert (malformed[0], malformed[1]["error"]) == (401, "malformed_signature")
    assert (changed[0], changed[1]["error"]) == (401, "signature_mismatch")
    assert genuine == (204, None)
    assert len(handled) == 1


@pytest.mark.slow
async def test_old_and_new_secret_both_work_while_rotating(
    client_factory: Callable[[], B3OS],
) -> None:
    """With both secrets configured, deliveries before and after regenerate_secret pass."""
    handled: list[HookEvent] = []
    receiver = HookReceiver("placeholder-secret")
    receiver.on("run.completed")(handled.append)
    async with serve(hook_app(client_factory, receiver)) as url, client_factory() as b3:
        created = await b3.execution_hooks.create(
            "app", f"{url}/b3os/hooks", subscribed_event_types=["run.completed"]
        )
        assert created.endpoint is not None
        old = created.signing_secret
        receiver.set_secrets([old])
        await b3.runs.start(DEFINITION)
        await _settled(b3, 1)
        new = (await b3.execution_hooks.regenerate_secret(created.endpoint.id)).signing_secret
        receiver.set_secrets([new, old])
        await b3.runs.start(DEFINITION)
        records = await _settled(b3, 2)
    assert len(handled) == 2
    assert {r.status for r in records} == {DeliveryStatus.SUCCESS}


@pytest.mark.slow
async def test_a_replayed_delivery_is_acknowledged_but_not_handled_twice(
    client_factory: Callable[[], B3OS],
) -> None:
    """Replaying a delivery sends the same event again: 204, the handler ran once."""
    handled: list[HookEvent] = []
    receiver = HookReceiver("placeholder-secret")
    receiver.on("run.completed")(handled.append)
    async with serve(hook_app(client_factory, receiver)) as url, client_factory() as b3:
        receiver.set_secrets(await _register(b3, url, "run.completed"))
        await b3.runs.start(DEFINITION)
        (first,) = await _settled(b3, 1)
        await b3.execution_hooks.replay_delivery(first.id)
        records = await _settled(b3, 2)
    assert len(handled) == 1
    assert [(r.status, r.response_status) for r in records] == [(DeliveryStatus.SUCCESS, 204)] * 2


@pytest.mark.slow
async def test_a_failing_handler_gets_the_event_again_after_it_recovers(
    client_factory: Callable[[], B3OS],
) -> None:
    """Handler raises once: 500, the emulator retries, the handler succeeds; handled once."""
    calls: list[str] = []
    receiver = HookReceiver("placeholder-secret")

    @receiver.on("run.completed")
    def flaky(event: HookEvent) -> None:  # a plain function: run in the thread pool
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            raise RuntimeError("database is down")

    async with serve(hook_app(client_factory, receiver)) as url, client_factory() as b3:
        receiver.set_secrets(await _register(b3, url, "run.completed"))
        await b3.runs.start(DEFINITION)
        (record,) = await _settled(b3, 1)
    assert len(calls) == 2
    assert threading.main_thread().name not in calls
    assert (record.status, record.retry_count, record.response_status) == (
        DeliveryStatus.SUCCESS, 1, 204,
    )  # fmt: skip


@pytest.mark.slow
async def test_concurrent_copies_of_one_event_are_handled_once(
    client_factory: Callable[[], B3OS],
) -> None:
    """Two copies arriving together: one handles, the other waits for it; both get 204."""
    started = asyncio.Event()
    release = asyncio.Event()
    handled: list[HookEvent] = []
    receiver = HookReceiver("whsec_s")

    @receiver.on("run.failed")
    async def slow(event: HookEvent, request: Request) -> None:
        assert request.url.path == "/b3os/hooks"
        handled.append(event)
        started.set()
        await release.wait()

    body = json.dumps({"id": "evt_1", "eventType": "run.failed", "runId": "run_1"}).encode()
    headers = {"x-b3os-signature": _sign("whsec_s", body)}
    async with serve(hook_app(client_factory, receiver)) as url:
        first = asyncio.ensure_future(_post(url, body, headers))
        await started.wait()
        second = asyncio.ensure_future(_post(url, body, headers))
        await asyncio.sleep(0.1)
        assert not second.done()  # waiting for the first copy's outcome
        release.set()
        answers = [await first, await second]
    assert answers == [(204, None), (204, None)]
    assert len(handled) == 1


@pytest.mark.slow
async def test_types_dispatch_to_their_handler_else_the_catch_all(
    client_factory: Callable[[], B3OS],
) -> None:
    """A typed handler gets its type; unknown types go to the catch-all; none: still 204."""
    typed: list[str] = []
    other: list[str] = []
    receiver = HookReceiver("whsec_s")
    receiver.on("run.failed")(lambda event: typed.append(event.type.value))
    async with serve(hook_app(client_factory, receiver)) as url:

        async def send(kind: str, event_id: str) -> int:
            body = json.dumps({"id": event_id, "eventType": kind}).encode()
            return (await _post(url, body, {"x-b3os-signature": _sign("whsec_s", body)}))[0]

        assert await send("run.exploded", "e1") == 204  # no handler at all yet: accepted
        receiver.on()(lambda event: other.append(event.type.value))
        assert [await send("run.failed", "e2"), await send("run.exploded", "e3")] == [204, 204]
    assert (typed, other) == (["run.failed"], ["run.exploded"])


@pytest.mark.slow
async def test_bodies_that_are_not_events_or_too_large_are_refused(
    client_factory: Callable[[], B3OS],
) -> None:
    """A genuine non-event body is 400; a body over ``max_body`` is 413 before any check."""
    receiver = HookReceiver("whsec_s", max_body=100)
    body = b"[1, 2, 3]"
    async with serve(hook_app(client_factory, receiver)) as url:
        invalid = await _post(url, body, {"x-b3os-signature": _sign("whsec_s", body)})
        large = await _post(url, b"x" * 101, {"x-b3os-signature": "0" * 64})
    assert (invalid[0], invalid[1]["error"]) == (400, "invalid_payload")
    assert (large[0], large[1]["error"]) == (413, "body_too_large")


@pytest.mark.slow
async def test_a_receiver_that_is_down_then_up_gets_the_retry(
    client_factory: Callable[[], B3OS], emu: Emulator
) -> None:
    """Deliveries to a stopped app fail and are retried; once it is up they succeed."""
    handled: list[HookEvent] = []
    receiver = HookReceiver("placeholder-secret")
    receiver.on("run.completed")(handled.append)
    app = hook_app(client_factory, receiver)
    async with serve(app) as url, client_factory() as b3:
        receiver.set_secrets(await _register(b3, url, "run.completed", retries=8))
    # The app is down now (same port free); the first attempts fail to connect.
    async with client_factory() as b3:
        await b3.runs.start(DEFINITION)
        await asyncio.sleep(0.15)
        (pending,) = [d async for d in b3.execution_hooks.deliveries()]
        assert pending.status is DeliveryStatus.RETRYING
        assert (pending.error_message or "").startswith("connection failed")
        port = int(url.rsplit(":", 1)[1])
        async with serve(app, port=port):
            (record,) = await _settled(b3, 1)
    assert record.status is DeliveryStatus.SUCCESS
    assert (record.retry_count or 0) >= 1
    assert len(handled) == 1
