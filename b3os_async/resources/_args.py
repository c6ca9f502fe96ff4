"""Turning method arguments into what the API takes: bodies, ids, lists, timestamps, definitions.

Every resource converts its arguments with these functions, so each rule (and its error message)
exists once. All of them run before any I/O and raise :class:`ConfigurationError` (a
``ValueError``) for an argument that cannot be sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async._convert import format_datetime, unstructure
from b3os_async._errors import ConfigurationError

if TYPE_CHECKING:
    from datetime import datetime

__all__ = [
    "compact",
    "definition_json",
    "id_list",
    "json_object",
    "rfc3339",
    "str_list",
    "unix_ms",
]


def compact(**fields: Any) -> dict[str, Any]:
    """A JSON body from keyword arguments already named as the API names them; None is dropped."""
    return {key: value for key, value in fields.items() if value is not None}


def definition_json(definition: Any) -> dict[str, Any]:
    """A workflow definition as JSON: a model goes through the converter, a dict is sent as is."""
    if attrs.has(type(definition)):
        return dict(unstructure(definition))
    if isinstance(definition, Mapping):
        return dict(definition)
    raise ConfigurationError(
        f"definition must be a WorkflowDefinition or a dict, got {type(definition).__name__}"
    )


def json_object(value: Mapping[str, Any] | None, name: str) -> dict[str, Any] | None:
    """Copy an optional free-form JSON object argument (``payload``, ``prop_values`` ...)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{name} must be a dict, got {type(value).__name__}")
    return dict(value)


def str_list(values: Sequence[str] | None, name: str) -> tuple[str, ...] | None:
    """A list of strings sent as a repeated query parameter (``?actions=a&actions=b``).

    A single string is refused: iterating it would send one parameter per character.
    """
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ConfigurationError(f"{name} must be a list of strings, not {type(values).__name__}")
    for value in values:
        checked: object = value  # callers may pass anything: check at runtime
        if not isinstance(checked, str):
            raise ConfigurationError(f"{name} must hold strings, got {type(checked).__name__}")
    return tuple(values)


def id_list(values: Sequence[str] | None, name: str) -> str | None:
    """Ids sent as ONE comma-separated value (``?nodeIds=a,b``); an id with a comma is refused.

    The API splits on commas, so ``"a,b"`` inside a list would silently become two ids.
    """
    items = str_list(values, name)
    if items is None:
        return None
    for item in items:
        if not item or "," in item:
            raise ConfigurationError(f"invalid id {item!r} in {name}: empty, or contains a comma")
    return ",".join(items)


def rfc3339(value: datetime | None, name: str) -> str | None:
    """A timezone-aware ``datetime`` as RFC 3339 text; a naive one is refused (a guessed zone)."""
    if value is None:
        return None
    try:
        return format_datetime(value)
    except (ValueError, AttributeError, TypeError):
        raise ConfigurationError(
            f"{name} must be a timezone-aware datetime, e.g. datetime.now(timezone.utc), "
            f"got {type(value).__name__} {_shown(value)}"
        ) from None


def _shown(value: object) -> str:
    """A short repr for messages, also of values whose repr fails (a 5,000-digit int)."""
    try:
        return f"{value!r:.60}"
    except ValueError:
        return "(too long to show)"


def unix_ms(value: datetime, name: str) -> int:
    """A timezone-aware ``datetime`` as Unix ms (statistics', metrics' ``from``/``to``)."""
    if getattr(value, "tzinfo", None) is None or value.utcoffset() is None:
        raise ConfigurationError(
            f"{name} must be a timezone-aware datetime, e.g. datetime.now(timezone.utc), "
            f"got {value!r}"
        )
    return int(value.timestamp() * 1000)
