"""Connectors: an organization's credentials for external services, checked against their type.

Theory of operation
-------------------
A connector has a type from the catalog (``_catalog/connectors.py``); its ``data`` must satisfy
the type's ``dataSchema`` on create and on update (400008 with ``details`` otherwise; the
messages never quote a value). ``data`` is write-only: it is kept (``repr=False``) but never
rendered; answers carry ``maskedData`` instead, where every ``writeOnly`` property reads
``****`` plus at most its last four characters (none when the value is short). Types marked
``defaultOnly`` (``wallet``) are the platform's and cannot be created.

Connectors are a simple area's collection (:data:`CONNECTORS`, newest first). MCP connectors are
connectors of type ``mcp``, listed through a token-free view (``GET /v1/mcp-connectors``).
:func:`type_lookup` gives workflow validation the organization's connector types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing import _catalog
from b3os_async.testing._collection import Collection
from b3os_async.testing._common import (
    BAD_FIELD,
    CATALOG_NOT_FOUND,
    CONNECTOR_NOT_FOUND,
    SCHEMA_MISMATCH,
    ApiError,
    compact,
    copy_json,
)
from b3os_async.testing._schema import problems, secret_fields

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._store import Store

__all__ = [
    "CONNECTORS",
    "Connector",
    "checked_data",
    "connector_json",
    "connector_type",
    "mcp_view",
    "type_lookup",
]


@attrs.define
class Connector:
    """A stored connector; ``data`` holds credentials and is never shown (``repr=False``)."""

    id: str
    org_id: str
    name: str
    type: str
    description: str
    provider: str
    data: dict[str, Any] = attrs.field(repr=False)
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str


CONNECTORS = Collection[Connector]("connectors", "connector", CONNECTOR_NOT_FOUND, "conn_")
"""Every organization's connectors (``CONNECTORS.of(store)``)."""


def connector_type(type_name: str) -> _catalog.Entry:
    """The catalog entry of a connector type, or a 404 (404013)."""
    entry = _catalog.lookup("connector_type", type_name)
    if entry is None:
        raise ApiError(404, CATALOG_NOT_FOUND, f"connector type {type_name!r} not found")
    return entry


def checked_data(entry: _catalog.Entry, data: Any) -> dict[str, Any]:
    """A copy of ``data`` once it satisfies the type's ``dataSchema`` (400 otherwise)."""
    if entry.definition.get("defaultOnly"):
        raise ApiError(
            400,
            BAD_FIELD,
            f"connector type {entry.type!r} is managed by the platform; it cannot be created",
        )
    found = problems(entry.definition.get("dataSchema") or {}, data, "data")
    if found:
        raise ApiError(
            400,
            SCHEMA_MISMATCH,
            f"'data' does not match the {entry.type!r} connector type's schema",
            found,
        )
    copied: dict[str, Any] = copy_json(data, "'data'")
    return copied


def _mask(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    return "****" + text[-4:] if len(text) >= 12 else "****"


def masked(connector: Connector) -> dict[str, Any]:
    """``maskedData``: the data with every credential (``writeOnly``) masked."""
    entry = _catalog.lookup("connector_type", connector.type)
    schema = (entry.definition.get("dataSchema") or {}) if entry is not None else {}
    secrets = secret_fields(schema)
    return {key: _mask(value) if key in secrets else value for key, value in connector.data.items()}


def connector_json(connector: Connector) -> dict[str, Any]:
    """The ``Connector`` JSON: metadata and ``maskedData``, never ``data``."""
    return compact(
        {
            "id": connector.id,
            "organizationId": connector.org_id,
            "name": connector.name,
            "description": connector.description,
            "type": connector.type,
            "provider": connector.provider,
            "maskedData": masked(connector),
            "createdAt": connector.created_at,
            "createdBy": connector.created_by,
            "updatedAt": connector.updated_at,
            "updatedBy": connector.updated_by,
        }
    )


def mcp_view(connector: Connector) -> dict[str, Any]:
    """The token-free ``McpConnectorView`` of an ``mcp`` connector."""
    return compact(
        {
            "id": connector.id,
            "displayName": connector.name,
            "serverId": connector.data.get("serverId"),
            "serverUrl": connector.data.get("serverUrl"),
            "transport": connector.data.get("transport", "streamable-http"),
        }
    )


def type_lookup(store: Store, org_id: str) -> Callable[[str], str | None]:
    """Connector id -> its type, for the organization's connectors (None: not one of them)."""
    items = CONNECTORS.of(store)

    def type_of(connector_id: str) -> str | None:
        if connector_id not in items:
            return None
        try:
            return items.get(org_id, connector_id).type
        except ApiError:  # another organization's connector
            return None

    return type_of
