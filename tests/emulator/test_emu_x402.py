"""Emulator area ``x402`` over raw HTTP: the demo resource's wire protocol and its refusals."""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from b3os_async.testing._domain.x402 import decode_header, encode_header

if TYPE_CHECKING:
    from emu_helpers import Api

    from b3os_async.testing import Emulator


async def _get(emu: Emulator, payment: str | None = None) -> tuple[int, Any, str | None]:
    headers = {"X-PAYMENT": payment} if payment is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(emu.x402.resource_url(), headers=headers) as response,
    ):
        receipt = response.headers.get("X-PAYMENT-RESPONSE")
        return response.status, await response.json(), receipt


async def _signed(emu: Emulator, **overrides: Any) -> str:
    """A payment of the weather resource by a new wallet (``overrides`` change its fields)."""
    _, body, _ = await _get(emu)
    requirement = body["accepts"][0]
    fields = {"pay_to": requirement["payTo"], "amount": requirement["maxAmountRequired"]}
    fields.update(overrides)
    return emu.x402.sign_payment(payer=emu.x402.create_wallet(), **fields)


async def test_an_unpaid_request_gets_402_with_x402_requirements(emu: Emulator) -> None:
    """Without X-PAYMENT the resource answers 402 {x402Version, error, accepts[]}."""
    status, body, _ = await _get(emu)
    assert status == 402
    assert body["x402Version"] == 1
    (requirement,) = body["accepts"]
    assert {
        "scheme",
        "network",
        "maxAmountRequired",
        "resource",
        "description",
        "payTo",
        "asset",
        "maxTimeoutSeconds",
        "mimeType",
    } <= set(requirement)
    assert (requirement["scheme"], requirement["maxAmountRequired"]) == ("exact", "1000")


async def test_a_valid_payment_gets_content_and_a_settlement_receipt(emu: Emulator) -> None:
    """A good X-PAYMENT: 200, the content and X-PAYMENT-RESPONSE {success, transaction, payer}."""
    status, body, receipt = await _get(emu, await _signed(emu))
    assert status == 200
    assert body["forecast"] == "sunny"
    assert receipt is not None
    settled = decode_header(receipt)
    assert settled["success"] is True
    assert settled["transaction"].startswith("0x")


async def test_a_forged_signature_is_refused(emu: Emulator) -> None:
    """Changing the authorized value after signing breaks the signature: 402 with the reason."""
    payment = decode_header(await _signed(emu))
    payment["payload"]["authorization"]["value"] = "5000"
    status, body, _ = await _get(emu, encode_header(payment))
    assert (status, body["error"]) == (402, "invalid_exact_evm_payload_signature")


async def test_an_expired_authorization_is_refused(emu: Emulator) -> None:
    """An authorization whose validBefore has passed is refused."""
    payment = decode_header(await _signed(emu))
    payment["payload"]["authorization"]["validBefore"] = str(int(time.time()) - 1)
    status, body, _ = await _get(emu, encode_header(payment))
    assert (status, body["error"]) == (402, "invalid_exact_evm_payload_authorization_valid_before")


async def test_garbage_in_x_payment_is_an_invalid_payload(emu: Emulator) -> None:
    """X-PAYMENT that is not base64 JSON is refused as invalid_payload."""
    junk = base64.b64encode(json.dumps([1, 2]).encode()).decode()
    for header in ("not base64!", junk):
        status, body, _ = await _get(emu, header)
        assert (status, body["error"]) == (402, "invalid_payload")


async def test_the_wrong_method_is_405(emu: Emulator) -> None:
    """weather takes GET: a POST is 405001."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(emu.x402.resource_url(), json={}) as response,
    ):
        assert (response.status, (await response.json())["code"]) == (405, 405001)


async def test_test_needs_a_resource_url(api: Api) -> None:
    """POST /v1/x402-endpoints/test without resourceUrl is 400002."""
    body = await api.call("POST", "/v1/x402-endpoints/test", json={}, expect=400)
    assert body["code"] == 400002


async def test_an_unreachable_resource_is_an_unsuccessful_probe(api: Api) -> None:
    """A loopback port nobody listens on: probe answers success false with the reason."""
    data = await api.data(
        "POST",
        "/v1/x402-endpoints/probe",
        json={"resourceUrl": "http://127.0.0.1:9/x", "method": "GET"},
    )
    assert data["success"] is False
    assert "could not reach" in data["error"]


async def test_import_into_a_wallet_of_another_org_is_refused(api: Api, emu: Emulator) -> None:
    """walletAddress must be one of the caller's wallets (400002); nothing is paid."""
    other_org, _ = emu.create_org("Other")
    foreign = emu.x402.default_wallet(other_org)
    body = await api.call(
        "POST",
        "/v1/x402-endpoints/import",
        expect=400,
        json={"resourceUrl": emu.x402.resource_url(), "walletAddress": foreign},
    )
    assert body["code"] == 400002
    assert emu.x402.balance(foreign) == 10_000_000
