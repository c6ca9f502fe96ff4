"""``b3.wallets``: the organization's wallets; withdrawals move real money.

Addresses are strings and token amounts exact integers of base units (wei, 10**-6 USDC ...).
Methods default to the client's organization (``org_id=`` for another).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure
from b3os_async._errors import ConfigurationError
from b3os_async.models.wallets import (
    OrganizationWallet,
    PolymarketDepositWallet,
    Wallet,
    WalletAccount,
    WalletArchived,
    WithdrawResult,
)
from b3os_async.resources._args import compact
from b3os_async.resources._org import OrgResource

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async.pagination import AsyncPager

__all__ = ["Wallets", "check_address", "check_amount"]


def check_address(value: str, name: str) -> str:
    """An EVM address (``0x`` + 40 hex digits), checked before anything is sent."""
    checked: object = value  # callers may pass anything: check at runtime
    if (
        not isinstance(checked, str)
        or len(value) != 42
        or not value.startswith(("0x", "0X"))
        or any(c not in "0123456789abcdefABCDEF" for c in value[2:])
    ):
        raise ConfigurationError(f"{name} must be a 0x-prefixed 20-byte hex address, got {value!r}")
    return value


def check_amount(amount: int) -> str:
    """A positive integer of base units, as the decimal string the API takes (exact, any size)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ConfigurationError(
            f"amount must be an int of base units (e.g. wei), got {type(amount).__name__}: a "
            "float would lose precision"
        )
    if amount <= 0:
        raise ConfigurationError(f"amount must be positive, got {amount}")
    if amount >= 2**256:  # no token amount on an EVM chain is that large (uint256)
        raise ConfigurationError("amount does not fit in 256 bits: no token amount is that large")
    return str(amount)


def _accounts(accounts: Sequence[WalletAccount] | None) -> list[Any] | None:
    if accounts is None:
        return None
    checked: object = accounts  # callers may pass anything: check at runtime
    if not isinstance(checked, (list, tuple)):
        raise ConfigurationError(f"accounts must be a list, got {type(checked).__name__}")
    for account in accounts:
        if not isinstance(account, WalletAccount):
            raise ConfigurationError(f"accounts must hold WalletAccount, got {account!r}")
    return [
        {
            "addressFormat": account.address_format,
            "curve": account.curve,
            "path": account.path,
            "pathFormat": account.path_format,
        }
        for account in accounts
    ]


class Wallets(OrgResource):
    """Organization wallets (``/v1/organizations/{orgId}/wallets``). Get it as ``b3.wallets``."""

    __slots__ = ()

    def list(
        self,
        *,
        org_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[Wallet]:
        """The organization's wallets (not archived ones)."""
        return self._org_list(
            Wallet, "/v1/organizations/{}/wallets", org_id,
            page_size=page_size, max_items=max_items,
        )  # fmt: skip

    async def create(
        self,
        name: str,
        *,
        accounts: Sequence[WalletAccount] | None = None,
        org_id: str | None = None,
    ) -> Wallet:
        """Create a wallet with a new address. Not retried automatically (a resend would make
        a second wallet)."""
        body = compact(name=name, accounts=_accounts(accounts))
        oid = await self._org(org_id)
        return await self._post(Wallet, "/v1/organizations/{}/wallets", oid, json=body)

    async def import_wallet(
        self, name: str, *, address: str, turnkey_private_key_id: str, org_id: str | None = None
    ) -> Wallet:
        """Register a wallet whose private key was imported into Turnkey (``ConflictError``
        if the organization has that address already)."""
        body = {
            "name": name,
            "address": check_address(address, "address"),
            "turnkeyPrivateKeyId": turnkey_private_key_id,
        }
        oid = await self._org(org_id)
        return await self._post(Wallet, "/v1/organizations/{}/wallets/import", oid, json=body)

    async def create_polymarket_deposit(
        self, *, org_id: str | None = None
    ) -> PolymarketDepositWallet:
        """Create (or get) the organization's Polymarket deposit wallet."""
        oid = await self._org(org_id)
        return await self._post(
            PolymarketDepositWallet, "/v1/organizations/{}/wallets/polymarket-deposit", oid
        )

    async def rename(
        self, wallet_id: str, name: str, *, org_id: str | None = None
    ) -> OrganizationWallet:
        """Change a wallet's label (its address stays). Safe to retry."""
        oid = await self._org(org_id)
        return await self._patch(
            OrganizationWallet, "/v1/organizations/{}/wallets/{}", oid, wallet_id,
            json={"name": name}, idempotent=True,
        )  # fmt: skip

    async def set_default(self, wallet_id: str, *, org_id: str | None = None) -> OrganizationWallet:
        """Make a wallet the organization's default one."""
        oid = await self._org(org_id)
        return await self._put(
            OrganizationWallet, "/v1/organizations/{}/wallets/{}/default", oid, wallet_id
        )

    async def archive(self, wallet_id: str, *, org_id: str | None = None) -> WalletArchived:
        """IRREVERSIBLE: archive the wallet (and the workflows the API archives with it).

        Never the default or the only wallet (``BadRequestError``). Never retried automatically.
        """
        oid = await self._org(org_id)
        data = await self._data(
            "DELETE", "/v1/organizations/{}/wallets/{}", oid, wallet_id, idempotent=False
        )
        return structure(data, WalletArchived)

    async def withdraw(
        self,
        wallet_id: str,
        *,
        amount: int,
        chain_id: int,
        token_address: str,
        recipient_address: str,
        org_id: str | None = None,
    ) -> WithdrawResult:
        """MOVES FUNDS: send ``amount`` base units of a token from the wallet to an address.

        Never retried automatically: if the connection fails mid-call, check the wallet's
        transactions before trying again.

        Args:
            wallet_id: the wallet to send from.
            amount: how much, in the token's base units (an ``int``: wei for ETH, 10**-6 for
                USDC); sent as an exact decimal string.
            chain_id: the chain (e.g. 8453 for Base).
            token_address: the token contract (``0x…``), or ``"native"`` for the chain's coin.
            recipient_address: where the funds go (``0x…``).
            org_id: another organization than the client's.
        """
        checked: object = chain_id  # callers may pass anything: check at runtime
        if isinstance(checked, bool) or not isinstance(checked, int) or chain_id < 1:
            raise ConfigurationError(f"chain_id must be a positive int, got {chain_id!r}")
        if token_address != "native":
            check_address(token_address, "token_address")
        body = {
            "amount": check_amount(amount),
            "chainId": chain_id,
            "tokenAddress": token_address,
            "recipientAddress": check_address(recipient_address, "recipient_address"),
        }
        oid = await self._org(org_id)
        return await self._post(
            WithdrawResult, "/v1/organizations/{}/wallets/{}/withdraw", oid, wallet_id, json=body
        )
