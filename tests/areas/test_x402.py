"""``b3.x402`` against the emulator's demo paid resources: x402 for real on loopback."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from b3os_async import (
    B3OS,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
)
from b3os_async.testing import Fault

if TYPE_CHECKING:
    from b3os_async.models import X402ProbeResult
    from b3os_async.testing import Emulator

WEATHER_PRICE = 1000


async def _probe(b3: B3OS, emu: Emulator, name: str = "weather") -> X402ProbeResult:
    return await b3.x402.probe(emu.x402.resource_url(name))


async def test_probe_reads_the_payment_requirements_without_paying(b3: B3OS, emu: Emulator) -> None:
    """probe() returns the 402's requirements as data; no money moves."""
    wallet = emu.x402.default_wallet()
    before = emu.x402.balance(wallet)
    probe = await _probe(b3, emu)
    assert probe.success
    assert probe.method == "GET"
    assert (probe.price, probe.network, probe.token_symbol) == ("1000", "base-sepolia", "USDC")
    requirement = probe.accepts[0]
    assert (requirement.scheme, requirement.price) == ("exact", WEATHER_PRICE)
    assert requirement.resource == emu.x402.resource_url()
    assert emu.x402.balance(wallet) == before


async def test_probe_of_a_resource_that_asks_no_payment_is_unsuccessful(
    b3: B3OS, emu: Emulator
) -> None:
    """A resource answering without 402 gives success=False with the reason."""
    probe = await b3.x402.probe(emu.url + "/v1/x402-demo/nothing")
    assert probe.success is False
    assert probe.error is not None
    assert "404" in probe.error


async def test_probe_refuses_a_resource_off_loopback(b3: B3OS) -> None:
    """The emulator calls loopback resources only: another host is a BadRequestError."""
    with pytest.raises(BadRequestError, match="loopback"):
        await b3.x402.probe("https://example.com/paid")


async def test_test_pays_from_the_default_wallet(b3: B3OS, emu: Emulator) -> None:
    """test() pays the price once: the org's wallet is debited, the merchant credited."""
    wallet = emu.x402.default_wallet()
    before = emu.x402.balance(wallet)
    result = await b3.x402.test(emu.x402.resource_url())
    assert result.success
    assert result.status_code == 200
    assert result.resource == {"city": "Lisbon", "forecast": "sunny", "temperatureC": 21}
    assert result.payment_details is not None
    assert (result.payment_details.amount_paid, result.payment_details.payer) == ("1000", wallet)
    assert emu.x402.balance(wallet) == before - WEATHER_PRICE
    probe = await _probe(b3, emu)
    assert probe.pay_to is not None
    assert emu.x402.balance(probe.pay_to) == WEATHER_PRICE


async def test_an_empty_wallet_gets_a_refusal_not_an_exception(b3: B3OS, emu: Emulator) -> None:
    """Insufficient funds: success=False, status 402 and the reason; nothing is debited."""
    wallet = emu.x402.default_wallet()
    emu.x402.set_balance(wallet, 10)
    result = await b3.x402.test(emu.x402.resource_url())
    assert (result.success, result.status_code, result.error) == (False, 402, "insufficient_funds")
    assert emu.x402.balance(wallet) == 10


async def test_import_pays_once_and_adds_the_endpoint(b3: B3OS, emu: Emulator) -> None:
    """import_() probes, pays, describes and creates; a second import is a ConflictError."""
    wallet = emu.x402.default_wallet()
    before = emu.x402.balance(wallet)
    url = emu.x402.resource_url()
    imported = await b3.x402.import_(url, name="Weather")
    assert imported.endpoint.name == "Weather"
    assert imported.endpoint.price == "1000"
    assert imported.endpoint.max_allowed_price == "5000"
    assert imported.payment_details is not None
    assert imported.payment_details.amount_paid == "1000"
    with pytest.raises(ConflictError):
        await b3.x402.import_(url)
    assert emu.x402.balance(wallet) == before - WEATHER_PRICE


async def test_a_failed_import_creates_nothing(b3: B3OS, emu: Emulator) -> None:
    """An import whose payment is refused is a BadRequestError and leaves no endpoint."""
    emu.x402.set_balance(emu.x402.default_wallet(), 0)
    url = emu.x402.resource_url()
    with pytest.raises(BadRequestError, match="insufficient_funds"):
        await b3.x402.import_(url)
    assert (await b3.x402.by_url(url)).exists is False


async def test_execute_spends_a_caller_signed_payment_and_refuses_its_replay(
    b3: B3OS, emu: Emulator
) -> None:
    """execute() forwards a pre-signed header; sending it again is refused, paid only once."""
    probe = await _probe(b3, emu)
    assert probe.pay_to is not None
    assert probe.price is not None
    payer = emu.x402.create_wallet(funds=5000)
    header = emu.x402.sign_payment(payer=payer, pay_to=probe.pay_to, amount=probe.price)
    url = emu.x402.resource_url()
    first = await b3.x402.execute(url, header)
    replay = await b3.x402.execute(url, header)
    assert first.success
    assert first.payment_details is not None
    assert first.payment_details.payer == payer
    assert (replay.success, replay.status_code) == (False, 402)
    assert replay.error == "authorization_already_used"
    assert emu.x402.balance(payer) == 4000


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount": 999}, "invalid_exact_evm_payload_authorization_value"),
        ({"network": "base"}, "invalid_network"),
        ({"pay_to": "0x" + "1" * 40}, "invalid_exact_evm_payload_recipient_mismatch"),
    ],
)
async def test_a_payment_for_the_wrong_amount_network_or_recipient_is_refused(
    b3: B3OS, emu: Emulator, change: dict[str, object], reason: str
) -> None:
    """The facilitator refuses a short amount, another network or another recipient."""
    probe = await _probe(b3, emu)
    payer = emu.x402.create_wallet()
    fields: dict[str, object] = {"pay_to": probe.pay_to, "amount": probe.price}
    fields.update(change)
    header = emu.x402.sign_payment(payer=payer, **fields)  # type: ignore[arg-type]
    result = await b3.x402.execute(emu.x402.resource_url(), header)
    assert (result.success, result.error) == (False, reason)
    assert emu.x402.balance(payer) == 10_000_000


async def test_payment_calls_are_never_retried(b3: B3OS, emu: Emulator) -> None:
    """A 503 on test() is raised after one attempt even though the retry policy allows more."""
    emu.faults.add(Fault.status(503), path="/v1/x402-endpoints/test", times=1)
    with pytest.raises(InternalServerError) as caught:
        await b3.x402.test(emu.x402.resource_url())
    assert caught.value.attempts == 1
    assert [r.path for r in emu.requests].count("/v1/x402-endpoints/test") == 1


async def test_the_payment_header_is_never_shown(
    b3: B3OS, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed execute() leaves the header out of the error, its repr and the debug log."""
    probe = await _probe(b3, emu)
    assert probe.pay_to is not None
    assert probe.price is not None
    header = emu.x402.sign_payment(
        payer=emu.x402.create_wallet(), pay_to=probe.pay_to, amount=probe.price
    )
    emu.faults.add(Fault.status(502), path="/v1/x402-endpoints/execute", times=1)
    caplog.set_level(logging.DEBUG, logger="b3os_async")
    with pytest.raises(InternalServerError) as caught:
        await b3.x402.execute(emu.x402.resource_url(), header)
    assert "x402-endpoints/execute" in caplog.text
    for text in (str(caught.value), repr(caught.value), caplog.text):
        assert header not in text
        assert header[:24] not in text


async def test_an_http_402_from_b3os_means_credits_not_x402(b3: B3OS, emu: Emulator) -> None:
    """B3OS answering 402 itself is InsufficientCreditsError (compute units), not a payment."""
    emu.faults.add(Fault.status(402), path="/v1/x402-endpoints/probe", times=1)
    with pytest.raises(InsufficientCreditsError):
        await _probe(b3, emu)


@pytest.mark.slow
async def test_the_catalog_lists_searches_and_reads(b3: B3OS, emu: Emulator) -> None:
    """list (search, category), get and by_url read the imported endpoints."""
    weather = (await b3.x402.import_(emu.x402.resource_url())).endpoint
    echo = (await b3.x402.import_(emu.x402.resource_url("echo"), body={"message": "hi"})).endpoint
    assert [e.id async for e in b3.x402.list()] == [echo.id, weather.id]
    assert [e.id async for e in b3.x402.list(search="weather")] == [weather.id]
    assert [e.id async for e in b3.x402.list(category="utility")] == [echo.id]
    assert (await b3.x402.get(weather.id)).total_calls == 1
    check = await b3.x402.by_url(emu.x402.resource_url() + "?city=Porto")
    assert check.exists
    assert check.endpoint is not None
    assert check.endpoint.id == weather.id
    with pytest.raises(NotFoundError):
        await b3.x402.get("x402_missing")


async def test_create_verify_and_generate_metadata(b3: B3OS, emu: Emulator) -> None:
    """create() adds an endpoint, verify() replaces its schemas, metadata is derived."""
    probe = await _probe(b3, emu, "echo")
    assert probe.pay_to is not None
    assert probe.token_address is not None
    endpoint = await b3.x402.create(
        base_url=emu.x402.resource_url("echo"),
        network="base-sepolia",
        pay_to=probe.pay_to,
        price=2500,
        token_address=probe.token_address,
        method="post",
        tags=["demo"],
    )
    assert (endpoint.method, endpoint.price, endpoint.tags) == ("POST", "2500", ("demo",))
    verified = await b3.x402.verify(endpoint.id, output_schema={"type": "object"})
    assert verified.output_schema == {"type": "object"}
    metadata = await b3.x402.generate_metadata(emu.x402.resource_url("echo"), method="POST")
    assert metadata.category == "utility"
    assert "echo" in metadata.tags


async def test_bad_arguments_are_refused_before_any_request(b3: B3OS, emu: Emulator) -> None:
    """A non-http URL, a bad method, a fractional price or an empty header fail before I/O."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError):
        await b3.x402.probe("ftp://x")
    with pytest.raises(ConfigurationError):
        await b3.x402.test("http://127.0.0.1/x", method="FETCH")
    with pytest.raises(ConfigurationError):
        await b3.x402.create(
            base_url="http://127.0.0.1/x", network="n", pay_to="p", price="1.5", token_address="t"
        )
    with pytest.raises(ConfigurationError):
        await b3.x402.execute("http://127.0.0.1/x", " ")
    assert list(emu.requests) == []
