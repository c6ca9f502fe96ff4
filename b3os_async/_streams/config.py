"""Configuration of streams: time limits, reconnect reports, the default policy and constants."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs

from b3os_async._retry import RetryPolicy

__all__ = [
    "DEFAULT_MAX_EVENT_SIZE",
    "DEFAULT_RECONNECT",
    "MIN_RECONNECT_DELAY",
    "REPLAY_GRACE",
    "STEADY_CONNECTION",
    "ReconnectCallback",
    "ReconnectInfo",
    "StreamTimeouts",
]

#: The reconnect policy of streams when none is given: up to 10 consecutive failed attempts
#: within 5 minutes, backoff 0.5 s doubling to 15 s with full jitter, server hints capped at 60 s.
DEFAULT_RECONNECT = RetryPolicy(
    max_attempts=10, max_elapsed=300.0, initial_delay=0.5, max_delay=15.0
)
#: Largest accepted SSE line / event data (characters), as the decoder's caps.
DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024
#: The least wait before ANY reconnect, in seconds (x1-2 with jitter, capped by the policy's
#: ``max_delay``): a server saying ``retry: 0`` and closing after every event cannot make us spin.
MIN_RECONNECT_DELAY = 0.1
#: A connection open at least this long (seconds) ends cleanly even without a new event: a quiet
#: stream behind a proxy that caps connection lifetimes is not a failing server.
STEADY_CONNECTION = 30.0
#: How long (seconds) a run stream that asked for a replay waits for the connection's first
#: event before it concludes the server has none to send, or cannot replay, and reconciles from
#: the run's state (a replaying server sends its backlog at once; one that cannot replay may send
#: nothing for as long as the run waits).
REPLAY_GRACE = 2.0


def _positive_or_none(_inst: object, attr: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{attr.name} must be a finite number > 0 or None, got {value!r}")


@attrs.frozen(kw_only=True)
class StreamTimeouts:
    """Layered time limits of a stream, in seconds (``None`` = no limit).

    * ``connect`` [10]: the TCP (and TLS) connect of one attempt.
    * ``first_byte`` [30]: from starting an attempt (pool wait, connect, request) until the
      response headers arrive.
    * ``idle`` [60]: the longest silence (no bytes at all; heartbeat comments count) on an open
      stream before it is treated as dead and reconnected. It also bounds the wait for headers.
      Only time spent waiting for data counts, not time the consumer spends on events.
    * ``deadline`` [None]: the whole stream, reconnects included; when it passes the stream raises
      :class:`~b3os_async.APITimeoutError`.

    A connect, first-byte or idle timeout is a failure that is retried (see ``reconnect``).
    """

    connect: float | None = attrs.field(default=10.0, validator=_positive_or_none)
    first_byte: float | None = attrs.field(default=30.0, validator=_positive_or_none)
    idle: float | None = attrs.field(default=60.0, validator=_positive_or_none)
    deadline: float | None = attrs.field(default=None, validator=_positive_or_none)


@attrs.frozen(kw_only=True)
class ReconnectInfo:
    """What a stream reports to ``on_reconnect`` just before it waits and reconnects.

    * ``attempt``: 1 for the first reconnect since new information last arrived, then 2, 3, ...
    * ``delay``: seconds the stream will wait before connecting again.
    * ``last_event_id``: the id sent as ``Last-Event-ID``: the newest id the server sent
      (``None``: no header; the run stream then reconciles from the run's state).
    * ``reason``: ``"eof"`` (the server ended the body), ``"connection_error"``, ``"idle_timeout"``,
      ``"timeout"``, ``"status 503"`` (an HTTP status) or ``"error_event 503"`` (an ``event: error``
      inside the stream). The end of a connection counts as a failure only when it brought nothing
      new (no new event or id, no new state from a reconcile) and lasted less than 30 s.
    * ``error``: the exception behind the reconnect (``None`` after an EOF).
    * ``failures``: consecutive failures so far (the budget of the ``reconnect`` policy); any new
      information resets it.
    """

    attempt: int
    delay: float
    last_event_id: str | None
    reason: str
    error: BaseException | None = None
    failures: int = 0


#: ``on_reconnect`` callbacks: plain functions or coroutine functions taking a ReconnectInfo.
ReconnectCallback = Callable[[ReconnectInfo], object]
