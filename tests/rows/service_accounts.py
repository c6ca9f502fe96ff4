"""Request shapes of ``b3.service_accounts`` (row format: ``tests/test_request_shapes.py``)."""

from __future__ import annotations

from support.table import Req, Row

from b3os_async.models import Permission

ACCOUNT = {"id": "sa_1", "name": "bot", "permissions": ["run:read"], "status": "active"}

ROWS = [
    Row(
        "service_accounts.list",
        lambda b3: b3.service_accounts.list(),
        Req("GET", "/v1/service-accounts", {"offset": ["0"]}),
        {"items": [ACCOUNT], "hasMore": False},
    ),
    Row(
        "service_accounts.create",
        lambda b3: b3.service_accounts.create(
            "bot", permissions=[Permission.RUN_READ, "workflow:read"], description="d"
        ),
        Req(
            "POST",
            "/v1/service-accounts",
            json={"name": "bot", "permissions": ["run:read", "workflow:read"], "description": "d"},
        ),
        ACCOUNT,
    ),
    Row(
        "service_accounts.get",
        lambda b3: b3.service_accounts.get("sa_1"),
        Req("GET", "/v1/service-accounts/sa_1"),
        ACCOUNT,
    ),
    Row(
        "service_accounts.update",
        lambda b3: b3.service_accounts.update("sa_1", name="bot2", permissions=["run:read"]),
        Req(
            "PATCH",
            "/v1/service-accounts/sa_1",
            json={"name": "bot2", "permissions": ["run:read"]},
        ),
        ACCOUNT,
    ),
    Row(
        "service_accounts.enable",
        lambda b3: b3.service_accounts.enable("sa_1"),
        Req("POST", "/v1/service-accounts/sa_1/enable"),
        ACCOUNT,
    ),
    Row(
        "service_accounts.disable",
        lambda b3: b3.service_accounts.disable("sa_1"),
        Req("POST", "/v1/service-accounts/sa_1/disable"),
        {},
        note="untyped answer",
    ),
    Row(
        "service_accounts.delete",
        lambda b3: b3.service_accounts.delete("sa_1"),
        Req("DELETE", "/v1/service-accounts/sa_1"),
        None,
    ),
]
