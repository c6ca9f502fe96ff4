"""The session manager: the request loop of every call, and the raw opening of event streams.

Theory of operation
-------------------
:class:`SessionManager` holds what is fixed for a client (base URL, credentials, default headers)
and its :class:`~b3os_async._transport.pools.Pools` (the aiohttp sessions and their lifecycle).
Everything that may change per call -- timeout, retry policy, extra headers, stream settings --
comes in a :class:`~b3os_async._options.CallOptions` value; resources, pagers and streams hold a
:class:`Requester`, the manager bound to one such value.

A request (:meth:`SessionManager.request`): build the URL from the base URL and an already-encoded
path (sent with ``yarl.URL(..., encoded=True)`` so nothing re-normalises ``%2F`` or ``%2E%2E``),
send, read the body inside ``async with`` (so the connection goes back to the pool, or is closed,
on every path: success, error status, exception, cancellation) -- at most ``max_response_size``
bytes of a 2xx body (:class:`ResponseTooLargeError` beyond), the first 64 KiB of an error body
(:mod:`b3os_async._transport.body`) -- then:

* failure (exception, or a status >= 300) -> classify -> :func:`~b3os_async._retry.decide_retry`
  (the pure rules: idempotency, attempts, time budget, ``Retry-After``) -> log the decision at
  debug level on logger ``b3os_async`` -> sleep and resend, or raise the mapped error carrying
  ``attempts``. A retry never runs past the policy's ``max_elapsed`` (its timeout is cut to what
  is left);
* success -> record :class:`~b3os_async._transport.raw.ResponseMeta` for ``with_raw_response`` ->
  decode JSON and unwrap the envelope (:mod:`b3os_async._transport.envelope`).

Bodies are encoded by :func:`~b3os_async._transport.json_encoder.encode_json` before anything is
sent (a value that cannot be JSON is a :class:`ConfigurationError` naming its field), and every
aiohttp exception is scrubbed of credentials before it is chained (:func:`scrub_exception`).

Redirects are not followed (a redirect could carry the bearer key elsewhere); they surface as
:class:`APIStatusError`.

Streams: :meth:`SessionManager.open_stream` opens one raw streaming request with the same URL
rules and headers (``Accept: text/event-stream``), no retries, and returns the response unread:
the stream machinery (:mod:`b3os_async._streams`) owns its reconnect rules.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import yarl

from b3os_async._errors import APIStatusError, ConfigurationError, redact_key, redact_url
from b3os_async._retry import (
    IDEMPOTENT_METHODS,
    Outcome,
    RetryDecision,
    Timeout,
    decide_retry,
    parse_retry_after,
)
from b3os_async._transport.body import read_error_body, read_success_body
from b3os_async._transport.capture import capturing, record_response
from b3os_async._transport.envelope import decode_body
from b3os_async._transport.errors import error_from_response
from b3os_async._transport.http import (
    NOT_GIVEN,
    QueryValue,
    build_query,
    classify_exception,
    default_user_agent,
    describe_exception,
    scrub_exception,
)
from b3os_async._transport.json_encoder import encode_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async._options import CallOptions
    from b3os_async._transport.pools import Pools

__all__ = ["Requester", "SessionManager", "client_timeout"]

logger = logging.getLogger("b3os_async")


@functools.lru_cache(maxsize=64)
def client_timeout(timeout: Timeout) -> aiohttp.ClientTimeout:
    """Map our :class:`Timeout` to ``aiohttp.ClientTimeout`` (``read`` is ``sock_read``).

    Cached: a client's timeouts are a handful of frozen values used on every request.
    """
    return aiohttp.ClientTimeout(
        total=timeout.total, connect=timeout.connect, sock_read=timeout.read
    )


class SessionManager:
    """Sends every request of one client (see the module docs).

    Created by :class:`~b3os_async.B3OS`. ``base_url`` must already be validated (scheme, host).
    """

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str,
        pools: Pools,
        org_id: str | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.pools = pools
        self._key_hint = redact_key(api_key)
        self._base_url = base_url.rstrip("/")
        self._org_id = org_id
        self._headers: dict[str, str] = {
            "Accept": "application/json",
            "User-Agent": default_user_agent(user_agent),
        }
        # api_key None: a keyless client (B3OS.public()) that may call the public routes only.
        self.keyless = api_key is None
        if api_key is not None:
            self._headers["Authorization"] = f"Bearer {api_key}"
        if org_id:
            self._headers["X-Org-ID"] = org_id

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

    def __repr__(self) -> str:
        return (
            f"SessionManager(base_url={self._base_url!r}, org_id={self._org_id!r}, "
            f"api_key={self._key_hint!r}, closed={self.pools.closed})"
        )

    def url_for(self, path: str, params: Mapping[str, QueryValue] | None = None) -> yarl.URL:
        """Join the base URL and an already-encoded ``path`` (+ query) without re-normalising.

        A keyless client refuses any path but a public one here, before any request is sent.
        """
        if not path.startswith("/"):
            raise ConfigurationError(f"request paths must start with '/', got {path!r}")
        if self.keyless and not is_public_path(path):
            raise ConfigurationError(
                f"{path.split('?')[0]} needs an API key: this client was made by B3OS.public() "
                "and can call only the public routes (b3.public.*, public templates). Use "
                "B3OS(api_key=...) for everything else."
            )
        query = build_query(params)
        return yarl.URL(self._base_url + path + ("?" + query if query else ""), encoded=True)

    def _headers_for(self, options: CallOptions, accept: str | None) -> dict[str, str]:
        headers = dict(self._headers)
        if accept is not None:
            headers["Accept"] = accept
        if options.headers:
            headers.update(options.headers)
        return headers

    # -- requests ------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        options: CallOptions,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = NOT_GIVEN,
        idempotent: bool | None = None,
    ) -> Any:
        """Send a request with retries; return the unwrapped ``data`` (or bare body, or None).

        ``path`` comes from :func:`b3os_async._transport.paths.path` (ids already encoded).
        ``json`` is the body (``NOT_GIVEN``: none). ``idempotent`` None means "by method" (GET,
        PUT, DELETE, HEAD); pass True for a POST that is safe to resend. Raises the
        :mod:`b3os_async._errors` classes, never aiohttp's.
        """
        method = method.upper()
        url = self.url_for(path, params)
        shown = redact_url(url)
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        data: bytes | None = None
        req_headers = self._headers_for(options, None)
        if json is not NOT_GIVEN:
            data = encode_json(json)
            req_headers.setdefault("Content-Type", "application/json")
        policy = options.retry
        max_size = options.max_response_size
        per_attempt = client_timeout(options.timeout)
        # Only a body-less write needs it; a GET never gets a Content-Type (and skipping it costs).
        skip_headers = ("Content-Type",) if data is None and method not in ("GET", "HEAD") else None
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            session = self.pools.requests()  # again per attempt: the client may close meanwhile
            if attempt > 1:
                per_attempt = _retry_timeout(per_attempt, policy.max_elapsed, started)
            try:
                async with session.request(
                    method,
                    url,
                    data=data,
                    headers=req_headers,
                    timeout=per_attempt,
                    allow_redirects=False,
                    # else aiohttp labels an empty PUT/POST "application/octet-stream"
                    skip_auto_headers=skip_headers,
                ) as resp:
                    if resp.status < 300:
                        body = await read_success_body(resp, max_size, method=method, url=shown)
                    else:
                        body = await read_error_body(resp)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                failure, error_cls = classify_exception(exc)
                decision = _decide(policy, method, shown, attempt, started, failure, safe, None)
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
                decision = _decide(policy, method, shown, attempt, started, resp.status, safe, hint)
                if not decision.retry:
                    break
            await asyncio.sleep(decision.delay)
        return _finish(resp, body, method, shown, attempt, time.monotonic() - started)

    async def open_stream(
        self,
        path: str,
        options: CallOptions,
        *,
        method: str = "GET",
        params: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = NOT_GIVEN,
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> aiohttp.ClientResponse:
        """Open one streaming request (``Accept: text/event-stream``); return the response UNREAD.

        One attempt, no retries, no status check: the caller owns the response and must release
        it. ``headers`` adds e.g. ``Last-Event-ID``; ``json`` is a body (chat streams POST one).
        Connection failures raise :class:`APIConnectionError` / :class:`APITimeoutError`.
        """
        url = self.url_for(path, params)
        req_headers = self._headers_for(options, "text/event-stream")
        req_headers.setdefault("Cache-Control", "no-cache")
        if headers:
            req_headers.update(headers)
        data: bytes | None = None
        if json is not NOT_GIVEN:
            data = encode_json(json)
            req_headers.setdefault("Content-Type", "application/json")
        if timeout is None:
            timeout = aiohttp.ClientTimeout(total=None, connect=options.timeout.connect)
        session = self.pools.streams()
        try:
            resp = await session.request(
                method, url, data=data, headers=req_headers, timeout=timeout, allow_redirects=False
            )
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            _, error_cls = classify_exception(exc)
            shown = redact_url(url)
            raise error_cls(
                f"{method} {shown} (stream) failed: {describe_exception(exc)}",
                method=method,
                url=shown,
                attempts=1,
            ) from scrub_exception(exc)
        logger.debug("%s %s (stream) -> %d", method, redact_url(url), resp.status)
        return resp


_PUBLIC_TEMPLATE = re.compile(r"/v1/templates/[^/?#]+")
# An organization's public metadata and public templates (organizations area).
_PUBLIC_ORGANIZATION = re.compile(r"/v1/organizations/[^/?#]+/(public|templates/public)(\?.*)?")


def is_public_path(path: str) -> bool:
    """Whether ``path`` (already encoded) is a route B3OS serves without an API key.

    ``/v1/public/…``, ``/v1/templates/{id}`` (public templates; the sibling
    ``/v1/templates/recommended`` is personal and needs a key), and an organization's
    ``/public`` metadata and ``/templates/public``.
    """
    if path.startswith("/v1/public/") or _PUBLIC_ORGANIZATION.fullmatch(path):
        return True
    return _PUBLIC_TEMPLATE.fullmatch(path) is not None and path != "/v1/templates/recommended"


class Requester:
    """What resources, pagers and streams talk to: the session manager bound to one client
    view's :class:`~b3os_async._options.CallOptions` (see ``B3OS.with_options``)."""

    __slots__ = ("manager", "options")

    def __init__(self, manager: SessionManager, options: CallOptions) -> None:
        self.manager = manager
        self.options = options

    def __repr__(self) -> str:
        return f"Requester({self.manager!r})"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = NOT_GIVEN,
        idempotent: bool | None = None,
    ) -> Any:
        """:meth:`SessionManager.request` with this view's options."""
        return await self.manager.request(
            method, path, self.options, params=params, json=json, idempotent=idempotent
        )

    def with_options(self, **changes: Any) -> Requester:
        """A requester whose options have ``changes`` (e.g. a longer timeout for one call)."""
        return Requester(self.manager, self.options.replace(**changes))


def _retry_timeout(
    per_attempt: aiohttp.ClientTimeout, max_elapsed: float, started: float
) -> aiohttp.ClientTimeout:
    """The timeout of a retry: at most what is left of ``max_elapsed`` since the first attempt.

    The first attempt gets the full configured timeout; a retry gets at most what is left of the
    total time budget, so ``max_elapsed`` bounds the whole call, waits and attempts alike.
    """
    remaining = max(max_elapsed - (time.monotonic() - started), 0.001)
    if per_attempt.total is not None and per_attempt.total <= remaining:
        return per_attempt
    return aiohttp.ClientTimeout(
        total=remaining, connect=per_attempt.connect, sock_read=per_attempt.sock_read
    )


def _decide(
    policy: Any,
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
        policy,
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
        from b3os_async._transport.raw import ResponseMeta  # loaded by with_raw_response already

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
