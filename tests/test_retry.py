"""The pure retry rules: policy defaults, backoff, Retry-After parsing and decisions."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import attrs
import pytest

from b3os_async import RetryPolicy, Timeout
from b3os_async._retry import (
    DEFAULT_RETRY_STATUSES,
    Failure,
    backoff_delay,
    decide_retry,
    parse_retry_after,
)

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
FIXED = RetryPolicy(jitter=False)


def decide(outcome: int | Failure, **kwargs: object) -> tuple[bool, float]:
    """decide_retry with defaults for a first idempotent attempt; returns (retry, delay)."""
    args: dict[str, object] = {"attempt": 1, "elapsed": 0.0, "idempotent": True, "now": NOW}
    args.update(kwargs)
    policy = args.pop("policy", FIXED)
    assert isinstance(policy, RetryPolicy)
    decision = decide_retry(policy, outcome=outcome, **args)  # type: ignore[arg-type]
    return decision.retry, decision.delay


# -- policy ------------------------------------------------------------------------------------


def test_policy_defaults() -> None:
    """The documented defaults: 3 attempts, 60 s budget, 0.5-8 s backoff, jitter, 60 s cap."""
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.max_elapsed) == (3, 60.0)
    assert (policy.initial_delay, policy.max_delay, policy.jitter) == (0.5, 8.0, True)
    assert policy.retry_after_max == 60.0
    assert policy.retry_statuses == DEFAULT_RETRY_STATUSES


def test_default_statuses_are_408_429_and_5xx() -> None:
    """408, 429 and every 5xx are retryable by default; other statuses are not."""
    assert {408, 429, 500, 502, 503, 504, 599} <= DEFAULT_RETRY_STATUSES
    assert not {400, 401, 403, 404, 409, 422} & DEFAULT_RETRY_STATUSES
    assert len(DEFAULT_RETRY_STATUSES) == 102


def test_policy_is_frozen_and_keyword_only() -> None:
    """RetryPolicy is immutable and takes keyword arguments only."""
    policy = RetryPolicy()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.max_attempts = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        RetryPolicy(5)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "kwargs",
    [{"max_attempts": 0}, {"initial_delay": -1.0}, {"max_elapsed": float("inf")}],
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    """Zero attempts, negative delays and infinite budgets are rejected."""
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_disabled_never_retries() -> None:
    """RetryPolicy.disabled() allows one attempt only."""
    assert decide(503, policy=RetryPolicy.disabled()) == (False, 0.0)


def test_no_wait_retries_with_zero_delay_and_ignores_retry_after() -> None:
    """RetryPolicy.no_wait() retries like the default but waits 0 s, even with Retry-After."""
    policy = RetryPolicy.no_wait(max_attempts=5)
    assert policy.max_attempts == 5
    assert decide(429, policy=policy, retry_after="30") == (True, 0.0)
    assert decide(503, policy=policy, attempt=4) == (True, 0.0)
    assert decide(503, policy=policy, attempt=5) == (False, 0.0)


# -- backoff -----------------------------------------------------------------------------------


def test_backoff_without_jitter_doubles_up_to_max() -> None:
    """Without jitter the delays are 0.5, 1, 2, 4, 8, 8 (initial * 2**(n-1), capped)."""
    assert [backoff_delay(FIXED, n) for n in range(1, 7)] == [0.5, 1, 2, 4, 8, 8]


def test_full_jitter_uses_injected_random() -> None:
    """With jitter the delay is uniform(0, base) drawn from the injected random generator."""
    expected = random.Random(7).uniform(0.0, 2.0)
    assert backoff_delay(RetryPolicy(), 3, random.Random(7)) == expected


def test_full_jitter_stays_within_base() -> None:
    """The default (backoff.full_jitter) delay always lies in [0, base] and varies."""
    delays = {backoff_delay(RetryPolicy(), 2) for _ in range(50)}
    assert all(0.0 <= d <= 1.0 for d in delays)
    assert len(delays) > 1


# -- Retry-After -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("-1", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
        ("Mon, 99 Foo 2025 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after_seconds_and_garbage(header: str | None, expected: float | None) -> None:
    """Delay-seconds parse to floats; negative, non-finite and garbage values give None."""
    assert parse_retry_after(header, now=NOW) == expected


def test_parse_retry_after_http_date() -> None:
    """An HTTP-date Retry-After gives the seconds from now until that date."""
    header = format_datetime(NOW + timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(header, now=NOW) == 42.0


def test_parse_retry_after_past_date_is_zero() -> None:
    """An HTTP-date in the past means retry now (0 s)."""
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=NOW) == 0.0


# -- decisions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_retried(status: int) -> None:
    """Retryable statuses of an idempotent request are retried after the backoff delay."""
    assert decide(status) == (True, 0.5)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 409, 422])
def test_client_errors_not_retried(status: int) -> None:
    """4xx statuses other than 408/429 are never retried."""
    assert decide(status)[0] is False


def test_non_idempotent_not_retried_on_status() -> None:
    """A non-idempotent request is not retried on a 503."""
    assert decide(503, idempotent=False)[0] is False


@pytest.mark.parametrize("failure", [Failure.CONNECTION, Failure.TIMEOUT])
def test_maybe_sent_failures_need_idempotency(failure: Failure) -> None:
    """Connection errors and timeouts retry idempotent requests only."""
    assert decide(failure)[0] is True
    assert decide(failure, idempotent=False)[0] is False


def test_connect_failure_retried_for_any_method() -> None:
    """A failure to connect (request not sent) is retried even when not idempotent."""
    assert decide(Failure.CONNECT, idempotent=False) == (True, 0.5)


def test_tls_failure_never_retried() -> None:
    """TLS errors are not transient and never retried."""
    assert decide(Failure.TLS)[0] is False


def test_attempt_budget() -> None:
    """The last allowed attempt is not followed by another one."""
    assert decide(503, attempt=2)[0] is True
    retry, _ = decide(503, attempt=3)
    assert retry is False
    reason = decide_retry(FIXED, attempt=3, elapsed=0, outcome=503, idempotent=True).reason
    assert "attempts exhausted (3 of 3)" in reason


def test_time_budget_never_overrun() -> None:
    """A wait that would end past max_elapsed is not started."""
    policy = RetryPolicy(jitter=False, max_elapsed=10.0, max_attempts=10)
    assert decide(503, policy=policy, attempt=3, elapsed=7.9) == (True, 2.0)
    assert decide(503, policy=policy, attempt=3, elapsed=8.1)[0] is False


def test_retry_after_replaces_backoff_and_is_capped() -> None:
    """Retry-After sets the delay, capped at retry_after_max."""
    policy = RetryPolicy(jitter=False, retry_after_max=10.0)
    assert decide(429, policy=policy, retry_after="4") == (True, 4.0)
    assert decide(503, policy=policy, retry_after="3600") == (True, 10.0)


def test_retry_after_http_date_in_decision() -> None:
    """An HTTP-date Retry-After is honoured relative to the injected now."""
    header = format_datetime(NOW + timedelta(seconds=5), usegmt=True)
    assert decide(429, retry_after=header) == (True, 5.0)


def test_garbage_retry_after_falls_back_to_backoff() -> None:
    """An unusable Retry-After is ignored and the backoff delay is used."""
    assert decide(503, retry_after="-5") == (True, 0.5)


def test_retry_after_respects_time_budget() -> None:
    """A Retry-After longer than the remaining budget ends the retries."""
    policy = RetryPolicy(max_elapsed=20.0)
    assert decide(429, policy=policy, retry_after="30")[0] is False


def test_decision_reason_names_cause() -> None:
    """The reason says what failed and why it is (not) retried."""
    yes = decide_retry(FIXED, attempt=1, elapsed=0, outcome=503, idempotent=True)
    no = decide_retry(FIXED, attempt=1, elapsed=0, outcome=503, idempotent=False)
    assert "status 503" in yes.reason
    assert "retrying in 0.50s" in yes.reason
    assert "not idempotent" in no.reason


# -- Timeout -----------------------------------------------------------------------------------


def test_timeout_defaults_and_coerce() -> None:
    """Timeout defaults to total 60, connect 10, no read limit; a number means total."""
    assert Timeout() == Timeout(total=60.0, connect=10.0, read=None)
    assert Timeout.coerce(2.5) == Timeout(total=2.5)
    assert Timeout.coerce(None) == Timeout()
    custom = Timeout(total=None, read=5.0)
    assert Timeout.coerce(custom) is custom


@pytest.mark.parametrize("bad", ["5", True, [1]])
def test_timeout_coerce_rejects_other_types(bad: object) -> None:
    """Strings, bools and other objects are not accepted as timeouts."""
    with pytest.raises(TypeError):
        Timeout.coerce(bad)  # type: ignore[arg-type]


def test_timeout_rejects_non_positive() -> None:
    """Zero or negative limits are rejected."""
    with pytest.raises(ValueError):
        Timeout(total=0)
    with pytest.raises(ValueError):
        Timeout(connect=-1)
