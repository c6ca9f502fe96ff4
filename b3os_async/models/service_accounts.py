"""Service account models: accounts and their permissions.

(No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from datetime import datetime

import attrs

from b3os_async.models._enums import OpenEnum

__all__ = ["Permission", "ServiceAccount", "ServiceAccountStatus"]


class Permission(OpenEnum):
    """A service account permission (the API's 36 documented values)."""

    ORG_READ = "org:read"
    ORG_UPDATE = "org:update"
    ORG_DELETE = "org:delete"
    MEMBER_INVITE = "member:invite"
    MEMBER_REMOVE = "member:remove"
    MEMBER_UPDATE_ROLE = "member:update_role"
    WORKFLOW_CREATE = "workflow:create"
    WORKFLOW_READ = "workflow:read"
    WORKFLOW_UPDATE = "workflow:update"
    WORKFLOW_DELETE = "workflow:delete"
    WORKFLOW_EXECUTE = "workflow:execute"
    WORKFLOW_PUBLISH = "workflow:publish"
    CONNECTOR_CREATE = "connector:create"
    CONNECTOR_READ = "connector:read"
    CONNECTOR_UPDATE = "connector:update"
    CONNECTOR_DELETE = "connector:delete"
    ACTION_READ = "action:read"
    RUN_READ = "run:read"
    RUN_STREAM = "run:stream"
    RUN_CANCEL = "run:cancel"
    EXECUTION_READ = "execution:read"
    EXECUTION_STREAM = "execution:stream"
    EXECUTION_WEBHOOK = "execution:webhook"
    RESTRICTION_READ = "restriction:read"
    RESTRICTION_UPDATE = "restriction:update"
    AI_CHAT = "ai:chat"
    WALLET_WITHDRAW = "wallet:withdraw"
    ACTION_PROXY_EXECUTE = "action_proxy:execute"
    APIKEY_CREATE = "apikey:create"
    APIKEY_READ = "apikey:read"
    APIKEY_REVOKE = "apikey:revoke"
    SERVICE_ACCOUNT_READ = "service_account:read"
    SERVICE_ACCOUNT_WRITE = "service_account:write"
    STATS_READ = "stats:read"
    DATABASE_READ = "database:read"
    DATABASE_UPDATE = "database:update"


class ServiceAccountStatus(OpenEnum):
    """``active`` or ``disabled`` (a disabled account's keys stop working at once)."""

    ACTIVE = "active"
    DISABLED = "disabled"


@attrs.frozen(kw_only=True)
class ServiceAccount:
    """A non-human principal of the organization with an explicit list of permissions."""

    id: str
    organization_id: str | None = None
    name: str | None = None
    description: str | None = None
    permissions: tuple[Permission, ...] = ()
    status: ServiceAccountStatus | None = None
    disabled_at: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
