"""Constants and helpers shared by the hardening tests."""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
import types
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from b3os_async import B3OS

#: A key long enough that any piece of it in a leak is unmistakable.
KEY = "b3sk_live_HARDENING0123456789abcdefghijklmnopqrstuvwxyzQRST"
#: Pieces of KEY that must never appear anywhere (the display form keeps only the last 4).
KEY_PIECES = (KEY, KEY[5:], KEY[10:30], KEY[-20:])


class Peak:
    """The highest traced allocation (bytes) inside a :func:`traced_peak` block."""

    bytes = 0


@contextlib.contextmanager
def traced_peak() -> Iterator[Peak]:
    """Trace the block's allocations (after a collection, so garbage of earlier tests does not
    count); the peak is on the yielded :class:`Peak` once the block is left."""
    peak = Peak()
    gc.collect()
    tracemalloc.start()
    try:
        yield peak
        _, peak.bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()


def acquired(b3: B3OS) -> int:
    """Connections currently checked out of the client's request pool (0 when none was made)."""
    session = b3._manager.pools.request_session
    if session is None or session.connector is None:
        return 0
    return len(session.connector._acquired)


def leaks(text: str, *secrets: str) -> list[str]:
    """The pieces of the key (and of ``secrets``) found in ``text``."""
    return [piece for piece in (*KEY_PIECES, *secrets) if piece in text]


_LEAVES = (str, bytes, bytearray, int, float, bool, type(None))
_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)


def reachable_text(root: BaseException, *, max_depth: int = 12) -> str:
    """``repr`` and ``str`` of everything reachable from ``root``.

    Follows chained exceptions (``__cause__``, ``__context__``), ``args``, instance attributes
    (``__dict__`` and slots) and container items, as an error reporter serialising an exception
    may. Tracebacks are not followed here (see ``chained_tracebacks``).
    """
    seen: set[int] = set()
    out: list[str] = []
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        obj, depth = stack.pop()
        if id(obj) in seen or depth > max_depth or isinstance(obj, _OPAQUE):
            continue
        seen.add(id(obj))
        for render in (repr, str):
            with contextlib.suppress(Exception):
                out.append(render(obj))
        if isinstance(obj, _LEAVES):
            continue
        children: list[object] = []
        if isinstance(obj, BaseException):
            children += [obj.__cause__, obj.__context__, *obj.args]
        if isinstance(obj, Mapping):
            children += [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            children += list(obj)
        state = getattr(obj, "__dict__", None)
        if isinstance(state, dict):
            children += list(state.values())
        for cls in type(obj).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                if isinstance(slot, str):
                    children.append(getattr(obj, slot, None))
        stack.extend((child, depth + 1) for child in children if child is not None)
    return "\n".join(out)


def chain(err: BaseException) -> list[BaseException]:
    """``err`` and every exception chained below it."""
    found: list[BaseException] = []
    pending: list[BaseException] = [err]
    while pending:
        current = pending.pop()
        if any(current is f for f in found):
            continue
        found.append(current)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return found
