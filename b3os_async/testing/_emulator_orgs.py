"""What tests may set up in the emulator for the organizations areas (``Emulator`` inherits it).

Members, invites, compute units, wallet funds, Caddie's memories and the org database's content
have no API to create them (the platform does it: sign-ups, billing, deposits, Caddie itself),
so tests arrange them here. Every method takes ``org_id`` (default: the emulator's default
organization) and acts immediately, without a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import now_iso
from b3os_async.testing._domain.organizations import ROLES, Invite, Member, invite_expiry
from b3os_async.testing._domain.wallets import NATIVE, network_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async.testing._domain.organizations import Org
    from b3os_async.testing._server import Context

__all__ = ["OrgControls"]

BASE_SEPOLIA = 84532


class OrgControls:
    """Set-up helpers of the organizations, wallets, CU, database and Caddie-memory areas."""

    _ctx: Context
    org_id: str

    def _org(self, org_id: str | None) -> Org:
        org = self._ctx.store.orgs.get(org_id or self.org_id)
        if org is None:
            raise ValueError(f"unknown organization {org_id!r}")
        return org

    def set_compute_units(self, org_id: str | None, balance: float) -> None:
        """Set an organization's compute-unit balance (0 makes the next run a 402)."""
        self._ctx.store.credits.set_balance(self._org(org_id).id, balance)

    def compute_units(self, org_id: str | None = None) -> float:
        """An organization's compute-unit balance."""
        return self._ctx.store.credits.account(self._org(org_id).id).balance

    def add_member(self, email: str, *, role: str = "developer", org_id: str | None = None) -> str:
        """Add a member (``owner`` or ``developer``) to an organization; their user id."""
        if role not in ROLES:
            raise ValueError(f"role must be 'owner' or 'developer', got {role!r}")
        org = self._org(org_id)
        user_id = self._ctx.ids.new("usr_", 12, stream="user")
        org.members[user_id] = Member(
            self._ctx.ids.new("mem_", 12), org.id, user_id, email, role, now_iso(), org.user_id
        )
        return user_id

    def create_member_key(
        self, user_id: str, scope: str = "read-write", org_id: str | None = None
    ) -> str:
        """A key acting as member ``user_id`` (with their role's permissions)."""
        org = self._org(org_id)
        if user_id not in org.members:
            raise ValueError(f"{user_id!r} is not a member of {org.id!r}")
        secret = self.create_api_key(scope, org.id)  # type: ignore[attr-defined]
        self._ctx.store.keys[secret].user_id = user_id
        return str(secret)

    def invite(self, email: str, *, role: str = "developer", org_id: str | None = None) -> str:
        """Invite an email address to an organization (pending for 7 days); the invite id."""
        if role not in ROLES:
            raise ValueError(f"role must be 'owner' or 'developer', got {role!r}")
        org = self._org(org_id)
        invite = Invite(
            self._ctx.ids.new("inv_", 12), org.id, email, role, org.user_id, now_iso(),
            invite_expiry(),
        )  # fmt: skip
        org.invites.append(invite)
        return invite.id

    def owner_email(self, org_id: str | None = None) -> str:
        """The email address of an organization's owner (whom its keys act as)."""
        return self._org(org_id).owner_email()

    def fund_wallet(
        self, address: str, amount: int, *, chain_id: int = BASE_SEPOLIA, token: str = NATIVE
    ) -> int:
        """Credit ``amount`` base units of ``token`` on ``chain_id`` to an address; the new
        balance. (Every default wallet starts with test funds on Base Sepolia, 84532.)"""
        checked: object = amount  # callers may pass anything: check at runtime
        if isinstance(checked, bool) or not isinstance(checked, int) or amount < 0:
            raise ValueError("amount must be a non-negative int of base units")
        return self._ctx.store.wallets.fund(address, amount, network_of(chain_id), token)

    def wallet_balance(
        self, address: str, *, chain_id: int = BASE_SEPOLIA, token: str = NATIVE
    ) -> int:
        """An address's balance of ``token`` on ``chain_id``, in base units."""
        wallet = self._ctx.store.wallets.find(address)
        return 0 if wallet is None else wallet.balance(network_of(chain_id), token)

    def withdrawals(self, org_id: str | None = None) -> list[dict[str, Any]]:
        """The withdrawals made from an organization's wallets, oldest first."""
        org = self._org(org_id)
        return [
            {"transactionHash": tx.hash, "blockNumber": tx.block_number, "walletId": tx.wallet_id,
             "chainId": tx.chain_id, "tokenAddress": tx.token_address, "amount": tx.amount,
             "from": tx.sender, "to": tx.recipient, "at": tx.at}
            for tx in self._ctx.store.wallets.transactions
            if tx.org_id == org.id
        ]  # fmt: skip

    def add_caddie_memory(
        self,
        scope: str,
        key: str,
        text: str,
        *,
        source: str = "agent",
        org_id: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Make Caddie remember something about a user (default: the organization's owner)."""
        org = self._org(org_id)
        self._ctx.store.caddie_memory.add(org.id, user_id or org.user_id, scope, key, text, source)

    def execute_sql(
        self, sql: str, params: Sequence[Any] = (), *, org_id: str | None = None
    ) -> int:
        """Run any statement (writes too) in an organization's database; rows affected."""
        return self._ctx.store.databases.of(self._org(org_id).id).execute(sql, tuple(params))
