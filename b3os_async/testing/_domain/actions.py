"""Single actions outside workflows: ``actions test/run`` and the action proxy (execute, query).

Theory of operation
-------------------
:func:`perform` applies, in this order, the checks B3OS makes before anything runs, then runs
the action once:

1. the type is in the catalog (404013 otherwise);
2. the mode allows it: ``test`` refuses actions whose ``test.enabled`` is false (they move
   funds), ``query`` refuses actions that are not read-only (400002);
3. the inputs satisfy the action's ``payloadSchema`` (400008, ``details`` = ``[{field,
   message}]``);
4. the connector: an action that needs one (``connector.type``, unless the type is optional)
   must get one, and a connector id must be one of the organization's connectors of that type
   (400002). Wallet actions name a wallet id, which the emulator does not check;
5. compute units: every mode but ``query`` draws the action's cost from the ledger (402 when
   the balance is short; nothing runs then);
6. execution by the engine (``Engine.execute_action``: built-ins for real, catalog-only actions
   simulated), timed, and counted in the statistics.

A failing action is not an HTTP error here: :class:`Outcome` carries it and each endpoint
answers it its own way (``test``: ``success: false``; ``run``: 502; the proxy: ``success:
false``). The CU are drawn either way: the action was attempted.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing import _catalog
from b3os_async.testing._actions import NodeFailure
from b3os_async.testing._common import (
    BAD_FIELD,
    CATALOG_NOT_FOUND,
    SCHEMA_MISMATCH,
    ApiError,
    copy_json,
    now_iso,
)
from b3os_async.testing._domain.connectors import type_lookup
from b3os_async.testing._schema import problems

if TYPE_CHECKING:
    from b3os_async.testing._domain.organizations import Principal
    from b3os_async.testing._engine import Engine
    from b3os_async.testing._store import Store

__all__ = ["MODES", "Outcome", "action_entry", "perform"]

MODES = ("test", "run", "execute", "query")


@attrs.frozen
class Outcome:
    """What one execution gave: a result or an error ``{code, message}``, its time and cost."""

    entry: _catalog.Entry
    result: dict[str, Any] | None
    error: dict[str, str] | None
    duration_ms: int
    cost: int

    @property
    def ok(self) -> bool:
        """Whether the action succeeded."""
        return self.error is None


def action_entry(action_type: str) -> _catalog.Entry:
    """The catalog entry of an action type, or a 404 (404013)."""
    entry = _catalog.lookup("action", action_type)
    if entry is None:
        raise ApiError(404, CATALOG_NOT_FOUND, f"action type {action_type!r} not found")
    return entry


def _check_mode(entry: _catalog.Entry, mode: str) -> None:
    test = entry.definition.get("test") or {}
    if mode == "test" and test.get("enabled") is False:
        reason = test.get("disabledReason") or "testing is disabled"
        raise ApiError(400, BAD_FIELD, f"action {entry.type!r} cannot be tested: {reason}")
    if mode == "query" and not entry.read_only:
        raise ApiError(
            400,
            BAD_FIELD,
            f"action {entry.type!r} is not read-only: use execute (it charges compute units)",
        )


def _check_connector(
    store: Store, who: Principal, entry: _catalog.Entry, connector: dict[str, Any] | None
) -> None:
    needed = (entry.definition.get("connector") or {}).get("type")
    ref = connector or {}
    connector_id, declared = ref.get("id"), ref.get("type")
    if not connector_id:
        needed_entry = _catalog.lookup("connector_type", needed) if needed else None
        if needed and not (needed_entry and needed_entry.definition.get("optional")):
            raise ApiError(400, BAD_FIELD, f"action {entry.type!r} needs a {needed!r} connector")
        return
    if needed == "wallet":
        return  # a wallet id: the emulator models no wallets
    if declared == "wallet":
        if needed:
            raise ApiError(400, BAD_FIELD, f"action {entry.type!r} needs a {needed!r} connector")
        return
    actual = type_lookup(store, who.org_id)(str(connector_id))
    if actual is None:
        raise ApiError(400, BAD_FIELD, f"connector {connector_id!r} not found")
    if (declared and declared != actual) or (needed and needed != actual):
        expected = needed or declared
        raise ApiError(
            400,
            BAD_FIELD,
            f"connector {connector_id!r} is a {actual!r} connector; "
            f"action {entry.type!r} needs {expected!r}",
        )


async def perform(
    store: Store,
    engine: Engine,
    who: Principal,
    action_type: str,
    inputs: dict[str, Any],
    *,
    mode: str,
    connector: dict[str, Any] | None = None,
    field: str = "inputs",
) -> Outcome:
    """Check, charge and execute one action (see the module docstring for the order)."""
    entry = action_entry(action_type)
    _check_mode(entry, mode)
    found = problems(entry.definition.get("payloadSchema") or {}, inputs, field)
    if found:
        raise ApiError(
            400, SCHEMA_MISMATCH, f"{field} do not match the schema of {action_type!r}", found
        )
    _check_connector(store, who, entry, connector)
    cost = 0 if mode == "query" else _catalog.cu_cost("action", action_type)
    if cost:
        store.credits.charge(
            who.org_id, cost, at=now_iso(), reason=f"action_{mode}", action_type=action_type
        )
    payload: dict[str, Any] = copy_json(inputs, f"'{field}'")
    started = time.perf_counter()
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    try:
        result = await engine.execute_action(action_type, payload)
    except NodeFailure as failure:
        error = {"code": failure.code, "message": failure.message}
    elapsed = (time.perf_counter() - started) * 1000
    store.stats.record(
        "action", action_type, at_ms=int(time.time() * 1000), duration_ms=elapsed, ok=error is None
    )
    return Outcome(entry, result, error, round(elapsed), cost)
