"""Request bodies -> JSON bytes: the ONE place a body is encoded (requests and streams alike).

Theory of operation
-------------------
:func:`encode_json` either returns UTF-8 JSON that any server can parse, or raises
:class:`~b3os_async.ConfigurationError` naming the field (``err.path``, e.g.
``payload.items[2].when``) -- before any I/O, never a bare ``TypeError``/``ValueError``/
``RecursionError`` from the standard library, and never invalid JSON such as ``NaN``.

What is sent (docs/limits.md repeats it for users):

* ``dict`` / any ``Mapping`` -> object. Keys are ``str``; ``int``, ``float``, ``bool`` and
  ``None`` keys become text as :func:`json.dumps` makes them; other keys are refused.
* ``list`` / ``tuple`` -> array; ``str``, ``bool``, ``None`` as themselves.
* ``int`` -> exact, of any size up to 10,000 digits (wei amounts exceed 64 bits).
* ``float`` -> its shortest exact text; ``NaN`` and ``±Infinity`` are refused (not JSON).
* ``Decimal`` -> an exact JSON *number* with its own digits (``Decimal("0.1")`` -> ``0.1``);
  non-finite ones are refused.
* an aware ``datetime`` -> RFC 3339 text in UTC (``2024-05-01T10:00:00Z``); a naive one is
  refused (its time zone would be a guess). ``date`` -> ``YYYY-MM-DD``. ``UUID`` -> its text.
* an ``Enum`` member -> its value; an SDK model (attrs class) -> its API JSON (camelCase).
* refused: ``set``/``frozenset`` (no order: pass a sorted list), ``bytes`` (decode or
  base64-encode them), text with a lone surrogate (UTF-8 cannot encode it), a value that contains
  itself, nesting deeper than Python's recursion limit allows (about 900 levels), and any other
  type.

Speed: almost every body is plain JSON data, so :func:`json.dumps` (C) encodes it directly; only
when it fails is the body walked in Python (:func:`_convert`), which converts what can be
converted and otherwise names the failing field. The walk is iterative (a 5,000-deep body cannot
overflow the stack) and builds a converted copy; numbers whose text must stay exact (``Decimal``,
integers beyond Python's digit limit) are written as unique placeholders that are replaced by
their text after :func:`json.dumps`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import math
import os
import re
import sys
import uuid
from collections.abc import Mapping
from typing import Any

from b3os_async._errors import ConfigurationError
from b3os_async._transport.json_parser import int_to_text

__all__ = ["encode_json"]

_dumps = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":"), check_circular=True
).encode


def encode_json(value: Any) -> bytes:
    """Encode a request body as UTF-8 JSON, or raise ConfigurationError naming the bad field."""
    try:
        return _dumps(value).encode()
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        pass
    return _Converter().encode(value)


#: Where a value sits in the body: ``None`` for the root, else ``(parent, key or index)``. Built
#: as links, rendered only for an error: a path string per level would cost O(depth²).
_Path = Any


def _render(path: _Path) -> str:
    segments: list[int | str] = []
    while path is not None:
        path, segment = path
        segments.append(segment)
    out: list[str] = []
    for segment in reversed(segments):
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        elif segment.isidentifier():
            out.append(f".{segment}" if out else segment)
        else:
            out.append(f"[{segment!r}]")
    return "".join(out)


def _refuse(path: _Path, why: str, *, shorten: bool = False) -> ConfigurationError:
    where = _render(path)
    if shorten and len(where) > 80:
        where = where[:80] + "…"
    shown = where or "the request body"
    return ConfigurationError(f"cannot send {shown} as JSON: {why}", path=where or None)


_SUPPORTED = (
    "dict, list, tuple, str, int, float, bool, None, Decimal, datetime, date, UUID, "
    "an Enum or an SDK model"
)


class _Converter:
    """One slow-path encoding: walks the body iteratively, building a JSON-ready copy."""

    def __init__(self) -> None:
        self._nonce = os.urandom(8).hex()
        self._numbers: list[str] = []  # the exact text of each placeholder, by its number
        self._deepest: tuple[_Path, int] = (None, 0)

    def encode(self, value: Any) -> bytes:
        converted = self._walk(value)
        try:
            text = _dumps(converted)
        except RecursionError:
            path, depth = self._deepest
            why = f"nested {depth} levels deep, more than the JSON encoder can take"
            raise _refuse(path, why, shorten=True) from None
        if self._numbers:
            numbers = self._numbers
            pattern = re.compile(f'"b3os-number-{self._nonce}-([0-9]+)"')
            text = pattern.sub(lambda match: numbers[int(match.group(1))], text)
        return text.encode()

    def _number(self, text: str) -> str:
        """A placeholder string for a number whose exact text json.dumps cannot write."""
        self._numbers.append(text)
        return f"b3os-number-{self._nonce}-{len(self._numbers) - 1}"

    def _walk(self, root: Any) -> Any:
        """Convert ``root``; containers are filled by an explicit stack (no recursion)."""
        # Each stack entry: (items iterator, output container, path, id of the source container).
        ancestors: set[int] = set()
        box: list[Any] = []
        stack: list[tuple[Any, Any, _Path, int]] = []
        self._place(root, None, box, None, stack, ancestors)
        while stack:
            items, out, path, ident = stack[-1]
            item: Any = next(items, _DONE)
            if item is _DONE:
                stack.pop()
                ancestors.discard(ident)
                continue
            if isinstance(out, list):
                index, child = item
                self._place(child, (path, index), out, None, stack, ancestors)
            else:
                key, child = item
                name = self._key(key, path)
                self._place(child, (path, name), out, name, stack, ancestors)
        return box[0]

    def _key(self, key: Any, path: _Path) -> str:
        """An object key as text, as :func:`json.dumps` makes it (or refused)."""
        if isinstance(key, str):
            return self._text(str.__str__(key), (path, key))
        if isinstance(key, bool) or key is None:
            return json.dumps(key)  # true / false / null
        if isinstance(key, int):
            try:
                return int_to_text(key)
            except ValueError as exc:
                raise _refuse(path, f"a key: {exc}") from None
        if isinstance(key, float) and math.isfinite(key):
            return float.__repr__(key)
        raise _refuse(
            path, f"the key {key!r:.40} ({type(key).__name__}) cannot be a JSON object key"
        )

    def _text(self, text: str, path: _Path) -> str:
        try:
            text.encode()
        except UnicodeEncodeError as exc:
            raise _refuse(
                path,
                f"the text holds a lone surrogate ({text[exc.start]!r} at index {exc.start}), "
                "which UTF-8 cannot encode",
            ) from None
        return text

    def _place(
        self,
        value: Any,
        path: _Path,
        out: Any,
        name: str | None,
        stack: list[tuple[Any, Any, _Path, int]],
        ancestors: set[int],
    ) -> None:
        """Convert a leaf into ``out``, or put an empty container there and push its items."""
        container: Any = None
        items: Any = None
        if isinstance(value, (dict, Mapping)):
            container, items = {}, iter(value.items())
        elif isinstance(value, (list, tuple)):
            container, items = [], enumerate(value)
        else:
            converted = self._leaf(value, path)
            if converted is _DEFER:
                self._place(_expand(value), path, out, name, stack, ancestors)
                return
        if items is not None:
            ident = id(value)
            if ident in ancestors:
                raise _refuse(path, "circular reference (the value contains itself)")
            ancestors.add(ident)
            depth = len(stack) + 1
            if depth > self._deepest[1]:
                self._deepest = (path, depth)
                if depth > sys.getrecursionlimit():  # json.dumps will fail: stop walking now
                    why = f"nested more than {depth - 1} levels deep, more than JSON encoding takes"
                    raise _refuse(path, why, shorten=True)
            stack.append((items, container, path, ident))
            converted = container
        if name is None:
            out.append(converted)
        else:
            out[name] = converted

    def _leaf(self, value: Any, path: _Path) -> Any:
        """The JSON-ready form of a non-container value, or ``_DEFER`` to convert it further."""
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return self._text(str.__str__(value), path)
        if isinstance(value, int):
            try:
                int.__repr__(value)  # within Python's digit limit: json.dumps writes it
                return int(value)
            except ValueError:
                pass
            try:
                return self._number(int_to_text(value))
            except ValueError as exc:
                raise _refuse(path, str(exc)) from None
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _refuse(
                    path, f"{value!r} is not a JSON number (send null or a string instead)"
                )
            return float(value)
        if isinstance(value, decimal.Decimal):
            if not value.is_finite():
                raise _refuse(path, f"Decimal {str(value)!r} is not a JSON number")
            return self._number(str(value))
        if isinstance(value, dt.datetime):
            from b3os_async._convert import format_datetime

            try:
                return format_datetime(value)
            except ValueError:
                raise _refuse(
                    path,
                    "a naive datetime has no time zone; use an aware one, e.g. "
                    "datetime.now(timezone.utc)",
                ) from None
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, enum.Enum) or _is_model(value):
            return _DEFER
        if isinstance(value, (set, frozenset)):
            raise _refuse(path, "a set has no order; pass a list (e.g. sorted(values))")
        if isinstance(value, (bytes, bytearray, memoryview)):
            raise _refuse(path, "bytes are not JSON; decode them to text or base64-encode them")
        raise _refuse(path, f"a {type(value).__name__} is not supported (supported: {_SUPPORTED})")


_DONE = object()
_DEFER = object()


def _is_model(value: Any) -> bool:
    return hasattr(type(value), "__attrs_attrs__")


def _expand(value: Any) -> Any:
    """An Enum member's value, or an SDK model's API JSON."""
    if isinstance(value, enum.Enum):
        return value.value
    from b3os_async._convert import unstructure

    return unstructure(value)
