"""``b3.x402``: paid HTTP resources (x402) -- the catalog, probing, and paid calls.

Money moves in :meth:`X402.test`, :meth:`X402.import_` (the organization's default wallet pays)
and :meth:`X402.execute` (your pre-signed payment is spent): these are never retried
automatically, whatever the retry policy says, and the payment header you pass is a secret
that appears in no log line, ``repr()`` or exception.

A payment requirement is data (:meth:`X402.probe`), and a payment the resource refused is a
result with ``success=False`` and ``status_code=402`` -- never an exception. An HTTP 402 from
B3OS itself is :class:`~b3os_async.InsufficientCreditsError` (not enough compute units),
unrelated to x402.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._errors import ConfigurationError
from b3os_async.models.x402 import (
    X402CallResult,
    X402Endpoint,
    X402EndpointCheck,
    X402ImportResult,
    X402Metadata,
    X402ProbeResult,
)
from b3os_async.resources._args import compact, json_object, str_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from b3os_async.pagination import AsyncPager

__all__ = ["X402"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _method(method: str | None) -> str | None:
    checked: object = method  # callers may pass anything: check at runtime
    if checked is None:
        return None
    if not isinstance(checked, str) or checked.upper() not in _METHODS:
        raise ConfigurationError(f"method must be one of {', '.join(_METHODS)}, got {method!r}")
    return checked.upper()


def _url(resource_url: str) -> str:
    checked: object = resource_url  # callers may pass anything: check at runtime
    if not isinstance(checked, str) or not checked.startswith(("http://", "https://")):
        raise ConfigurationError(f"resource_url must be an http(s) URL, got {resource_url!r}")
    return resource_url


def _base_units(price: object) -> str:
    """A price in base units as the decimal text the API takes (an ``int`` or digit text)."""
    if isinstance(price, int) and not isinstance(price, bool) and price >= 0:
        if price.bit_length() > 1024:  # far beyond any token supply; str() would be refused
            raise ConfigurationError("price is too large to be an amount of base units")
        return str(price)
    if isinstance(price, str) and price.isascii() and price.isdigit():
        return price
    shown = f"{price!r:.40}" if not isinstance(price, int) else type(price).__name__
    raise ConfigurationError(f"price must be a whole number of base units, got {shown}")


class X402(Resource):
    """x402 endpoints (``/v1/x402-endpoints``). Get it as ``b3.x402``."""

    __slots__ = ()

    def list(
        self,
        *,
        category: str | None = None,
        search: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[X402Endpoint]:
        """List the catalog of x402 endpoints, newest first, lazily (``search``: text)."""
        params = {"category": category, "search": search}
        return self._list(
            X402Endpoint,
            "/v1/x402-endpoints",
            params=params,
            page_size=page_size,
            max_items=max_items,
        )

    async def get(self, endpoint_id: str) -> X402Endpoint:
        """Get one catalog entry."""
        return await self._get(X402Endpoint, "/v1/x402-endpoints/{}", endpoint_id)

    async def by_url(self, url: str) -> X402EndpointCheck:
        """Whether the catalog has an endpoint for ``url`` (compared without its query)."""
        return await self._get(X402EndpointCheck, "/v1/x402-endpoints/by-url", params={"url": url})

    async def probe(
        self, resource_url: str, *, method: str | None = None, body: str | None = None
    ) -> X402ProbeResult:
        """Read what a paid resource asks to be paid, without paying (its 402 answer).

        Args:
            resource_url: the paid resource (``http(s)://``).
            method: the HTTP method to ask with (default: POST, then GET).
            body: a request body (text) for resources that validate input before asking.
        """
        payload = compact(resourceUrl=_url(resource_url), method=_method(method), body=body)
        return await self._post(X402ProbeResult, "/v1/x402-endpoints/probe", json=payload)

    async def test(
        self,
        resource_url: str,
        *,
        method: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> X402CallResult:
        """Pay a resource once from the organization's default wallet. Moves money; not retried.

        A refused payment is ``success=False`` with the reason in ``error``.
        """
        payload = compact(
            resourceUrl=_url(resource_url), method=_method(method), body=json_object(body, "body")
        )
        return await self._post(X402CallResult, "/v1/x402-endpoints/test", json=payload)

    async def execute(
        self,
        resource_url: str,
        payment_header: str,
        *,
        method: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> X402CallResult:
        """Call a resource through B3OS with your pre-signed ``X-PAYMENT`` header. Spends it;
        not retried.

        ``payment_header`` (base64) is a secret: it is sent in the request body only and never
        shown in logs, ``repr()`` or errors.
        """
        checked: object = payment_header  # never shown: it is a secret
        if not isinstance(checked, str) or not checked.strip():
            raise ConfigurationError("payment_header must be the base64 X-PAYMENT header value")
        payload = compact(
            resourceUrl=_url(resource_url),
            paymentHeader=payment_header,
            method=_method(method),
            body=json_object(body, "body"),
        )
        return await self._post(X402CallResult, "/v1/x402-endpoints/execute", json=payload)

    async def import_(
        self,
        resource_url: str,
        *,
        method: str | None = None,
        body: Mapping[str, Any] | None = None,
        name: str | None = None,
        description: str | None = None,
        wallet_address: str | None = None,
    ) -> X402ImportResult:
        """Probe, pay once (default wallet, or ``wallet_address``), describe and add a resource to
        the catalog, all or nothing. Moves money; not retried. ``ConflictError`` if it exists.
        """
        payload = compact(
            resourceUrl=_url(resource_url),
            method=_method(method),
            body=json_object(body, "body"),
            name=name,
            description=description,
            walletAddress=wallet_address,
        )
        return await self._post(X402ImportResult, "/v1/x402-endpoints/import", json=payload)

    async def create(
        self,
        *,
        base_url: str,
        network: str,
        pay_to: str,
        price: int | str,
        token_address: str,
        method: str | None = None,
        name: str | None = None,
        description: str | None = None,
        category: str | None = None,
        tags: Sequence[str] | None = None,
        token_symbol: str | None = None,
        token_decimals: int | None = None,
        mime_type: str | None = None,
        query_params: Mapping[str, Any] | None = None,
        body_params: Mapping[str, Any] | None = None,
        output_schema: Mapping[str, Any] | None = None,
    ) -> X402Endpoint:
        """Add an endpoint to the catalog from details you already have (after a ``test``).

        Args:
            base_url: the resource's URL (its query, if any, is not part of its identity).
            network: the payment network (``base``, ``base-sepolia`` ...).
            pay_to: the address paid.
            price: in the token's base units (an ``int`` or decimal text; sent as text).
            token_address: the token paid in.
            method: the HTTP method of the resource.
            name: a display name.
            description: what it does.
            category: a category (``data``, ``finance`` ...).
            tags: search tags (at most 10).
            token_symbol: the token's symbol.
            token_decimals: the token's decimals.
            mime_type: what the resource answers.
            query_params: its query parameters (``{name: {type, description, required}}``).
            body_params: its body parameters, likewise.
            output_schema: the JSON schema of its answer.
        """
        text = _base_units(price)
        payload = compact(
            baseUrl=_url(base_url),
            network=network,
            payTo=pay_to,
            price=text,
            tokenAddress=token_address,
            method=_method(method),
            name=name,
            description=description,
            category=category,
            tags=list(str_list(tags, "tags") or []) or None,
            tokenSymbol=token_symbol,
            tokenDecimals=token_decimals,
            mimeType=mime_type,
            queryParams=json_object(query_params, "query_params"),
            bodyParams=json_object(body_params, "body_params"),
            outputSchema=json_object(output_schema, "output_schema"),
        )
        return await self._post(X402Endpoint, "/v1/x402-endpoints", json=payload)

    async def verify(
        self,
        endpoint_id: str,
        *,
        query_params: Mapping[str, Any] | None = None,
        body_params: Mapping[str, Any] | None = None,
        header_params: Mapping[str, Any] | None = None,
        output_schema: Mapping[str, Any] | None = None,
        example_query_params: Mapping[str, Any] | None = None,
        example_body: Any = None,
        example_output: Any = None,
    ) -> X402Endpoint:
        """Re-verify an endpoint: replace its parameter and output schemas and examples."""
        payload = compact(
            queryParams=json_object(query_params, "query_params"),
            bodyParams=json_object(body_params, "body_params"),
            headerParams=json_object(header_params, "header_params"),
            outputSchema=json_object(output_schema, "output_schema"),
            exampleQueryParams=json_object(example_query_params, "example_query_params"),
            exampleBody=example_body,
            exampleOutput=example_output,
        )
        return await self._post(
            X402Endpoint, "/v1/x402-endpoints/{}/verify", endpoint_id, json=payload
        )

    async def generate_metadata(
        self,
        resource_url: str,
        *,
        method: str | None = None,
        network: str | None = None,
        price: str | None = None,
        token_symbol: str | None = None,
        input_schema: Mapping[str, Any] | None = None,
        output_schema: Mapping[str, Any] | None = None,
    ) -> X402Metadata:
        """Generate a name, description, category and tags for a resource."""
        payload = compact(
            resourceUrl=_url(resource_url),
            method=_method(method),
            network=network,
            price=price,
            tokenSymbol=token_symbol,
            inputSchema=json_object(input_schema, "input_schema"),
            outputSchema=json_object(output_schema, "output_schema"),
        )
        return await self._post(X402Metadata, "/v1/x402-endpoints/generate-metadata", json=payload)
