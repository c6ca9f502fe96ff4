"""Wallet models: organization wallets, withdrawals, the Polymarket deposit wallet.

Addresses are strings; token amounts are exact integers of base units (wei: beyond 64 bits).
The API has two shapes of a wallet: :class:`Wallet` (list, create, import; ``created_at`` and
``updated_at`` in Unix milliseconds) and :class:`OrganizationWallet` (rename, set default;
timestamps). (No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "OrganizationWallet",
    "PolymarketDepositWallet",
    "Wallet",
    "WalletAccount",
    "WalletArchived",
    "WithdrawResult",
]


@attrs.frozen(kw_only=True)
class Wallet:
    """An organization wallet (``created_at``/``updated_at``: Unix milliseconds, as sent)."""

    id: str
    address: str | None = None
    name: str | None = None
    is_default: bool | None = None
    is_imported: bool | None = None
    account_type: str | None = None
    provider_type: str | None = None
    provider_wallet_id: str | None = None
    turnkey_sub_org_id: str | None = None
    turnkey_root_user_id: str | None = None
    organization_id: str | None = None
    created_at: int | None = None
    updated_at: int | None = None


@attrs.frozen(kw_only=True)
class OrganizationWallet:
    """An organization wallet as the rename and set-default calls return it."""

    id: str
    address: str | None = None
    name: str | None = None
    is_default: bool | None = None
    is_imported: bool | None = None
    account_type: str | None = None
    provider_type: str | None = None
    provider_wallet_id: str | None = None
    provider_config: dict[str, Any] | None = None
    organization_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None


@attrs.frozen(kw_only=True)
class WalletAccount:
    """An account to derive in a new wallet (sent with ``b3.wallets.create(accounts=...)``)."""

    address_format: str = "ADDRESS_FORMAT_ETHEREUM"
    curve: str = "CURVE_SECP256K1"
    path: str = "m/44'/60'/0'/0/0"
    path_format: str = "PATH_FORMAT_BIP32"


@attrs.frozen(kw_only=True)
class WalletArchived:
    """What archiving a wallet did (``archived_workflow_ids``: workflows archived with it)."""

    message: str | None = None
    archived_workflow_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class WithdrawResult:
    """The transaction of a withdrawal."""

    transaction_hash: str | None = None
    block_number: int | None = None


@attrs.frozen(kw_only=True)
class PolymarketDepositWallet:
    """The organization's Polymarket deposit wallet."""

    wallet_id: str | None = None
    deposit_wallet_address: str | None = None
