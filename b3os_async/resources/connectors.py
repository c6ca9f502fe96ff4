"""``b3.connectors``: the organization's connectors, connector types with their config schemas,
MCP connectors and servers, and the MCP OAuth URL."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure, structure_items
from b3os_async._errors import ConfigurationError
from b3os_async.models.connectors import Connector, ConnectorType, McpConnector
from b3os_async.resources._args import compact, json_object
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async.pagination import AsyncPager

__all__ = ["Connectors"]


def _data(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A connector's ``data`` (credentials): copied, never shown in an error."""
    try:
        return json_object(value, "data")
    except ConfigurationError:
        # json_object's message names only the type, but say so: nothing of the value leaks.
        raise ConfigurationError(
            f"data must be a dict of the connector type's fields, got {type(value).__name__}"
        ) from None


class Connectors(Resource):
    """Connectors (``/v1/connectors``, ``/v1/connector-types``, MCP). Get it as
    ``b3.connectors``.

    The ``data`` you send (tokens, keys) is write-only: answers carry ``masked_data`` only, and
    the SDK never puts ``data`` in a ``repr``, a log line or an exception.
    """

    __slots__ = ()

    def list(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[Connector]:
        """The organization's connectors, newest first, lazily."""
        return self._list(Connector, "/v1/connectors", page_size=page_size, max_items=max_items)

    async def create(
        self,
        *,
        name: str,
        type: str,
        data: Mapping[str, Any],
        description: str | None = None,
    ) -> Connector:
        """Create a connector; ``data`` must fit its type's ``data_schema``. Not retried.

        Args:
            name: a display name.
            type: the connector type, e.g. ``slack`` (see :meth:`types`).
            data: the type's fields, credentials included (write-only).
            description: what it is for.
        """
        body = compact(name=name, type=type, data=_data(data), description=description)
        return await self._post(Connector, "/v1/connectors", json=body)

    async def get(self, connector_id: str) -> Connector:
        """One connector (``NotFoundError`` if it is not the organization's)."""
        return await self._get(Connector, "/v1/connectors/{}", connector_id)

    async def update(
        self,
        connector_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Connector:
        """Change a connector's name, description and/or data (the whole ``data`` is replaced).

        Args:
            connector_id: the connector.
            name: a new display name.
            description: a new description.
            data: new data for its type (credentials included, write-only).
        """
        body = compact(name=name, description=description, data=_data(data))
        return await self._put(Connector, "/v1/connectors/{}", connector_id, json=body)

    async def delete(self, connector_id: str) -> None:
        """Delete a connector (``NotFoundError`` if it is not the organization's)."""
        await self._data("DELETE", "/v1/connectors/{}", connector_id)

    async def types(self) -> builtins.list[ConnectorType]:
        """Every connector type with its ``data_schema`` and setup guide."""
        data = await self._data("GET", "/v1/connector-types")
        return builtins.list(structure_items(data, ConnectorType, path=""))

    async def type(self, connector_type: str) -> ConnectorType:
        """One connector type, e.g. ``telegram-bot`` (``NotFoundError`` for an unknown one)."""
        return await self._get(ConnectorType, "/v1/connector-types/{}", connector_type)

    def mcp_connectors(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[McpConnector]:
        """The organization's MCP-server connectors (without tokens), lazily."""
        return self._list(
            McpConnector, "/v1/mcp-connectors", page_size=page_size, max_items=max_items
        )

    def mcp_servers(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[dict[str, Any]]:
        """The known MCP servers (free-form objects: ``id``, ``name``, ``url`` …), lazily."""
        return self._list(
            dict[str, Any], "/v1/mcp/servers", page_size=page_size, max_items=max_items
        )

    async def mcp_oauth_url(self, server_id: str, *, name: str | None = None) -> dict[str, str]:
        """An OAuth authorization URL (``result["url"]``) to connect an MCP server.

        Args:
            server_id: the server, e.g. ``github`` (see :meth:`mcp_servers`).
            name: the display name of the connector it creates.
        """
        data = await self._data("GET", "/v1/mcp/{}/oauth-url", server_id, params={"name": name})
        return structure(data, dict[str, str])
