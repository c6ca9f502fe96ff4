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

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from b3os_async.testing._common import dumps

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_INDEX = re.compile(r"\[(\d+)\]")

Lookup = Callable[[str], Any]
"""Resolves the first segment of a reference (a node id or ``$name``) to a JSON-like value."""

_MISSING = object()


class ConditionError(ValueError):
    """An ``if`` condition that does not have one of the documented shapes."""


def resolve(value: Any, lookup: Lookup) -> Any:
    """``value`` with every ``{{…}}`` placeholder resolved (recursing into objects and lists)."""
    # Recursion is safe here: payloads come from request bodies, which the server refuses when
    # nested more than MAX_JSON_DEPTH (128) levels; the same holds for references() below.
    if isinstance(value, str):
        return _resolve_string(value, lookup)
    if isinstance(value, Mapping):
        return {key: resolve(item, lookup) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, lookup) for item in value]
    return value


def references(value: Any) -> set[str]:
    """The first segments (node ids, ``$names``) referred to anywhere inside ``value``."""
    found: set[str] = set()
    if isinstance(value, str):
        for match in _PLACEHOLDER.finditer(value):
            for alternative in match.group(1).split("||"):
                text = alternative.strip()
                if text and _literal(text) is _MISSING:
                    found.add(_segments(text)[0])
    elif isinstance(value, Mapping):
        for item in value.values():
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


def _resolve_string(text: str, lookup: Lookup) -> Any:
    whole = _PLACEHOLDER.fullmatch(text.strip())
    if whole is not None and text.strip().count("{{") == 1:
        return _evaluate(whole.group(1), lookup)
    return _PLACEHOLDER.sub(lambda match: _as_text(_evaluate(match.group(1), lookup)), text)


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


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text in ("true", "false", "null") or re.fullmatch(r"-?\d+(\.\d+)?([eE][+-]?\d+)?", text):
        return json.loads(text)
    return _MISSING


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
        elif isinstance(current, list) and segment.isdigit() and int(segment) < len(current):
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


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
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
