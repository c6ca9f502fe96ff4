"""The emulator's compute-unit ledger: balances, charges, refusals (a pure domain object)."""

from __future__ import annotations

import pytest

from b3os_async.testing._common import ApiError
from b3os_async.testing._domain.credits import DEFAULT_BALANCE, INSUFFICIENT_CU, Ledger

AT = "2026-01-01T00:00:00.000Z"


def test_new_organization_starts_with_the_default_balance() -> None:
    """An organization never charged has the default balance and no charges."""
    ledger = Ledger()
    assert ledger.account("org_a").balance == DEFAULT_BALANCE
    assert list(ledger.charges("org_a")) == []


def test_charge_draws_and_records() -> None:
    """A charge lowers the balance and is recorded with what it was for."""
    ledger = Ledger()
    ledger.set_balance("org_a", 10)
    ledger.charge("org_a", 2.5, at=AT, reason="node", workflow_id="wf_1", run_id="run_1")
    ledger.charge("org_a", 1, at=AT, reason="node", workflow_id="wf_1", run_id="run_1")
    assert ledger.account("org_a").balance == 6.5
    assert [c.amount for c in ledger.charges("org_a")] == [2.5, 1.0]
    assert ledger.spent_by_run("org_a", "run_1") == 3.5


def test_charge_beyond_the_balance_is_a_402_and_draws_nothing() -> None:
    """A charge the balance cannot cover raises a 402 with the CU code; nothing is drawn."""
    ledger = Ledger()
    ledger.set_balance("org_a", 1)
    with pytest.raises(ApiError) as info:
        ledger.charge("org_a", 2, at=AT, reason="action_run", action_type="echo")
    assert (info.value.status, info.value.code) == (402, INSUFFICIENT_CU)
    assert ledger.account("org_a").balance == 1
    assert list(ledger.charges("org_a")) == []


def test_organizations_are_separate() -> None:
    """Charging one organization leaves another's balance alone."""
    ledger = Ledger()
    ledger.charge("org_a", 5, at=AT, reason="node")
    assert ledger.account("org_b").balance == DEFAULT_BALANCE
