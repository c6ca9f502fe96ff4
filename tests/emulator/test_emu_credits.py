"""The emulator's compute-unit ledger: balances, charges, refusals (a pure domain object)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from b3os_async.testing._actions import NodeFailure
from b3os_async.testing._common import ApiError
from b3os_async.testing._domain.credits import (
    DEFAULT_BALANCE,
    INSUFFICIENT_CU,
    NODE_COSTS,
    TRIGGER_COST,
    Ledger,
    node_cost,
)
from b3os_async.testing._domain.cu_usage import monthly_usage, runs_page

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


# -- runs drawing CU per node, and the usage views (issue 14) ------------------------------------


def _run(org_id: str = "org_a", run_id: str = "run_1") -> Any:
    return SimpleNamespace(id=run_id, org_id=org_id, workflow_id="wf_1", trigger_node_id="root")


def test_nodes_cost_what_the_table_says() -> None:
    """A trigger costs TRIGGER_COST, a listed action its price, any other action the default."""
    assert node_cost("manual", trigger=True) == TRIGGER_COST
    assert node_cost("http-request", trigger=False) == NODE_COSTS["http-request"]
    assert node_cost("some-new-action", trigger=False) == 1.0


def test_charge_node_records_trigger_and_action_charges() -> None:
    """charge_node draws the node's cost for the run, as a trigger or an action charge."""
    ledger = Ledger()
    ledger.charge_node(_run(), "root", "manual")
    ledger.charge_node(_run(), "echo", "echo")
    assert [(c.reason, c.action_type) for c in ledger.charges("org_a")] == [
        ("trigger", "manual"),
        ("node", "echo"),
    ]
    assert ledger.spent_by_run("org_a", "run_1") == TRIGGER_COST + NODE_COSTS["echo"]


def test_an_unpaid_node_fails_instead_of_raising_a_402() -> None:
    """Mid-run, a node the balance cannot pay is a NodeFailure (insufficient_cu), not a 402."""
    ledger = Ledger()
    ledger.set_balance("org_a", 0.2)
    with pytest.raises(NodeFailure) as info:
        ledger.charge_node(_run(), "echo", "echo")
    assert info.value.code == "insufficient_cu"
    assert ledger.account("org_a").balance == 0.2


def test_admit_run_is_a_402_on_an_empty_balance() -> None:
    """A run is admitted while the balance pays a trigger, refused with a 402 otherwise."""
    ledger = Ledger()
    ledger.set_balance("org_a", TRIGGER_COST)
    ledger.admit_run("org_a")
    ledger.set_balance("org_a", 0)
    with pytest.raises(ApiError) as info:
        ledger.admit_run("org_a")
    assert (info.value.status, info.value.code) == (402, INSUFFICIENT_CU)


def test_a_months_usage_reconciles_with_the_balance() -> None:
    """granted + deposited + adjusted - used equals the balance, charges and set_balance alike."""
    ledger = Ledger()
    ledger.charge_node(_run(), "root", "manual")
    ledger.set_balance("org_a", 500)
    ledger.charge_node(_run(run_id="run_2"), "echo", "echo")
    month = ledger.account("org_a").created_at[:7]
    totals = monthly_usage(ledger, "org_a", month)["summary"]
    reconciled = totals["granted"] + totals["deposited"] + totals["adjusted"] - totals["used"]
    assert reconciled == pytest.approx(ledger.account("org_a").balance)


def test_runs_page_is_newest_first() -> None:
    """The CU runs list pages through runs in reverse order of their first charge."""
    ledger = Ledger()
    for run_id in ("run_1", "run_2", "run_3"):
        ledger.charge_node(_run(run_id=run_id), "root", "manual")
    assert runs_page(ledger, "org_a", 2, 0) == (["run_3", "run_2"], True)
    assert runs_page(ledger, "org_a", 2, 2) == (["run_1"], False)
