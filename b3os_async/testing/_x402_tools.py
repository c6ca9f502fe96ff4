"""``emu.x402``: what a test needs to play the payer's side of x402 against the emulator.

The emulator's wallets and facilitator are in ``_domain/wallets.py`` and ``_domain/x402.py``;
this object only exposes them to tests: where the demo paid resources are, the organizations'
default wallets and their balances, new outside wallets, and a signer standing in for a user's
wallet (the caller-signed ``X-PAYMENT`` header that ``POST /v1/x402-endpoints/execute`` forwards).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.testing._domain.wallets import DEFAULT_FUNDS, DEMO_ASSET, DEMO_NETWORK
from b3os_async.testing._domain.x402 import DEMO_PATH, DEMO_RESOURCES

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._store import Store

__all__ = ["X402Tools"]


class X402Tools:
    """The payer's side of x402 for tests (``emu.x402``)."""

    def __init__(self, store: Store, url: Callable[[], str], org_id: str) -> None:
        self._store = store
        self._url = url
        self._org_id = org_id

    def resource_url(self, name: str = "weather") -> str:
        """The URL of a demo paid resource: ``weather`` (GET, 1000 units) or ``echo`` (POST,
        2500 units), priced in base units of the demo USDC on ``base-sepolia``."""
        if name not in DEMO_RESOURCES:
            raise ValueError(f"no demo resource {name!r}; try one of {sorted(DEMO_RESOURCES)}")
        return self._url() + DEMO_PATH + name

    def default_wallet(self, org_id: str | None = None) -> str:
        """The address of an organization's default wallet (funded with 10 demo USDC)."""
        return self._store.wallets.default_for(org_id or self._org_id).address

    def create_wallet(self, funds: int = DEFAULT_FUNDS) -> str:
        """A new wallet outside any organization, holding ``funds`` base units; its address."""
        return self._store.wallets.create(None, funds).address

    def balance(self, address: str, network: str = DEMO_NETWORK, asset: str = DEMO_ASSET) -> int:
        """The balance of ``address`` in base units (0 for an unknown address)."""
        wallet = self._store.wallets.find(address)
        return 0 if wallet is None else wallet.balance(network, asset)

    def set_balance(self, address: str, amount: int) -> None:
        """Set the demo-token balance of a known wallet (e.g. 0 to see a payment refused)."""
        wallet = self._store.wallets.find(address)
        if wallet is None:
            raise ValueError(f"unknown wallet {address!r}")
        wallet.balances[DEMO_NETWORK, DEMO_ASSET.lower()] = int(amount)

    def sign_payment(
        self,
        *,
        payer: str,
        pay_to: str,
        amount: int | str,
        network: str = DEMO_NETWORK,
        asset: str = DEMO_ASSET,
        nonce: str | None = None,
    ) -> str:
        """An ``X-PAYMENT`` header signed by ``payer`` (a wallet the emulator knows)."""
        wallet = self._store.wallets.find(payer)
        if wallet is None or not wallet.key:
            raise ValueError(f"the emulator holds no key for wallet {payer!r}")
        return self._store.x402.sign(
            wallet, pay_to=pay_to, amount=amount, network=network, asset=asset, nonce=nonce
        )
