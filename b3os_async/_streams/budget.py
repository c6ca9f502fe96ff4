"""The reconnect budget of one stream: a small pure object (no I/O; clock and randomness injected).

It owns four pieces of state, changed only by its methods:

* ``failures`` and ``streak_start``: consecutive failed connections and when that streak began
  (the ``reconnect`` policy's ``max_attempts`` / ``max_elapsed`` apply to the streak);
* ``reconnects``: reconnects since the last progress (reported as ``ReconnectInfo.attempt``);
* ``server_retry``: the server's last ``retry:`` value, in seconds (it persists across
  connections, as in browsers).

:meth:`progress` ends the streak (new information arrived); :meth:`plan` turns the end of a
connection (an :class:`Ending`) into the wait before the next attempt, or a refusal. Whether an
ending is a *failure* is decided here, in one place (:meth:`ReconnectBudget.failed`). The rules
are stated in :mod:`b3os_async._streams` ("Waiting before a reconnect").
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import attrs

from b3os_async._retry import Failure, Outcome, decide_retry, parse_retry_after
from b3os_async._streams.config import MIN_RECONNECT_DELAY, STEADY_CONNECTION

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async._retry import RetryPolicy

__all__ = ["Ending", "Plan", "ReconnectBudget"]


@attrs.define(slots=True)
class Ending:
    """Why a connection (or an attempt) ended; acted on once the events before it were consumed.

    ``outcome`` is what went wrong (an HTTP status or a :class:`Failure` kind; ``None``: the body
    ended cleanly). ``progressed`` and ``open_for`` describe the connection: whether it brought
    new information, and how long it was open (seconds; 0 for an attempt that never connected).
    """

    reason: str
    error: BaseException | None = None
    outcome: Outcome | None = None
    retry_after: str | None = None
    fatal: bool = False  # raise `error` instead of reconnecting
    progressed: bool = False
    open_for: float = 0.0


@attrs.frozen
class Plan:
    """What to do after a connection ended: wait ``delay`` seconds, or give up (``give_up``)."""

    delay: float
    attempt: int
    failures: int
    give_up: str | None = None


class ReconnectBudget:
    """See the module docstring."""

    __slots__ = ("_random", "failures", "policy", "reconnects", "server_retry", "streak_start")

    def __init__(
        self, policy: RetryPolicy, *, random_fn: Callable[[], float] = random.random
    ) -> None:
        self.policy = policy
        self.failures = 0
        self.streak_start = 0.0
        self.reconnects = 0
        self.server_retry: float | None = None
        self._random = random_fn

    def progress(self) -> None:
        """New information arrived (a new event or id, or state found by a reconcile)."""
        self.failures = 0
        self.reconnects = 0

    def set_server_retry(self, milliseconds: int) -> None:
        """Remember the server's ``retry:`` value."""
        self.server_retry = milliseconds / 1000.0

    def failed(self, ending: Ending) -> Outcome | None:
        """The failure kind of ``ending``, or ``None`` when it is not a failure.

        Not a failure: a connection that brought new information, however it ended, and one
        that stayed open :data:`STEADY_CONNECTION` seconds (a quiet stream whose connection a
        proxy recycles or resets: the server evidently works; the streak ends). A clean end
        that brought nothing is a failure (a server that accepts and closes at once would
        otherwise be reconnected forever).
        """
        if ending.progressed:
            return None
        if ending.open_for >= STEADY_CONNECTION:
            self.failures = 0
            return None
        return Failure.CONNECTION if ending.outcome is None else ending.outcome

    def plan(self, ending: Ending, now: float) -> Plan:
        """The wait before the next attempt after ``ending`` (``now``: a monotonic clock)."""
        policy = self.policy
        self.reconnects += 1
        server = self.server_retry
        if server is not None:
            server = min(server, policy.retry_after_max)
        hint = parse_retry_after(ending.retry_after)
        outcome = self.failed(ending)
        if outcome is None:
            if hint is not None:
                delay = min(hint, policy.retry_after_max)
            else:
                delay = server if server is not None else policy.initial_delay
        else:
            self.failures += 1
            if self.failures == 1:
                self.streak_start = now
            decision = decide_retry(
                policy,
                attempt=self.failures,
                elapsed=now - self.streak_start,
                outcome=outcome,
                idempotent=True,
                retry_after=ending.retry_after,
            )
            if not decision.retry:
                return Plan(0.0, self.reconnects, self.failures, give_up=decision.reason)
            delay = decision.delay
            if server is not None and hint is None:
                delay = max(delay, server)
        return Plan(max(delay, self._floor()), self.reconnects, self.failures)

    def _floor(self) -> float:
        # Why on every reconnect, clean ends included: a server that sends `retry: 0`, one new
        # event, and closes, forever, must not make us reconnect hundreds of times a second.
        # A policy that itself never waits (``RetryPolicy.no_wait()``, tests) keeps zero delays.
        policy = self.policy
        floor = min(MIN_RECONNECT_DELAY, policy.max_delay)
        if policy.jitter:
            floor = min(floor * (1.0 + self._random()), policy.max_delay)
        return floor
