"""Wallet session key models: active sessions, a created group, a revocation.

(No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "SessionInstall",
    "WalletSession",
    "WalletSessionGroup",
    "WalletSessionInstall",
    "WalletSessionRevoked",
]


@attrs.frozen(kw_only=True)
class SessionInstall:
    """One chain to install a session key on (sent with ``b3.wallet_sessions.create``)."""

    chain_id: int
    serialized: str


@attrs.frozen(kw_only=True)
class WalletSession:
    """An active session key: a delegated signer of a wallet, with policies and an expiry."""

    id: str
    wallet_id: str | None = None
    session_address: str | None = None
    workflow_id: str | None = None
    policies: dict[str, Any] | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None


@attrs.frozen(kw_only=True)
class WalletSessionInstall:
    """The session created for one chain."""

    id: str
    chain_id: int | None = None
    expires_at: datetime | None = None


@attrs.frozen(kw_only=True)
class WalletSessionGroup:
    """The sessions created by one call (one per chain install), sharing a group id."""

    session_group_id: str | None = None
    wallet_id: str | None = None
    session_address: str | None = None
    created_at: datetime | None = None
    sessions: tuple[WalletSessionInstall, ...] = ()


@attrs.frozen(kw_only=True)
class WalletSessionRevoked:
    """A revoked session key."""

    id: str | None = None
    revoked_at: datetime | None = None
