"""How large and how deep a JSON value is once written out, measured without writing it.

Why a meter: expressions share objects instead of copying them (``{"a": "{{x.result}}", "b":
"{{x.result}}"}`` holds the same object twice), so a chain of nodes that each refer to the
previous result twice holds little memory while its JSON text doubles per node: 22 nodes made a
``GET /v1/runs/{id}`` of 889 MB. The size that matters is the *written* size, and computing it by
writing is what must not happen. A :class:`Meter` walks a value once, remembers the size and depth
of every object and array it measured (by identity), and so measures a value built from earlier
ones in time proportional to what is new in it. Each measure stops as soon as the limit it was
given is passed.

The size is the length of the compact JSON text in characters (exact, except that strings count
their length plus quotes, not their escapes): close to the bytes ``GET /v1/runs/{id}`` sends, and
cheap. One meter serves one run (``Engine``); it keeps the objects it measured alive, so an id
is never reused for another object while the meter remembers it.
"""

from __future__ import annotations

from typing import Any

_END: Any = object()


class TooLarge(Exception):
    """A value is larger or deeper than allowed; ``message`` says which limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _scalar_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value) + 2
    if value is None or value is True:
        return 4
    if value is False:
        return 5
    if isinstance(value, int):
        bits = value.bit_length()
        return len(int.__repr__(value)) if bits < 64 else bits * 30103 // 100000 + 2
    if isinstance(value, float):
        return len(float.__repr__(value))
    return 4  # nothing else reaches a stored value


class Meter:
    """Measures JSON values, remembering shared objects and arrays (see the module docstring)."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, int, int]] = {}  # id -> (object, size, depth)
        self.used = 0
        """What the owner has charged so far (``Engine``: the run state's size)."""

    def measure(self, value: Any, max_bytes: int, max_depth: int, what: str = "value") -> int:
        """The written size of ``value``; :class:`TooLarge` past ``max_bytes`` or ``max_depth``."""
        if not isinstance(value, (dict, list)):
            size = _scalar_size(value)
            if size > max_bytes:
                raise TooLarge(f"{what} is larger than {max_bytes:,} bytes as JSON")
            return size
        known = self._known.get(id(value))
        if known is not None:
            return self._check(known[1], known[2], max_bytes, max_depth, what)
        # An explicit stack of frames [container, iterator, size so far, deepest child]: no
        # recursion, whatever the depth. ``total`` is the size of everything seen so far (a
        # lower bound of the whole), checked after every element: the walk stops early.
        frames: list[list[Any]] = [[value, self._children(value), 2, 0]]
        total = 2
        while True:
            frame = frames[-1]
            item: Any = next(frame[1], _END)
            if item is _END:
                container, _, size, child_depth = frames.pop()
                depth = child_depth + 1
                self._known[id(container)] = (container, size, depth)
                if not frames:
                    return self._check(size, depth, max_bytes, max_depth, what)
                parent = frames[-1]
                parent[2] += size
                parent[3] = max(parent[3], depth)
                continue
            extra, element = item
            if isinstance(element, (dict, list)) and id(element) not in self._known:
                if len(frames) >= max_depth:
                    raise TooLarge(f"{what} is nested more than {max_depth} levels deep")
                frame[2] += extra  # the element's own size is added when its frame ends
                frames.append([element, self._children(element), 2, 0])
                grown = extra + 2
            elif isinstance(element, (dict, list)):
                _, size, depth = self._known[id(element)]
                if len(frames) + depth > max_depth:
                    raise TooLarge(f"{what} is nested more than {max_depth} levels deep")
                frame[2] += extra + size
                frame[3] = max(frame[3], depth)
                grown = extra + size
            else:
                grown = extra + _scalar_size(element)
                frame[2] += grown
            total += grown
            if total > max_bytes:
                raise TooLarge(f"{what} is larger than {max_bytes:,} bytes as JSON")

    @staticmethod
    def _children(container: Any) -> Any:
        """``(separator and key bytes, element)`` for each element of ``container``."""
        if isinstance(container, dict):  # "key": plus a comma before every entry but the first
            return ((len(key) + 3 + (i > 0), v) for i, (key, v) in enumerate(container.items()))
        return ((i > 0, element) for i, element in enumerate(container))

    @staticmethod
    def _check(size: int, depth: int, max_bytes: int, max_depth: int, what: str) -> int:
        if size > max_bytes:
            raise TooLarge(f"{what} is larger than {max_bytes:,} bytes as JSON")
        if depth > max_depth:
            raise TooLarge(f"{what} is nested more than {max_depth} levels deep")
        return size
