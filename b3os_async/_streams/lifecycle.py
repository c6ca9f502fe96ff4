"""Where a stream is in its life, and every way it ends: :class:`Phase` and :class:`Lifecycle`.

``IDLE <-> OPEN`` until one of three ends: ``ENDED`` (nothing more will arrive; buffered events
still go out), ``CLOSED`` (``aclose()``: nothing more is handed out), ``CLIENT_CLOSED``
(``B3OS.aclose()`` ended it: the consumer gets :class:`ConfigurationError`). :class:`Lifecycle`
is the part of :class:`~b3os_async._streams.machine.EventStream` that moves between them and
lets go of the connection: all synchronous, so that ``aclose()`` from another task, the client's
``aclose()`` and a finalizer can end a stream at any moment (the rules: "Closing" in
:mod:`b3os_async._streams`). It holds the four slots it changes; the stream sets them.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from b3os_async._errors import ConfigurationError

if TYPE_CHECKING:
    from collections import deque

    from b3os_async._streams.budget import Ending
    from b3os_async._streams.connection import Connection
    from b3os_async._streams.pacing import Pacer

__all__ = ["STOPPED", "Lifecycle", "Phase"]


class Phase(enum.Enum):
    """Where a stream is in its life (``IDLE <-> OPEN`` until one of the three ends)."""

    IDLE = "idle"  # no connection: before the first one, or between two
    OPEN = "open"  # a response is being read
    ENDED = "ended"  # nothing more will arrive; events already buffered are still handed out
    CLOSED = "closed"  # aclose(): nothing more is handed out
    CLIENT_CLOSED = "client_closed"  # B3OS.aclose(): the consumer gets ConfigurationError


#: The phases in which nothing more is handed out.
STOPPED = (Phase.CLOSED, Phase.CLIENT_CLOSED)


class Lifecycle:
    """Phase changes and the release of the connection (see the module docstring)."""

    __slots__ = ("_conn", "_ending", "_pending", "_phase")

    _phase: Phase
    _conn: Connection | None
    _pending: deque[Any]
    _ending: Ending | None
    _pacer: Pacer  # held by the stream
    _shown: str

    @property
    def closed(self) -> bool:
        """True once the stream ended (all events consumed, an error, or :meth:`aclose`)."""
        phase = self._phase
        return phase in STOPPED or (phase is Phase.ENDED and not self._pending)

    async def aclose(self) -> None:
        """Close the stream and release its connection. Idempotent; safe from any task."""
        if self._phase not in STOPPED:
            self._stop(Phase.CLOSED)

    def __del__(self) -> None:
        # Why: aiohttp keeps an unreleased response alive from its own connection (a callback on
        # the body reader), so a stream dropped after a bare `break` would hold its socket until
        # the server hangs up. Closing the response is one synchronous call (no task, no await,
        # nothing when the loop is already closed), the same thing aiohttp's response does.
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close_quietly()

    def _on_client_closed(self) -> None:
        """The client is closing (``Pools.aclose``): end the stream now, synchronously.

        Like :meth:`aclose`, but the consumer's pending or next ``__anext__`` raises
        :class:`ConfigurationError`. A stream that already ended keeps its buffered events.
        """
        if self._phase not in STOPPED and self._phase is not Phase.ENDED:
            self._stop(Phase.CLIENT_CLOSED)

    def _stop(self, phase: Phase) -> None:
        self._phase = phase
        self._pending.clear()
        self._ending = None
        # Closing the response wakes a pending read; the pacer interrupts a connect or a wait.
        self._drop(close=True)
        self._pacer.interrupt()

    def _abandon(self) -> None:
        """Mark closed and close the socket, synchronously (for owners that are being freed)."""
        self._phase = Phase.CLOSED
        self._pending.clear()
        conn = self._conn
        self._conn = None
        if conn is not None:
            conn.close_quietly()

    def _shutdown(self) -> None:
        """End the stream for good and release its connection (sync; used on every exit)."""
        if self._phase not in STOPPED:
            self._phase = Phase.ENDED
        self._pending.clear()
        self._ending = None
        self._drop(close=True)

    def _raise_if_client_closed(self) -> None:
        """Raise ConfigurationError when the client of this stream was closed under it."""
        if self._phase is Phase.CLIENT_CLOSED:
            raise ConfigurationError(
                f"the B3OS client was closed (aclose() was called) while the stream "
                f"{self._shown} was open; its events stop here. Create a new client to go on."
            )

    def _end_after_current(self) -> None:
        """No more events after those buffered (a terminal event, say): release the connection."""
        if self._phase not in STOPPED:
            self._phase = Phase.ENDED
        self._drop(close=False)

    def _drop(self, *, close: bool) -> None:
        """Forget the current connection: ``close`` it (unfinished) or ``release`` it (at EOF)."""
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        if self._phase is Phase.OPEN:
            self._phase = Phase.IDLE
        if close:
            conn.close()
        else:
            conn.release()
