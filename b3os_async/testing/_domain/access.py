"""Access: API keys, service accounts, the request audit log and the streams each key holds open.

Theory of operation
-------------------
:class:`AccessBook` (``store.access``) owns everything about who may call the API:

* ``keys`` (also ``store.keys``, which the middleware authenticates against) maps each secret to
  its :class:`ApiKey` and indexes keys by id and, per organization, in creation order (a
  newest-first page is one slice). Revoked keys stay listed, with ``revokedAt``.
* Service accounts per organization (names unique within it). Disabling one, or deleting it
  (which revokes its keys first), stops its keys at once: the authorization check of every
  request (``testing/_auth.py``) reads the account's status, and :meth:`AccessBook.end_streams`
  closes the streams those keys hold open, so a stream's next reconnect meets the 401.
* The audit log: per organization, the last :data:`AUDIT_SIZE` requests made with its keys
  (method, path, route, status, time, duration, key id, service account, user -- never the key),
  newest first; filters scan newest-first and stop once the page is full.

The rules about keys (the limit of :data:`MAX_KEYS` active keys, a service-account caller making
keys only for itself, no permission it does not hold) live in the methods below; the HTTP
handlers only parse and render.
"""

from __future__ import annotations

import itertools
from collections import deque
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._common import (
    API_KEY_NOT_FOUND,
    BAD_FIELD,
    DUPLICATE_NAME,
    KEY_LIMIT,
    PERMISSION_DENIED,
    SERVICE_ACCOUNT_NOT_FOUND,
    ApiError,
    not_found,
    now_iso,
)
from b3os_async.testing._domain.organizations import PERMISSIONS, ApiKey, ServiceAccount

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Principal

__all__ = ["AUDIT_SIZE", "MAX_KEYS", "AccessBook", "AuditEntry", "KeyRing"]

MAX_KEYS = 50
"""Active (not revoked) keys an organization may have (docs: platform/security)."""
AUDIT_SIZE = 10_000
"""Audit entries kept per organization (the oldest are dropped)."""


class KeyRing(dict[str, ApiKey]):
    """``secret -> ApiKey`` (what the middleware reads), indexed by id and by organization."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, ApiKey] = {}
        self.by_org: dict[str, list[ApiKey]] = {}

    def __setitem__(self, secret: str, key: ApiKey) -> None:
        if secret in self:
            raise ValueError("a key secret is set once")
        super().__setitem__(secret, key)
        self.by_id[key.id] = key
        self.by_org.setdefault(key.org_id, []).append(key)


@attrs.frozen
class AuditEntry:
    """One request made with one of the organization's keys (``APIRequestAudit``)."""

    id: str
    org_id: str
    method: str
    path: str
    route: str
    status: int
    created_at: str
    duration_ms: int
    request_id: str
    key_id: str
    user_id: str
    service_account_id: str | None
    user_agent: str | None
    client_ip: str | None


class AccessBook:
    """Keys, service accounts, audit log and open streams of one emulator (module docstring)."""

    def __init__(self, ids: IdSource) -> None:
        self._ids = ids
        self.keys = KeyRing()
        self._accounts: dict[str, ServiceAccount] = {}
        self._accounts_by_org: dict[str, list[ServiceAccount]] = {}
        self._audit: dict[str, deque[AuditEntry]] = {}
        self._audit_ids = itertools.count(1)
        self._streams: dict[str, dict[int, Callable[[], None]]] = {}
        self._stream_ids = itertools.count(1)

    # -- keys ------------------------------------------------------------------------------------

    def key(self, org_id: str, key_id: str) -> ApiKey:
        """The organization's key ``key_id`` (404 for a missing key or another org's)."""
        key = self.keys.by_id.get(key_id)
        if key is None or key.org_id != org_id:
            raise not_found(API_KEY_NOT_FOUND, f"API key {key_id!r}")
        return key

    def keys_page(self, org_id: str, limit: int, offset: int) -> tuple[list[ApiKey], bool]:
        """A newest-first page of the organization's keys (revoked ones included)."""
        keys = self.keys.by_org.get(org_id, [])
        end = len(keys) - offset
        page = keys[max(end - limit, 0) : max(end, 0)][::-1]
        return page, end - limit > 0

    def create_key(
        self,
        who: Principal,
        *,
        name: str,
        scope: str,
        description: str,
        expires_at: str | None,
        service_account_id: str | None,
    ) -> ApiKey:
        """A new key of the caller's organization (its secret is in the returned key, once)."""
        if who.service_account_id is not None:
            # A service account's key makes keys for that account only: a key of the owner (or
            # of another account) would hold permissions the caller does not have.
            if service_account_id not in (None, who.service_account_id):
                raise ApiError(
                    403,
                    PERMISSION_DENIED,
                    "a service account's key may only create keys for that service account",
                    [{"serviceAccountId": service_account_id}],
                )
            service_account_id = who.service_account_id
        if service_account_id is not None:
            account = self.account(who.org_id, service_account_id)
            if account.status != "active":
                raise ApiError(400, BAD_FIELD, f"service account {account.id!r} is disabled")
        active = [k for k in self.keys.by_org.get(who.org_id, []) if k.revoked_at is None]
        if len(active) >= MAX_KEYS:
            raise ApiError(
                400, KEY_LIMIT, f"an organization may have at most {MAX_KEYS} active API keys"
            )
        key = ApiKey(
            self._ids.new("b3sk_", 32, stream="key"),
            self._ids.new("key_", 12, stream="keyid"),
            who.org_id,
            scope,
            name=name,
            description=description,
            created_by=who.user_id,
            user_id=None if service_account_id else who.user_id,
            service_account_id=service_account_id,
            expires_at=expires_at,
        )
        self.keys[key.secret] = key
        return key

    def revoke(self, org_id: str, key_id: str) -> ApiKey:
        """Revoke a key (already revoked: unchanged) and close the streams it holds open."""
        key = self.key(org_id, key_id)
        if key.revoked_at is None:
            key.revoked_at = now_iso()
        self.end_streams([key.id])
        return key

    # -- service accounts ------------------------------------------------------------------------

    def account(self, org_id: str, account_id: str) -> ServiceAccount:
        """The organization's service account (404 for a missing one or another org's)."""
        account = self._accounts.get(account_id)
        if account is None or account.org_id != org_id:
            raise not_found(SERVICE_ACCOUNT_NOT_FOUND, f"service account {account_id!r}")
        return account

    def accounts_page(
        self, org_id: str, limit: int, offset: int
    ) -> tuple[list[ServiceAccount], bool]:
        """A newest-first page of the organization's service accounts."""
        accounts = self._accounts_by_org.get(org_id, [])
        end = len(accounts) - offset
        return accounts[max(end - limit, 0) : max(end, 0)][::-1], end - limit > 0

    def create_account(
        self, who: Principal, name: str, permissions: list[str], description: str
    ) -> ServiceAccount:
        """A new active service account (409 when the name is taken in the organization)."""
        self._check_name(who.org_id, name)
        self._check_permissions(who, permissions)
        at = now_iso()
        account = ServiceAccount(
            id=self._ids.new("sa_", 16),
            org_id=who.org_id,
            name=name,
            permissions=list(dict.fromkeys(permissions)),
            created_at=at,
            created_by=who.user_id,
            updated_at=at,
            description=description,
        )
        self._accounts[account.id] = account
        self._accounts_by_org.setdefault(who.org_id, []).append(account)
        return account

    def update_account(
        self,
        who: Principal,
        account_id: str,
        name: str,
        permissions: list[str],
        description: str | None,
    ) -> ServiceAccount:
        """Replace a service account's name, permissions and (when given) description."""
        account = self.account(who.org_id, account_id)
        if name != account.name:
            self._check_name(who.org_id, name)
        self._check_permissions(who, permissions)
        account.name, account.permissions = name, list(dict.fromkeys(permissions))
        if description is not None:
            account.description = description
        account.updated_at = now_iso()
        return account

    def set_enabled(self, org_id: str, account_id: str, enabled: bool) -> ServiceAccount:
        """Enable or disable a service account; disabling closes its keys' open streams."""
        account = self.account(org_id, account_id)
        at = now_iso()
        if enabled and account.status != "active":
            account.status, account.disabled_at, account.updated_at = "active", None, at
        elif not enabled and account.status == "active":
            account.status, account.disabled_at, account.updated_at = "disabled", at, at
        if not enabled:
            self.end_streams(self._account_keys(account.id))
        return account

    def delete_account(self, org_id: str, account_id: str) -> None:
        """Delete a service account for good: its keys are revoked first (and stop at once)."""
        account = self.account(org_id, account_id)
        at = now_iso()
        for key in self.keys.by_org.get(org_id, []):
            if key.service_account_id == account.id and key.revoked_at is None:
                key.revoked_at = at
        del self._accounts[account.id]
        self._accounts_by_org[org_id].remove(account)
        self.end_streams(self._account_keys(account.id))

    def account_of(self, key: ApiKey) -> ServiceAccount | None:
        """The service account a key acts as, if it exists (``None``: deleted, or a user key)."""
        if key.service_account_id is None:
            return None
        return self._accounts.get(key.service_account_id)

    def _account_keys(self, account_id: str) -> list[str]:
        return [k.id for k in self.keys.by_id.values() if k.service_account_id == account_id]

    def _check_name(self, org_id: str, name: str) -> None:
        if any(a.name == name for a in self._accounts_by_org.get(org_id, [])):
            raise ApiError(409, DUPLICATE_NAME, f"a service account named {name!r} already exists")

    @staticmethod
    def _check_permissions(who: Principal, permissions: Iterable[str]) -> None:
        unknown = sorted({p for p in permissions if p not in PERMISSIONS})
        if unknown:
            raise ApiError(
                400,
                BAD_FIELD,
                f"unknown permissions: {', '.join(unknown)}",
                [{"field": "permissions", "unknown": unknown}],
            )
        # Nobody hands out what they do not hold (a service account granting itself more).
        beyond = sorted(set(permissions) - who.permissions)
        if beyond:
            raise ApiError(
                403,
                PERMISSION_DENIED,
                f"the caller does not hold the permissions it grants: {', '.join(beyond)}",
                [{"permissions": beyond}],
            )

    # -- audit log -------------------------------------------------------------------------------

    def record(self, **fields: Any) -> None:
        """Append one audited request (the ``AuditEntry`` fields but ``id``) to its org's log."""
        entry = AuditEntry(id=f"aud_{next(self._audit_ids):08d}", **fields)
        log = self._audit.get(entry.org_id)
        if log is None:
            log = self._audit[entry.org_id] = deque(maxlen=AUDIT_SIZE)
        log.append(entry)

    def audit_page(
        self,
        org_id: str,
        limit: int,
        offset: int,
        key_id: str | None = None,
        account_id: str | None = None,
    ) -> tuple[list[AuditEntry], bool]:
        """A newest-first page of the organization's audit log, optionally filtered."""
        log = self._audit.get(org_id, deque())
        matches = (
            entry
            for entry in reversed(log)
            if (key_id is None or entry.key_id == key_id)
            and (account_id is None or entry.service_account_id == account_id)
        )
        found = list(itertools.islice(matches, offset, offset + limit + 1))
        return found[:limit], len(found) > limit

    # -- open streams ----------------------------------------------------------------------------

    def stream_opened(self, key_id: str, close: Callable[[], None]) -> Callable[[], None]:
        """Remember a stream opened with ``key_id``; returns the function that forgets it."""
        token = next(self._stream_ids)
        self._streams.setdefault(key_id, {})[token] = close

        def forget() -> None:
            streams = self._streams.get(key_id)
            if streams is not None:
                streams.pop(token, None)
                if not streams:
                    del self._streams[key_id]

        return forget

    def end_streams(self, key_ids: Iterable[str]) -> None:
        """Close every stream the keys hold open (their next reconnect gets the 401)."""
        for key_id in key_ids:
            for close in list(self._streams.pop(key_id, {}).values()):
                close()
