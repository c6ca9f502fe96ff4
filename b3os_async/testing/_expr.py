"""``{{…}}`` expressions and ``if`` conditions: pure functions, no I/O.

Expressions
-----------
A string value anywhere in a node's payload may hold ``{{ expression }}`` placeholders.

* A string that is *exactly one* placeholder keeps the JSON type of what it refers to
  (``"{{root.result.n}}"`` -> ``5``); placeholders embedded in text are interpolated as text
  (``None`` -> ``""``, booleans -> ``true``/``false``, objects and arrays -> compact JSON).
* An expression is one or more alternatives separated by ``||``; the first alternative whose value
  is not missing, ``null`` or ``""`` wins (``{{a.result.x || 0}}``). An alternative is a reference
  or a literal: a JSON number, ``true``/``false``/``null``, or a quoted string (``'x'``/``"x"``).
* References (segments split on ``.``, list items as ``[0]`` or ``.0``):
  ``<nodeId>.result…`` / ``<nodeId>.input…`` / ``<nodeId>.status`` (``root`` is the firing trigger),
  ``$nodes.<nodeId>.result…`` (same), ``$trigger.body…`` (the trigger's result),
  ``$props.x`` (the run's ``propValues``), ``$workflowId`` and ``$runId``.
  Only nodes that already finished successfully can be referred to; anything else is missing.

Conditions
----------
An ``if`` node's payload is ``{"condition": C}`` where ``C`` is one of::

    {"$and": [C, …]}          all true (an empty list is true)
    {"$or":  [C, …]}          any true (an empty list is false)
    {"left": V, "op": OP, "right": V}

``left``/``right`` are resolved like any payload value before the test. Operators:
``$eq $ne`` (numbers compare numerically, also a number against a numeric string),
``$gt $gte $lt $lte`` (numbers, or two strings lexicographically; otherwise false),
``$contains $notContains`` (substring of a string, element of a list, key of an object),
``$startsWith $endsWith`` (strings), ``$exists $notExists`` (``left`` is not / is missing or null;
``right`` ignored), ``$in $notIn`` (``left`` is an element of the list ``right``, or a substring of
the string ``right``). Anything else raises :class:`ConditionError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from b3os_async.testing import _limits
from b3os_async.testing._json import JsonError, dumps, number_from_text
from b3os_async.testing._meter import Meter, TooLarge

_INDEX = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?", re.ASCII)

Lookup = Callable[[str], Any]
"""Resolves the first segment of a reference (a node id or ``$name``) to a JSON-like value."""

_MISSING = object()


class ConditionError(ValueError):
    """An ``if`` condition that does not have one of the documented shapes."""


class ExpressionError(ValueError):
    """A payload whose expressions cannot be rendered; ``code`` is the node error code."""

    def __init__(self, message: str, code: str = "invalid_expression") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def placeholders(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, expression)`` of each ``{{…}}`` in ``text``, left to right.

    A placeholder runs from ``{{`` to the first ``}}`` after it, like the non-greedy pattern
    ``\\{\\{(.*?)\\}\\}``, but found with two ``str.find`` calls per placeholder: linear in the
    text. (The pattern rescanned the rest of the text from every ``{{`` that had no ``}}``
    after it: 40 KiB of ``{{`` froze the loop for seconds.) With no ``}}`` left, no later
    ``{{`` can close either, so the scan stops.
    """
    position = 0
    while True:
        start = text.find("{{", position)
        if start < 0:
            return
        end = text.find("}}", start + 2)
        if end < 0:
            return
        yield start, end + 2, text[start + 2 : end]
        position = end + 2


def resolve(value: Any, lookup: Lookup, meter: Meter | None = None) -> Any:
    """``value`` with every ``{{…}}`` placeholder resolved (recursing into objects and lists).

    Values referred to are shared, not copied. Text built by interpolation is charged to a
    budget of ``MAX_VALUE_BYTES`` per string, measured by ``meter`` before it is written (so a
    string of many placeholders cannot build gigabytes); :class:`ExpressionError` past it, or
    for a number literal that is not a finite JSON number.
    """
    # Recursion is safe here: payloads come from request bodies, which the server refuses when
    # nested more than MAX_JSON_DEPTH (128) levels; the same holds for references() below.
    meter = Meter() if meter is None else meter
    if isinstance(value, str):
        return _resolve_string(value, lookup, meter)
    if isinstance(value, Mapping):
        return {key: resolve(item, lookup, meter) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, lookup, meter) for item in value]
    return value


def references(value: Any) -> set[str]:
    """The first segments (node ids, ``$names``) referred to anywhere inside ``value``."""
    found: set[str] = set()
    if isinstance(value, str):
        for _, _, expression in placeholders(value):
            for alternative in expression.split("||"):
                text = alternative.strip()
                if text and not _is_literal(text):
                    found.add(_segments(text)[0] if _segments(text) else text)
    elif isinstance(value, Mapping):
        for item in value.values():
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def _resolve_string(text: str, lookup: Lookup, meter: Meter) -> Any:
    found = list(placeholders(text))
    if not found:
        return text
    stripped = text.strip()
    if len(found) == 1 and found[0][1] - found[0][0] == len(stripped):
        return _evaluate(found[0][2], lookup)  # exactly one placeholder: keeps the JSON type
    limit = _limits.MAX_VALUE_BYTES
    parts: list[str] = []
    size = 0
    position = 0
    for start, end, expression in found:
        value = _evaluate(expression, lookup)
        try:
            # Measured (cheaply, shared parts once) before anything is written.
            size += start - position + meter.measure(value, limit - size, _limits.MAX_VALUE_DEPTH)
        except TooLarge:
            size = limit + 1
        if size > limit:
            raise ExpressionError(
                f"interpolated text would be larger than {limit:,} bytes (the emulator's limit)",
                "value_too_large",
            )
        parts.append(text[position:start])
        parts.append(_as_text(value))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _evaluate(expression: str, lookup: Lookup) -> Any:
    value: Any = None
    for alternative in expression.split("||"):
        text = alternative.strip()
        if not text:
            continue
        literal = _literal(text)
        value = literal if literal is not _MISSING else _reference(text, lookup)
        if value is not None and value != "":
            return value
    return value


def _is_literal(text: str) -> bool:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return True
    return text in ("true", "false", "null") or _NUMBER.fullmatch(text) is not None


def _literal(text: str) -> Any:
    if not _is_literal(text):
        return _MISSING
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false", "null"):
        return {"true": True, "false": False, "null": None}[text]
    try:
        return number_from_text(text)
    except JsonError as exc:
        raise ExpressionError(f"invalid number literal: {exc}") from None


def _segments(reference: str) -> list[str]:
    return [part for part in _INDEX.sub(r".\1", reference).split(".") if part]


def _reference(reference: str, lookup: Lookup) -> Any:
    segments = _segments(reference)
    if not segments:
        return None
    if segments[0] == "$nodes":
        segments = segments[1:]
        if not segments:
            return None
    current: Any = lookup(segments[0])
    for segment in segments[1:]:
        if isinstance(current, Mapping):
            current = current.get(segment)
        elif (
            isinstance(current, list)
            and segment.isascii()
            and segment.isdigit()
            and len(segment) < 19
            and int(segment) < len(current)
        ):
            current = current[int(segment)]
        else:
            return None
    return current


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return dumps(value)


# -- conditions ------------------------------------------------------------------------------


def evaluate_condition(condition: Any) -> bool:
    """Evaluate an already-resolved condition (see the module docstring for its shape)."""
    # The resolved condition can embed node results, which are not bounded in depth the way
    # request bodies are; a runaway nesting of $and/$or is the condition's fault, not a crash.
    try:
        return _evaluate_condition(condition)
    except RecursionError:
        raise ConditionError("the condition is nested too deeply") from None


def _evaluate_condition(condition: Any) -> bool:
    if not isinstance(condition, Mapping):
        raise ConditionError("a condition must be an object")
    if "$and" in condition or "$or" in condition:
        key = "$and" if "$and" in condition else "$or"
        parts = condition[key]
        if not isinstance(parts, list):
            raise ConditionError(f"{key} takes a list of conditions")
        results = (_evaluate_condition(part) for part in parts)
        return all(results) if key == "$and" else any(results)
    if "op" not in condition:
        raise ConditionError('a condition needs "$and", "$or" or "left"/"op"/"right"')
    op = condition["op"]
    test = _OPERATORS.get(op) if isinstance(op, str) else None
    if test is None:
        raise ConditionError(f"unknown operator {op!r}")
    return test(condition.get("left"), condition.get("right"))


def _number(value: Any) -> int | float | None:
    # Integers stay exact (Python compares an int and a float exactly, whatever their size);
    # text is read as a float, and what is not a finite number is not a number.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    left_is_number = isinstance(left, (int, float))
    right_is_number = isinstance(right, (int, float))
    if left_is_number or right_is_number:
        a, b = _number(left), _number(right)
        return a is not None and b is not None and a == b
    return bool(left == right)


def _order(left: Any, right: Any) -> tuple[Any, Any] | None:
    a, b = _number(left), _number(right)
    if a is not None and b is not None and not (isinstance(left, str) and isinstance(right, str)):
        return a, b
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return None


def _compare(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(left: Any, right: Any) -> bool:
        pair = _order(left, right)
        return pair is not None and check(*pair)

    return test


def _contains(container: Any, item: Any) -> bool:
    if isinstance(container, str):
        return isinstance(item, str) and item in container
    if isinstance(container, list):
        return any(_equal(element, item) for element in container)
    if isinstance(container, Mapping):
        return isinstance(item, str) and item in container
    return False


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": _equal,
    "$ne": lambda left, right: not _equal(left, right),
    "$gt": _compare(lambda a, b: a > b),
    "$gte": _compare(lambda a, b: a >= b),
    "$lt": _compare(lambda a, b: a < b),
    "$lte": _compare(lambda a, b: a <= b),
    "$contains": _contains,
    "$notContains": lambda left, right: not _contains(left, right),
    "$startsWith": lambda left, right: (
        isinstance(left, str) and isinstance(right, str) and left.startswith(right)
    ),
    "$endsWith": lambda left, right: (
        isinstance(left, str) and isinstance(right, str) and left.endswith(right)
    ),
    "$exists": lambda left, right: left is not None,
    "$notExists": lambda left, right: left is None,
    "$in": lambda left, right: _contains(right, left),
    "$notIn": lambda left, right: not _contains(right, left),
}
