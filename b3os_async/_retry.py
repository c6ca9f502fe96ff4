"""How often and how long we try: :class:`RetryPolicy`, :class:`Timeout` and the retry decision.

(This module imports no aiohttp, so the public policy classes stay cheap to import; the session
maps :class:`Timeout` to ``aiohttp.ClientTimeout``.)

Theory of operation
-------------------
The session's request loop is a thin I/O shell around one pure function, :func:`decide_retry`.
After every failed attempt the loop classifies what happened (an HTTP status, or a
:class:`Failure` kind for exceptions) and asks the function ``(retry?, delay, reason)``. The
function performs no I/O and reads no clock; randomness and "now" can be injected, so every rule
below is unit-tested without a network and without sleeping.

What is retried:

* statuses in ``RetryPolicy.retry_statuses`` (default 408, 429 and every 5xx), connection errors
  (reset, disconnect, broken payload) and timeouts -- **for idempotent requests only**: GET, PUT,
  DELETE, HEAD, and any request the caller marks ``idempotent=True`` (for example run creation
  with a client-generated ``runId``: a resent POST meets "duplicate run ID" instead of creating a
  second run);
* a failure to *connect* (:attr:`Failure.CONNECT`: ``aiohttp.ClientConnectorError`` such as
  "connection refused" or a DNS failure, or a connect timeout) for **every** method: no byte of the
  request left this machine, so resending cannot repeat a side effect;
* never: TLS/certificate failures (not transient), other 4xx statuses.

How delays combine (attempt ``n`` = attempts made so far, starting at 1):

* with a usable ``Retry-After`` header (seconds or HTTP-date):
  ``min(retry_after, retry_after_max)``;
* otherwise exponential backoff ``base(n) = min(initial_delay * 2 ** (n - 1), max_delay)`` (the
  values of ``backoff.expo(factor=initial_delay, max_value=max_delay)``), with full jitter
  ``uniform(0, base(n))`` (``backoff.full_jitter``) unless ``jitter=False``.

When we give up: after ``max_attempts`` attempts in total, or when the wait would end after
``max_elapsed`` seconds since the first attempt started (we never start a wait we know overruns the
budget), or at the first non-retryable outcome.
"""

from __future__ import annotations

import enum
import itertools
import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import random

__all__ = [
    "DEFAULT_RETRY_STATUSES",
    "IDEMPOTENT_METHODS",
    "Failure",
    "RetryDecision",
    "RetryPolicy",
    "Timeout",
    "backoff_delay",
    "decide_retry",
    "parse_retry_after",
]

#: 408 Request Timeout, 429 Too Many Requests and every 5xx.
DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({408, 429, *range(500, 600)})

#: Methods that are idempotent by HTTP semantics; POST/PATCH are retried only when marked.
IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


def _non_negative(_inst: object, attr: attrs.Attribute[float], value: float) -> None:
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{attr.name} must be a finite number >= 0, got {value!r}")


def _optional_positive(_inst: object, attr: Any, v: float | None) -> None:
    if v is not None and not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{attr.name} must be a finite number > 0 or None, got {v!r}")


def _at_least_one(_inst: object, attr: attrs.Attribute[int], value: int) -> None:
    if value < 1:
        raise ValueError(f"{attr.name} must be >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """When and how long to retry a failed request. Immutable; pass it as ``B3OS(retry=...)``.

    Attributes (defaults in brackets):

    * ``max_attempts`` [3]: attempts in total, the first one included (1 = never retry).
    * ``max_elapsed`` [60.0]: seconds budget from the start of the first attempt; a wait that would
      end past it is not started, the last error is raised instead.
    * ``initial_delay`` [0.5] and ``max_delay`` [8.0]: the backoff before retry ``n`` is
      ``min(initial_delay * 2 ** (n - 1), max_delay)`` seconds: 0.5, 1, 2, 4, 8, 8, ...
    * ``jitter`` [True]: full jitter, i.e. the actual wait is uniform in ``[0, backoff]``.
    * ``retry_after_max`` [60.0]: cap in seconds for a server ``Retry-After`` (which, when present,
      replaces the backoff). ``0`` effectively ignores ``Retry-After``.
    * ``retry_statuses`` [408, 429, 500-599]: HTTP statuses that are retried.

    Connection errors and timeouts are always retryable; see the module docs for the idempotency
    rules.
    """

    max_attempts: int = attrs.field(default=3, validator=_at_least_one)
    max_elapsed: float = attrs.field(default=60.0, validator=_non_negative)
    initial_delay: float = attrs.field(default=0.5, validator=_non_negative)
    max_delay: float = attrs.field(default=8.0, validator=_non_negative)
    jitter: bool = True
    retry_after_max: float = attrs.field(default=60.0, validator=_non_negative)
    retry_statuses: frozenset[int] = attrs.field(
        default=DEFAULT_RETRY_STATUSES, converter=frozenset
    )

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that never retries (one attempt)."""
        return cls(max_attempts=1)

    @classmethod
    def no_wait(cls, max_attempts: int = 3) -> RetryPolicy:
        """Retry like the default policy but never wait (zero delays, ``Retry-After`` ignored).

        Meant for tests: the same decisions are taken, no time passes.
        """
        return cls(
            max_attempts=max_attempts,
            initial_delay=0.0,
            max_delay=0.0,
            jitter=False,
            retry_after_max=0.0,
        )


@attrs.frozen(kw_only=True)
class Timeout:
    """Per-attempt time limits in seconds (``None``: no limit); ``B3OS(timeout=5.0)`` sets total.

    * ``total`` [60.0]: one whole attempt -- connect, send, and read the complete response.
    * ``connect`` [10.0]: getting a connection (from the pool or a new TCP/TLS handshake).
    * ``read`` [None]: the longest silence between two chunks of the response.

    Retries get a fresh timeout per attempt; :attr:`RetryPolicy.max_elapsed` bounds the whole call.
    """

    total: float | None = attrs.field(default=60.0, validator=_optional_positive)
    connect: float | None = attrs.field(default=10.0, validator=_optional_positive)
    read: float | None = attrs.field(default=None, validator=_optional_positive)

    @classmethod
    def coerce(cls, value: Timeout | float | None) -> Timeout:
        """Return ``value`` as a :class:`Timeout` (a number means ``total``; None the defaults)."""
        if value is None:
            return cls()
        if isinstance(value, Timeout):
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"timeout must be a Timeout or a number of seconds, got {value!r}")
        return cls(total=float(value))


class Failure(enum.Enum):
    """Kinds of failed attempts that did not produce an HTTP response."""

    #: Could not connect (refused, DNS, connect timeout): the request was provably not sent.
    CONNECT = "connect failed (request not sent)"
    #: The connection broke after the request may have been sent (reset, disconnect, bad payload).
    CONNECTION = "connection error"
    #: The attempt timed out after the request may have been sent.
    TIMEOUT = "timeout"
    #: TLS / certificate failure: not transient, never retried.
    TLS = "TLS error"


#: What happened in one attempt: an HTTP status or a :class:`Failure` kind.
Outcome = int | Failure


@attrs.frozen
class RetryDecision:
    """The answer of :func:`decide_retry`: whether to retry, after how many seconds, and why."""

    retry: bool
    delay: float
    reason: str


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header into seconds to wait, or None when absent or unusable.

    Accepts delay-seconds (``"3"``; a decimal such as ``"1.5"`` is tolerated) and an HTTP-date
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``, compared with ``now``, default the current UTC time; a
    date in the past means 0). Negative numbers, NaN/infinity and garbage return None.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and math.isfinite(seconds) else None
    from email.utils import parsedate_to_datetime  # lazily: it pulls in socket & co.

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - current).total_seconds())


def backoff_delay(policy: RetryPolicy, attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``attempt`` (1-based) failed, by exponential backoff with jitter.

    The base is the ``attempt``-th value of ``backoff.expo(factor=initial_delay,
    max_value=max_delay)``; jitter is ``backoff.full_jitter`` (or ``rng.uniform(0, base)``, the
    same formula, when a seeded ``rng`` is injected by a test).
    """
    # backoff imports asyncio and more; import it on first use to keep `import b3os_async` cheap.
    import backoff

    gen = backoff.expo(base=2, factor=policy.initial_delay, max_value=policy.max_delay)
    next(gen)  # backoff's generators yield once (None) before the first value
    base = next(itertools.islice(gen, attempt - 1, None))
    if not policy.jitter or base <= 0:
        return float(base)
    if rng is not None:
        return rng.uniform(0.0, base)
    return float(backoff.full_jitter(base))


def decide_retry(
    policy: RetryPolicy,
    *,
    attempt: int,
    elapsed: float,
    outcome: Outcome,
    idempotent: bool,
    retry_after: str | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> RetryDecision:
    """Decide whether to retry after attempt number ``attempt`` (1-based) ended with ``outcome``.

    ``elapsed`` is the seconds since the first attempt started; ``retry_after`` the raw
    ``Retry-After`` header of the response, if any; ``idempotent`` whether resending the request is
    safe. Pure: no I/O, no clock (``now`` is only used to evaluate an HTTP-date ``Retry-After``).
    """
    if isinstance(outcome, Failure):
        if outcome is Failure.TLS:
            return RetryDecision(False, 0.0, "TLS errors are not transient")
        what = outcome.value
        safe = idempotent or outcome is Failure.CONNECT
    else:
        what = f"status {outcome}"
        if outcome not in policy.retry_statuses:
            return RetryDecision(False, 0.0, f"{what} is not retryable")
        safe = idempotent
    if not safe:
        return RetryDecision(
            False, 0.0, f"{what}, but the request is not idempotent (resending could repeat it)"
        )
    if attempt >= policy.max_attempts:
        return RetryDecision(
            False, 0.0, f"{what}; attempts exhausted ({attempt} of {policy.max_attempts})"
        )
    hinted = parse_retry_after(retry_after, now=now)
    if hinted is not None:
        delay = min(hinted, policy.retry_after_max)
        source = "Retry-After"
    else:
        delay = backoff_delay(policy, attempt, rng)
        source = "backoff"
    if elapsed + delay > policy.max_elapsed:
        return RetryDecision(
            False,
            delay,
            f"{what}; waiting {delay:.2f}s would exceed max_elapsed={policy.max_elapsed:g}s",
        )
    return RetryDecision(True, delay, f"{what}; retrying in {delay:.2f}s ({source})")
