"""Compute units (CU): each organization's balance, threshold and usage, as one ledger.

Theory of operation
-------------------
Everything that costs compute units -- a run's nodes, an action tested, run or executed through
the proxy -- calls :meth:`Ledger.charge` with the amount and what it was for. The ledger is the
only owner of balances: it refuses a charge the balance cannot cover (a 402 with code
:data:`INSUFFICIENT_CU`, the body every 402 of the API carries), otherwise subtracts it and
appends a :class:`Charge` record. The CU endpoints (balance, threshold, monthly usage, usage by
workflow, runs with their cost) are views of those records, so what they report always adds up
to what was drawn. ``minThreshold`` is stored and reported; the platform's reaction to crossing
it (notifications) is not modelled.

Amounts are numbers of CU (fractions allowed, kept to 6 decimals); a new organization starts with
:data:`DEFAULT_BALANCE`. ``Emulator.set_compute_units(org_id, balance)`` lets tests set a balance
(e.g. 0 to see 402s). The ledger lives at ``store.credits``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import attrs

from b3os_async.testing._common import ApiError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["DEFAULT_BALANCE", "INSUFFICIENT_CU", "Account", "Charge", "Ledger"]

#: CU of a new organization (plenty for tests; set another with Emulator.set_compute_units).
DEFAULT_BALANCE = 10_000.0
#: Error code of a 402: the organization's compute units do not cover the operation.
INSUFFICIENT_CU = 402001


@attrs.frozen
class Charge:
    """One drawing of compute units: how much, when, and what for."""

    amount: float
    at: str  # RFC 3339 UTC
    reason: str  # "node", "action_test", "action_run", "action_execute", ...
    workflow_id: str | None = None
    run_id: str | None = None
    action_type: str | None = None


@attrs.define
class Account:
    """One organization's compute units."""

    balance: float = DEFAULT_BALANCE
    min_threshold: float = 0.0
    charges: list[Charge] = attrs.field(factory=list)


class Ledger:
    """The compute units of every organization of one emulator (see the module docstring)."""

    def __init__(self) -> None:
        self._accounts: dict[str, Account] = defaultdict(Account)
        self._by_run: dict[tuple[str, str], float] = defaultdict(float)

    def account(self, org_id: str) -> Account:
        """The organization's account (created with the default balance on first use)."""
        return self._accounts[org_id]

    def set_balance(self, org_id: str, balance: float) -> None:
        """Set an organization's balance (tests and the emulator's API)."""
        self._accounts[org_id].balance = round(float(balance), 6)

    def check(self, org_id: str, amount: float) -> None:
        """Raise the 402 a charge of ``amount`` would raise, without charging."""
        account = self._accounts[org_id]
        if amount > 0 and account.balance < amount:
            raise ApiError(
                402,
                INSUFFICIENT_CU,
                f"insufficient compute units: {amount:g} CU needed, balance {account.balance:g}",
                [{"required": amount, "balance": account.balance}],
            )

    def charge(
        self,
        org_id: str,
        amount: float,
        *,
        at: str,
        reason: str,
        workflow_id: str | None = None,
        run_id: str | None = None,
        action_type: str | None = None,
    ) -> Charge:
        """Draw ``amount`` CU from the organization, or raise a 402 (nothing is drawn then)."""
        amount = round(float(amount), 6)
        self.check(org_id, amount)
        account = self._accounts[org_id]
        account.balance = round(account.balance - amount, 6)
        record = Charge(amount, at, reason, workflow_id, run_id, action_type)
        account.charges.append(record)
        if run_id is not None:
            self._by_run[org_id, run_id] = round(self._by_run[org_id, run_id] + amount, 6)
        return record

    def charges(self, org_id: str) -> Iterator[Charge]:
        """The organization's charges, oldest first."""
        return iter(self._accounts[org_id].charges)

    def spent_by_run(self, org_id: str, run_id: str) -> float:
        """The CU a run has drawn so far."""
        return self._by_run.get((org_id, run_id), 0.0)
