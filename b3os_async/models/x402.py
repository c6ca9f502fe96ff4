"""x402 models (``b3.x402``): paid HTTP resources, their payment requirements, paid calls.

`x402 <https://x402.org>`_ is HTTP 402 used for payments: a paid resource answers 402 with what
it accepts (:class:`X402PaymentRequirement`); a client pays by sending a signed ``X-PAYMENT``
header. A payment requirement is **data** here (``b3.x402.probe()`` returns it), never an
exception: an HTTP 402 from B3OS itself means "not enough compute units"
(:class:`~b3os_async.InsufficientCreditsError`), which has nothing to do with x402.

Amounts (``price``, ``max_amount_required``, ``amount_paid`` ...) are in the token's base units
and travel as decimal text, kept as such (``int(value)`` is exact); parameter schemas, examples
and output schemas are free-form JSON.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "X402CallResult",
    "X402Endpoint",
    "X402EndpointCheck",
    "X402ImportResult",
    "X402Metadata",
    "X402PaymentDetails",
    "X402PaymentRequirement",
    "X402ProbeResult",
]


@attrs.frozen(kw_only=True)
class X402PaymentRequirement:
    """One way a paid resource accepts payment (an entry of the 402 answer's ``accepts``).

    ``max_amount_required`` (x402 v1; ``amount`` in v2) is in base units of ``asset`` (a token
    address) on ``network``, paid to ``pay_to``.
    """

    scheme: str | None = None
    network: str | None = None
    max_amount_required: str | None = None
    amount: str | None = None
    asset: str | None = None
    pay_to: str | None = None
    resource: str | None = None
    description: str | None = None
    mime_type: str | None = None
    max_timeout_seconds: int | None = None
    extra: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None
    src_amount_required: str | None = None
    src_network: str | None = None
    src_token_address: str | None = None

    @property
    def price(self) -> int | None:
        """The amount asked, in base units, as an exact ``int`` (``None`` if not stated)."""
        text = self.max_amount_required or self.amount
        return int(text) if text and text.isdigit() else None


@attrs.frozen(kw_only=True)
class X402ProbeResult:
    """What a resource asks to be paid (``b3.x402.probe()``), read from its 402 answer.

    ``success`` is False (with ``error``) when the resource did not answer 402 with payment
    requirements. ``price``, ``pay_to``, ``network`` and ``token_*`` repeat the first
    requirement; ``accepts`` holds them all.
    """

    success: bool | None = None
    error: str | None = None
    base_url: str | None = None
    method: str | None = None
    price: str | None = None
    pay_to: str | None = None
    network: str | None = None
    token_address: str | None = None
    token_decimals: int | None = None
    token_symbol: str | None = None
    token_name: str | None = None
    description: str | None = None
    mime_type: str | None = None
    accepts: tuple[X402PaymentRequirement, ...] = ()
    detected_params: dict[str, Any] | None = None
    query_params: dict[str, Any] | None = None
    body_params: dict[str, Any] | None = None
    header_params: dict[str, Any] | None = None
    output_schema: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class X402PaymentDetails:
    """What a paid call paid: amount (base units), token, network, payer, transaction hash."""

    amount_paid: str | None = None
    asset: str | None = None
    network: str | None = None
    payer: str | None = None
    transaction: str | None = None


@attrs.frozen(kw_only=True)
class X402CallResult:
    """A paid call made by B3OS (``test``, ``execute``): the resource's status and answer.

    A refused payment is ``success=False``, ``status_code=402`` and the facilitator's reason in
    ``error`` -- data, not an exception.
    """

    success: bool | None = None
    status_code: int | None = None
    resource: Any = None
    payment_details: X402PaymentDetails | None = None
    error: str | None = None


@attrs.frozen(kw_only=True)
class X402Endpoint:
    """A paid resource in B3OS's x402 catalog: identity, price, parameters, call statistics."""

    id: str
    name: str | None = None
    description: str | None = None
    base_url: str | None = None
    method: str | None = None
    mime_type: str | None = None
    network: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    price: str | None = None
    max_allowed_price: str | None = None
    pay_to: str | None = None
    token_address: str | None = None
    token_symbol: str | None = None
    token_decimals: int | None = None
    query_params: dict[str, Any] | None = None
    body_params: dict[str, Any] | None = None
    header_params: dict[str, Any] | None = None
    default_query_params: dict[str, Any] | None = None
    default_body: dict[str, Any] | None = None
    default_headers: dict[str, Any] | None = None
    example_query_params: dict[str, Any] | None = None
    example_body: Any = None
    example_output: Any = None
    output_schema: dict[str, Any] | None = None
    input_summary: str | None = None
    output_summary: str | None = None
    use_cases: tuple[str, ...] = ()
    total_calls: int | None = None
    success_count: int | None = None
    failure_count: int | None = None
    avg_response_ms: int | None = None
    spent_by_token: dict[str, Any] | None = None
    last_called_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class X402EndpointCheck:
    """``b3.x402.by_url()``: whether the catalog has the URL, and the endpoint if so."""

    exists: bool = False
    endpoint: X402Endpoint | None = None


@attrs.frozen(kw_only=True)
class X402ImportResult:
    """``b3.x402.import_()``: the new catalog entry and what the test call paid."""

    endpoint: X402Endpoint
    payment_details: X402PaymentDetails | None = None


@attrs.frozen(kw_only=True)
class X402Metadata:
    """Generated name, description, category and tags for an endpoint."""

    name: str | None = None
    description: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
