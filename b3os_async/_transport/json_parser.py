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

Without msgspec, a ``str`` document (an event's ``data``) is parsed by the standard decoder's C
scanner directly: :func:`json.loads` runs two whitespace regexes around that scanner, a visible
share of the cost of a small event; anything the scanner cannot take whole goes to
:func:`json.loads`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["loads", "speedups_available", "use_speedups"]

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
    """Parse one JSON document exactly as :func:`json.loads` would; raise ValueError if invalid."""
    fast = _fast
    try:
        if fast is not None:
            try:
                return fast(data)
            except (ValueError, RecursionError):
                pass  # the standard library decides: it accepts NaN, a BOM, UTF-16... or raises
        return _stdlib_loads(data)
    except RecursionError:
        raise ValueError("the JSON document is nested too deeply to parse") from None
