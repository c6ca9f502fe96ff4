"""Parsing JSON from the API: the standard library's results, at msgspec's speed when installed.

Theory of operation
-------------------
Every response body and every stream event goes through :func:`loads`. Parsing the JSON of a
20-item page costs about as much CPU as the rest of the request (benchmarks/README.md), so when
the ``speedups`` extra is installed (``pip install 'b3os-async[speedups]'``, i.e. ``msgspec``)
its C decoder does the work, about twice as fast as :func:`json.loads`.

The contract is that the result never depends on which parser ran: :func:`loads` returns what
:func:`json.loads` returns, or raises a :class:`ValueError` where it raises one.

* Where both parsers accept a document they agree (checked by property tests, integers of any
  size and floats included; msgspec keeps big integers exact, unlike orjson, which turns
  integers beyond 64 bits into floats: wei amounts must survive).
* Where msgspec refuses a document -- ``NaN``/``Infinity``, a number beyond the float range, a
  byte order mark, UTF-16/32 bodies, lone surrogates, or plain invalid JSON -- the same input
  goes to :func:`json.loads`, which either accepts it (the standard library's lenient cases) or
  raises its own, familiar error. Invalid input is rare, so this second parse costs nothing in
  practice.
* Nesting too deep for the parser (a hostile or broken server) is a :class:`ValueError` here,
  not the :class:`RecursionError` both parsers raise, so callers handle one exception type.
* Integers beyond Python's default 4,300-digit limit (``sys.get_int_max_str_digits``), which
  :func:`json.loads` refuses, are parsed exactly up to :data:`~.limits.MAX_INT_DIGITS` digits
  (10,000) by a second parse with :func:`int_from_text`; beyond that they are a ``ValueError``.
  The limit is lifted for our parsing only, never for the process (``sys.set_int_max_str_digits``
  is global): it exists because the conversion is quadratic, so ours stays bounded too.

Without msgspec, a ``str`` document (an event's ``data``) is parsed by the standard decoder's C
scanner directly: :func:`json.loads` runs two whitespace regexes around that scanner, a visible
share of the cost of a small event; anything the scanner cannot take whole goes to
:func:`json.loads`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from b3os_async._transport.limits import MAX_INT_DIGITS

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["int_from_text", "int_to_text", "loads", "speedups_available", "use_speedups"]

# The standard decoder's C scanner (an instance attribute, which typeshed does not declare).
_scan: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]


def _msgspec_decode() -> Callable[[bytes | str], Any] | None:
    """msgspec's untyped JSON decoder, or None when the ``speedups`` extra is not installed."""
    try:
        import msgspec.json
    except ImportError:
        return None
    decode: Callable[[bytes | str], Any] = msgspec.json.Decoder().decode
    return decode


_AVAILABLE = _msgspec_decode()
_fast = _AVAILABLE


def speedups_available() -> bool:
    """True when msgspec is installed (whether or not :func:`use_speedups` turned it off)."""
    return _AVAILABLE is not None


def use_speedups(enabled: bool) -> bool:
    """Use msgspec when ``enabled`` and installed, else the standard library; return the old state.

    For tests and benchmarks that compare both parsers in one process; results never differ.
    """
    global _fast
    previous = _fast is not None
    _fast = _AVAILABLE if enabled else None
    return previous


def _stdlib_loads(data: bytes | str) -> Any:
    if type(data) is str:
        try:
            value, end = _scan(data, 0)
        except (StopIteration, ValueError):
            return json.loads(data)  # raises json's own error (or accepts what the scanner won't)
        if end == len(data):
            return value
    return json.loads(data)


def loads(data: bytes | str) -> Any:
    """Parse one JSON document exactly as :func:`json.loads` would; raise ValueError if invalid.

    One difference, on purpose: integers longer than Python's default digit limit are parsed
    (exactly) up to :data:`MAX_INT_DIGITS` digits, where :func:`json.loads` raises.
    """
    fast = _fast
    try:
        if fast is not None:
            try:
                return fast(data)
            except (ValueError, RecursionError):
                pass  # the standard library decides: it accepts NaN, a BOM, UTF-16... or raises
        try:
            return _stdlib_loads(data)
        except ValueError as exc:
            # Python >= 3.11 refuses long integers ("Exceeds the limit (4300 digits) for integer
            # string conversion"); only then parse again, converting integers ourselves.
            if "integer string conversion" not in str(exc):
                raise
        return json.loads(data, parse_int=int_from_text)
    except RecursionError:
        raise ValueError("the JSON document is nested too deeply to parse") from None


# Chunks short enough for any `sys.set_int_max_str_digits()` setting (its minimum is 640).
_CHUNK_DIGITS = 600
_CHUNK = 10**_CHUNK_DIGITS
# More bits than this cannot fit in MAX_INT_DIGITS decimal digits (log2(10) < 3.33).
_MAX_BITS = int(MAX_INT_DIGITS * 3.33) + 1


def _too_long(digits: int | str) -> ValueError:
    return ValueError(
        f"an integer of {digits} digits exceeds the SDK's limit of {MAX_INT_DIGITS:,} digits"
    )


def int_from_text(text: str) -> int:
    """Parse a decimal integer of up to :data:`MAX_INT_DIGITS` digits, whatever Python's limit.

    Why chunks: ``int()`` refuses more than ``sys.get_int_max_str_digits()`` digits (4,300 by
    default); each chunk stays under any setting of it, and the digit cap keeps the quadratic
    cost bounded (10,000 digits: well under a millisecond).
    """
    negative = text.startswith("-")
    digits = text[1:] if negative or text.startswith("+") else text
    if len(digits) > MAX_INT_DIGITS:
        raise _too_long(f"{len(digits):,}")
    if len(digits) <= _CHUNK_DIGITS:
        return int(text)
    value = 0
    for start in range(0, len(digits), _CHUNK_DIGITS):
        chunk = digits[start : start + _CHUNK_DIGITS]
        value = value * 10 ** len(chunk) + int(chunk)
    return -value if negative else value


def int_to_text(value: int) -> str:
    """The decimal text of an integer of up to :data:`MAX_INT_DIGITS` digits (see above)."""
    try:
        return int.__repr__(value)  # `int.__repr__`: an IntEnum member as its number
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        pass
    if value.bit_length() > _MAX_BITS:
        raise _too_long(f"more than {MAX_INT_DIGITS:,}") from None
    rest = abs(int(value))
    parts: list[str] = []
    while rest >= _CHUNK:
        rest, low = divmod(rest, _CHUNK)
        parts.append(int.__repr__(low).zfill(_CHUNK_DIGITS))
    parts.append(int.__repr__(rest))
    text = "".join(reversed(parts))
    if len(text) > MAX_INT_DIGITS:
        raise _too_long(f"{len(text):,}")
    return "-" + text if value < 0 else text
