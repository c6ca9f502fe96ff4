"""Organizations, their members and invites, API keys, service accounts, and the caller.

Theory of operation
-------------------
An :class:`Org` has one *owner* user (``user_id``: every key the emulator hands out acts as that
user unless it belongs to another member or to a service account), members (the owner plus those
``Emulator.add_member`` adds, role ``owner`` or ``developer``), invites (``Emulator.invite``;
pending for :data:`INVITE_DAYS` days, then ``expired``), a tier, and its auto-swap settings.

An :class:`ApiKey` (``b3sk_…``) is bound to one organization and has a scope (``read`` or
``read-write``); it acts either as a user (a member: the key has that member's role and every
permission the role allows, :data:`ROLE_PERMISSIONS`) or as a :class:`ServiceAccount` (exactly
that account's permissions, whatever the scope). A key stops working (401) at once when it is
revoked, expires, or its service account is disabled or deleted -- the checks are made on every
request by ``testing/_auth.py``, so nothing has to be remembered elsewhere.

:class:`Principal` is who a request acts as: the middleware authenticates the key, then
``_auth.authorize`` fills in the service account, role and permissions.
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from b3os_async.testing._common import iso, now, now_iso

__all__ = [
    "INVITE_DAYS",
    "PERMISSIONS",
    "ROLES",
    "ROLE_PERMISSIONS",
    "ApiKey",
    "Invite",
    "Member",
    "Org",
    "Principal",
    "ServiceAccount",
]

PERMISSIONS = (
    "org:read", "org:update", "org:delete", "member:invite", "member:remove",
    "member:update_role", "workflow:create", "workflow:read", "workflow:update",
    "workflow:delete", "workflow:execute", "workflow:publish", "connector:create",
    "connector:read", "connector:update", "connector:delete", "action:read", "run:read",
    "run:stream", "run:cancel", "execution:read", "execution:stream", "execution:webhook",
    "restriction:read", "restriction:update", "ai:chat", "wallet:withdraw",
    "action_proxy:execute", "apikey:create", "apikey:read", "apikey:revoke",
    "service_account:read", "service_account:write", "stats:read", "database:read",
    "database:update",
)  # fmt: skip
"""The 36 documented permissions (OpenAPI ``Permission``)."""

ROLES = ("owner", "developer")

OWNER_ONLY = frozenset(
    {
        "org:update", "org:delete", "member:invite", "member:remove", "member:update_role",
        "restriction:update", "wallet:withdraw", "service_account:write",
    }
)  # fmt: skip
"""What a ``developer`` may not do (the emulator's reading of "owners only"/"admin only")."""

ROLE_PERMISSIONS = {
    "owner": frozenset(PERMISSIONS),
    "developer": frozenset(PERMISSIONS) - OWNER_ONLY,
}
"""The permissions a key acting as a member has, by the member's role."""

INVITE_DAYS = 7
"""Invites expire after this many days (docs: platform/organizations)."""


@attrs.define
class Member:
    """A user's membership of an organization."""

    id: str
    org_id: str
    user_id: str
    email: str
    role: str
    created_at: str
    invited_by: str | None = None


@attrs.define
class Invite:
    """An invitation of an email address to an organization (pending until it expires)."""

    id: str
    org_id: str
    email: str
    role: str
    invited_by: str
    created_at: str
    expires_at: str
    invitee_user_id: str | None = None

    @property
    def status(self) -> str:
        """``pending``, or ``expired`` once ``expires_at`` has passed."""
        return "expired" if self.expires_at <= now_iso() else "pending"


@attrs.define
class Org:
    """An organization; ``user_id`` is its owner, whom the emulator's keys act as."""

    id: str
    name: str
    slug: str
    user_id: str
    created_at: str
    description: str = ""
    tier: str = "free"
    members: dict[str, Member] = attrs.field(factory=dict)
    """By user id, in joining order (the owner first)."""
    invites: list[Invite] = attrs.field(factory=list)
    auto_swap: dict[str, object] | None = None
    """The auto-swap settings as last written (``None``: never configured)."""

    def __attrs_post_init__(self) -> None:
        if self.user_id not in self.members:
            self.members[self.user_id] = Member(
                f"mem_{self.user_id.removeprefix('usr_')}", self.id, self.user_id,
                self.owner_email(), "owner", self.created_at,
            )  # fmt: skip

    def owner_email(self) -> str:
        """The owner's email address (made up from the slug)."""
        return f"owner@{self.slug}.example"

    def pending_invites(self) -> list[Invite]:
        """The invites still pending, newest first."""
        return [invite for invite in reversed(self.invites) if invite.status == "pending"]


def invite_expiry() -> str:
    """When an invite made now expires."""
    return iso(now() + timedelta(days=INVITE_DAYS))


@attrs.define
class ServiceAccount:
    """A non-human principal of one organization with an explicit list of permissions."""

    id: str
    org_id: str
    name: str
    permissions: list[str]
    created_at: str
    created_by: str
    updated_at: str
    description: str = ""
    status: str = "active"
    disabled_at: str | None = None


@attrs.define
class ApiKey:
    """An API key (``b3sk_…``) bound to one organization, scope ``read`` or ``read-write``.

    ``user_id`` is the member it acts as (``None``: the organization's owner);
    ``service_account_id`` makes it act as that service account instead. ``secret`` is the key
    itself: it is never rendered after creation (only ``key_prefix``).
    """

    secret: str = attrs.field(repr=False)
    id: str
    org_id: str
    scope: str
    name: str = "emulator key"
    description: str = ""
    created_at: str = attrs.field(factory=now_iso)
    created_by: str | None = None
    user_id: str | None = None
    service_account_id: str | None = None
    expires_at: str | None = None
    revoked_at: str | None = None
    last_used_at: str | None = None
    last_used_ip: str | None = None
    last_used_user_agent: str | None = None

    @property
    def key_prefix(self) -> str:
        """What may be shown of the key: ``b3sk_`` and its first 4 characters."""
        return self.secret[:9]

    def expired(self, at: str) -> bool:
        """Whether the key's ``expires_at`` has passed at ``at`` (RFC 3339, UTC)."""
        return self.expires_at is not None and self.expires_at <= at


@attrs.frozen
class Principal:
    """Who is calling: the API key's organization, scope, key id and acting user id.

    ``_auth.authorize`` completes it: ``service_account_id`` (the key acts as that account),
    ``role`` (of the member the key acts as; ``None`` for a service account) and
    ``permissions`` (what the caller may do).
    """

    org_id: str
    scope: str
    key_id: str
    user_id: str
    service_account_id: str | None = None
    role: str | None = "owner"
    permissions: frozenset[str] = frozenset(PERMISSIONS)
