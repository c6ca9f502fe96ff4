"""The ``set-variable`` node: an extra action of the engine (like ``send-webhook``).

The rules (types, lifetimes, ``value``/``increment``/``append``, what a write records) are the
domain's (``_domain/workflow_variables.py``); this adapter turns a refused write into the node's
failure. The Emulator registers it: ``engine.extra_actions["set-variable"]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async.testing._actions import NodeFailure
from b3os_async.testing._domain.workflow_variables import SET_VARIABLE, VariableError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from b3os_async.testing._domain.runs import Run
    from b3os_async.testing._store import Store

__all__ = ["SET_VARIABLE", "set_variable_action"]


def set_variable_action(store: Store) -> Callable[[Run, str, dict[str, Any]], Awaitable[Any]]:
    """The ``set-variable`` action of ``store``'s variables: ``{name, value, previous}``."""

    async def set_variable(run: Run, node_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return store.variables.node_write(run, node_id, payload)
        except VariableError as exc:
            raise NodeFailure(exc.message, exc.code) from None

    return set_variable
