"""Pure tests of the reconnect budget: what a failure is, the wait before a reconnect, giving up."""

from __future__ import annotations

import pytest

from b3os_async import RetryPolicy
from b3os_async._retry import Failure
from b3os_async._streams.budget import Ending, ReconnectBudget
from b3os_async._streams.config import MIN_RECONNECT_DELAY, STEADY_CONNECTION

#: Backoff that never waits, no jitter: only the floor and server hints decide delays.
ZERO = RetryPolicy(max_attempts=3, initial_delay=0.0, max_delay=1.0, jitter=False)


def _budget(policy: RetryPolicy = ZERO, draw: float = 0.0) -> ReconnectBudget:
    return ReconnectBudget(policy, random_fn=lambda: draw)


@pytest.mark.parametrize(
    "ending",
    [
        Ending("eof", progressed=True),
        Ending("connection_error", ConnectionResetError(), Failure.CONNECTION, progressed=True),
        Ending("idle_timeout", TimeoutError(), Failure.TIMEOUT, progressed=True),
        Ending("error_event 503", None, 503, progressed=True),
    ],
    ids=["eof", "reset", "idle", "error_event"],
)
def test_a_connection_that_brought_news_is_not_a_failure(ending: Ending) -> None:
    """However a connection ended, if it brought new information it spends no budget."""
    budget = _budget()
    plan = budget.plan(ending, now=0.0)
    assert (plan.failures, plan.give_up) == (0, None)
    assert budget.failed(ending) is None


@pytest.mark.parametrize(
    "ending",
    [Ending("eof"), Ending("connection_error", None, Failure.CONNECTION)],
    ids=["eof", "reset"],
)
def test_a_steady_connection_is_not_a_failure(ending: Ending) -> None:
    """A connection open STEADY_CONNECTION seconds ends the failure streak, closed or reset."""
    budget = _budget()
    budget.plan(Ending("eof"), now=0.0)  # one failure first
    ending.open_for = STEADY_CONNECTION
    plan = budget.plan(ending, now=1.0)
    assert plan.failures == 0


def test_a_clean_end_without_news_is_a_failure_until_the_budget_is_spent() -> None:
    """Bodies that end without anything new are failures; the third one gives up."""
    budget = _budget()
    plans = [budget.plan(Ending("eof", open_for=0.5), now=float(n)) for n in range(3)]
    assert [p.failures for p in plans] == [1, 2, 3]
    assert [p.give_up is None for p in plans] == [True, True, False]


def test_every_wait_has_the_floor_even_after_progress() -> None:
    """A clean reconnect after news waits at least the floor (jittered x1-2), even when the
    server says 0 ms."""
    budget = _budget(RetryPolicy(initial_delay=0.0, max_delay=1.0), draw=0.5)
    budget.set_server_retry(0)
    plan = budget.plan(Ending("eof", progressed=True), now=0.0)
    assert plan.delay == pytest.approx(MIN_RECONNECT_DELAY * 1.5)


def test_a_larger_server_retry_wins_over_the_floor() -> None:
    """The server's retry: above the floor is the wait after a clean end."""
    budget = _budget()
    budget.set_server_retry(750)
    assert budget.plan(Ending("eof", progressed=True), now=0.0).delay == 0.75


def test_retry_after_is_honoured_after_progress() -> None:
    """An error event's retryAfter sets the wait also when the connection brought events."""
    budget = _budget()
    ending = Ending("error_event 503", None, 503, retry_after="0.4", progressed=True)
    assert budget.plan(ending, now=0.0).delay == 0.4


def test_a_failure_waits_at_least_the_servers_retry() -> None:
    """Backoff after a failure is raised to the server's retry: value (no Retry-After sent)."""
    budget = _budget()
    budget.set_server_retry(300)
    plan = budget.plan(Ending("connection_error", None, Failure.CONNECTION), now=0.0)
    assert (plan.delay, plan.failures) == (0.3, 1)


def test_progress_resets_the_streak() -> None:
    """After progress, the next failure is the first of a new streak."""
    budget = _budget()
    budget.plan(Ending("eof"), now=0.0)
    budget.plan(Ending("eof"), now=1.0)
    budget.progress()
    assert budget.plan(Ending("eof"), now=2.0).failures == 1


def test_a_policy_that_never_waits_keeps_zero_delays() -> None:
    """RetryPolicy.no_wait() (tests) caps the floor at its max_delay of 0."""
    budget = _budget(RetryPolicy.no_wait())
    assert budget.plan(Ending("eof", progressed=True), now=0.0).delay == 0.0
