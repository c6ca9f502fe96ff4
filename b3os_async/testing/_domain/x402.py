"""x402 payments for real on loopback: the demo paid resources and the facilitator that checks
and settles their payments.

Theory of operation
-------------------
`x402 <https://x402.org>`_ (version 1, scheme ``exact``) in four steps, all played by the emulator
over real HTTP:

1. a client asks a paid resource (``GET /v1/x402-demo/weather``, ``POST /v1/x402-demo/echo``)
   and gets **402** with a JSON body ``{"x402Version": 1, "error", "accepts": [requirement]}``;
   a requirement names ``scheme``, ``network``, ``maxAmountRequired`` (base units, text),
   ``resource``, ``description``, ``mimeType``, ``payTo``, ``maxTimeoutSeconds``, ``asset``,
   ``extra`` and ``outputSchema``;
2. the payer signs an *authorization* (``from``, ``to``, ``value``, ``validAfter``,
   ``validBefore``, ``nonce``) and sends the request again with ``X-PAYMENT`` = base64 of
   ``{"x402Version": 1, "scheme", "network", "payload": {"signature", "authorization"}}``;
3. the resource's facilitator (:class:`Facilitator`) *verifies* it -- version, scheme, network,
   recipient, value >= the amount, time window, signature, nonce not used before, balance -- and
   *settles*: the value moves from payer to ``payTo`` and the nonce is spent;
4. the resource answers 200 with its content and ``X-PAYMENT-RESPONSE`` = base64 of
   ``{"success", "transaction", "network", "payer"}``; a refused payment is 402 again, its
   ``error`` naming the reason (the names of the reference facilitator where one exists).

Signatures are the fake, deterministic ones of ``_domain/wallets.py``; the signed message covers
the network and the token, so a header cannot be replayed on another network or for another
token. B3OS's own ``/v1/x402-endpoints/test`` and ``…/import`` pay with the organization's
default wallet through :meth:`Facilitator.sign`; ``…/execute`` forwards a header the caller
signed (``emu.x402.sign_payment(...)`` stands in for the caller's wallet).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._domain.wallets import (
    DEMO_ASSET,
    DEMO_NETWORK,
    DEMO_SYMBOL,
    InsufficientFunds,
    Wallet,
    WalletBook,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from b3os_async.testing._common import IdSource

__all__ = [
    "DEMO_PATH",
    "DEMO_RESOURCES",
    "X402_VERSION",
    "DemoResource",
    "Facilitator",
    "PaymentRefused",
    "decode_header",
    "encode_header",
]

X402_VERSION = 1
#: Where the demo paid resources are served (``{emu.url}/v1/x402-demo/<name>``).
DEMO_PATH = "/v1/x402-demo/"
_MAX_TIMEOUT = 300


class PaymentRefused(Exception):
    """A payment the facilitator will not settle; ``reason`` is the x402 error name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@attrs.frozen
class DemoResource:
    """One paid resource: method, price in base units of the demo token, content."""

    name: str
    method: str
    price: int
    description: str
    content: Callable[[Mapping[str, str], Any], Any]
    input_schema: dict[str, Any]


DEMO_RESOURCES: dict[str, DemoResource] = {
    resource.name: resource
    for resource in (
        DemoResource(
            "weather",
            "GET",
            1000,
            "Today's weather for a city (demo resource of the B3OS emulator)",
            lambda query, body: {
                "city": query.get("city", "Lisbon"),
                "forecast": "sunny",
                "temperatureC": 21,
            },
            {"queryParams": {"city": {"type": "string", "description": "City name"}}},
        ),
        DemoResource(
            "echo",
            "POST",
            2500,
            "Echoes the JSON body it is sent (demo resource of the B3OS emulator)",
            lambda query, body: {"echo": body},
            {"bodyFields": {"message": {"type": "string", "description": "Anything"}}},
        ),
    )
}


def encode_header(value: Mapping[str, Any]) -> str:
    """base64 of compact JSON (the encoding of ``X-PAYMENT`` and ``X-PAYMENT-RESPONSE``)."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(text.encode()).decode()


def decode_header(text: str) -> dict[str, Any]:
    """The JSON object of a base64 header; :class:`PaymentRefused` (``invalid_payload``)."""
    try:
        decoded = json.loads(base64.b64decode(text.strip(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise PaymentRefused("invalid_payload") from None
    if not isinstance(decoded, dict):
        raise PaymentRefused("invalid_payload")
    return decoded


def _message(network: str, asset: str, authorization: Mapping[str, Any]) -> str:
    """What a payer signs: every field of the authorization, the network and the token."""
    fields = [
        str(authorization.get(name, ""))
        for name in ("from", "to", "value", "validAfter", "validBefore", "nonce")
    ]
    return "|".join(["x402-exact", network, asset, *fields]).lower()


class Facilitator:
    """Builds requirements, signs for known wallets, verifies and settles payments."""

    def __init__(self, wallets: WalletBook, ids: IdSource) -> None:
        self._wallets = wallets
        self._ids = ids
        self._spent: set[tuple[str, str, str]] = set()  # (network, payer, nonce)
        self._merchant: Wallet | None = None

    @property
    def merchant(self) -> Wallet:
        """The wallet the demo resources are paid to (created on first use, empty)."""
        if self._merchant is None:
            self._merchant = self._wallets.create(None, funds=0)
        return self._merchant

    def requirement(self, resource: DemoResource, url: str) -> dict[str, Any]:
        """The payment requirement of a demo resource served at ``url``."""
        return {
            "scheme": "exact",
            "network": DEMO_NETWORK,
            "maxAmountRequired": str(resource.price),
            "resource": url,
            "description": resource.description,
            "mimeType": "application/json",
            "payTo": self.merchant.address,
            "maxTimeoutSeconds": _MAX_TIMEOUT,
            "asset": DEMO_ASSET,
            "extra": {"name": DEMO_SYMBOL, "version": "2"},
            "outputSchema": {
                "input": {
                    "type": "http",
                    "method": resource.method,
                    "discoverable": True,
                    **resource.input_schema,
                },
                "output": {"type": "object"},
            },
        }

    def sign(
        self,
        payer: Wallet,
        *,
        pay_to: str,
        amount: int | str,
        network: str = DEMO_NETWORK,
        asset: str = DEMO_ASSET,
        nonce: str | None = None,
        valid_for: int = _MAX_TIMEOUT,
    ) -> str:
        """An ``X-PAYMENT`` header by which ``payer`` authorizes ``amount`` to ``pay_to``."""
        now = int(time.time())
        authorization = {
            "from": payer.address,
            "to": pay_to,
            "value": str(amount),
            "validAfter": str(now - 60),
            "validBefore": str(now + valid_for),
            "nonce": nonce
            or "0x" + "".join(self._ids.rng("x402-nonce").choices("0123456789abcdef", k=64)),
        }
        signature = self._wallets.sign(payer, _message(network, asset, authorization))
        return encode_header(
            {
                "x402Version": X402_VERSION,
                "scheme": "exact",
                "network": network,
                "payload": {"signature": signature, "authorization": authorization},
            }
        )

    def settle(self, header: str, requirement: Mapping[str, Any]) -> dict[str, Any]:
        """Verify ``header`` against ``requirement`` and move the money, or refuse.

        Returns the settlement ``{success, transaction, network, payer, amount}``. Nothing moves
        when the payment is refused (:class:`PaymentRefused`).
        """
        payment = decode_header(header)
        if payment.get("x402Version") != X402_VERSION:
            raise PaymentRefused("invalid_x402_version")
        if payment.get("scheme") != requirement["scheme"]:
            raise PaymentRefused("invalid_scheme")
        network = payment.get("network")
        if network != requirement["network"]:
            raise PaymentRefused("invalid_network")
        body = payment.get("payload")
        authorization = body.get("authorization") if isinstance(body, dict) else None
        if not isinstance(authorization, dict):
            raise PaymentRefused("invalid_payload")
        payer = str(authorization.get("from", "")).lower()
        if str(authorization.get("to", "")).lower() != str(requirement["payTo"]).lower():
            raise PaymentRefused("invalid_exact_evm_payload_recipient_mismatch")
        value = _units(authorization.get("value"))
        if value is None or value < int(requirement["maxAmountRequired"]):
            raise PaymentRefused("invalid_exact_evm_payload_authorization_value")
        now = int(time.time())
        if (_units(authorization.get("validBefore")) or 0) < now + 6:
            raise PaymentRefused("invalid_exact_evm_payload_authorization_valid_before")
        if (_units(authorization.get("validAfter")) or 0) > now:
            raise PaymentRefused("invalid_exact_evm_payload_authorization_valid_after")
        asset = str(requirement["asset"])
        message = _message(str(network), asset, authorization)
        signature = body.get("signature") if isinstance(body, dict) else None
        if not self._wallets.verify(payer, message, signature):
            raise PaymentRefused("invalid_exact_evm_payload_signature")
        spent = (str(network), payer, str(authorization.get("nonce", "")).lower())
        if spent in self._spent:
            raise PaymentRefused("authorization_already_used")  # a replayed payment
        wallet = self._wallets.find(payer)
        assert wallet is not None  # verify() found it
        try:
            self._wallets.transfer(str(network), asset, wallet, str(requirement["payTo"]), value)
        except InsufficientFunds:
            raise PaymentRefused("insufficient_funds") from None
        self._spent.add(spent)
        return {
            "success": True,
            "transaction": "0x" + hashlib.sha256(message.encode()).hexdigest(),
            "network": network,
            "payer": wallet.address,
            "amount": str(value),
        }


def _units(value: object) -> int | None:
    """An amount or timestamp as an exact integer (they travel as decimal text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
