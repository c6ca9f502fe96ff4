"""Fault injection: what can go wrong on the wire, on demand and deterministically.

Theory of operation
-------------------
``emu.faults`` is a :class:`FaultRegistry`: an ordered list of rules ``(fault, method, path,
times)``. For every request the server asks :meth:`FaultRegistry.match` for the first rule that
matches, in the order the rules were added:

* ``method`` (case-insensitive) and ``path`` (an :mod:`fnmatch` pattern on the decoded path, e.g.
  ``"/v1/runs/*/stream"``; ``*`` also matches ``/``) must match when given;
* stream-only faults (``drop_stream``, ``stream_error``, ``no_replay``, ``stall(after_events=…)``)
  only match stream routes (paths ending in ``/stream``), so a catch-all stream fault does not
  burn its ``times`` on ordinary requests;
* a fault with ``probability < 1`` draws from the registry's seeded RNG: the same seed and the
  same requests give the same outcomes. A failed draw moves on to the next rule.

A rule that applies uses up one of its ``times`` (``None`` = forever) and is removed when spent.
``Fault.burst([…])`` hands out its statuses in turn and is spent after the last one.

What a fault does (the server applies it):

* before the handler runs (no side effects happen): ``status``, ``rate_limit``, ``burst``,
  ``html_error``, ``truncated_body`` answer instead of the handler; ``delay`` and ``stall`` (without
  ``after_events``) sleep, then the request is handled normally;
* inside a 200 stream, counting the events (not heartbeats) sent on that connection:
  ``drop_stream`` closes the connection abruptly after N events; ``stream_error`` sends an
  ``event: error`` frame after N events and ends the stream; ``stall(s, after_events=N)`` sends
  nothing at all (no heartbeats) for ``s`` seconds after N events, then closes the connection;
  ``no_replay`` serves the stream without ``id:`` lines and ignores ``Last-Event-ID``.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import random
    from collections.abc import Iterable

RetryAfter = float | str | None

STREAM_KINDS = frozenset({"drop_stream", "stream_error", "no_replay"})


@attrs.frozen
class Fault:
    """A failure to inject; build one with the class methods (``Fault.status(503)`` …)."""

    kind: str
    http_status: int = 0
    statuses: tuple[int, ...] = ()
    retry_after: RetryAfter = None
    body: Any = None
    seconds: float = 0.0
    after_events: int | None = None
    message: str = ""
    probability: float = 1.0

    @property
    def stream_only(self) -> bool:
        """Whether the fault acts inside a stream (and so only matches stream routes)."""
        return self.kind in STREAM_KINDS or (self.kind == "stall" and self.after_events is not None)

    @classmethod
    def status(
        cls,
        code: int,
        *,
        retry_after: RetryAfter = None,
        body: Any = None,
        probability: float = 1.0,
    ) -> Fault:
        """Answer ``code`` with a B3OS error body (or ``body``: a dict as JSON, a str as text)."""
        return cls(
            "status", http_status=code, retry_after=retry_after, body=body, probability=probability
        )

    @classmethod
    def rate_limit(cls, retry_after: RetryAfter = 1, *, probability: float = 1.0) -> Fault:
        """Answer 429 with ``Retry-After`` (seconds, or an HTTP date string)."""
        return cls("status", http_status=429, retry_after=retry_after, probability=probability)

    @classmethod
    def burst(
        cls, statuses: Iterable[int], *, retry_after: RetryAfter = None, probability: float = 1.0
    ) -> Fault:
        """Successive matching requests get these statuses in turn; spent after the last."""
        codes = tuple(statuses)
        if not codes:
            raise ValueError("Fault.burst needs at least one status")
        return cls("burst", statuses=codes, retry_after=retry_after, probability=probability)

    @classmethod
    def html_error(cls, status: int = 502, *, probability: float = 1.0) -> Fault:
        """Answer ``status`` with an HTML proxy error page (``text/html``)."""
        return cls("html_error", http_status=status, probability=probability)

    @classmethod
    def truncated_body(cls, *, probability: float = 1.0) -> Fault:
        """Send a 200 whose ``Content-Length`` exceeds the bytes sent, then close the connection."""
        return cls("truncated_body", http_status=200, probability=probability)

    @classmethod
    def stall(
        cls, seconds: float, *, after_events: int | None = None, probability: float = 1.0
    ) -> Fault:
        """Send nothing for ``seconds``: before answering, or mid-stream after N events."""
        return cls("stall", seconds=seconds, after_events=after_events, probability=probability)

    @classmethod
    def drop_stream(cls, after_events: int = 0, *, probability: float = 1.0) -> Fault:
        """Close the stream connection abruptly after ``after_events`` events."""
        return cls("drop_stream", after_events=after_events, probability=probability)

    @classmethod
    def stream_error(
        cls,
        status: int = 503,
        *,
        after_events: int = 0,
        message: str = "stream interrupted by the server",
        retry_after: RetryAfter = None,
        probability: float = 1.0,
    ) -> Fault:
        """Send an ``event: error`` frame after ``after_events`` events, then end the stream.

        The frame's JSON is ``{"type": "error", "status", "code": status * 1000, "message"}``,
        plus ``"retryAfter"`` when ``retry_after`` is given.
        """
        return cls(
            "stream_error",
            http_status=status,
            after_events=after_events,
            message=message,
            retry_after=retry_after,
            probability=probability,
        )

    @classmethod
    def no_replay(cls, *, probability: float = 1.0) -> Fault:
        """Serve the stream without ``id:`` lines, ignoring ``Last-Event-ID``."""
        return cls("no_replay", probability=probability)

    @classmethod
    def delay(cls, seconds: float, *, probability: float = 1.0) -> Fault:
        """Answer correctly, but only after ``seconds``."""
        return cls("delay", seconds=seconds, probability=probability)


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
