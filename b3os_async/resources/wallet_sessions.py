"""``b3.wallet_sessions``: session keys, delegated signers of the organization's wallets.

Methods default to the client's organization (``org_id=`` for another).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure
from b3os_async._errors import ConfigurationError
from b3os_async.models.wallet_sessions import (
    SessionInstall,
    WalletSession,
    WalletSessionGroup,
    WalletSessionRevoked,
)
from b3os_async.resources._args import compact, json_object, rfc3339
from b3os_async.resources._org import OrgResource
from b3os_async.resources.wallets import check_address

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from b3os_async.pagination import AsyncPager

__all__ = ["WalletSessions"]

MAX_INSTALLS = 24


def _installs(installs: Sequence[SessionInstall]) -> list[dict[str, Any]]:
    checked: object = installs  # callers may pass anything: check at runtime
    if not isinstance(checked, (list, tuple)) or not 1 <= len(installs) <= MAX_INSTALLS:
        raise ConfigurationError(f"installs must be a list of 1-{MAX_INSTALLS} SessionInstall")
    for install in installs:
        if not isinstance(install, SessionInstall):
            raise ConfigurationError(f"installs must hold SessionInstall, got {install!r}")
    return [{"chainId": i.chain_id, "serialized": i.serialized} for i in installs]


class WalletSessions(OrgResource):
    """Wallet session keys (``/v1/organizations/{orgId}/sessions``). Get it as
    ``b3.wallet_sessions``."""

    __slots__ = ()

    def list(
        self,
        *,
        org_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[WalletSession]:
        """The active session keys (neither revoked nor expired), newest first."""
        return self._org_list(
            WalletSession, "/v1/organizations/{}/sessions", org_id,
            page_size=page_size, max_items=max_items,
        )  # fmt: skip

    async def create(
        self,
        wallet_id: str,
        *,
        session_address: str,
        expires_at: datetime,
        installs: Sequence[SessionInstall],
        policies: Mapping[str, Any],
        workflow_id: str | None = None,
        org_id: str | None = None,
    ) -> WalletSessionGroup:
        """Create a session key of a wallet: one session per chain install.

        Not retried automatically (a resend would make a second group of sessions).

        Args:
            wallet_id: the wallet the session key may sign for.
            session_address: the session key's address (``0x…``).
            expires_at: when it stops working (timezone-aware, in the future).
            installs: one :class:`SessionInstall` per chain (1-24).
            policies: what the session may do (free-form, as the API takes it).
            workflow_id: tie the session to one workflow.
            org_id: another organization than the client's.
        """
        body = compact(
            walletId=wallet_id,
            sessionAddress=check_address(session_address, "session_address"),
            expiresAt=rfc3339(expires_at, "expires_at"),
            installs=_installs(installs),
            policies=json_object(policies, "policies"),
            workflowId=workflow_id,
        )
        if "expiresAt" not in body or "policies" not in body:
            raise ConfigurationError("expires_at and policies are required")
        oid = await self._org(org_id)
        return await self._post(WalletSessionGroup, "/v1/organizations/{}/sessions", oid, json=body)

    async def revoke(self, session_id: str, *, org_id: str | None = None) -> WalletSessionRevoked:
        """IRREVERSIBLE: revoke a session key (``ConflictError`` if it already was).

        Never retried automatically.
        """
        oid = await self._org(org_id)
        data = await self._data(
            "DELETE", "/v1/organizations/{}/sessions/{}", oid, session_id, idempotent=False
        )
        return structure(data, WalletSessionRevoked)
