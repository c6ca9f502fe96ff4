"""API key models: keys, the key shown once at creation, the request audit log.

(No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from datetime import datetime

import attrs

from b3os_async.models._enums import OpenEnum

__all__ = ["ApiKey", "ApiKeyScope", "ApiRequestAudit", "CreatedApiKey"]


class ApiKeyScope(OpenEnum):
    """What a key may do: ``read`` (GET only) or ``read-write``."""

    READ = "read"
    READ_WRITE = "read-write"


@attrs.frozen(kw_only=True)
class ApiKey:
    """An API key of the organization (the key itself is never listed: ``key_prefix`` only)."""

    id: str
    organization_id: str | None = None
    name: str | None = None
    description: str | None = None
    key_prefix: str | None = None
    scope: ApiKeyScope | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    last_used_ip: str | None = None
    last_used_user_agent: str | None = None
    user_id: str | None = None
    service_account_id: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None


@attrs.frozen(kw_only=True)
class CreatedApiKey:
    """A new API key, with the key itself (``key``, ``b3sk_…``): the only time it is shown.

    ``key`` is left out of ``repr()`` (and so of logs and tracebacks that show the object):
    read it once, store it in a secret manager.
    """

    id: str
    key: str = attrs.field(repr=False)
    organization_id: str | None = None
    name: str | None = None
    description: str | None = None
    key_prefix: str | None = None
    scope: ApiKeyScope | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    last_used_ip: str | None = None
    last_used_user_agent: str | None = None
    user_id: str | None = None
    service_account_id: str | None = None
    created_at: datetime | None = None
    created_by: str | None = None


@attrs.frozen(kw_only=True)
class ApiRequestAudit:
    """One request made with one of the organization's keys (the audit log)."""

    id: str | None = None
    method: str | None = None
    path: str | None = None
    route_pattern: str | None = None
    status_code: int | None = None
    duration_ms: int | None = None
    created_at: datetime | None = None
    request_id: str | None = None
    api_key_id: str | None = None
    service_account_id: str | None = None
    principal_id: str | None = None
    principal_type: str | None = None
    user_id: str | None = None
    user_agent: str | None = None
    client_ip: str | None = None
    organization_id: str | None = None
