"""Wallets: addresses with token balances and a deterministic fake signing key (x402 payments).

Theory of operation
-------------------
A *seam*, deliberately minimal: the organizations/wallets area (``/v1/wallets*``, not served yet)
will own the organizations' wallets. Today this module gives the x402 facilitator
(``_domain/x402.py``) what it needs and nothing more:

* every organization has one **default wallet**, created on first use and funded with
  :data:`DEFAULT_FUNDS` of the demo token (the wallet ``POST /v1/x402-endpoints/test`` and
  ``…/import`` pay from, B3OS's "default Turnkey wallet");
* other wallets (``org_id=None``) stand for outside parties: a user paying with a pre-signed
  header (``…/execute``), the demo resource's merchant (the ``payTo`` address);
* balances are exact integers in the token's base units, per ``(network, asset)``;
* a **signature** is ``0x`` + HMAC-SHA256 of a message under the wallet's private key (a random
  string, never rendered): deterministic for a seed, checkable by the facilitator, and
  unforgeable without the key -- which is all the emulator needs of ECDSA.

Addresses compare case-insensitively (EVM addresses are hex; checksummed case is cosmetic).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from b3os_async.testing._common import IdSource

__all__ = [
    "DEFAULT_FUNDS",
    "DEMO_ASSET",
    "DEMO_DECIMALS",
    "DEMO_NETWORK",
    "DEMO_SYMBOL",
    "InsufficientFunds",
    "Wallet",
    "WalletBook",
]

#: The network, token (USDC on Base Sepolia), decimals and symbol the emulator's payments use.
DEMO_NETWORK = "base-sepolia"
DEMO_ASSET = "0x036CbD53842c5426634e7929541eC2318f3dCF7e"
DEMO_DECIMALS = 6
DEMO_SYMBOL = "USDC"
#: What a new default or test wallet holds: 10 USDC, in base units.
DEFAULT_FUNDS = 10_000_000

_HEX = "0123456789abcdef"


class InsufficientFunds(Exception):
    """The payer's balance does not cover the amount (nothing was moved)."""


@attrs.define
class Wallet:
    """An address, its owner (``None``: outside any organization), balances and signing key."""

    address: str
    org_id: str | None
    key: str = attrs.field(repr=False)
    balances: dict[tuple[str, str], int] = attrs.field(factory=dict)

    def balance(self, network: str = DEMO_NETWORK, asset: str = DEMO_ASSET) -> int:
        """The balance of one token, in base units."""
        return self.balances.get((network, asset.lower()), 0)


class WalletBook:
    """Every wallet of one emulator, by address; one default wallet per organization."""

    def __init__(self, ids: IdSource) -> None:
        self._ids = ids
        self._by_address: dict[str, Wallet] = {}
        self._defaults: dict[str, Wallet] = {}

    def create(
        self,
        org_id: str | None = None,
        funds: int = DEFAULT_FUNDS,
        network: str = DEMO_NETWORK,
        asset: str = DEMO_ASSET,
    ) -> Wallet:
        """A new wallet holding ``funds`` base units of ``asset`` on ``network``."""
        rng = self._ids.rng("wallet")
        address = "0x" + "".join(rng.choice(_HEX) for _ in range(40))
        key = "".join(self._ids.rng("wallet-key").choice(_HEX) for _ in range(64))
        wallet = Wallet(address, org_id, key)
        if funds:
            wallet.balances[network, asset.lower()] = int(funds)
        self._by_address[address] = wallet
        return wallet

    def default_for(self, org_id: str) -> Wallet:
        """The organization's default wallet (created and funded on first use)."""
        wallet = self._defaults.get(org_id)
        if wallet is None:
            wallet = self._defaults[org_id] = self.create(org_id)
        return wallet

    def find(self, address: object) -> Wallet | None:
        """The wallet at ``address`` (any case), if the emulator knows it."""
        if not isinstance(address, str):
            return None
        return self._by_address.get(address.lower())

    def transfer(self, network: str, asset: str, payer: Wallet, pay_to: str, amount: int) -> None:
        """Move ``amount`` from ``payer`` to ``pay_to`` (a wallet is created for an unknown
        address); :class:`InsufficientFunds` when the balance is short."""
        token = (network, asset.lower())
        have = payer.balances.get(token, 0)
        if amount > have:
            raise InsufficientFunds(f"balance {have} < {amount}")
        payee = self.find(pay_to)
        if payee is None:
            payee = Wallet(pay_to.lower(), None, "")
            self._by_address[payee.address] = payee
        payer.balances[token] = have - amount
        payee.balances[token] = payee.balances.get(token, 0) + amount

    @staticmethod
    def sign(wallet: Wallet, message: str) -> str:
        """The fake signature of ``message`` by ``wallet`` (see the module docstring)."""
        digest = hmac.new(wallet.key.encode(), message.encode(), hashlib.sha256).hexdigest()
        return "0x" + digest

    def verify(self, address: str, message: str, signature: object) -> bool:
        """Whether ``signature`` is ``address``'s signature of ``message``."""
        wallet = self.find(address)
        if wallet is None or not wallet.key or not isinstance(signature, str):
            return False
        return hmac.compare_digest(self.sign(wallet, message), signature)
