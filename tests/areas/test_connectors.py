"""``b3.connectors`` against the emulator: CRUD, types, MCP; credentials never shown."""

from __future__ import annotations

import logging

import pytest

from b3os_async import B3OS, BadRequestError, ConfigurationError, NotFoundError
from b3os_async.models import Connector, ConnectorType

TOKEN = "xoxb-1111-very-secret-2222"


async def _slack(b3: B3OS) -> Connector:
    return await b3.connectors.create(
        name="alerts", type="slack", data={"botToken": TOKEN}, description="ops"
    )


async def test_create_returns_the_connector_masked(b3: B3OS) -> None:
    """create() returns the connector with its credential masked, nowhere in clear."""
    created = await _slack(b3)
    assert (created.name, created.type, created.description) == ("alerts", "slack", "ops")
    assert created.masked_data == {"botToken": "****2222"}
    assert TOKEN not in repr(created)


async def test_a_refused_credential_is_not_in_the_error(b3: B3OS) -> None:
    """A token the type refuses raises BadRequestError whose str, repr and details omit it."""
    wrong = "not-slack-but-secret-777"
    with pytest.raises(BadRequestError) as caught:
        await b3.connectors.create(name="x", type="slack", data={"botToken": wrong})
    assert caught.value.code == 400008
    for text in (str(caught.value), repr(caught.value), repr(caught.value.details)):
        assert wrong not in text


async def test_credentials_never_reach_the_log(b3: B3OS, caplog: pytest.LogCaptureFixture) -> None:
    """With debug logging on, creating a connector logs nothing holding its token."""
    caplog.set_level(logging.DEBUG, logger="b3os_async")
    await _slack(b3)
    assert caplog.records
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


async def test_data_must_be_a_dict(b3: B3OS) -> None:
    """Passing data that is not a dict raises ConfigurationError that does not repeat it."""
    with pytest.raises(ConfigurationError) as caught:
        await b3.connectors.create(name="x", type="slack", data=TOKEN)  # type: ignore[arg-type]
    assert TOKEN not in str(caught.value)


async def test_get_list_update_delete(b3: B3OS) -> None:
    """A connector is listed, renamed, then deleted (a later get raises NotFoundError)."""
    created = await _slack(b3)
    assert [c.id async for c in b3.connectors.list()] == [created.id]
    renamed = await b3.connectors.update(created.id, name="renamed")
    assert (await b3.connectors.get(created.id)).name == renamed.name == "renamed"
    await b3.connectors.delete(created.id)
    with pytest.raises(NotFoundError):
        await b3.connectors.get(created.id)


async def test_update_checks_new_data(b3: B3OS) -> None:
    """update() with data its type refuses raises BadRequestError."""
    created = await _slack(b3)
    with pytest.raises(BadRequestError):
        await b3.connectors.update(created.id, data={"teamId": "T1"})


async def test_types_carry_their_schemas(b3: B3OS) -> None:
    """types() lists ConnectorType models; type() of mcp has its data schema."""
    kinds = await b3.connectors.types()
    assert all(isinstance(k, ConnectorType) for k in kinds)
    mcp = await b3.connectors.type("mcp")
    assert mcp.data_schema is not None
    assert mcp.data_schema["required"] == ["serverId", "serverUrl"]


async def test_unknown_connector_type_is_not_found(b3: B3OS) -> None:
    """type() of an unknown type raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.connectors.type("fax")


async def test_mcp_connectors_servers_and_oauth_url(b3: B3OS) -> None:
    """An mcp connector is listed token-free; servers are dicts; the OAuth URL is a dict."""
    data = {"serverId": "notion", "serverUrl": "https://mcp.notion.com/mcp", "accessToken": "t"}
    created = await b3.connectors.create(name="docs", type="mcp", data=data)
    [view] = [c async for c in b3.connectors.mcp_connectors()]
    assert (view.id, view.server_id, view.display_name) == (created.id, "notion", "docs")
    servers = [s async for s in b3.connectors.mcp_servers(page_size=2)]
    assert [s["id"] for s in servers] == ["github", "linear", "notion", "sentry", "stripe"]
    oauth = await b3.connectors.mcp_oauth_url("notion", name="docs")
    assert oauth["url"].startswith("https://api.notion.com/v1/oauth/authorize?")
