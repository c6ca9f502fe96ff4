"""The session manager: one aiohttp session per client, and the request loop of every call.

Theory of operation
-------------------
Lifecycle: NEW -> OPEN -> CLOSED, one way only.

* NEW: nothing is allocated; constructing a client does no I/O and needs no event loop.
* OPEN: the first request creates the ``aiohttp.ClientSession`` (bounded ``TCPConnector`` pool,
  keep-alive, DNS cache) *inside the running loop* and binds the manager to that loop. aiohttp
  connections cannot move between loops, so a call from any other loop raises
  :class:`ConfigurationError` at once -- before aiohttp could fail with "Event loop is closed" or
  hang on a future of a dead loop. A caller-owned session (``B3OS(session=...)``) is bound to the
  loop of its first use and is never closed by us.
* CLOSED: ``aclose()`` (idempotent) closes the session we created; any later call raises
  :class:`ConfigurationError`. A manager that opened a session and is garbage-collected without
  ``aclose()`` emits a ``ResourceWarning`` naming where its client was created (``__del__`` only
  warns; it schedules nothing).

A request (:meth:`SessionManager.request`): build the URL from the base URL and an already-encoded
path (sent with ``yarl.URL(..., encoded=True)`` so nothing re-normalises ``%2F`` or ``%2E%2E``),
send, read the whole body inside ``async with`` (so the connection goes back to the pool, or is
closed, on every path: success, error status, exception, cancellation), then:

* failure (exception, or a status >= 300) -> classify -> :func:`~b3os_async._retry.decide_retry`
  (the pure rules: idempotency, attempts, time budget, ``Retry-After``) -> log the decision at
  debug level on logger ``b3os_async`` -> sleep and resend, or raise the mapped error carrying
  ``attempts``;
* success -> record :class:`~b3os_async._response.ResponseMeta` for ``with_raw_response`` ->
  decode JSON and unwrap the envelope (:mod:`b3os_async._response`).

Redirects are not followed (a redirect could carry the bearer key elsewhere); they surface as
:class:`APIStatusError`.

For the stream module: :meth:`SessionManager.open_stream` opens a raw streaming GET with the same
URL rules and headers (``Accept: text/event-stream``) and returns the response unread;
:func:`~b3os_async._http.raise_for_status`, :func:`~b3os_async._response.error_from_response` and
:func:`~b3os_async._retry.parse_retry_after` map its error statuses exactly as ``request`` does.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import time
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import aiohttp
import yarl

from b3os_async._errors import (
    APIStatusError,
    ConfigurationError,
    redact_key,
    redact_url,
)
from b3os_async._http import (
    NOT_GIVEN,
    QueryValue,
    build_query,
    classify_exception,
    client_timeout,
    default_user_agent,
    describe_exception,
    scrub_exception,
)
from b3os_async._response import (
    ResponseMeta,
    capturing,
    decode_body,
    error_from_response,
    record_response,
)
from b3os_async._retry import (
    IDEMPOTENT_METHODS,
    Outcome,
    RetryDecision,
    RetryPolicy,
    Timeout,
    decide_retry,
    parse_retry_after,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["SessionManager"]

logger = logging.getLogger("b3os_async")


class SessionManager:
    """Owns the aiohttp session of one client and performs every request (see module docs).

    Created by :class:`~b3os_async.B3OS`; resources, pagers and streams receive it. ``base_url``
    must already be validated (scheme, host) by the caller.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        org_id: str | None = None,
        timeout: Timeout | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
        max_streams: int = 1000,
        session: aiohttp.ClientSession | None = None,
        user_agent: str | None = None,
        created_at: str = "<unknown>",
        dns_cache_ttl: int = 300,
        keepalive_timeout: float = 15.0,
    ) -> None:
        if max_connections < 1:
            raise ConfigurationError(f"max_connections must be >= 1, got {max_connections}")
        if max_streams < 1:
            raise ConfigurationError(f"max_streams must be >= 1, got {max_streams}")
        self._key_hint = redact_key(api_key)
        self._base_url = base_url.rstrip("/")
        self._org_id = org_id
        self._timeout = timeout or Timeout()
        self._client_timeout = client_timeout(self._timeout)  # built once: used by every call
        self._retry = retry or RetryPolicy()
        self._max_connections = max_connections
        self._max_streams = max_streams
        self._dns_cache_ttl = dns_cache_ttl
        self._keepalive_timeout = keepalive_timeout
        self._created_at = created_at
        self._headers: dict[str, str] = {
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "User-Agent": default_user_agent(user_agent),
        }
        if org_id:
            self._headers["X-Org-ID"] = org_id
        self._owns_session = session is None
        self._session: aiohttp.ClientSession | None = session
        # Event streams get their own pool (see _ensure_stream_session); None until the first one.
        self._stream_session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        # The event streams of this client, weakly: aclose() ends the ones still open.
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()

    # -- state ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API base URL, without a trailing slash."""
        return self._base_url

    @property
    def org_id(self) -> str | None:
        """The organization sent as ``X-Org-ID``, if any."""
        return self._org_id

    @property
    def key_hint(self) -> str:
        """The API key in display form (``b3sk_…`` + last 4 characters)."""
        return self._key_hint

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy applied to every request."""
        return self._retry

    @property
    def timeout(self) -> Timeout:
        """The per-attempt timeout applied to every request."""
        return self._timeout

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._closed

    @property
    def client_session(self) -> aiohttp.ClientSession | None:
        """The underlying aiohttp session (None until the first request); for tests and streams."""
        return self._session

    @property
    def stream_session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session of event streams (None until the first stream; the caller's
        session when one was given)."""
        return self._session if not self._owns_session else self._stream_session

    def __repr__(self) -> str:
        return (
            f"SessionManager(base_url={self._base_url!r}, org_id={self._org_id!r}, "
            f"api_key={self._key_hint!r}, closed={self._closed})"
        )

    def _ensure_open(self) -> aiohttp.ClientSession:
        """Return the session, creating it in the running loop; refuse a closed or foreign state."""
        if self._closed:
            raise ConfigurationError(
                "this B3OS client is closed (aclose() was called); create a new client"
            )
        loop = asyncio.get_running_loop()
        if self._loop is None:
            # A caller-owned session already belongs to a loop (aiohttp keeps it as `_loop`).
            self._loop = getattr(self._session, "_loop", None) or loop
        if self._loop is not loop:
            gone = " (that loop is closed)" if self._loop.is_closed() else ""
            raise ConfigurationError(
                "this B3OS client is used from a different event loop than the one it made its "
                f"first request in{gone}; its connections cannot move between loops. Create one "
                "client per event loop (e.g. inside asyncio.run(), a lifespan or a fixture)."
            )
        if self._session is None:
            self._session = self._new_session(self._max_connections)
        elif self._session.closed:
            raise ConfigurationError(
                "the aiohttp session of this B3OS client was closed by someone else; "
                "create a new client (and close a caller-owned session only after the client)"
            )
        return self._session

    def _new_session(self, limit: int) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=limit,
            limit_per_host=limit,
            ttl_dns_cache=self._dns_cache_ttl,
            keepalive_timeout=self._keepalive_timeout,
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=self._client_timeout,
            cookie_jar=aiohttp.DummyCookieJar(),  # an API client keeps no cookies
        )

    def _ensure_stream_session(self) -> aiohttp.ClientSession:
        """The session event streams use: a second pool, bounded by ``max_streams``.

        Why a second pool: a stream holds its connection for as long as it is followed. Sharing
        the request pool, ``max_connections`` open streams would leave no connection for the
        requests they wait on -- e.g. 100 run handles (each pre-subscribed) whose trigger POSTs
        could then never be sent. A caller-owned session is used for both (its pool, its call).
        """
        session = self._ensure_open()
        if not self._owns_session:
            return session
        if self._stream_session is None:
            self._stream_session = self._new_session(self._max_streams)
        return self._stream_session

    async def aclose(self) -> None:
        """Close the sessions we created (a caller-owned one is left open). Idempotent."""
        if self._closed:
            return
        sessions = [s for s in (self._session, self._stream_session) if s is not None]
        if self._owns_session and any(not s.closed for s in sessions):
            if asyncio.get_running_loop() is not self._loop:
                raise ConfigurationError(
                    "aclose() must be awaited in the event loop this B3OS client was used in"
                )
            self._closed = True
            self._close_streams()
            for session in sessions:
                await session.close()
        self._closed = True
        self._close_streams()

    def track_stream(self, stream: Any) -> None:
        """Remember an event stream (weakly) so that :meth:`aclose` ends it.

        ``stream`` has a synchronous ``_on_client_closed()``. Why: aiohttp, closing its session,
        drops an open streaming response's connection without waking a pending read, so a
        consumer would wait forever; closing the streams first wakes it with a clear error.
        """
        self._streams.add(stream)

    def _close_streams(self) -> None:
        """End every tracked stream that is still open (their consumers raise at once)."""
        streams = list(self._streams)
        self._streams.clear()
        for stream in streams:
            stream._on_client_closed()

    def __del__(self) -> None:
        # Only a warning: a finalizer must not schedule I/O (the loop may be gone or closing).
        if (
            getattr(self, "_owns_session", False)
            and getattr(self, "_session", None) is not None
            and not getattr(self, "_closed", True)
        ):
            warnings.warn(
                "unclosed B3OS client: use 'async with B3OS(...)' or 'await client.aclose()'. "
                f"Created at {self._created_at}",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    # -- requests ------------------------------------------------------------------------------

    def url_for(self, path: str, params: Mapping[str, QueryValue] | None = None) -> yarl.URL:
        """Join the base URL and an already-encoded ``path`` (+ query) without re-normalising."""
        if not path.startswith("/"):
            raise ConfigurationError(f"request paths must start with '/', got {path!r}")
        query = build_query(params)
        return yarl.URL(self._base_url + path + ("?" + query if query else ""), encoded=True)

    def _request_headers(
        self, extra: Mapping[str, str] | None, accept: str | None
    ) -> dict[str, str]:
        headers = dict(self._headers)
        if accept is not None:
            headers["Accept"] = accept
        if extra:
            headers.update(extra)
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = NOT_GIVEN,
        idempotent: bool | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeout | None = None,
    ) -> Any:
        """Send a request with retries; return the unwrapped ``data`` (or bare body, or None).

        ``path`` comes from :func:`b3os_async._paths.path` (ids already encoded). ``json`` is the
        body (``NOT_GIVEN``: none). ``idempotent`` None means "by method" (GET, PUT, DELETE, HEAD);
        pass True for a POST that is safe to resend. ``headers``/``timeout`` override per call.
        Raises the :mod:`b3os_async._errors` classes, never aiohttp's.
        """
        method = method.upper()
        url = self.url_for(path, params)
        shown = redact_url(url)
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        data: bytes | None = None
        req_headers = self._request_headers(headers, accept=None)
        if json is not NOT_GIVEN:
            data = jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
            req_headers.setdefault("Content-Type", "application/json")
        per_attempt = self._client_timeout if timeout is None else client_timeout(timeout)
        # Only a body-less write needs it; a GET never gets a Content-Type (and skipping it costs).
        skip_headers = ("Content-Type",) if data is None and method not in ("GET", "HEAD") else None
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            session = self._ensure_open()  # again per attempt: the client may close meanwhile
            try:
                async with session.request(
                    method,
                    url,
                    data=data,
                    headers=req_headers,
                    timeout=self._attempt_timeout(per_attempt, attempt, started),
                    allow_redirects=False,
                    # else aiohttp labels an empty PUT/POST "application/octet-stream"
                    skip_auto_headers=skip_headers,
                ) as resp:
                    body = await resp.read()
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                failure, error_cls = classify_exception(exc)
                decision = self._decide(method, shown, attempt, started, failure, safe, None)
                if not decision.retry:
                    raise error_cls(
                        f"{method} {shown} failed: {describe_exception(exc)}. Not retried further: "
                        f"{decision.reason}. Check the network and base_url ({self._base_url}).",
                        method=method,
                        url=shown,
                        attempts=attempt,
                    ) from scrub_exception(exc)
            else:
                if resp.status < 300:
                    break
                hint = resp.headers.get("Retry-After")
                decision = self._decide(method, shown, attempt, started, resp.status, safe, hint)
                if not decision.retry:
                    break
            await asyncio.sleep(decision.delay)
        return self._finish(resp, body, method, shown, attempt, time.monotonic() - started)

    def _attempt_timeout(
        self, per_attempt: aiohttp.ClientTimeout, attempt: int, started: float
    ) -> aiohttp.ClientTimeout:
        """The timeout of one attempt: a retry never runs past the policy's ``max_elapsed``.

        The first attempt gets the full configured timeout; a retry gets at most what is left of
        the total time budget, so ``max_elapsed`` bounds the whole call, waits and attempts alike.
        """
        if attempt == 1:
            return per_attempt
        remaining = max(self._retry.max_elapsed - (time.monotonic() - started), 0.001)
        if per_attempt.total is not None and per_attempt.total <= remaining:
            return per_attempt
        return aiohttp.ClientTimeout(
            total=remaining, connect=per_attempt.connect, sock_read=per_attempt.sock_read
        )

    def _decide(
        self,
        method: str,
        shown: str,
        attempt: int,
        started: float,
        outcome: Outcome,
        idempotent: bool,
        retry_after: str | None,
    ) -> RetryDecision:
        """Ask the pure retry rules about a failed attempt and log the answer (debug level)."""
        decision = decide_retry(
            self._retry,
            attempt=attempt,
            elapsed=time.monotonic() - started,
            outcome=outcome,
            idempotent=idempotent,
            retry_after=retry_after,
        )
        # The reason names what failed and, when retrying, the delay and where it came from.
        verdict = "retrying" if decision.retry else "not retrying"
        logger.debug("%s %s attempt %d: %s (%s)", method, shown, attempt, decision.reason, verdict)
        return decision

    def _finish(
        self,
        resp: aiohttp.ClientResponse,
        body: bytes,
        method: str,
        shown: str,
        attempt: int,
        elapsed: float,
    ) -> Any:
        """Record the final response for raw access, then raise its error or return its data."""
        status, headers = resp.status, resp.headers
        logger.debug("%s %s -> %d in %.3fs (attempt %d)", method, shown, status, elapsed, attempt)
        error: APIStatusError | None = None
        result: Any = None
        if status >= 300:
            error = error_from_response(
                status=status,
                reason=resp.reason,
                headers=headers,
                body=body,
                method=method,
                url=shown,
                attempts=attempt,
                retry_after=parse_retry_after(headers.get("Retry-After")),
            )
            request_id = error.request_id
        else:
            result, request_id = decode_body(
                body,
                status=status,
                content_type=headers.get("Content-Type"),
                method=method,
                url=shown,
                request_id=headers.get("X-Request-ID"),  # aiohttp headers ignore case
            )
        if capturing():  # only with_raw_response() reads it: don't build it for nothing
            record_response(
                ResponseMeta(
                    status=status,
                    headers=headers,
                    request_id=request_id,
                    retries_taken=attempt - 1,
                    elapsed=elapsed,
                    method=method,
                    url=shown,
                )
            )
        if error is not None:
            raise error
        return result

    async def open_stream(
        self,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> aiohttp.ClientResponse:
        """Open a streaming GET (``Accept: text/event-stream``) and return the response UNREAD.

        One attempt, no retries, no status check: the caller owns the response and must release
        it (``resp.release()`` / ``resp.close()`` in ``finally``); call :func:`raise_for_status`
        for statuses >= 300. ``headers`` adds e.g. ``Last-Event-ID``. ``timeout`` defaults to
        the client's connect limit with no total and no read limit (the stream loop watches
        idleness itself). Connection failures raise :class:`APIConnectionError` /
        :class:`APITimeoutError` (``attempts=1``).
        """
        url = self.url_for(path, params)
        req_headers = self._request_headers(headers, accept="text/event-stream")
        req_headers.setdefault("Cache-Control", "no-cache")
        if timeout is None:
            timeout = aiohttp.ClientTimeout(total=None, connect=self._timeout.connect)
        session = self._ensure_stream_session()
        try:
            resp = await session.get(
                url, headers=req_headers, timeout=timeout, allow_redirects=False
            )
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            _, error_cls = classify_exception(exc)
            shown = redact_url(url)
            raise error_cls(
                f"GET {shown} (stream) failed: {describe_exception(exc)}",
                method="GET",
                url=shown,
                attempts=1,
            ) from scrub_exception(exc)
        logger.debug("GET %s (stream) -> %d", redact_url(url), resp.status)
        return resp
