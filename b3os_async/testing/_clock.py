"""The emulator's clock: real time by default; frozen, moved and advanced by tests.

Theory of operation
-------------------
Every timestamp the emulator writes (``createdAt``, ``startedAt``, event ``timestamp`` …) and every
time-based rule (schedules, cooldowns, ``GET …/schedule``'s ``serverTime``) reads ONE
:class:`Clock` per emulator, ``emu.clock``. By default it follows real time. A test can:

* ``emu.clock.freeze()`` (or ``Emulator(frozen_at=datetime(...))``): time stands still;
* ``await emu.clock.advance(hours=3)``: time jumps forward, and every scheduled run that falls due
  on the way fires *at its own time, in order*; each fired run is allowed to settle (finish, or
  reach a ``wait`` node) before the next fire time is handled, so runs see each other's effects
  (variables, cooldowns, ``maxRuns``) as they would in real time. It returns the ids of the runs
  it fired;
* ``emu.clock.unfreeze()``: time flows again, at real speed, from where it stood.

The clock never goes backwards (run lists and counts rely on start order): ``freeze(at=…)`` and
``advance_to(…)`` refuse a moment before ``now()``. ``delay`` nodes and ``wait`` timeouts still
take real time: they are about execution, not about when things are scheduled.

The clock knows nothing about schedules. The scheduler (``_scheduler.py``) registers itself as
the *stepper*: ``advance`` hands it the target moment, and it moves the clock from fire time to
fire time (:meth:`Clock._move_to`) while it fires runs. Without a stepper, ``advance`` just moves
the time. Listeners registered with :meth:`Clock.on_change` are told about every freeze, unfreeze
and jump (the scheduler's real-time loop re-plans its sleep).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from b3os_async.testing._common import iso

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = ["Clock"]


def _utc(moment: object, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(timezone.utc)


class Clock:
    """The emulator's time (see the module docstring). ``emu.clock`` is one.

    :param frozen_at: start frozen at this (timezone-aware) moment; default: real time.
    """

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._frozen: datetime | None = None
        self._offset = timedelta(0)  # running clock = real time + offset
        self._stepper: Callable[[datetime], Awaitable[list[str]]] | None = None
        self._listeners: list[Callable[[], None]] = []
        if frozen_at is not None:
            self._frozen = _utc(frozen_at, "frozen_at")

    def __repr__(self) -> str:
        state = "frozen" if self.frozen else "running"
        return f"<Clock {state} at {iso(self.now())}>"

    # -- reading -------------------------------------------------------------------------------

    def now(self) -> datetime:
        """The current emulator time (UTC, timezone-aware)."""
        if self._frozen is not None:
            return self._frozen
        return datetime.now(timezone.utc) + self._offset

    def iso(self) -> str:
        """:meth:`now` as RFC 3339 UTC with milliseconds (how the emulator writes timestamps)."""
        return iso(self.now())

    def unix_ms(self) -> int:
        """:meth:`now` in Unix milliseconds."""
        return int(self.now().timestamp() * 1000)

    @property
    def frozen(self) -> bool:
        """Whether time stands still (only :meth:`advance` moves it)."""
        return self._frozen is not None

    # -- controlling ---------------------------------------------------------------------------

    def freeze(self, at: datetime | None = None) -> None:
        """Stop time at ``at`` (default: now). ``at`` may not be earlier than :meth:`now`."""
        target = self.now() if at is None else _utc(at, "at")
        self._check_forward(target)
        self._frozen = target
        self._changed()

    def unfreeze(self) -> None:
        """Let time flow again at real speed, from the moment it stood at."""
        if self._frozen is None:
            return
        self._offset = self._frozen - datetime.now(timezone.utc)
        self._frozen = None
        self._changed()

    async def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
        milliseconds: float = 0,
    ) -> list[str]:
        """Move time forward, firing every scheduled run that falls due on the way, in order.

        ``await emu.clock.advance(hours=1)``; returns the ids of the runs fired. Each run fires
        at its own scheduled time and settles (ends, or waits on a ``wait`` node) before the
        next one fires. Works frozen or running (a running clock jumps, then keeps running).
        """
        step = timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds, milliseconds=milliseconds
        )
        if delta is not None:
            step += delta
        if step < timedelta(0):
            raise ValueError(f"the clock only moves forward; got a step of {step}")
        return await self.advance_to(self.now() + step)

    async def advance_to(self, moment: datetime) -> list[str]:
        """Like :meth:`advance`, to an absolute (timezone-aware) moment not before :meth:`now`."""
        target = _utc(moment, "moment")
        self._check_forward(target)
        fired: list[str] = []
        if self._stepper is not None:
            fired = await self._stepper(target)
        self._move_to(max(target, self.now()))
        self._changed()
        return fired

    # -- for the emulator's own parts ----------------------------------------------------------

    def set_stepper(self, stepper: Callable[[datetime], Awaitable[list[str]]] | None) -> None:
        """Register what :meth:`advance` calls to fire due runs up to a target (the scheduler)."""
        self._stepper = stepper

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every freeze, unfreeze and jump."""
        self._listeners.append(listener)

    def _move_to(self, moment: datetime) -> None:
        """Jump to ``moment`` (not backwards), staying frozen or running as before."""
        self._check_forward(moment)
        if self._frozen is not None:
            self._frozen = moment
        else:
            self._offset = moment - datetime.now(timezone.utc)

    def _check_forward(self, moment: datetime) -> None:
        # A millisecond of slack: a running clock moves on between reading now() and the check.
        if moment < self.now() - timedelta(milliseconds=1):
            raise ValueError(
                f"the emulator's clock never goes backwards: {iso(moment)} is before "
                f"{iso(self.now())}"
            )

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()
