"""The lifecycle of a client's aiohttp sessions: created in the running loop, closed once.

Theory of operation
-------------------
Lifecycle: NEW -> OPEN -> CLOSED, one way only.

* NEW: nothing is allocated; constructing a client does no I/O and needs no event loop.
* OPEN: the first request creates the ``aiohttp.ClientSession`` (bounded ``TCPConnector`` pool,
  keep-alive, DNS cache) *inside the running loop* and binds the pools to that loop. aiohttp
  connections cannot move between loops, so a call from any other loop raises
  :class:`ConfigurationError` at once -- before aiohttp could fail with "Event loop is closed" or
  hang on a future of a dead loop. A caller-owned session (``B3OS(session=...)``) is bound to the
  loop of its first use and is never closed by us.
* CLOSED: ``aclose()`` (idempotent) closes the sessions we created; any later call raises
  :class:`ConfigurationError`. ``aclose()`` works from any loop: from the bound loop it closes
  normally; from another one (the bound loop is closed, or runs in another thread) it closes what
  can still be closed and drops the rest without warnings, so a client used from the wrong loop
  can still be shut down. Pools that opened a session and are garbage-collected without
  ``aclose()`` emit a ``ResourceWarning`` naming where the client was created (``__del__`` only
  warns; it schedules nothing).

Two pools: requests use the session of ``max_connections``; event streams get a second session of
``max_streams`` (:meth:`Pools.streams`), tracked weakly so that :meth:`Pools.aclose` can end them
first. Why a second pool: a stream holds its connection for as long as it is followed. Sharing the
request pool, ``max_connections`` open streams would leave no connection for the requests they
wait on -- e.g. 100 run handles (each pre-subscribed) whose trigger POSTs could never be sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
import weakref
from typing import Any

import aiohttp

from b3os_async._errors import ConfigurationError, ConfigurationTypeError

__all__ = ["Pools"]


class Pools:
    """Owns the aiohttp sessions of one client (see the module docs)."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_streams: int = 1000,
        session: aiohttp.ClientSession | None = None,
        created_at: str = "<unknown>",
        dns_cache_ttl: int = 300,
        keepalive_timeout: float = 15.0,
    ) -> None:
        if type(max_connections) is not int or max_connections < 1:
            raise ConfigurationError(f"max_connections must be >= 1, got {max_connections!r}")
        if type(max_streams) is not int or max_streams < 1:
            raise ConfigurationError(f"max_streams must be >= 1, got {max_streams!r}")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationTypeError(
                f"session must be an aiohttp.ClientSession, got {type(session).__name__}"
            )
        self._max_connections = max_connections
        self._max_streams = max_streams
        self._dns_cache_ttl = dns_cache_ttl
        self._keepalive_timeout = keepalive_timeout
        self._created_at = created_at
        self._owns_session = session is None
        self._session: aiohttp.ClientSession | None = session
        self._stream_session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        # The event streams of this client, weakly: aclose() ends the ones still open.
        self._streams: weakref.WeakSet[Any] = weakref.WeakSet()

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._closed

    @property
    def request_session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session of requests (None until the first request)."""
        return self._session

    @property
    def stream_session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session of event streams (None until the first stream; the caller's
        session when one was given)."""
        return self._session if not self._owns_session else self._stream_session

    def requests(self) -> aiohttp.ClientSession:
        """The session of requests, created in the running loop; refuses a closed or foreign use."""
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

    def streams(self) -> aiohttp.ClientSession:
        """The session of event streams: a second pool, bounded by ``max_streams``."""
        session = self.requests()
        if not self._owns_session:
            return session
        if self._stream_session is None:
            self._stream_session = self._new_session(self._max_streams)
        return self._stream_session

    def _new_session(self, limit: int) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=limit,
            limit_per_host=limit,
            ttl_dns_cache=self._dns_cache_ttl,
            keepalive_timeout=self._keepalive_timeout,
        )
        # Timeouts are passed per request (each call may have its own); none at session level.
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),  # an API client keeps no cookies
        )

    async def aclose(self) -> None:
        """Close the sessions we created (a caller-owned one is left open). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._close_streams()
        if not self._owns_session:
            return
        sessions = [s for s in (self._session, self._stream_session) if s is not None]
        bound = self._loop
        if bound is None or bound is asyncio.get_running_loop():
            for session in sessions:
                await session.close()
            return
        # Closed from another loop (see the module docs): the bound loop may run in another
        # thread (hand it the close) or be gone (its sockets died with it: drop the sessions).
        if bound.is_running() and not bound.is_closed():
            for session in sessions:
                future = asyncio.run_coroutine_threadsafe(session.close(), bound)
                await asyncio.wrap_future(future)
            return
        for session in sessions:
            _drop(session)

    def track_stream(self, stream: Any) -> None:
        """Remember an event stream (weakly) so that :meth:`aclose` ends it.

        ``stream`` has a synchronous ``_on_client_closed()``. Why: aiohttp, closing its session,
        drops an open streaming response's connection without waking a pending read, so a
        consumer would wait forever; closing the streams first wakes it with a clear error.
        """
        self._streams.add(stream)

    def _close_streams(self) -> None:
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


def _drop(session: aiohttp.ClientSession) -> None:
    """Close a session whose event loop is gone, synchronously and without warnings.

    Its connections belonged to the dead loop, so nothing can be awaited; the connector is marked
    closed (its sockets are released, errors of the dead loop ignored) and detached, which is
    what aiohttp's own ``close()`` would have left behind.
    """
    connector = session.connector
    if connector is not None:
        with contextlib.suppress(Exception):  # RuntimeError: "Event loop is closed"
            connector._close()  # private, but the only synchronous way; absent -> warning only
    session.detach()
