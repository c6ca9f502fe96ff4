"""Wallets: organization wallets, token balances, withdrawals and wallet session keys.

Theory of operation
-------------------
A :class:`Wallet` is an address (``0x`` + 40 hex digits drawn from the seeded ``wallet`` stream,
so the same seed and the same calls give the same addresses) with a fake signing key (never
rendered) and balances: exact integers in the token's base units, per ``(network, token)``
(``token`` is ``"native"`` or a lower-cased contract address; ``network`` is the name of a
chain id, :data:`NETWORKS`). Balances exceed 64 bits freely (wei): they are Python ints.

Every organization has a **default wallet**, created on first use of its wallets and funded with
:data:`STARTING_FUNDS` (test tokens on ``base-sepolia``). Organization wallets are created,
imported (an address the caller brings; 409 if the organization has it already), renamed (names
unique within the organization), made the default, and archived (a soft delete; the default
wallet and the only wallet cannot be archived, 400044). An archived wallet answers 404.

A **withdrawal** checks the balance of that token on that chain (400043 when it does not cover
the amount, nothing moves), moves the amount (to the recipient's balance when the emulator knows
the address) and records a :class:`Transaction` with a made-up hash and block number.

**Session keys** are delegated signers of a wallet: one session per chain install, with policies
and an expiry. Listing shows only sessions that are neither revoked nor expired; revoking one
twice is a 409 (409042).

Wallets of ``org_id=None`` stand for outside parties (a payee); :meth:`WalletBook.default_for`,
:meth:`find`, :meth:`transfer`, :meth:`sign` and :meth:`verify` are the seam the x402 area pays
through (one wallet model for the whole emulator).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._common import (
    DUPLICATE_ADDRESS,
    DUPLICATE_NAME,
    INSUFFICIENT_FUNDS,
    SESSION_NOT_FOUND,
    SESSION_REVOKED,
    WALLET_NOT_ARCHIVABLE,
    WALLET_NOT_FOUND,
    ApiError,
    not_found,
    now_iso,
)

if TYPE_CHECKING:
    from b3os_async.testing._common import IdSource

__all__ = [
    "DEFAULT_FUNDS",
    "DEMO_ASSET",
    "DEMO_DECIMALS",
    "DEMO_NETWORK",
    "DEMO_SYMBOL",
    "NATIVE",
    "NETWORKS",
    "STARTING_FUNDS",
    "InsufficientFunds",
    "Session",
    "Transaction",
    "Wallet",
    "WalletBook",
]

NATIVE = "native"
NETWORKS = {1: "ethereum", 10: "optimism", 137: "polygon", 8453: "base", 42161: "arbitrum",
            84532: "base-sepolia", 11155111: "sepolia"}  # fmt: skip
"""Chain id -> network name (an unknown chain id is ``eip155:<id>``)."""
#: The network, token (USDC on Base Sepolia), decimals and symbol of the emulator's test money
#: (x402 payments are made in it).
DEMO_NETWORK = "base-sepolia"
DEMO_ASSET = "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
DEMO_DECIMALS = 6
DEMO_SYMBOL = "USDC"
#: 10 test USDC, in base units.
DEFAULT_FUNDS = 10_000_000
STARTING_FUNDS: dict[tuple[str, str], int] = {
    (DEMO_NETWORK, NATIVE): 100 * 10**18,  # 100 test ETH, in wei: beyond 64 bits on purpose
    (DEMO_NETWORK, DEMO_ASSET.lower()): DEFAULT_FUNDS,
}
"""What a new default wallet holds, in base units."""

_HEX = "0123456789abcdef"


def network_of(chain_id: int) -> str:
    """The network name of a chain id."""
    return NETWORKS.get(chain_id, f"eip155:{chain_id}")


def is_address(value: object) -> bool:
    """Whether ``value`` is an EVM address (``0x`` + 40 hex digits, any case)."""
    return (
        isinstance(value, str)
        and len(value) == 42
        and value[:2] in ("0x", "0X")
        and all(c in _HEX for c in value[2:].lower())
    )


class InsufficientFunds(Exception):
    """The payer's balance does not cover the amount (nothing was moved)."""


@attrs.define
class Wallet:
    """An address with balances; an organization wallet when ``org_id`` is set."""

    address: str
    org_id: str | None
    key: str = attrs.field(repr=False)
    id: str = ""
    name: str = ""
    is_default: bool = False
    is_imported: bool = False
    account_type: str = "evm"
    provider_wallet_id: str | None = None
    turnkey_sub_org_id: str | None = None
    created_ms: int = attrs.field(factory=lambda: int(time.time() * 1000))
    updated_ms: int = 0
    archived_at: str | None = None
    archived_by: str | None = None
    balances: dict[tuple[str, str], int] = attrs.field(factory=dict)

    def balance(self, network: str = DEMO_NETWORK, token: str = NATIVE) -> int:
        """The balance of one token on one network, in base units."""
        return self.balances.get((network, token.lower()), 0)


@attrs.frozen
class Transaction:
    """A recorded withdrawal."""

    hash: str
    block_number: int
    org_id: str
    wallet_id: str
    chain_id: int
    token_address: str
    amount: int
    sender: str
    recipient: str
    at: str


@attrs.define
class Session:
    """One session key install: a delegated signer of a wallet on one chain."""

    id: str
    group_id: str
    org_id: str
    wallet_id: str
    session_address: str
    chain_id: int
    policies: dict[str, Any]
    created_at: str
    expires_at: str
    workflow_id: str | None = None
    revoked_at: str | None = None


class WalletBook:
    """Every wallet, transaction and session key of one emulator (see the module docstring)."""

    def __init__(self, ids: IdSource) -> None:
        self._ids = ids
        self._by_address: dict[str, Wallet] = {}
        self._by_id: dict[str, Wallet] = {}
        self._by_org: dict[str, list[Wallet]] = {}
        self._blocks = itertools.count(1_000_000)
        self.transactions: list[Transaction] = []
        self._sessions: dict[str, Session] = {}
        self._sessions_by_org: dict[str, list[Session]] = {}

    # -- wallets ---------------------------------------------------------------------------------

    def create(
        self,
        org_id: str | None = None,
        funds: int = DEFAULT_FUNDS,
        network: str = DEMO_NETWORK,
        asset: str = DEMO_ASSET,
    ) -> Wallet:
        """A bare wallet (an outside party when ``org_id`` is None) holding ``funds`` of
        ``asset`` on ``network``: the x402 seam's constructor."""
        wallet = self._new(org_id)
        if funds:
            wallet.balances[network, asset.lower()] = int(funds)
        return wallet

    def _new(self, org_id: str | None, address: str | None = None) -> Wallet:
        rng = self._ids.rng("wallet")
        if address is None:
            address = "0x" + "".join(rng.choice(_HEX) for _ in range(40))
        key = "".join(self._ids.rng("wallet-key").choice(_HEX) for _ in range(64))
        wallet = Wallet(address.lower(), org_id, key)
        self._by_address[wallet.address] = wallet
        return wallet

    def _register(self, wallet: Wallet, org_id: str, name: str, **fields: Any) -> Wallet:
        wallet.id = self._ids.new("wal_", 16)
        wallet.name = name
        wallet.provider_wallet_id = self._ids.new("tkw_", 16)
        wallet.turnkey_sub_org_id = self._ids.new("tko_", 16)
        for field, value in fields.items():
            setattr(wallet, field, value)
        wallet.updated_ms = wallet.created_ms
        self._by_id[wallet.id] = wallet
        self._by_org.setdefault(org_id, []).append(wallet)
        return wallet

    def of_org(self, org_id: str) -> list[Wallet]:
        """The organization's wallets that are not archived, oldest first (default first)."""
        self.default_for(org_id)
        return [w for w in self._by_org[org_id] if w.archived_at is None]

    def default_for(self, org_id: str) -> Wallet:
        """The organization's default wallet (created and funded on first use)."""
        wallets = self._by_org.get(org_id)
        if not wallets:
            wallet = self._register(self._new(org_id), org_id, "Default wallet", is_default=True)
            wallet.balances.update(STARTING_FUNDS)
            return wallet
        return next(w for w in wallets if w.is_default)

    def get(self, org_id: str, wallet_id: str) -> Wallet:
        """The organization's wallet (404043 if missing, archived or another org's)."""
        self.default_for(org_id)
        wallet = self._by_id.get(wallet_id)
        if wallet is None or wallet.org_id != org_id or wallet.archived_at is not None:
            raise not_found(WALLET_NOT_FOUND, f"wallet {wallet_id!r}")
        return wallet

    def add(self, org_id: str, name: str, *, account_type: str = "evm") -> Wallet:
        """A new wallet of the organization (409040 when the name is taken)."""
        self._check_name(org_id, name)
        return self._register(self._new(org_id), org_id, name, account_type=account_type)

    def import_address(self, org_id: str, name: str, address: str) -> Wallet:
        """Register a wallet the caller brings (409041 when the organization has it already)."""
        self._check_name(org_id, name)
        existing = self._by_address.get(address.lower())
        if existing is not None and existing.org_id == org_id and existing.archived_at is None:
            raise ApiError(409, DUPLICATE_ADDRESS, f"wallet {address} is already registered")
        wallet = existing if existing is not None and existing.org_id is None else None
        if wallet is None:
            wallet = self._new(org_id, address)
        wallet.org_id = org_id
        return self._register(wallet, org_id, name, is_imported=True)

    def deposit_wallet(self, org_id: str) -> Wallet:
        """The organization's Polymarket deposit wallet (created on first call, then the same)."""
        for wallet in self.of_org(org_id):
            if wallet.account_type == "polymarket_deposit_wallet":
                return wallet
        name = "Polymarket deposit wallet"
        return self._register(
            self._new(org_id), org_id, name, account_type="polymarket_deposit_wallet"
        )

    def rename(self, org_id: str, wallet_id: str, name: str) -> Wallet:
        """Change a wallet's label (address and ids stay); 409040 when the name is taken."""
        wallet = self.get(org_id, wallet_id)
        if name != wallet.name:
            self._check_name(org_id, name)
        wallet.name, wallet.updated_ms = name, int(time.time() * 1000)
        return wallet

    def set_default(self, org_id: str, wallet_id: str) -> Wallet:
        """Make a wallet the organization's default (the previous one stops being it)."""
        wallet = self.get(org_id, wallet_id)
        for other in self._by_org[org_id]:
            other.is_default = other is wallet
        wallet.updated_ms = int(time.time() * 1000)
        return wallet

    def archive(self, org_id: str, wallet_id: str, by: str) -> Wallet:
        """Archive (soft-delete) a wallet: never the default one, never the only one."""
        wallet = self.get(org_id, wallet_id)
        if wallet.is_default:
            raise ApiError(400, WALLET_NOT_ARCHIVABLE, "the default wallet cannot be archived")
        if len(self.of_org(org_id)) == 1:
            raise ApiError(400, WALLET_NOT_ARCHIVABLE, "the only wallet cannot be archived")
        wallet.archived_at, wallet.archived_by = now_iso(), by
        return wallet

    def _check_name(self, org_id: str, name: str) -> None:
        if any(w.name == name for w in self.of_org(org_id)):
            raise ApiError(409, DUPLICATE_NAME, f"a wallet named {name!r} already exists")

    # -- money -----------------------------------------------------------------------------------

    def fund(self, address: str, amount: int, network: str, token: str) -> int:
        """Add ``amount`` base units to an address's balance (a wallet is made for a new
        address); returns the new balance."""
        wallet = self._by_address.get(address.lower()) or self._new(None, address)
        slot = (network, token.lower())
        wallet.balances[slot] = wallet.balances.get(slot, 0) + amount
        return wallet.balances[slot]

    def withdraw(
        self, org_id: str, wallet_id: str, *, chain_id: int, token: str, amount: int, to: str
    ) -> Transaction:
        """Send ``amount`` of ``token`` on ``chain_id`` to ``to``: checks the balance (400043),
        moves the funds and records the transaction."""
        wallet = self.get(org_id, wallet_id)
        network = network_of(chain_id)
        have = wallet.balance(network, token)
        if amount > have:
            raise ApiError(
                400,
                INSUFFICIENT_FUNDS,
                f"insufficient balance: {have} available, {amount} requested",
                [{"available": str(have), "requested": str(amount), "chainId": chain_id}],
            )
        self.transfer(network, token, wallet, to, amount)
        digest = "".join(self._ids.rng("txhash").choice(_HEX) for _ in range(64))
        record = Transaction(
            "0x" + digest, next(self._blocks), org_id, wallet.id, chain_id, token.lower(),
            amount, wallet.address, to.lower(), now_iso(),
        )  # fmt: skip
        self.transactions.append(record)
        return record

    def find(self, address: object) -> Wallet | None:
        """The wallet at ``address`` (any case), if the emulator knows it."""
        return self._by_address.get(address.lower()) if isinstance(address, str) else None

    def transfer(self, network: str, asset: str, payer: Wallet, pay_to: str, amount: int) -> None:
        """Move ``amount`` from ``payer`` to ``pay_to`` (:class:`InsufficientFunds` when short)."""
        slot = (network, asset.lower())
        have = payer.balances.get(slot, 0)
        if amount > have:
            raise InsufficientFunds(f"balance {have} < {amount}")
        payee = self.find(pay_to) or self._new(None, pay_to)
        payer.balances[slot] = have - amount
        payee.balances[slot] = payee.balances.get(slot, 0) + amount

    @staticmethod
    def sign(wallet: Wallet, message: str) -> str:
        """A fake signature of ``message`` by ``wallet`` (HMAC-SHA256 under its key)."""
        return "0x" + hmac.new(wallet.key.encode(), message.encode(), hashlib.sha256).hexdigest()

    def verify(self, address: str, message: str, signature: object) -> bool:
        """Whether ``signature`` is ``address``'s signature of ``message``."""
        wallet = self.find(address)
        if wallet is None or not wallet.key or not isinstance(signature, str):
            return False
        return hmac.compare_digest(self.sign(wallet, message), signature)

    # -- session keys ----------------------------------------------------------------------------

    def add_sessions(
        self,
        org_id: str,
        wallet_id: str,
        session_address: str,
        expires_at: str,
        chain_ids: list[int],
        policies: dict[str, Any],
        workflow_id: str | None,
    ) -> list[Session]:
        """One session key per chain install, sharing a group id."""
        self.get(org_id, wallet_id)
        group, at = self._ids.new("sesg_", 16), now_iso()
        sessions = [
            Session(
                self._ids.new("ses_", 16),
                group,
                org_id,
                wallet_id,
                session_address.lower(),
                chain_id,
                policies,
                at,
                expires_at,
                workflow_id,
            )
            for chain_id in chain_ids
        ]
        for session in sessions:
            self._sessions[session.id] = session
            self._sessions_by_org.setdefault(org_id, []).append(session)
        return sessions

    def active_sessions(self, org_id: str) -> list[Session]:
        """The organization's sessions neither revoked nor expired, newest first."""
        at = now_iso()
        return [
            s
            for s in reversed(self._sessions_by_org.get(org_id, []))
            if s.revoked_at is None and s.expires_at > at
        ]

    def revoke_session(self, org_id: str, session_id: str) -> Session:
        """Revoke a session key (404044 unknown, 409042 already revoked)."""
        session = self._sessions.get(session_id)
        if session is None or session.org_id != org_id:
            raise not_found(SESSION_NOT_FOUND, f"session {session_id!r}")
        if session.revoked_at is not None:
            raise ApiError(409, SESSION_REVOKED, f"session {session_id!r} is already revoked")
        session.revoked_at = now_iso()
        return session
