"""Connecting and reconnecting an event stream: attempts, waits, budget, timeouts.

Theory of operation
-------------------
:class:`StreamConnection` is the transport half of :class:`~b3os_async._streams.machine.EventStream`
(which reads and decodes). It owns the current response and decides every (re)connect:

* **An attempt** is ``GET`` with ``Accept: text/event-stream`` and ``Last-Event-ID`` when an id is
  known (:meth:`SessionManager.open_stream`: one attempt, no retries of its own -- this loop is
  the only retry logic of streams). The answer decides:

  * 2xx (not 204) with ``text/event-stream``: connected; the subclass hook ``_after_connect``
    runs (the run stream reconciles there) and its request failures count as failed attempts;
  * 204: the server says "do not reconnect": ``_on_no_content`` runs and the stream ends;
  * a status in ``RetryPolicy.retry_statuses`` (408, 429, 5xx by default), a network error, a
    connect / first-byte timeout: a *failure*. Any other status (401, 403, 404 ...: the same error
    classes as any request), a TLS error, and a 2xx that is not an event stream
    (:class:`StreamError`) raise at once.

* **The wait before the next attempt** (:meth:`_plan_reconnect`):

  * after a clean end of a body that delivered a new event (not a failure): the server's
    ``retry:`` value (it persists across connections; capped by ``retry_after_max``), else
    ``initial_delay``;
  * after a failure: :func:`~b3os_async._retry.decide_retry` with the policy, ``attempt`` = the
    number of consecutive failures, ``elapsed`` = time since the first of them. That gives
    ``Retry-After`` (capped) when the server sent one, else backoff with full jitter, raised to
    at least the server's ``retry:`` and to a floor of ~0.1-0.2 s (:data:`_MIN_FAILURE_DELAY`,
    jittered, capped by the policy's ``max_delay``) so that a server saying ``retry: 0`` or
    ``Retry-After: 0`` cannot make us spin. When the policy refuses (attempts or time spent) we
    raise :class:`StreamError` chained to the last error. The loop resets the streak once a new
    event arrives.
  * A clean end of a body that delivered no new event (nothing, heartbeats, duplicates) is a
    failure: a server that accepts and closes, or closes after each heartbeat, would otherwise
    be reconnected forever. Exception: a connection that stayed open at least
    :data:`_STEADY_CONNECTION` seconds proves the server works (a quiet stream behind a proxy
    that caps connection lifetimes); its end is clean and resets the streak.

  Each reconnect is reported to ``on_reconnect(ReconnectInfo)`` and logged (INFO, logger
  ``b3os_async``: attempt, delay, resume id, reason) before the wait.

* **Time limits** (:class:`StreamTimeouts`): ``connect`` is aiohttp's ``sock_connect``;
  ``first_byte`` bounds each attempt until the response headers; ``idle`` is aiohttp's
  ``sock_read`` (reset by any byte, heartbeats included) backed by our own watchdog timer
  (:meth:`_arm_idle`): aiohttp drops its read timer, without waking the reader, when the
  connection is closed under it (a closed session or connector), so the watchdog closes the
  response itself once ``idle`` seconds passed without a byte. ``deadline`` bounds everything,
  reconnect waits included, and raises :class:`APITimeoutError`.

* **Client closed.** Each stream registers itself (weakly) with the session; ``B3OS.aclose()``
  calls :meth:`EventStream._on_client_closed` of every open one, which closes it like
  ``aclose()`` but makes the consumer's pending or next ``__anext__`` raise
  :class:`ConfigurationError` ("client was closed"), like any other use after close.

* **Interruption.** Attempts, reconcile requests and waits run in a task raced against a future
  that ``aclose()`` resolves (:meth:`_race`), so closing from another task is prompt and never
  turns into a ``CancelledError`` for the consumer.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import time
import weakref
from typing import TYPE_CHECKING, Any, TypeVar

import aiohttp
import attrs

from b3os_async._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    StreamError,
    redact_url,
)
from b3os_async._retry import Failure, Outcome, decide_retry, parse_retry_after
from b3os_async._streams.config import DEFAULT_RECONNECT, ReconnectInfo, StreamTimeouts
from b3os_async._transport.errors import error_from_response
from b3os_async._transport.http import classify_exception

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

    from b3os_async._retry import RetryPolicy
    from b3os_async._streams.config import ReconnectCallback
    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import SessionManager

__all__ = ["StreamConnection"]

logger = logging.getLogger("b3os_async")

T = TypeVar("T")

# Error bodies are read up to this size (the message needs the first bytes only).
_ERROR_BODY_LIMIT = 64 * 1024
# The least wait after a failure (seconds; x1-2 with jitter, capped by the policy's max_delay).
_MIN_FAILURE_DELAY = 0.1
# A connection open at least this long (seconds) ends cleanly even without a new event.
_STEADY_CONNECTION = 30.0


class _Closed(Exception):
    """Raised inside the loop when aclose() interrupted a wait (never escapes __anext__)."""


@attrs.define(slots=True)
class _Ending:
    """Why the current connection ended; handled once the buffered events were consumed."""

    reason: str
    error: BaseException | None = None
    outcome: Outcome | None = None  # None: clean end, not a failure
    retry_after: str | None = None
    fatal: bool = False  # raise `error` instead of reconnecting


def _discard(task: asyncio.Future[Any]) -> None:
    """Done-callback of an abandoned task: consume its outcome, close a response it produced."""
    if task.cancelled():
        return
    if task.exception() is None:
        result = task.result()
        if isinstance(result, aiohttp.ClientResponse):
            result.close()


class StreamConnection:
    """The connection half of an event stream: see the module docstring."""

    __slots__ = (
        "__weakref__",
        "_closed",
        "_closed_fut",
        "_conn_progress",
        "_conn_started",
        "_connections",
        "_deadline_at",
        "_done",
        "_failures",
        "_idle_fired",
        "_idle_handle",
        "_last_event_id",
        "_loop_time",
        "_on_reconnect",
        "_params",
        "_path",
        "_policy",
        "_read_since",
        "_reconnects",
        "_resp",
        "_retry_s",
        "_session",
        "_shown",
        "_streak_start",
        "_timeouts",
        "_wait",
    )

    def __init__(
        self,
        session: SessionManager,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None,
        last_event_id: str | None,
        timeouts: StreamTimeouts | None,
        reconnect: RetryPolicy | None,
        on_reconnect: ReconnectCallback | None,
    ) -> None:
        self._session = session
        self._path = path
        self._params = params
        self._shown = path  # for messages; the full URL is only known to the session
        self._timeouts = timeouts or StreamTimeouts()
        self._policy = reconnect or DEFAULT_RECONNECT
        self._on_reconnect = on_reconnect
        self._resp: aiohttp.ClientResponse | None = None
        self._connections = 0
        self._last_event_id = last_event_id or None
        self._retry_s: float | None = None  # the server's retry:, in seconds
        self._failures = 0
        self._reconnects = 0
        self._streak_start = 0.0
        self._wait: float | None = None
        self._deadline_at: float | None = None
        self._done = False
        self._closed = False
        self._closed_fut: asyncio.Future[None] | None = None
        # Per connection: did it deliver a new event; when it started; the idle watchdog.
        self._conn_progress = False
        self._conn_started = 0.0
        self._read_since: float | None = None  # when the pending read started (None: none)
        self._loop_time = time.monotonic
        self._idle_handle: asyncio.TimerHandle | None = None
        self._idle_fired = False
        # aclose() of the client ends this stream (a weak reference: a dropped stream is freed).
        session.track_stream(self)

    async def _connect(self) -> None:
        """Connect (waiting first when a reconnect is planned); retry failures within budget."""
        loop = asyncio.get_running_loop()
        if self._deadline_at is None and self._timeouts.deadline is not None:
            self._deadline_at = loop.time() + self._timeouts.deadline
        while True:
            delay = self._wait
            if delay is not None:
                self._wait = None
                if self._deadline_at is not None and loop.time() + delay > self._deadline_at:
                    raise self._deadline_error()
                await self._race(asyncio.sleep(delay), None)
            self._check_deadline()
            ending = await self._attempt()
            if ending is None:
                return
            if ending.fatal and ending.error is not None:
                raise ending.error
            await self._plan_reconnect(ending)

    async def _attempt(self) -> _Ending | None:
        """One connection attempt: None when connected (or ended by 204), else why it failed."""
        timeouts = self._timeouts
        headers = {"Last-Event-ID": self._last_event_id} if self._last_event_id else None
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.connect, sock_read=timeouts.idle
        )
        limit = timeouts.first_byte
        remaining = self._remaining()
        if remaining is not None:
            limit = remaining if limit is None else min(limit, remaining)
        try:
            resp = await self._race(
                self._session.open_stream(
                    self._path, params=self._params, headers=headers, timeout=timeout
                ),
                limit,
            )
        except asyncio.TimeoutError as exc:
            self._check_deadline()
            error = APITimeoutError(
                f"GET {self._shown} (stream): no response headers within {limit:g}s",
                method="GET",
                url=self._shown,
            )
            error.__cause__ = exc
            return _Ending("timeout", error, Failure.TIMEOUT)
        except APIConnectionError as exc:
            failure = _failure_of(exc)
            reason = "timeout" if isinstance(exc, APITimeoutError) else "connection_error"
            return _Ending(reason, exc, failure, fatal=failure is Failure.TLS)
        self._shown = redact_url(resp.url)
        status = resp.status
        if status == 204:
            resp.release()
            self._done = True
            self._connections += 1
            await self._on_no_content()
            return None
        if 200 <= status < 300:
            if resp.content_type != "text/event-stream":
                resp.close()
                raise StreamError(
                    f"GET {self._shown} answered {status} with Content-Type "
                    f"{resp.headers.get('Content-Type')!r}, not text/event-stream: this is not "
                    "an event stream (a proxy page, or the wrong base_url?)"
                )
            return await self._connected(resp)
        body = await _read_capped(resp)
        retry_after = resp.headers.get("Retry-After")
        status_error = error_from_response(
            status=status,
            reason=resp.reason,
            headers=resp.headers,
            body=body,
            method="GET",
            url=self._shown,
            retry_after=parse_retry_after(retry_after),
        )
        fatal = status not in self._policy.retry_statuses
        return _Ending(f"status {status}", status_error, status, retry_after, fatal=fatal)

    async def _connected(self, resp: aiohttp.ClientResponse) -> _Ending | None:
        """Adopt a good response, then run the subclass hook (whose failures are retried)."""
        self._resp = resp
        self._conn_progress = False
        self._arm_idle()
        self._start_connection()
        reconnect = self._connections > 0
        self._connections += 1
        return await self._run_hook(self._after_connect(reconnect))

    async def _run_hook(self, hook: Awaitable[None]) -> _Ending | None:
        """Await a subclass hook that may send requests; a failed request ends the connection.

        A request error becomes an ending like a failed attempt: retryable statuses and network
        errors reconnect (within the budget), anything else is raised.
        """
        try:
            await hook
        except APIStatusError as exc:
            self._drop_connection(close=True)
            fatal = exc.status not in self._policy.retry_statuses
            retry_after = exc.headers.get("Retry-After")
            return _Ending(f"status {exc.status}", exc, exc.status, retry_after, fatal=fatal)
        except APIConnectionError as exc:
            self._drop_connection(close=True)
            failure = _failure_of(exc)
            return _Ending("connection_error", exc, failure, fatal=failure is Failure.TLS)
        return None

    async def _plan_reconnect(self, ending: _Ending) -> None:
        """Decide the wait before the next attempt, report it, or give up (StreamError)."""
        self._reconnects += 1
        policy = self._policy
        server_retry = None
        if self._retry_s is not None:
            server_retry = min(self._retry_s, policy.retry_after_max)
        if ending.outcome is None:
            delay = server_retry if server_retry is not None else policy.initial_delay
        else:
            last_error = ending.error or _describe(ending.reason)
            self._failures += 1
            now = time.monotonic()
            if self._failures == 1:
                self._streak_start = now
            decision = decide_retry(
                policy,
                attempt=self._failures,
                elapsed=now - self._streak_start,
                outcome=ending.outcome,
                idempotent=True,
                retry_after=ending.retry_after,
            )
            if not decision.retry:
                raise StreamError(
                    f"stream {self._shown} could not be resumed: {decision.reason} "
                    f"(last error: {last_error})"
                ) from ending.error
            delay = decision.delay
            if server_retry is not None and parse_retry_after(ending.retry_after) is None:
                delay = max(delay, server_retry)
            # Why a floor: `retry: 0` or `Retry-After: 0` from a misbehaving server must not
            # make us spin; a policy that itself never waits (tests) keeps zero delays.
            floor = min(_MIN_FAILURE_DELAY, policy.max_delay)
            if policy.jitter:
                floor = min(floor * (1.0 + random.random()), policy.max_delay)
            delay = max(delay, floor)
        info = ReconnectInfo(
            attempt=self._reconnects,
            delay=delay,
            last_event_id=self._last_event_id,
            reason=ending.reason,
            error=ending.error,
            failures=self._failures,
        )
        logger.info(
            "stream %s: reconnect attempt %d in %.3fs, resuming after id %s (%s%s)",
            self._shown,
            info.attempt,
            delay,
            info.last_event_id or "<none>",
            ending.reason,
            f": {ending.error}" if ending.error is not None else "",
        )
        callback = self._on_reconnect
        if callback is not None:
            result = callback(info)
            if inspect.isawaitable(result):
                await result
        self._wait = delay

    async def _race(self, awaitable: Awaitable[T], timeout: float | None) -> T:
        """Await ``awaitable`` in a task, unless aclose() (-> _Closed) or ``timeout`` comes first.

        Why a task: aclose() from another task must interrupt a connect, a reconcile request or a
        wait promptly, and cancelling the consumer's own task instead would turn into a
        CancelledError for the caller. Only used around connects and waits, never per event.
        """
        loop = asyncio.get_running_loop()
        closed = self._closed_fut
        if closed is None:
            closed = self._closed_fut = loop.create_future()
        task = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait(
                (task, closed), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        except BaseException:
            task.cancel()
            task.add_done_callback(_discard)
            raise
        if task in done:
            return task.result()
        task.cancel()
        task.add_done_callback(_discard)
        if closed.done():
            raise _Closed
        raise asyncio.TimeoutError

    def _eof_ending(self) -> _Ending:
        """Why the connection whose body just ended cleanly ended: a failure unless it helped."""
        if self._conn_progress:
            return _Ending("eof")
        if self._loop_time() - self._conn_started >= _STEADY_CONNECTION:
            # Open for long without events: a quiet stream whose connection the server or a
            # proxy recycles. Not a spin, so not a failure; the server evidently works.
            self._failures = 0
            return _Ending("eof")
        # Nothing new on this connection (no bytes, heartbeats, duplicates): a failure, or a
        # server that closes at once (or after `retry: 0`) would make us reconnect forever.
        return _Ending("eof", outcome=Failure.CONNECTION)

    def _arm_idle(self) -> None:
        """Start the idle watchdog of the connection just adopted (see the module docstring)."""
        self._idle_fired = False
        idle = self._timeouts.idle
        loop = asyncio.get_running_loop()
        self._loop_time = loop.time
        self._conn_started = loop.time()
        self._read_since = None
        if idle is not None:
            # A weak reference: the timer must not keep an abandoned stream (and socket) alive.
            self._idle_handle = loop.call_at(
                self._conn_started + idle, _idle_check, weakref.ref(self)
            )

    def _idle_tick(self) -> None:
        """The watchdog fired: close a response whose read waited ``idle`` seconds, else re-arm.

        Only time spent *waiting in a read* counts: a consumer busy with buffered events is not
        a silent server (aiohttp's own timer, reset by every received byte, covers that case).
        """
        self._idle_handle = None
        resp = self._resp
        idle = self._timeouts.idle
        if resp is None or idle is None:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        since = self._read_since
        if since is not None and now >= since + idle:
            self._idle_fired = True
            resp.close()  # wakes a pending read (ClientConnectionError), even on a dead socket
            return
        due = (now if since is None else since) + idle
        self._idle_handle = loop.call_at(due, _idle_check, weakref.ref(self))

    def _drop_connection(self, *, close: bool) -> None:
        """Forget the current response: ``close`` it (unfinished) or ``release`` it (at EOF)."""
        handle = self._idle_handle
        if handle is not None:
            self._idle_handle = None
            handle.cancel()
        resp = self._resp
        self._resp = None
        if resp is not None:
            if close:
                resp.close()
            else:
                resp.release()

    def _remaining(self) -> float | None:
        if self._deadline_at is None:
            return None
        return max(0.0, self._deadline_at - asyncio.get_running_loop().time())

    def _check_deadline(self) -> None:
        if self._deadline_at is not None and self._remaining() == 0.0:
            raise self._deadline_error()

    def _deadline_error(self) -> APITimeoutError:
        return APITimeoutError(
            f"stream {self._shown} exceeded its deadline of {self._timeouts.deadline:g}s",
            method="GET",
            url=self._shown,
        )

    # -- hooks -------------------------------------------------------------------------------------

    def _start_connection(self) -> None:
        """Runs when a response is adopted, before ``_after_connect`` (per-connection state)."""

    async def _after_connect(self, reconnect: bool) -> None:
        """Runs once a connection is established (after its response headers arrived)."""

    async def _on_no_content(self) -> None:
        """Runs when the server answered 204 (the stream then ends)."""


def _idle_check(ref: weakref.ref[StreamConnection]) -> None:
    """Timer callback of the idle watchdog (holds the stream weakly)."""
    stream = ref()
    if stream is not None:
        stream._idle_tick()


def _describe(reason: str) -> str:
    """Words for a failure that carries no exception (a clean end without a new event)."""
    if reason == "eof":
        return "the server ended the stream without sending a new event"
    return reason


def _failure_of(exc: APIConnectionError) -> Failure:
    """The retry Failure kind of a connection error raised by the session (via its cause)."""
    cause = exc.__cause__
    if cause is not None:
        return classify_exception(cause)[0]
    return Failure.TIMEOUT if isinstance(exc, APITimeoutError) else Failure.CONNECTION


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    """Read at most ``_ERROR_BODY_LIMIT`` bytes of an error body, then release the response."""
    parts: list[bytes] = []
    size = 0
    try:
        while size < _ERROR_BODY_LIMIT:
            chunk = await resp.content.readany()
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        pass  # the status decides; a broken error body only shortens the message
    finally:
        if size >= _ERROR_BODY_LIMIT:
            resp.close()
        else:
            resp.release()
    return b"".join(parts)[:_ERROR_BODY_LIMIT]
