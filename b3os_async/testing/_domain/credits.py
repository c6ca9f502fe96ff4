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
(e.g. 0 to see 402s); the difference is recorded as an adjustment, so a month's usage always
reconciles: balance = granted + deposited + adjusted - used. The ledger lives at
``store.credits``.

Runs draw CU per node (:data:`NODE_COSTS`): the engine calls :meth:`Ledger.charge_node` as each
node starts (the trigger node too), and :meth:`Ledger.admit_run` when a run is launched -- an
organization whose balance cannot pay for a trigger gets the 402 and no run. A node whose cost
the balance no longer covers (the balance ran out mid-run) fails with code ``insufficient_cu``.
The usage views (monthly, by workflow, runs with their cost) are in ``_domain/cu_usage.py``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import attrs

from b3os_async.testing._actions import NodeFailure
from b3os_async.testing._common import ApiError, now_iso

if TYPE_CHECKING:
    from collections.abc import Iterator

    from b3os_async.testing._domain.runs import Run

__all__ = [
    "DEFAULT_BALANCE",
    "INSUFFICIENT_CU",
    "NODE_COSTS",
    "TRIGGER_COST",
    "Account",
    "Charge",
    "Ledger",
    "node_cost",
]

#: CU of a new organization (plenty for tests; set another with Emulator.set_compute_units).
DEFAULT_BALANCE = 10_000.0
#: Error code of a 402: the organization's compute units do not cover the operation.
INSUFFICIENT_CU = 402001

TRIGGER_COST = 0.1
"""CU a trigger node draws when a run starts (and what a run needs to be admitted)."""
NODE_COSTS = {"echo": 0.5, "transform": 0.5, "if": 0.5, "wait": 0.5, "delay": 0.5, "fail": 0.5,
              "http-request": 2.0}  # fmt: skip
"""CU an action node draws, by type; any other action type draws :data:`DEFAULT_NODE_COST`."""
DEFAULT_NODE_COST = 1.0


def node_cost(node_type: str, trigger: bool) -> float:
    """What one node of ``node_type`` draws (see :data:`NODE_COSTS`)."""
    return TRIGGER_COST if trigger else NODE_COSTS.get(node_type, DEFAULT_NODE_COST)


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
    created_at: str = attrs.field(factory=now_iso)
    """When the account was opened: the default balance counts as granted then."""
    adjustments: list[tuple[str, float]] = attrs.field(factory=list)
    """``(at, amount)`` of every balance change that was not a charge (``set_balance``)."""
    runs: list[str] = attrs.field(factory=list)
    """Run ids in the order of their first charge (the CU runs list pages through it)."""


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
        account = self._accounts[org_id]
        new = round(float(balance), 6)
        account.adjustments.append((now_iso(), round(new - account.balance, 6)))
        account.balance = new

    def set_threshold(self, org_id: str, threshold: float) -> tuple[float, float]:
        """Store the organization's ``minThreshold``; ``(old, new)``."""
        account = self._accounts[org_id]
        old, account.min_threshold = account.min_threshold, round(float(threshold), 6)
        return old, account.min_threshold

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
            if (org_id, run_id) not in self._by_run:
                account.runs.append(run_id)
            self._by_run[org_id, run_id] = round(self._by_run[org_id, run_id] + amount, 6)
        return record

    def admit_run(self, org_id: str) -> None:
        """Raise the 402 when the balance cannot pay for a run's trigger (nothing is drawn)."""
        self.check(org_id, TRIGGER_COST)

    def charge_node(self, run: Run, node_id: str, node_type: str) -> None:
        """Draw a node's cost for ``run`` (the engine, as the node starts).

        A balance that no longer covers it fails the node (``NodeFailure`` with code
        ``insufficient_cu``): the run was admitted, it is the node that cannot be paid.
        """
        trigger = node_id == run.trigger_node_id
        try:
            self.charge(
                run.org_id,
                node_cost(node_type, trigger),
                at=now_iso(),
                reason="trigger" if trigger else "node",
                workflow_id=run.workflow_id or None,
                run_id=run.id,
                action_type=node_type,
            )
        except ApiError as exc:
            raise NodeFailure(exc.message, "insufficient_cu") from None

    def charges(self, org_id: str) -> Iterator[Charge]:
        """The organization's charges, oldest first."""
        return iter(self._accounts[org_id].charges)

    def spent_by_run(self, org_id: str, run_id: str) -> float:
        """The CU a run has drawn so far."""
        return self._by_run.get((org_id, run_id), 0.0)
