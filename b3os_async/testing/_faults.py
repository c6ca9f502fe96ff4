"""Fault injection: what can go wrong on the wire, on demand and deterministically.

Theory of operation
-------------------
``emu.faults`` is a :class:`~b3os_async.testing._fault_rules.FaultRegistry`: an ordered list of
rules ``(fault, method, path, times)``. For every request the server takes the FIRST rule that
matches, in the order the rules were added (method, an :mod:`fnmatch` path pattern, stream-only
faults only on paths ending in ``/stream``, a seeded ``probability`` draw); the rule uses up one
of its ``times``. To put several faults on ONE request, combine them into one rule:
``Fault.combine(Fault.retry(0), Fault.reset_stream(after_events=2, burst=3))`` -- one rule, one
``times`` per request, every part applied.

Before the handler runs (no side effects happen): ``status``, ``rate_limit``, ``burst``,
``html_error`` and ``truncated_body`` answer instead of the handler; ``delay`` and ``stall``
(without ``after_events``) sleep, then the request is handled normally.

Inside a 200 stream (``_sse.Connection`` applies them). "After N events" counts the events
written on that connection (replayed and live; not heartbeats, not repeated frames):

=====================================  ==========================================================
``close_stream(after_events=N)``       a clean end of the body (chunked terminator) after N events
``drop_stream(after_events=N)``        the connection closes (FIN) without the body's terminator
``reset_stream(after_events=N,         the next ``burst`` events are held back and written in ONE
burst=K)``                             write, then the TCP connection is reset (RST); ``burst=0``
                                       resets right after N events
``cut_event(after_events=N, at=…)``    the next event frame is cut: its first half (or ``at``
                                       bytes) is written, then a reset; ``inside_character=True``
                                       cuts after the first byte of the first multi-byte UTF-8
                                       character (in the first following frame that has one)
``stall(s, after_events=N)``           nothing at all (no heartbeats) for ``s`` seconds, then the
                                       connection closes (``resume=True``: the stream goes on)
``stream_error(status, after_events)``  an ``event: error`` frame, then the stream ends
``repeat_events(M, after_events=N)``   the last M frames are sent again with their old ids
``no_replay()``                        no ``id:`` lines; ``Last-Event-ID`` is ignored
``retry(ms)``                          the first line is ``retry: <ms>`` (e.g. ``retry: 0``)
``partial_replay(skip=K, last=L)``     a ``Last-Event-ID`` replay leaves out its first K events
                                       (as if resumed from a later id) / keeps only its last L
``renumber(first_id=1)``               ``id:`` lines count the connection's frames from
                                       ``first_id`` (after a reconnect ids repeat / go backwards);
                                       the data keeps its ``seq``
=====================================  ==========================================================

A reset is a real RST (``SO_LINGER`` 0, then close) issued only once everything written before
it has left the process, so the bytes before it reach the client first; ``drop_stream`` is a
FIN after the same bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable

RetryAfter = float | str | None

STREAM_KINDS = frozenset(
    {
        "close_stream",
        "drop_stream",
        "reset_stream",
        "cut_event",
        "stream_error",
        "repeat_events",
        "no_replay",
        "retry",
        "partial_replay",
        "renumber",
    }
)
"""Faults that act inside a stream (plus ``stall`` with ``after_events``)."""


def _count(name: str, value: int | None, least: int = 0) -> None:
    if value is not None and (isinstance(value, bool) or value < least):
        raise ValueError(f"{name} must be an integer >= {least}, got {value!r}")


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
    burst_events: int = 0
    """``reset_stream``: events held back and written together before the reset."""
    events: int = 0
    """``repeat_events``: frames sent again; ``partial_replay``: replayed events left out."""
    last: int | None = None
    """``partial_replay``: replay only this many of the last events."""
    cut: int | str | None = None
    """``cut_event``: bytes of the frame written, ``"middle"`` or ``"character"``."""
    retry_ms: int | None = None
    """``retry``: the value of the stream's ``retry:`` line."""
    first_id: int = 1
    """``renumber``: the ``id:`` of the connection's first frame."""
    resume: bool = False
    """``stall`` mid-stream: go on after the silence instead of closing."""
    parts: tuple[Fault, ...] = ()
    """``combine``: the faults applied together."""

    @property
    def stream_only(self) -> bool:
        """Whether the fault acts inside a stream (and so only matches stream routes).

        A combined fault is stream-only when any of its parts is.
        """
        if self.kind == "combined":
            return any(part.stream_only for part in self.parts)
        return self.kind in STREAM_KINDS or (self.kind == "stall" and self.after_events is not None)

    def effects(self) -> tuple[Fault, ...]:
        """The faults this one applies: its parts when combined, else itself."""
        return self.parts if self.kind == "combined" else (self,)

    # -- before the handler ----------------------------------------------------------------------

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
    def delay(cls, seconds: float, *, probability: float = 1.0) -> Fault:
        """Answer correctly, but only after ``seconds``."""
        return cls("delay", seconds=seconds, probability=probability)

    @classmethod
    def stall(
        cls,
        seconds: float,
        *,
        after_events: int | None = None,
        resume: bool = False,
        probability: float = 1.0,
    ) -> Fault:
        """Send nothing for ``seconds``: before answering, or mid-stream after N events.

        Mid-stream the silence is total (no heartbeats); then the connection closes, or with
        ``resume=True`` the stream goes on as if nothing happened.
        """
        _count("after_events", after_events)
        return cls(
            "stall",
            seconds=seconds,
            after_events=after_events,
            resume=resume,
            probability=probability,
        )

    # -- inside a stream -------------------------------------------------------------------------

    @classmethod
    def close_stream(cls, after_events: int = 0, *, probability: float = 1.0) -> Fault:
        """End the stream cleanly (the body's terminator) after ``after_events`` events."""
        _count("after_events", after_events)
        return cls("close_stream", after_events=after_events, probability=probability)

    @classmethod
    def drop_stream(cls, after_events: int = 0, *, probability: float = 1.0) -> Fault:
        """Close the stream connection abruptly (no terminator) after ``after_events`` events."""
        _count("after_events", after_events)
        return cls("drop_stream", after_events=after_events, probability=probability)

    @classmethod
    def reset_stream(
        cls, after_events: int = 0, *, burst: int = 0, probability: float = 1.0
    ) -> Fault:
        """After N events, write the next ``burst`` events in one write, then reset (RST)."""
        _count("after_events", after_events)
        _count("burst", burst)
        return cls(
            "reset_stream", after_events=after_events, burst_events=burst, probability=probability
        )

    @classmethod
    def cut_event(
        cls,
        after_events: int = 0,
        *,
        at: int | None = None,
        inside_character: bool = False,
        probability: float = 1.0,
    ) -> Fault:
        """Cut the next event frame: half of it (or ``at`` bytes) is written, then a reset.

        ``inside_character=True`` cuts after the first byte of the first multi-byte UTF-8
        character, in the first following frame that has one (frames without one go out whole).
        """
        _count("after_events", after_events)
        _count("at", at)
        if at is not None and inside_character:
            raise ValueError("cut_event takes 'at' or 'inside_character', not both")
        cut: int | str = "character" if inside_character else ("middle" if at is None else at)
        return cls("cut_event", after_events=after_events, cut=cut, probability=probability)

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
        _count("after_events", after_events)
        return cls(
            "stream_error",
            http_status=status,
            after_events=after_events,
            message=message,
            retry_after=retry_after,
            probability=probability,
        )

    @classmethod
    def repeat_events(
        cls, events: int = 1, *, after_events: int = 1, probability: float = 1.0
    ) -> Fault:
        """After N events, send the last ``events`` frames again, old ids included; go on."""
        _count("events", events, 1)
        _count("after_events", after_events)
        return cls(
            "repeat_events", events=events, after_events=after_events, probability=probability
        )

    @classmethod
    def no_replay(cls, *, probability: float = 1.0) -> Fault:
        """Serve the stream without ``id:`` lines, ignoring ``Last-Event-ID``."""
        return cls("no_replay", probability=probability)

    @classmethod
    def retry(cls, ms: int, *, probability: float = 1.0) -> Fault:
        """Start the stream with ``retry: <ms>`` instead of the emulator's ``retry_ms``."""
        _count("ms", ms)
        return cls("retry", retry_ms=ms, probability=probability)

    @classmethod
    def partial_replay(
        cls, *, skip: int = 0, last: int | None = None, probability: float = 1.0
    ) -> Fault:
        """Replay only part of what ``Last-Event-ID`` asks for: not the first ``skip`` events
        (as if resuming from a later id) and/or only the ``last`` ones."""
        _count("skip", skip)
        _count("last", last)
        if skip == 0 and last is None:
            raise ValueError("partial_replay needs skip > 0 or last")
        return cls("partial_replay", events=skip, last=last, probability=probability)

    @classmethod
    def renumber(cls, first_id: int = 1, *, probability: float = 1.0) -> Fault:
        """Number the connection's ``id:`` lines from ``first_id`` instead of the events' seq."""
        _count("first_id", first_id)
        return cls("renumber", first_id=first_id, probability=probability)

    @classmethod
    def combine(cls, *faults: Fault, probability: float = 1.0) -> Fault:
        """One fault applying every one of ``faults`` to the same request, in order.

        Nested combinations are flattened; a ``burst`` cannot be combined, and the parts'
        own probabilities must be 1 (the combination has one ``probability``).
        """
        parts = tuple(part for fault in faults for part in fault.effects())
        if not parts:
            raise ValueError("Fault.combine needs at least one fault")
        for part in parts:
            if part.kind == "burst":
                raise ValueError("a Fault.burst cannot be combined (it spans several requests)")
            if part.probability != 1.0:
                raise ValueError("combined faults take one probability, on Fault.combine")
        return cls("combined", parts=parts, probability=probability)
