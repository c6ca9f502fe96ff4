"""The fault registry (``emu.faults``): which registered fault applies to a request.

Rules are ``(fault, method, path, times)`` in the order they were added; :meth:`FaultRegistry.match`
returns the fault of the FIRST rule that matches a request:

* ``method`` (case-insensitive) and ``path`` (an :mod:`fnmatch` pattern on the decoded path, e.g.
  ``"/v1/runs/*/stream"``; ``*`` also matches ``/``) must match when given;
* stream-only faults only match stream routes (paths ending in ``/stream``), so a catch-all stream
  fault does not burn its ``times`` on ordinary requests;
* a fault with ``probability < 1`` draws from the registry's seeded RNG: the same seed and the
  same requests give the same outcomes. A failed draw moves on to the next rule.

A rule that applies uses up one of its ``times`` (``None`` = forever) and is removed when spent.
``Fault.burst([…])`` hands out its statuses in turn and is spent after the last one. What each
fault does is described in ``_faults.py``.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

import attrs

from b3os_async.testing._faults import Fault

if TYPE_CHECKING:
    import random


@attrs.define(eq=False)
class FaultHandle:
    """A registered rule; :meth:`remove` takes it out, ``hits`` counts its applications."""

    fault: Fault
    method: str | None
    path: str | None
    times: int | None
    hits: int = 0
    _registry: FaultRegistry | None = attrs.field(default=None, repr=False)

    @property
    def active(self) -> bool:
        """Whether the rule is still registered (not removed, not spent)."""
        return self._registry is not None and self in self._registry.rules

    def remove(self) -> None:
        """Unregister the rule (no error if it is already gone)."""
        if self._registry is not None and self in self._registry.rules:
            self._registry.rules.remove(self)

    def _matches(self, method: str, path: str, stream: bool) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is not None and not fnmatch.fnmatchcase(path, self.path):
            return False
        return stream or not self.fault.stream_only


class FaultRegistry:
    """The emulator's fault rules (``emu.faults``); see the module docstring."""

    def __init__(self, rng: random.Random) -> None:
        self.rules: list[FaultHandle] = []
        self._rng = rng

    def add(
        self,
        fault: Fault,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = None,
    ) -> FaultHandle:
        """Register ``fault`` for requests matching ``method``/``path``, ``times`` times."""
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for forever)")
        if fault.kind == "burst":
            limit = len(fault.statuses)
            times = limit if times is None else min(times, limit)
        handle = FaultHandle(fault, method, path, times, registry=self)
        self.rules.append(handle)
        return handle

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def match(self, method: str, path: str, *, stream: bool) -> Fault | None:
        """The fault to apply to this request (burst resolved to one status), or ``None``."""
        for handle in list(self.rules):
            if not handle._matches(method, path, stream):
                continue
            fault = handle.fault
            if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                continue
            index = handle.hits
            handle.hits += 1
            if handle.times is not None and handle.hits >= handle.times:
                handle.remove()
            if fault.kind == "burst":
                return Fault.status(fault.statuses[index], retry_after=fault.retry_after)
            return fault
        return None
