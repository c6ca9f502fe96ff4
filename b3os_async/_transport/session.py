"""The session manager: the request loop of every call, over the sessions of SessionBase.

Theory of operation
-------------------
The sessions' lifecycle (NEW -> OPEN -> CLOSED, one event loop, a second pool for streams) is
stated in :mod:`b3os_async._transport.pools`.

A request (:meth:`SessionManager.request`): build the URL from the base URL and an already-encoded
path (sent with ``yarl.URL(..., encoded=True)`` so nothing re-normalises ``%2F`` or ``%2E%2E``),
send, read the whole body inside ``async with`` (so the connection goes back to the pool, or is
closed, on every path: success, error status, exception, cancellation), then:

* failure (exception, or a status >= 300) -> classify -> :func:`~b3os_async._retry.decide_retry`
  (the pure rules: idempotency, attempts, time budget, ``Retry-After``) -> log the decision at
  debug level on logger ``b3os_async`` -> sleep and resend, or raise the mapped error carrying
  ``attempts``;
* success -> record :class:`~b3os_async._transport.raw.ResponseMeta` for ``with_raw_response`` ->
  decode JSON and unwrap the envelope (:mod:`b3os_async._transport.envelope`).

Redirects are not followed (a redirect could carry the bearer key elsewhere); they surface as
:class:`APIStatusError`.

For the stream module: :meth:`SessionManager.open_stream` opens a raw streaming GET with the same
URL rules and headers (``Accept: text/event-stream``) and returns the response unread;
:func:`~b3os_async._transport.errors.error_from_response` and
:func:`~b3os_async._retry.parse_retry_after` map its error statuses exactly as ``request`` does.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import yarl

from b3os_async._errors import (
    APIStatusError,
    ConfigurationError,
    redact_url,
)
from b3os_async._retry import (
    IDEMPOTENT_METHODS,
    Outcome,
    RetryDecision,
    Timeout,
    decide_retry,
    parse_retry_after,
)
from b3os_async._transport.envelope import decode_body
from b3os_async._transport.errors import error_from_response
from b3os_async._transport.http import (
    NOT_GIVEN,
    QueryValue,
    build_query,
    classify_exception,
    client_timeout,
    describe_exception,
    scrub_exception,
)
from b3os_async._transport.pools import SessionBase
from b3os_async._transport.raw import ResponseMeta, capturing, record_response

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["SessionManager"]

logger = logging.getLogger("b3os_async")


class SessionManager(SessionBase):
    """Owns the aiohttp session of one client and performs every request (see module docs).

    Created by :class:`~b3os_async.B3OS`; resources, pagers and streams receive it. ``base_url``
    must already be validated (scheme, host) by the caller.
    """

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

        ``path`` comes from :func:`b3os_async._transport.paths.path` (ids already encoded).
        ``json`` is the body (``NOT_GIVEN``: none). ``idempotent`` None means "by method" (GET,
        PUT, DELETE, HEAD); pass True for a POST that is safe to resend. ``headers`` and
        ``timeout`` override per call.
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
