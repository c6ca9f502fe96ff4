"""Request shapes of ``b3.connectors`` (see ``tests/test_request_shapes.py`` for the format)."""

from __future__ import annotations

from support.table import Req, Row

CONNECTOR = {"id": "conn_1", "type": "slack", "maskedData": {"botToken": "****abcd"}}
PAGE = {"items": [CONNECTOR], "limit": 20, "offset": 0, "hasMore": False}

ROWS = [
    Row(
        "connectors.list",
        lambda b3: b3.connectors.list(page_size=20),
        Req("GET", "/v1/connectors", {"limit": ["20"], "offset": ["0"]}),
        PAGE,
    ),
    Row(
        "connectors.create",
        lambda b3: b3.connectors.create(
            name="alerts", type="slack", data={"botToken": "xoxb-1"}, description="ops"
        ),
        Req(
            "POST",
            "/v1/connectors",
            json={
                "name": "alerts",
                "type": "slack",
                "data": {"botToken": "xoxb-1"},
                "description": "ops",
            },
        ),
        CONNECTOR,
    ),
    Row(
        "connectors.get",
        lambda b3: b3.connectors.get("conn_1"),
        Req("GET", "/v1/connectors/conn_1"),
        CONNECTOR,
    ),
    Row(
        "connectors.update",
        lambda b3: b3.connectors.update("conn_1", name="renamed", data={"botToken": "xoxb-2"}),
        Req(
            "PUT",
            "/v1/connectors/conn_1",
            json={"name": "renamed", "data": {"botToken": "xoxb-2"}},
        ),
        CONNECTOR,
    ),
    Row(
        "connectors.delete",
        lambda b3: b3.connectors.delete("conn_1"),
        Req("DELETE", "/v1/connectors/conn_1"),
        None,
    ),
    Row(
        "connectors.types",
        lambda b3: b3.connectors.types(),
        Req("GET", "/v1/connector-types"),
        [{"type": "slack", "dataSchema": {"type": "object"}}],
    ),
    Row(
        "connectors.type",
        lambda b3: b3.connectors.type("telegram-bot"),
        Req("GET", "/v1/connector-types/telegram-bot"),
        {"type": "telegram-bot"},
    ),
    Row(
        "connectors.mcp_connectors",
        lambda b3: b3.connectors.mcp_connectors(page_size=10),
        Req("GET", "/v1/mcp-connectors", {"limit": ["10"], "offset": ["0"]}),
        {"items": [{"id": "conn_2", "serverId": "github"}], "hasMore": False},
    ),
    Row(
        "connectors.mcp_servers",
        lambda b3: b3.connectors.mcp_servers(),
        Req("GET", "/v1/mcp/servers", {"offset": ["0"]}),
        {"items": [{"id": "github", "name": "GitHub"}], "hasMore": False},
    ),
    Row(
        "connectors.mcp_oauth_url",
        lambda b3: b3.connectors.mcp_oauth_url("github", name="My GitHub"),
        Req("GET", "/v1/mcp/github/oauth-url", {"name": ["My GitHub"]}),
        {"url": "https://github.com/login/oauth/authorize?state=s"},
    ),
]
