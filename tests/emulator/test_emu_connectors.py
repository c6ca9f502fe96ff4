"""The emulator's connector area over raw HTTP: CRUD checked against types, credentials never
shown, MCP connectors and servers, and connectors in workflow validation."""

from __future__ import annotations

from typing import Any

from emu_helpers import Api, linear

TOKEN = "xoxb-0000-secret-token-9876"
SLACK = {"name": "alerts", "type": "slack", "data": {"botToken": TOKEN, "teamId": "T1"}}


async def _create(api: Api, body: dict[str, Any] = SLACK) -> dict[str, Any]:
    created: dict[str, Any] = await api.data("POST", "/v1/connectors", json=body)
    return created


async def test_create_answers_masked_data_only(api: Api) -> None:
    """A created connector shows its secret masked (last 4 characters) and its other fields."""
    created = await _create(api)
    assert created["maskedData"] == {"botToken": "****9876", "teamId": "T1"}
    assert created["provider"] == "b3os"
    assert "data" not in created


async def test_the_credential_never_comes_back(api: Api) -> None:
    """Neither get nor list answers contain the token sent on create."""
    created = await _create(api)
    for path in (f"/v1/connectors/{created['id']}", "/v1/connectors"):
        async with api.session.get(path) as response:
            assert TOKEN not in await response.text()


async def test_data_that_misses_the_type_schema_is_400(api: Api) -> None:
    """A slack connector without a bot token is refused with the field named (400008)."""
    body = await api.call(
        "POST", "/v1/connectors", json={**SLACK, "data": {"teamId": "T1"}}, expect=400
    )
    assert body["code"] == 400008
    assert body["details"] == [{"field": "data.botToken", "message": "data.botToken is required"}]


async def test_a_refused_credential_is_not_echoed(api: Api) -> None:
    """A token of the wrong format is refused without quoting it back."""
    wrong = "not-a-slack-token-123456"
    async with api.session.post(
        "/v1/connectors", json={**SLACK, "data": {"botToken": wrong}}
    ) as response:
        assert response.status == 400
        assert wrong not in await response.text()


async def test_unknown_connector_type_is_400(api: Api) -> None:
    """Creating a connector of a type that does not exist is a 400."""
    body = await api.call("POST", "/v1/connectors", json={**SLACK, "type": "fax"}, expect=400)
    assert "unknown connector type" in body["message"]


async def test_platform_managed_types_cannot_be_created(api: Api) -> None:
    """wallet connectors are the platform's: creating one is a 400."""
    body = await api.call(
        "POST", "/v1/connectors", json={"name": "w", "type": "wallet", "data": {}}, expect=400
    )
    assert "managed by the platform" in body["message"]


async def test_update_replaces_data_after_checking_it(api: Api) -> None:
    """PUT with new data checks it against the type and masks the new secret."""
    created = await _create(api)
    path = f"/v1/connectors/{created['id']}"
    await api.call("PUT", path, json={"data": {"botToken": "bad"}}, expect=400)
    updated = await api.data("PUT", path, json={"data": {"botToken": "xoxb-new-token-1111"}})
    assert updated["maskedData"] == {"botToken": "****1111"}


async def test_update_of_the_name_keeps_the_data(api: Api) -> None:
    """PUT with a name only renames the connector."""
    created = await _create(api)
    path = f"/v1/connectors/{created['id']}"
    updated = await api.data("PUT", path, json={"name": "renamed"})
    assert (updated["name"], updated["maskedData"]) == ("renamed", created["maskedData"])


async def test_delete_then_get_is_404(api: Api) -> None:
    """A deleted connector is gone (404014); the delete answer carries no data."""
    created = await _create(api)
    path = f"/v1/connectors/{created['id']}"
    body = await api.call("DELETE", path)
    assert "data" not in body
    assert (await api.call("GET", path, expect=404))["code"] == 404014


async def test_another_organization_cannot_see_a_connector(api: Api) -> None:
    """Another organization gets 404 for the connector."""
    created = await _create(api)
    _, key = api.emu.create_org("Other")
    await api.call(
        "GET",
        f"/v1/connectors/{created['id']}",
        headers={"Authorization": f"Bearer {key}"},
        expect=404,
    )


async def test_connectors_list_newest_first(api: Api) -> None:
    """The list shows the newest connector first."""
    first = await _create(api)
    second = await _create(api, {**SLACK, "name": "second"})
    page = await api.data("GET", "/v1/connectors")
    assert [c["id"] for c in page["items"]] == [second["id"], first["id"]]


async def test_connector_types_carry_their_data_schema(api: Api) -> None:
    """GET /v1/connector-types/telegram-bot has a dataSchema whose token is writeOnly."""
    kind = await api.data("GET", "/v1/connector-types/telegram-bot")
    assert kind["dataSchema"]["properties"]["botToken"]["writeOnly"] is True


async def test_unknown_connector_type_is_404(api: Api) -> None:
    """GET /v1/connector-types/{unknown} is a 404 (404013)."""
    assert (await api.call("GET", "/v1/connector-types/fax", expect=404))["code"] == 404013


async def test_mcp_connectors_list_only_mcp_connectors_without_tokens(api: Api) -> None:
    """/v1/mcp-connectors shows the mcp connector's server, not its token nor other types."""
    await _create(api)
    data = {"serverId": "github", "serverUrl": "https://x.example/mcp", "accessToken": "gho_1"}
    mcp = await _create(api, {"name": "gh", "type": "mcp", "data": data})
    page = await api.data("GET", "/v1/mcp-connectors")
    assert page["items"] == [
        {
            "id": mcp["id"],
            "displayName": "gh",
            "serverId": "github",
            "serverUrl": "https://x.example/mcp",
            "transport": "streamable-http",
        }
    ]


async def test_mcp_servers_leave_out_the_custom_placeholder(api: Api) -> None:
    """The MCP server list has the known servers and not 'custom'."""
    page = await api.data("GET", "/v1/mcp/servers")
    assert [s["id"] for s in page["items"]] == ["github", "linear", "notion", "sentry", "stripe"]


async def test_mcp_oauth_url_points_at_the_server_with_a_state(api: Api) -> None:
    """The OAuth URL of an OAuth server is its authorize URL with a state and a redirect."""
    data = await api.data("GET", "/v1/mcp/linear/oauth-url", params={"name": "Linear"})
    assert data["url"].startswith("https://linear.app/oauth/authorize?client_id=b3os")
    assert f"state={data['state']}" in data["url"]


async def test_mcp_oauth_url_of_an_api_key_server_is_400(api: Api) -> None:
    """stripe uses an API key: asking for its OAuth URL is a 400."""
    body = await api.call("GET", "/v1/mcp/stripe/oauth-url", expect=400)
    assert "API key" in body["message"]


async def _validate(api: Api, node: dict[str, Any]) -> list[dict[str, Any]]:
    definition = linear(("send", node["type"], node["payload"]))
    if "connector" in node:
        definition["nodes"]["send"]["connector"] = node["connector"]
    answer = await api.data("POST", "/v1/workflows/validate", json={"definition": definition})
    errors: list[dict[str, Any]] = answer["errors"]
    return errors


async def test_validation_accepts_a_connector_of_the_right_type(api: Api) -> None:
    """A slack action naming the organization's slack connector validates."""
    created = await _create(api)
    node = {
        "type": "slack-send-message",
        "payload": {"channel": "C1", "text": "x"},
        "connector": {"type": "slack", "id": created["id"]},
    }
    assert await _validate(api, node) == []


async def test_validation_reports_a_connector_of_the_wrong_type(api: Api) -> None:
    """A telegram action naming a slack connector is reported with a clear message."""
    created = await _create(api)
    node = {
        "type": "send-telegram-message",
        "payload": {"chatId": "1", "text": "x"},
        "connector": {"id": created["id"]},
    }
    [error] = await _validate(api, node)
    assert error["code"] == "wrong_connector"
    assert error["message"] == (
        f"node 'send' (send-telegram-message) needs a 'telegram-bot' connector; "
        f"'{created['id']}' is a 'slack' connector"
    )


async def test_validation_reports_an_unknown_connector(api: Api) -> None:
    """A node naming a connector the organization lacks is reported."""
    node = {
        "type": "slack-send-message",
        "payload": {"channel": "C1", "text": "x"},
        "connector": {"type": "slack", "id": "conn_missing"},
    }
    [error] = await _validate(api, node)
    assert (error["code"], error["field"]) == ("unknown_connector", "connector")


async def test_validation_reports_a_missing_connector(api: Api) -> None:
    """A slack action without a connector is reported."""
    [error] = await _validate(api, {"type": "slack-send-message", "payload": {}})
    assert error["code"] == "missing_connector"


async def test_validation_accepts_a_wallet_reference(api: Api) -> None:
    """Wallet actions name a wallet id, which is not a connector: no error."""
    node = {
        "type": "send-native-token",
        "payload": {},
        "connector": {"type": "wallet", "id": "wal_1"},
    }
    assert await _validate(api, node) == []
