"""A small JSON Schema checker for the catalog's schemas: action inputs and connector data.

The catalog (``_catalog/``) describes every action's ``payloadSchema`` and every connector type's
``dataSchema`` as JSON Schema. The emulator checks what a caller sends against them with
:func:`problems`, which supports the subset the catalog uses: ``type`` (one name or a list),
``properties``, ``required``, ``additionalProperties`` (a boolean), ``enum``, ``minimum`` /
``maximum``, ``minLength`` / ``maxLength``, ``pattern`` and ``items``. Other keywords are ignored
(a schema also describes, it does not only check).

Messages never quote the value that failed: connector data holds credentials (``writeOnly``
fields), and an error body, a log line or an exception must never carry one. The walk follows
the schema, not the value, so its depth is bounded by the (static, shallow) schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["problems", "secret_fields"]

_TYPES: dict[str, Any] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def _type_problem(schema: Mapping[str, Any], value: Any) -> str | None:
    declared = schema.get("type")
    if declared is None:
        return None
    names = [declared] if isinstance(declared, str) else list(declared)
    if any(_TYPES[name](value) for name in names if name in _TYPES):
        return None
    return "must be " + " or ".join(f"{'an' if n[0] in 'aeiou' else 'a'} {n}" for n in names)


def _scalar_problem(schema: Mapping[str, Any], value: Any) -> str | None:
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        return "must be one of " + ", ".join(map(str, enum))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            return f"must be at least {schema['minimum']}"
        if "maximum" in schema and value > schema["maximum"]:
            return f"must be at most {schema['maximum']}"
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            return f"must be at least {schema['minLength']} characters long"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"must be at most {schema['maxLength']} characters long"
        pattern = schema.get("pattern")
        if pattern is not None and re.search(pattern, value) is None:
            return "does not have the expected format"
    return None


def problems(schema: Mapping[str, Any], value: Any, where: str = "") -> list[dict[str, str]]:
    """What is wrong with ``value`` for ``schema``: ``[{field, message}]`` (empty: valid).

    ``field`` is a dotted path below ``where`` (``inputs.chatId``, ``data.tokens[2]``).
    """
    found: list[dict[str, str]] = []
    problem = _type_problem(schema, value) or _scalar_problem(schema, value)
    if problem is not None:
        return [{"field": where or "<value>", "message": f"{where or 'value'} {problem}"}]
    if isinstance(value, dict):
        properties: Mapping[str, Any] = schema.get("properties") or {}
        for name in schema.get("required") or ():
            if value.get(name) is None:
                field = f"{where}.{name}" if where else name
                found.append({"field": field, "message": f"{field} is required"})
        for name, item in value.items():
            field = f"{where}.{name}" if where else str(name)
            if name in properties:
                if item is not None:
                    found.extend(problems(properties[name], item, field))
            elif schema.get("additionalProperties") is False:
                found.append({"field": field, "message": f"{field} is not a known field"})
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            found.extend(problems(schema["items"], item, f"{where}[{index}]"))
    return found


def secret_fields(schema: Mapping[str, Any]) -> frozenset[str]:
    """Top-level properties marked ``writeOnly`` (credentials: stored, never shown again)."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    return frozenset(name for name, prop in properties.items() if prop.get("writeOnly"))
