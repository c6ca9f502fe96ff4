"""Area ``x402``: the x402 endpoint catalog, probing and paying paid resources, and the demo
paid resources themselves (``/v1/x402-demo/{name}``, not part of B3OS's API).

Probing and paying are real HTTP calls to the resource URL, which must be on a loopback host
(the emulator never reaches the network: 400006 otherwise). The protocol and its checks are in
``_domain/x402.py``; the catalog in ``_domain/x402_endpoints.py``. A resource that refuses a
payment is reported in a 200 (``{success: false, statusCode: 402, error}``): an HTTP 402 from
B3OS itself always means "not enough compute units", never x402.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from b3os_async.testing._actions import is_loopback_host
from b3os_async.testing._common import (
    BAD_RESOURCE_URL,
    METHOD_NOT_ALLOWED,
    NO_ROUTE,
    X402_ENDPOINT_EXISTS,
    X402_IMPORT_FAILED,
    ApiError,
    bad_field,
    compact,
)
from b3os_async.testing._domain.x402 import (
    DEMO_RESOURCES,
    X402_VERSION,
    PaymentRefused,
    decode_header,
    encode_header,
)
from b3os_async.testing._domain.x402_endpoints import generate_metadata, probe_result
from b3os_async.testing._server import (
    context,
    json_body,
    json_response,
    ok,
    optional,
    paging,
    principal,
    request_id,
    require,
)

if TYPE_CHECKING:
    from b3os_async.testing._store import Store

ROUTES = web.RouteTableDef()

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_SCHEMA_FIELDS = (
    ("queryParams", dict),
    ("bodyParams", dict),
    ("headerParams", dict),
    ("outputSchema", dict),
    ("exampleQueryParams", dict),
    ("exampleBody", object),
    ("exampleOutput", object),
)


class _Answer:
    """What a paid resource answered: status, ``X-PAYMENT-RESPONSE``, JSON (or text) body."""

    def __init__(self, status: int, settlement: str | None, body: Any, ms: int) -> None:
        self.status, self.settlement, self.body, self.ms = status, settlement, body, ms


async def _call(url: str, method: str, body: Any, payment: str | None = None) -> _Answer:
    """One real HTTP call to a loopback resource (400006 for any other URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not is_loopback_host(parts.hostname):
        raise ApiError(
            400,
            BAD_RESOURCE_URL,
            "the emulator only calls x402 resources on loopback hosts (localhost, 127.0.0.1, "
            f"::1); refused {url!r}",
        )
    headers = {"Accept": "application/json"}
    if payment is not None:
        headers["X-PAYMENT"] = payment
    started = time.monotonic()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                method,
                url,
                json=body if method != "GET" and body is not None else None,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response,
        ):
            text = await response.text(errors="replace")
            settlement = response.headers.get("X-PAYMENT-RESPONSE")
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
        return _Answer(0, None, f"could not reach {url}: {type(exc).__name__}", 0)
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    return _Answer(status, settlement, parsed, int((time.monotonic() - started) * 1000))


def _resource_url(body: dict[str, Any]) -> str:
    url: str = require(body, "resourceUrl", str, "a URL")
    if not url.strip():
        raise bad_field("'resourceUrl' must not be empty")
    return url


def _method(body: dict[str, Any]) -> str | None:
    method = optional(body, "method", str, "an HTTP method")
    if method is not None and method.upper() not in METHODS:
        raise bad_field(f"'method' must be one of {', '.join(METHODS)}")
    return method.upper() if method is not None else None


async def _probe(url: str, method: str | None, body: Any) -> tuple[str, _Answer]:
    """Ask the resource without paying: POST then GET unless ``method`` says which."""
    answer = _Answer(0, None, None, 0)
    used = method or "POST"
    for used in [method] if method else ["POST", "GET"]:
        answer = await _call(url, used, body)
        if answer.status == 402:
            break
    return used, answer


def _outcome(store: Store, url: str, payment: str, answer: _Answer) -> dict[str, Any]:
    """``TestX402EndpointData`` of a paid call (and its record in the catalog's stats)."""
    ok_ = 200 <= answer.status < 300
    result: dict[str, Any] = {"success": ok_, "statusCode": answer.status}
    amount, asset = 0, ""
    try:
        sent = decode_header(payment)
        authorization = sent["payload"]["authorization"]
        amount, network = int(authorization["value"]), str(sent.get("network"))
    except (PaymentRefused, KeyError, TypeError, ValueError):
        network = ""
    if ok_:
        result["resource"] = answer.body
        try:
            settled = decode_header(answer.settlement or "")
        except PaymentRefused:
            settled = {}
        asset = str(settled.get("asset") or "")
        result["paymentDetails"] = compact(
            {
                "amountPaid": str(amount),
                "asset": asset or None,
                "network": settled.get("network") or network or None,
                "payer": settled.get("payer"),
                "transaction": settled.get("transaction"),
            }
        )
    else:
        error = answer.body.get("error") if isinstance(answer.body, dict) else answer.body
        result["error"] = str(error or f"the resource answered {answer.status}")
    store.x402_endpoints.record(
        url, ok=ok_, ms=answer.ms, amount=amount, asset=asset, error=result.get("error")
    )
    return result


def _sign_for(store: Store, org_id: str, requirement: dict[str, Any], wallet: Any = None) -> str:
    """An ``X-PAYMENT`` header paying ``requirement`` from the organization's default wallet."""
    payer = wallet or store.wallets.default_for(org_id)
    return store.x402.sign(
        payer,
        pay_to=str(requirement.get("payTo", "")),
        amount=str(requirement.get("maxAmountRequired") or requirement.get("amount") or "0"),
        network=str(requirement.get("network", "")),
        asset=str(requirement.get("asset", "")),
    )


# -- the catalog ---------------------------------------------------------------------------------


@ROUTES.get("/v1/x402-endpoints")
async def list_endpoints(request: web.Request) -> web.Response:
    """``GET /v1/x402-endpoints``: every endpoint, newest first (``category``, ``search``)."""
    principal(request)
    limit, offset = paging(request)
    book = context(request).store.x402_endpoints
    query = request.query
    return ok(request, book.page(limit, offset, query.get("category"), query.get("search")))


@ROUTES.post("/v1/x402-endpoints")
async def create_endpoint(request: web.Request) -> web.Response:
    """``POST /v1/x402-endpoints``: add an endpoint (409005 when its URL exists)."""
    who = principal(request)
    body = await json_body(request)
    fields: dict[str, Any] = {}
    for name in ("baseUrl", "network", "payTo", "price", "tokenAddress"):
        fields[name] = require(body, name, str, "a string")
    if not fields["price"].isascii() or not fields["price"].isdigit():
        raise bad_field("'price' must be an amount in base units (decimal digits)")
    method = _method(body)
    for name, limit in (("name", 100), ("description", 500), ("category", 50)):
        value = optional(body, name, str, "a string")
        if value is not None and len(value) > limit:
            raise bad_field(f"{name!r} must be at most {limit} characters")
        fields[name] = value
    tags = optional(body, "tags", list, "a list of strings")
    if tags is not None and (len(tags) > 10 or not all(isinstance(t, str) for t in tags)):
        raise bad_field("'tags' must be at most 10 strings")
    for name, kind in (
        ("tokenDecimals", int),
        ("tokenSymbol", str),
        ("mimeType", str),
        ("source", str),
        ("defaultQueryParams", dict),
        ("defaultBody", dict),
        ("defaultHeaders", dict),
        *_SCHEMA_FIELDS,
    ):
        fields[name] = optional(body, name, kind, "of the documented type")
    fields.update(method=method or "GET", tags=tags, source=fields["source"] or "user_import")
    endpoint = context(request).store.x402_endpoints.create(who.org_id, compact(fields))
    return ok(request, endpoint.json())


@ROUTES.get("/v1/x402-endpoints/by-url")
async def endpoint_by_url(request: web.Request) -> web.Response:
    """``GET …/by-url?url=``: ``{exists, endpoint?}``."""
    principal(request)
    url = request.query.get("url")
    if not url:
        raise ApiError(400, 400004, "query parameter 'url' is required")
    found = context(request).store.x402_endpoints.by_url(url)
    return ok(request, compact({"exists": found is not None, "endpoint": found and found.json()}))


@ROUTES.post("/v1/x402-endpoints/probe")
async def probe_endpoint(request: web.Request) -> web.Response:
    """``POST …/probe``: the resource's payment requirements, read from its 402 (never paid)."""
    principal(request)
    body = await json_body(request)
    url = _resource_url(body)
    method, answer = await _probe(url, _method(body), optional(body, "body", str, "a string"))
    error = answer.body if answer.status == 0 else None
    return ok(request, probe_result(url, method, answer.status, answer.body, error))


@ROUTES.post("/v1/x402-endpoints/test")
async def test_endpoint(request: web.Request) -> web.Response:
    """``POST …/test``: pay the resource once from the organization's default wallet."""
    who = principal(request)
    store = context(request).store
    body = await json_body(request)
    url, payload = _resource_url(body), optional(body, "body", dict, "an object")
    method, answer = await _probe(url, _method(body), payload)
    probed = probe_result(url, method, answer.status, answer.body)
    if not probed["success"]:
        return ok(
            request, {"success": False, "statusCode": answer.status, "error": probed["error"]}
        )
    payment = _sign_for(store, who.org_id, probed["accepts"][0])
    return ok(request, _outcome(store, url, payment, await _call(url, method, payload, payment)))


@ROUTES.post("/v1/x402-endpoints/execute")
async def execute_endpoint(request: web.Request) -> web.Response:
    """``POST …/execute``: forward one call with the caller's pre-signed ``paymentHeader``."""
    principal(request)
    store = context(request).store
    body = await json_body(request)
    url = _resource_url(body)
    payment = require(body, "paymentHeader", str, "a base64 X-PAYMENT header")
    known = store.x402_endpoints.by_url(url)
    method = _method(body) or (str(known.fields.get("method")) if known else "GET")
    payload = optional(body, "body", dict, "an object")
    return ok(request, _outcome(store, url, payment, await _call(url, method, payload, payment)))


@ROUTES.post("/v1/x402-endpoints/import")
async def import_endpoint(request: web.Request) -> web.Response:
    """``POST …/import``: probe, pay, generate metadata and create, or nothing (400007/409005)."""
    who = principal(request)
    store = context(request).store
    body = await json_body(request)
    url, payload = _resource_url(body), optional(body, "body", dict, "an object")
    existing = store.x402_endpoints.by_url(url)
    if existing is not None:  # checked first: an import that would conflict pays nothing
        raise ApiError(
            409,
            X402_ENDPOINT_EXISTS,
            f"an x402 endpoint for {url} already exists",
            [{"id": existing.id}],
        )
    wallet = None
    address = optional(body, "walletAddress", str, "an address")
    if address is not None:
        wallet = store.wallets.find(address)
        if wallet is None or wallet.org_id != who.org_id:
            raise bad_field(f"'walletAddress' {address!r} is not a wallet of this organization")
    method, answer = await _probe(url, _method(body), payload)
    probed = probe_result(url, method, answer.status, answer.body)
    if not probed["success"]:
        raise ApiError(400, X402_IMPORT_FAILED, f"import failed: probe: {probed['error']}")
    payment = _sign_for(store, who.org_id, probed["accepts"][0], wallet)
    outcome = _outcome(store, url, payment, await _call(url, method, payload, payment))
    if not outcome["success"]:
        raise ApiError(400, X402_IMPORT_FAILED, f"import failed: payment: {outcome['error']}")
    meta = generate_metadata(url, method, probed.get("description"))
    fields = compact(
        {
            "baseUrl": url,
            "method": method,
            "network": probed["network"],
            "payTo": probed["payTo"],
            "price": probed["price"],
            "tokenAddress": probed.get("tokenAddress"),
            "tokenDecimals": probed.get("tokenDecimals"),
            "tokenSymbol": probed.get("tokenSymbol"),
            "mimeType": probed.get("mimeType"),
            "outputSchema": probed.get("outputSchema"),
            "queryParams": probed.get("queryParams"),
            "bodyParams": probed.get("bodyParams"),
            "exampleOutput": outcome.get("resource"),
            "source": "user_import",
            **meta,
            "name": optional(body, "name", str, "a string") or meta["name"],
            "description": optional(body, "description", str, "a string") or meta["description"],
        }
    )
    endpoint = store.x402_endpoints.create(who.org_id, fields)
    store.x402_endpoints.record(url, ok=True, ms=0, amount=0, asset="", error=None)
    return ok(request, {"endpoint": endpoint.json(), "paymentDetails": outcome["paymentDetails"]})


@ROUTES.post("/v1/x402-endpoints/generate-metadata")
async def generate_endpoint_metadata(request: web.Request) -> web.Response:
    """``POST …/generate-metadata``: name, description, category, tags (deterministic)."""
    principal(request)
    body = await json_body(request)
    return ok(request, generate_metadata(_resource_url(body), _method(body) or "GET", None))


@ROUTES.get("/v1/x402-endpoints/{id}")
async def get_endpoint(request: web.Request) -> web.Response:
    """``GET …/{id}``: one endpoint (404012)."""
    principal(request)
    return ok(request, context(request).store.x402_endpoints.get(request.match_info["id"]).json())


@ROUTES.post("/v1/x402-endpoints/{id}/verify")
async def verify_endpoint(request: web.Request) -> web.Response:
    """``POST …/{id}/verify``: replace the endpoint's schemas and examples."""
    principal(request)
    book = context(request).store.x402_endpoints
    endpoint = book.get(request.match_info["id"])
    body = await json_body(request)
    schemas = {
        name: optional(body, name, kind, "of the documented type") for name, kind in _SCHEMA_FIELDS
    }
    return ok(request, book.verify(endpoint, compact(schemas)).json())


# -- the demo paid resources -----------------------------------------------------------------------


@ROUTES.route("*", "/v1/x402-demo/{name}", name="public.x402_demo")
async def demo_resource(request: web.Request) -> web.Response:
    """A demo paid resource: 402 with requirements, content for a valid ``X-PAYMENT``."""
    resource = DEMO_RESOURCES.get(request.match_info["name"])
    if resource is None:
        raise ApiError(404, NO_ROUTE, f"no demo resource {request.match_info['name']!r}")
    if request.method != resource.method:
        raise ApiError(405, METHOD_NOT_ALLOWED, f"{resource.name} takes {resource.method}")
    store = context(request).store
    url = f"{request.scheme}://{request.host}{request.path}"
    requirement = store.x402.requirement(resource, url)
    rid = request_id(request)
    header = request.headers.get("X-PAYMENT")
    if not header:
        body = {
            "x402Version": X402_VERSION,
            "error": "X-PAYMENT header is required",
            "accepts": [requirement],
        }
        return json_response(402, body, rid)
    try:
        settlement = store.x402.settle(header, requirement)
    except PaymentRefused as refused:
        body = {"x402Version": X402_VERSION, "error": refused.reason, "accepts": [requirement]}
        return json_response(402, body, rid)
    sent = await json_body(request) if request.method != "GET" else None
    content = resource.content(request.query, sent)
    receipt = encode_header({**settlement, "asset": requirement["asset"]})
    return json_response(200, content, rid, {"X-PAYMENT-RESPONSE": receipt})
