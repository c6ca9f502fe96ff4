"""Strict JSON for the emulator: what a real server accepts and sends, never a 500.

* :func:`loads` refuses what is not JSON although Python's ``json`` takes it: ``NaN``,
  ``Infinity`` and ``-Infinity`` (and numbers such as ``1e999`` that only a float overflow turns
  into infinity). Integers are exact up to :data:`~._limits.MAX_INT_DIGITS` digits (the SDK sends
  up to 10,000), where Python refuses more than 4,300 by default (``sys.int_info``); longer ones
  are refused. Python's process-wide limit is never changed: long integers are converted in
  chunks short enough for any setting of it.
* :func:`dumps` writes compact JSON, UTF-8 kept as is, integers of any accepted length, and never
  ``NaN``/``Infinity`` (a ``ValueError``: nothing the emulator stores can hold one).
"""

from __future__ import annotations

import json
import math
from typing import Any

from b3os_async.testing import _limits

# Chunks short enough for any `sys.set_int_max_str_digits()` setting (its minimum is 640).
_CHUNK_DIGITS = 600
_CHUNK = 10**_CHUNK_DIGITS


class JsonError(ValueError):
    """Text that is not JSON the emulator accepts (the message says why)."""


def int_from_text(text: str) -> int:
    """A decimal integer of up to ``MAX_INT_DIGITS`` digits (``JsonError`` when longer)."""
    negative = text.startswith("-")
    digits = text[1:] if negative or text.startswith("+") else text
    if len(digits) > _limits.MAX_INT_DIGITS:
        raise JsonError(
            f"an integer of {len(digits):,} digits is longer than the emulator accepts "
            f"({_limits.MAX_INT_DIGITS:,} digits)"
        )
    if len(digits) <= _CHUNK_DIGITS:
        return int(text)
    value = 0
    for start in range(0, len(digits), _CHUNK_DIGITS):
        chunk = digits[start : start + _CHUNK_DIGITS]
        value = value * 10 ** len(chunk) + int(chunk)
    return -value if negative else value


def int_to_text(value: int) -> str:
    """The decimal text of any integer (chunked when Python's digit limit refuses it)."""
    try:
        return int.__repr__(value)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        pass
    rest = abs(int(value))
    parts: list[str] = []
    while rest >= _CHUNK:
        rest, low = divmod(rest, _CHUNK)
        parts.append(int.__repr__(low).zfill(_CHUNK_DIGITS))
    parts.append(int.__repr__(rest))
    text = "".join(reversed(parts))
    return "-" + text if value < 0 else text


def _no_constant(name: str) -> Any:
    raise JsonError(f"{name} is not JSON (only finite numbers are)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonError(f"the number {text[:40]} is too large for a 64-bit float")
    return value


def loads(text: str | bytes) -> Any:
    """Parse one strict JSON document (see the module docstring); ``JsonError`` when invalid.

    ``RecursionError`` (a document nested thousands of levels deep) is left to the caller.
    """
    try:
        return json.loads(
            text, parse_constant=_no_constant, parse_float=_finite, parse_int=_fast_int
        )
    except JsonError:
        raise
    except ValueError as exc:
        raise JsonError(str(exc)) from None


def _fast_int(text: str) -> int:
    # Most integers are short: only the long ones take the chunked path.
    if len(text) < 640:
        return int(text)
    return int_from_text(text)


def number_from_text(text: str) -> int | float:
    """A JSON number literal (``-12``, ``1.5e3``) as strict :func:`loads` reads it."""
    value = loads(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise JsonError(f"{text[:40]!r} is not a number")
    return value


class _Encoder(json.JSONEncoder):
    """The pure-Python encoder with :func:`int_to_text` for integers (the slow path)."""

    def iterencode(self, o: Any, _one_shot: bool = False) -> Any:
        def floatstr(value: float) -> str:
            if not math.isfinite(value):
                raise ValueError(f"{value!r} is not JSON")
            return float.__repr__(value)

        make = json.encoder._make_iterencode  # type: ignore[attr-defined]
        return make(
            {},
            self.default,
            json.encoder.py_encode_basestring,
            None,
            floatstr,
            ":",
            ",",
            False,
            False,
            _one_shot,
            _intstr=int_to_text,
        )(o, 0)


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 kept as is, exact integers of any length; never NaN/Infinity."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        # Python >= 3.11 refuses to write integers over 4,300 digits ("Exceeds the limit ...
        # for integer string conversion"): only then take the slow, exact path.
        if "integer string conversion" not in str(exc):
            raise
    return "".join(_Encoder(ensure_ascii=False).iterencode(value))
