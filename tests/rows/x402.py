"""Request shapes of ``b3.x402`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from support.table import Req, Row

URL = "https://paid.example/weather"
ENDPOINT = {"id": "x402_1", "baseUrl": URL, "price": "1000"}
CALL = {"success": True, "statusCode": 200, "paymentDetails": {"amountPaid": "1000"}}

ROWS = [
    Row(
        "x402.list",
        lambda b3: b3.x402.list(category="data", search="weather", page_size=5),
        Req(
            "GET",
            "/v1/x402-endpoints",
            {"category": ["data"], "search": ["weather"], "limit": ["5"], "offset": ["0"]},
        ),
        {"items": [ENDPOINT], "hasMore": False},
    ),
    Row(
        "x402.get",
        lambda b3: b3.x402.get("x402_1"),
        Req("GET", "/v1/x402-endpoints/x402_1"),
        ENDPOINT,
    ),
    Row(
        "x402.by_url",
        lambda b3: b3.x402.by_url(URL),
        Req("GET", "/v1/x402-endpoints/by-url", {"url": [URL]}),
        {"exists": True, "endpoint": ENDPOINT},
    ),
    Row(
        "x402.probe",
        lambda b3: b3.x402.probe(URL, method="get", body='{"city": "Porto"}'),
        Req(
            "POST",
            "/v1/x402-endpoints/probe",
            json={"resourceUrl": URL, "method": "GET", "body": '{"city": "Porto"}'},
        ),
        {"success": True, "price": "1000", "accepts": [{"scheme": "exact"}]},
    ),
    Row(
        "x402.test",
        lambda b3: b3.x402.test(URL, method="POST", body={"q": 1}),
        Req(
            "POST",
            "/v1/x402-endpoints/test",
            json={"resourceUrl": URL, "method": "POST", "body": {"q": 1}},
        ),
        CALL,
    ),
    Row(
        "x402.execute",
        lambda b3: b3.x402.execute(URL, "eyJ4NDAyVmVyc2lvbiI6MX0="),
        Req(
            "POST",
            "/v1/x402-endpoints/execute",
            json={"resourceUrl": URL, "paymentHeader": "eyJ4NDAyVmVyc2lvbiI6MX0="},
        ),
        CALL,
    ),
    Row(
        "x402.import_",
        lambda b3: b3.x402.import_(URL, name="Weather", wallet_address="0xabc"),
        Req(
            "POST",
            "/v1/x402-endpoints/import",
            json={"resourceUrl": URL, "name": "Weather", "walletAddress": "0xabc"},
        ),
        {"endpoint": ENDPOINT, "paymentDetails": {"amountPaid": "1000"}},
    ),
    Row(
        "x402.create",
        lambda b3: b3.x402.create(
            base_url=URL,
            network="base",
            pay_to="0xpay",
            price=1000,
            token_address="0xusdc",
            tags=["weather"],
        ),
        Req(
            "POST",
            "/v1/x402-endpoints",
            json={
                "baseUrl": URL,
                "network": "base",
                "payTo": "0xpay",
                "price": "1000",
                "tokenAddress": "0xusdc",
                "tags": ["weather"],
            },
        ),
        ENDPOINT,
    ),
    Row(
        "x402.verify",
        lambda b3: b3.x402.verify("x402_1", output_schema={"type": "object"}),
        Req(
            "POST",
            "/v1/x402-endpoints/x402_1/verify",
            json={"outputSchema": {"type": "object"}},
        ),
        ENDPOINT,
    ),
    Row(
        "x402.generate_metadata",
        lambda b3: b3.x402.generate_metadata(URL, method="GET"),
        Req(
            "POST",
            "/v1/x402-endpoints/generate-metadata",
            json={"resourceUrl": URL, "method": "GET"},
        ),
        {"name": "Weather", "tags": ["data"]},
    ),
]
