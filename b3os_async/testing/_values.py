"""What a node may render and keep: the size checks between the expressions and the engine.

A node's payload is resolved (``_expr.resolve``), then its action runs; the input and the result
are kept in the run's state, sent by ``GET /v1/runs/{id}`` and in ``node_completed`` events. Each
is measured by the run's :class:`~._meter.Meter` (cheap: shared values are measured once):

* a rendered input or a result over ``MAX_VALUE_BYTES`` (as JSON) or nested more than
  ``MAX_VALUE_DEPTH`` levels fails the node with code ``value_too_large``;
* a node whose input and result would take the run's state over ``MAX_RUN_STATE_BYTES`` fails
  with code ``run_state_too_large``;
* a number literal that is not a finite JSON number fails it with code ``invalid_expression``.

What a failed check would have kept is dropped (``input``/``result`` left out), so a failed node
costs nothing. The limits are in ``_limits.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async.testing import _limits
from b3os_async.testing._actions import NodeFailure
from b3os_async.testing._expr import ExpressionError, Lookup, resolve
from b3os_async.testing._meter import TooLarge

if TYPE_CHECKING:
    from b3os_async.testing._domain.runs import NodeState
    from b3os_async.testing._meter import Meter


def _measure(meter: Meter, value: Any, what: str) -> int:
    try:
        return meter.measure(value, _limits.MAX_VALUE_BYTES, _limits.MAX_VALUE_DEPTH, what)
    except TooLarge as exc:
        raise NodeFailure(f"{exc.message} (the emulator's limit)", "value_too_large") from None


def render(payload: Any, lookup: Lookup, meter: Meter) -> Any:
    """``payload`` with its expressions resolved; ``NodeFailure`` when it breaks a limit."""
    try:
        resolved = resolve(payload, lookup, meter)
    except ExpressionError as exc:
        raise NodeFailure(exc.message, exc.code) from None
    _measure(meter, resolved, "the node's resolved payload")
    return resolved


def keep(meter: Meter, state: NodeState, result: Any) -> None:
    """Charge a successful node's input and result to the run's state (``NodeFailure`` if over).

    On a failure the node's ``input`` is dropped: it is no longer part of the run's state.
    """
    try:
        _charge(meter, state.input, result, "the node's result")
    except NodeFailure:
        state.input = None
        raise


def kept_on_failure(meter: Meter, state: NodeState, result: Any) -> Any:
    """What a failed node keeps as ``result`` (``None`` if it does not fit; input dropped too)."""
    try:
        _charge(meter, state.input, result, "the node's result")
    except NodeFailure:
        state.input = None
        return None
    return result


def charge_kept(meter: Meter, states: list[NodeState]) -> None:
    """Count the nodes copied into a retry (checked when they first ran) in the run's state."""
    for state in states:
        for value in (state.input, state.result):
            if value is not None:
                meter.used += meter.measure(value, 1 << 62, 1 << 62)


def _charge(meter: Meter, node_input: Any, result: Any, what: str) -> None:
    size = 0 if result is None else _measure(meter, result, what)
    if node_input is not None:
        size += _measure(meter, node_input, "the node's resolved payload")
    limit = _limits.MAX_RUN_STATE_BYTES
    if meter.used + size > limit:
        raise NodeFailure(
            f"the run's state would be larger than {limit:,} bytes as JSON (the emulator's "
            "limit); inputs and results are kept for GET /v1/runs/{id}",
            "run_state_too_large",
        )
    meter.used += size
