"""The lifecycle of a client's aiohttp sessions: created in the running loop, closed once.

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

Two pools: requests use the session of ``max_connections``; event streams get a second session
of ``max_streams`` (see :meth:`SessionBase._ensure_stream_session`), tracked weakly so that
:meth:`SessionBase.aclose` can end them first. The request loop is in
:mod:`b3os_async._transport.session`.
"""

from __future__ import annotations

import asyncio
import warnings
import weakref
from typing import Any

import aiohttp

from b3os_async._errors import ConfigurationError, redact_key
from b3os_async._retry import RetryPolicy, Timeout
from b3os_async._transport.http import client_timeout, default_user_agent

__all__ = ["SessionBase"]


class SessionBase:
    """Configuration and lifecycle of a client's aiohttp sessions (see the module docs).

    :class:`~b3os_async._transport.session.SessionManager` adds the requests. ``base_url`` must
    already be validated (scheme, host) by the caller.
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
            f"{type(self).__name__}(base_url={self._base_url!r}, org_id={self._org_id!r}, "
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
