"""The x402 endpoint catalog (``/v1/x402-endpoints``), probe results and generated metadata.

Theory of operation
-------------------
The catalog is one list for the whole emulator (B3OS lists "all public x402 endpoints", whoever
imported them), newest first, kept in a :class:`SortedIndex` so a page is a slice; the
``category`` and ``search`` filters scan it and stop once the page is full, reading text
lower-cased when the endpoint was written. ``baseUrl`` (the URL without its query) is unique:
creating or importing one that exists is a 409 (409005).

An endpoint keeps call statistics: every ``test``/``execute`` of a URL in the catalog is
recorded (calls, successes, failures, average duration, last error, and the amount spent per
token in base units, exact integers kept as decimal text).

:func:`probe_result` turns the answer of a paid resource into B3OS's ``X402EndpointProbeResult``;
:func:`generate_metadata` stands in for B3OS's AI metadata: deterministic, derived from the URL,
method and description (documented as such).
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import attrs

from b3os_async.testing._collection import SortedIndex, page_body, scan_page
from b3os_async.testing._common import (
    X402_ENDPOINT_EXISTS,
    X402_ENDPOINT_NOT_FOUND,
    ApiError,
    compact,
    not_found,
    now_iso,
)
from b3os_async.testing._domain.wallets import DEMO_ASSET, DEMO_DECIMALS, DEMO_SYMBOL

__all__ = ["Endpoint", "EndpointBook", "base_url", "generate_metadata", "probe_result"]

#: Tokens the emulator can name (decimals, symbol) in probe results: address -> (decimals, symbol).
KNOWN_TOKENS = {DEMO_ASSET.lower(): (DEMO_DECIMALS, DEMO_SYMBOL)}
_CATEGORIES = (
    ("weather", "data"),
    ("price", "finance"),
    ("quote", "finance"),
    ("search", "search"),
    ("image", "ai"),
    ("chat", "ai"),
    ("echo", "utility"),
)


def base_url(url: str) -> str:
    """``url`` without its query and fragment (the catalog's identity of an endpoint)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


@attrs.define
class Endpoint:
    """One catalog entry: the fields it was created with, plus its call statistics."""

    id: str
    org_id: str
    index: int
    fields: dict[str, Any]
    created_at: str
    updated_at: str
    total_calls: int = 0
    success_count: int = 0
    failure_count: int = 0
    total_ms: int = 0
    spent: dict[str, int] = attrs.field(factory=dict)
    last_called_at: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    text: str = ""  # name, description, URL and tags lower-cased (the search filter)

    def json(self) -> dict[str, Any]:
        """The ``X402Endpoint`` object."""
        body = dict(self.fields)
        average = self.total_ms // self.total_calls if self.total_calls else None
        body.update(
            compact(
                {
                    "id": self.id,
                    "createdAt": self.created_at,
                    "updatedAt": self.updated_at,
                    "totalCalls": self.total_calls,
                    "successCount": self.success_count,
                    "failureCount": self.failure_count,
                    "avgResponseMs": average,
                    "spentByToken": {token: str(v) for token, v in self.spent.items()},
                    "lastCalledAt": self.last_called_at,
                    "lastError": self.last_error,
                    "lastErrorAt": self.last_error_at,
                }
            )
        )
        return body


class EndpointBook:
    """Every x402 endpoint of the emulator (see the module docstring)."""

    def __init__(self, new_id: Any) -> None:
        self._new_id = new_id
        self._by_id: dict[str, Endpoint] = {}
        self._by_url: dict[str, Endpoint] = {}
        self._index: SortedIndex[Endpoint] = SortedIndex()
        self._numbers = itertools.count()

    def create(self, org_id: str, fields: dict[str, Any]) -> Endpoint:
        """A new endpoint (``fields`` already validated); 409005 when its URL exists."""
        url = base_url(fields["baseUrl"])
        if url in self._by_url:
            raise ApiError(
                409,
                X402_ENDPOINT_EXISTS,
                f"an x402 endpoint for {url} already exists",
                [{"id": self._by_url[url].id}],
            )
        price = int(fields["price"])
        at = now_iso()
        endpoint = Endpoint(
            id=self._new_id(),
            org_id=org_id,
            index=next(self._numbers),
            fields={**fields, "baseUrl": url, "maxAllowedPrice": str(price * 5)},
            created_at=at,
            updated_at=at,
        )
        self._written(endpoint)
        self._by_id[endpoint.id] = endpoint
        self._by_url[url] = endpoint
        self._index.add((endpoint.index,), endpoint)
        return endpoint

    def get(self, endpoint_id: str) -> Endpoint:
        """The endpoint ``endpoint_id`` or a 404 (404012)."""
        found = self._by_id.get(endpoint_id)
        if found is None:
            raise not_found(X402_ENDPOINT_NOT_FOUND, f"x402 endpoint {endpoint_id!r}")
        return found

    def by_url(self, url: str) -> Endpoint | None:
        """The endpoint whose ``baseUrl`` is ``url`` without its query, if any."""
        return self._by_url.get(base_url(url))

    def verify(self, endpoint: Endpoint, schemas: dict[str, Any]) -> Endpoint:
        """Replace the endpoint's parameter and output schemas (re-verification)."""
        endpoint.fields.update(schemas)
        endpoint.updated_at = now_iso()
        self._written(endpoint)
        return endpoint

    def record(
        self, url: str, *, ok: bool, ms: int, amount: int, asset: str, error: str | None
    ) -> None:
        """Count one paid call of ``url`` (nothing when it is not in the catalog)."""
        endpoint = self.by_url(url)
        if endpoint is None:
            return
        at = now_iso()
        endpoint.total_calls += 1
        endpoint.total_ms += ms
        endpoint.last_called_at = at
        if ok:
            endpoint.success_count += 1
            endpoint.spent[asset] = endpoint.spent.get(asset, 0) + amount
        else:
            endpoint.failure_count += 1
            endpoint.last_error, endpoint.last_error_at = error, at

    def page(
        self, limit: int, offset: int, category: str | None, search: str | None
    ) -> dict[str, Any]:
        """Newest first; ``category`` (exact, any case) and ``search`` (substring) filter."""
        wanted_category = category.lower() if category else None
        needle = search.lower() if search else None

        def keep(endpoint: Endpoint) -> bool:
            if wanted_category and str(endpoint.fields.get("category", "")).lower() != (
                wanted_category
            ):
                return False
            return not needle or needle in endpoint.text

        if wanted_category is None and needle is None:
            found, more = self._index.page(offset, limit, descending=True)
        else:
            found, more = scan_page(self._index.iterate(descending=True), keep, offset, limit)
        return page_body([endpoint.json() for endpoint in found], limit, offset, more)

    @staticmethod
    def _written(endpoint: Endpoint) -> None:
        fields = endpoint.fields
        parts = [fields.get("name"), fields.get("description"), fields.get("baseUrl")]
        parts.extend(fields.get("tags") or [])
        endpoint.text = "\n".join(str(part) for part in parts if part).lower()


def probe_result(
    url: str, method: str, status: int, body: Any, error: str | None = None
) -> dict[str, Any]:
    """B3OS's ``X402EndpointProbeResult`` for the answer (``status``, JSON ``body``) of ``url``."""
    parts = urlsplit(url)
    result: dict[str, Any] = {
        "baseUrl": base_url(url),
        "detectedParams": dict(parse_qsl(parts.query)),
        "method": method,
    }
    accepts = body.get("accepts") if isinstance(body, dict) else None
    if error is not None or status != 402 or not isinstance(accepts, list) or not accepts:
        why = error or (
            f"the resource answered {status} without x402 payment requirements"
            if status != 402
            else "the 402 answer carries no 'accepts' requirements"
        )
        return {**result, "success": False, "error": why}
    first = accepts[0] if isinstance(accepts[0], dict) else {}
    asset = str(first.get("asset", ""))
    decimals, symbol = KNOWN_TOKENS.get(asset.lower(), (None, None))
    found: Any = first.get("outputSchema")
    output: dict[str, Any] = found if isinstance(found, dict) else {}
    found = output.get("input")
    schema_in: dict[str, Any] = found if isinstance(found, dict) else {}
    return compact(
        {
            **result,
            "success": True,
            "accepts": [option for option in accepts if isinstance(option, dict)],
            "price": first.get("maxAmountRequired") or first.get("amount"),
            "payTo": first.get("payTo"),
            "network": first.get("network"),
            "tokenAddress": asset or None,
            "tokenDecimals": decimals,
            "tokenSymbol": symbol,
            "tokenName": symbol,
            "description": first.get("description"),
            "mimeType": first.get("mimeType"),
            "outputSchema": output or None,
            "queryParams": _params(schema_in.get("queryParams")),
            "bodyParams": _params(schema_in.get("bodyFields") or schema_in.get("bodyParams")),
        }
    )


def _params(value: Any) -> dict[str, Any] | None:
    """Parameter definitions ``{name: {type, description, required}}`` (others dropped)."""
    if not isinstance(value, dict):
        return None
    found = {
        str(name): compact(
            {
                "type": spec.get("type") if isinstance(spec.get("type"), str) else None,
                "description": spec.get("description")
                if isinstance(spec.get("description"), str)
                else None,
                "required": spec.get("required")
                if isinstance(spec.get("required"), bool)
                else None,
            }
        )
        for name, spec in value.items()
        if isinstance(spec, dict)
    }
    return found or None


def generate_metadata(url: str, method: str, description: str | None) -> dict[str, Any]:
    """Name, description, category and tags for an endpoint (deterministic stand-in for AI)."""
    segments = [part for part in urlsplit(url).path.split("/") if part and part != "v1"]
    words = [word for segment in segments[-2:] for word in segment.replace("_", "-").split("-")]
    name = " ".join(word.capitalize() for word in words if word) or (urlsplit(url).hostname or url)
    low = url.lower()
    category = next((cat for key, cat in _CATEGORIES if key in low), "other")
    tags = sorted({word.lower() for word in words if word.isalpha()} | {category, "x402"})
    text = description or f"{method.upper()} {base_url(url)}, paid per call with x402"
    return {"name": name[:100], "description": text[:500], "category": category, "tags": tags}
