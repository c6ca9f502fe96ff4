"""Request shapes of ``b3.api_keys`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from datetime import datetime, timezone

from support.table import Req, Row

KEY = {"id": "key_1", "name": "ci", "scope": "read", "keyPrefix": "b3sk_abcd"}
AUDIT = {"id": "aud_1", "method": "GET", "path": "/v1/runs", "statusCode": 200}

ROWS = [
    Row(
        "api_keys.list",
        lambda b3: b3.api_keys.list(page_size=10),
        Req("GET", "/v1/api-keys", {"limit": ["10"], "offset": ["0"]}),
        {"items": [KEY], "hasMore": False},
    ),
    Row(
        "api_keys.create",
        lambda b3: b3.api_keys.create(
            "ci",
            scope="read-write",
            description="deploys",
            expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
            service_account_id="sa_1",
        ),
        Req(
            "POST",
            "/v1/api-keys",
            json={
                "name": "ci",
                "scope": "read-write",
                "description": "deploys",
                "expiresAt": "2030-01-02T03:04:05Z",
                "serviceAccountId": "sa_1",
            },
        ),
        {**KEY, "key": "b3sk_secret_value_0000"},
    ),
    Row(
        "api_keys.create",
        lambda b3: b3.api_keys.create("ci"),
        Req("POST", "/v1/api-keys", json={"name": "ci", "scope": "read"}),
        {**KEY, "key": "b3sk_secret_value_0000"},
        note="read scope by default",
    ),
    Row(
        "api_keys.get",
        lambda b3: b3.api_keys.get("key_1"),
        Req("GET", "/v1/api-keys/key_1"),
        KEY,
    ),
    Row(
        "api_keys.revoke",
        lambda b3: b3.api_keys.revoke("key/1"),
        Req("DELETE", "/v1/api-keys/key%2F1"),
        None,
    ),
    Row(
        "api_keys.requests",
        lambda b3: b3.api_keys.requests(api_key_id="key_1", service_account_id="sa_1"),
        Req(
            "GET",
            "/v1/api-keys/requests",
            {"apiKeyId": ["key_1"], "serviceAccountId": ["sa_1"], "offset": ["0"]},
        ),
        {"items": [AUDIT], "hasMore": False},
    ),
]
