"""Connector models: connectors (credentials shown masked only), connector types with their
config schemas, and MCP connectors.

(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

__all__ = ["Connector", "ConnectorType", "McpConnector"]


@attrs.frozen(kw_only=True)
class Connector:
    """A connector of the organization. Its credentials are never returned: ``masked_data``
    shows the non-secret fields and masks the secret ones."""

    id: str
    organization_id: str | None = None
    name: str | None = None
    description: str | None = None
    type: str | None = None
    provider: str | None = None
    masked_data: dict[str, Any] | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


@attrs.frozen(kw_only=True)
class ConnectorType:
    """A connector type: ``data_schema`` is the JSON schema of the ``data`` a connector of this
    type takes (``writeOnly`` properties are credentials); ``default_only`` types are managed by
    the platform."""

    type: str
    name: str | None = None
    description: str | None = None
    provider: str | None = None
    provider_config: dict[str, Any] | None = None
    data_schema: dict[str, Any] | None = None
    setup_guide: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    logo_url: str | None = None
    logo_domain: str | None = None
    information_url: str | None = None
    optional: bool | None = None
    default_only: bool | None = None


@attrs.frozen(kw_only=True)
class McpConnector:
    """An MCP-server connector, without its tokens."""

    id: str | None = None
    display_name: str | None = None
    server_id: str | None = None
    server_url: str | None = None
    transport: str | None = None
