"""The :class:`B3OS` client facade: configuration (arguments + environment), lifecycle, resources.

Importing this module stays cheap: aiohttp is imported when the first client is constructed, and
each resource module when its property is first used.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import sys
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from b3os_async._areas import Areas
from b3os_async._errors import ConfigurationError, ConfigurationTypeError
from b3os_async._keyless import KEYLESS
from b3os_async._options import KEEP, CallOptions, Keep, check_header_value
from b3os_async._transport.limits import DEFAULT_MAX_RESPONSE_SIZE

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping
    from types import TracebackType

    import aiohttp

    from b3os_async._retry import RetryPolicy, Timeout
    from b3os_async._streams.config import ReconnectCallback, StreamTimeouts
    from b3os_async._streams.raw import RawEventStream
    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.raw import RawResponse
    from b3os_async._transport.session import Requester, SessionManager

__all__ = ["DEFAULT_BASE_URL", "B3OS", "check_base_url"]

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.b3os.org"

_HERE = os.path.dirname(os.path.abspath(__file__))
_OWN_FILES = frozenset(
    os.path.join(_HERE, *name.split("/"))
    for name in ("_client.py", "_transport/session.py", "_transport/pools.py")
)


def _is_loopback(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def check_base_url(base_url: str, *, allow_insecure_http: bool = False) -> str:
    """Validate ``base_url`` and return it without a trailing slash.

    Only ``https://`` is accepted, except plain ``http://`` to a loopback host (127.0.0.0/8,
    ``::1``, ``localhost``), or anywhere with ``allow_insecure_http=True``: the bearer key must
    not travel in clear over a network. Whitespace and control characters are refused: ``urlsplit``
    would silently drop a TAB or a newline while the raw string would still be sent.
    """
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string, got {type(base_url).__name__}")
    if any(c.isspace() or not c.isprintable() for c in base_url):
        raise ConfigurationError(
            f"invalid base_url {base_url!r}: it contains whitespace or control characters"
        )
    try:
        parts = urlsplit(base_url)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise ConfigurationError(f"invalid base_url {base_url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            f"invalid base_url {base_url!r}: expected https://host[:port][/prefix], "
            f"e.g. {DEFAULT_BASE_URL}"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError("base_url must not contain credentials; pass api_key instead")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"base_url {base_url!r} must not have a query or fragment")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(host):
        raise ConfigurationError(
            f"refusing plain http:// to {host}: the API key would travel unencrypted. Use "
            "https://, or pass allow_insecure_http=True if this network is trusted."
        )
    return base_url.rstrip("/")


def _creation_site(frames: int = 3) -> str:
    """Return ``file:line in func`` of the code that created the client (+ a few callers).

    Walks frame objects only (no source lines read), so it costs microseconds per client.
    """
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename in _OWN_FILES:
        frame = frame.f_back
    sites: list[str] = []
    current: Any = frame
    while current is not None and len(sites) < frames:
        code = current.f_code
        sites.append(f"{code.co_filename}:{current.f_lineno} in {code.co_name}")
        current = current.f_back
    return " <- ".join(sites)


def _checked_options(base: CallOptions, **changes: Any) -> CallOptions:
    """``base`` with ``changes``; a wrong setting is a ConfigurationError (before any I/O).

    The setting classes raise Python's own ``TypeError`` / ``ValueError`` (they are also built
    directly); here they become ours, a wrong type staying a ``TypeError`` too
    (:class:`ConfigurationTypeError`), so that ``except B3OSError`` sees every mistake.
    """
    try:
        return base.replace(**changes)
    except ConfigurationError:
        raise
    except TypeError as exc:
        raise ConfigurationTypeError(str(exc)) from None
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from None


def _from_env(value: str | None, name: str) -> str | None:
    if value is None:
        value = os.environ.get(name)
    return value or None


class B3OS(Areas):
    """The async B3OS client. Use it as ``async with B3OS() as b3: ...`` (or ``await b3.aclose()``).

    Arguments (each falls back to an environment variable where named):

    * ``api_key`` (``B3OS_API_KEY``): the bearer key (``b3sk_…``); required. A client without
      one, for the public routes only: ``B3OS.public(base_url=...)``.
    * ``base_url`` (``B3OS_BASE_URL``, default ``https://api.b3os.org``): https only, except
      loopback hosts or ``allow_insecure_http=True``.
    * ``org_id`` (``B3OS_ORG_ID``): sent as ``X-Org-ID`` when set.
    * ``timeout``: a :class:`Timeout` or a number of seconds (the total per attempt).
    * ``retry``: a :class:`RetryPolicy` for requests (default ``RetryPolicy()``).
    * ``stream_timeouts``, ``reconnect``, ``on_reconnect``, ``max_event_size``: the defaults of
      event streams (:class:`StreamTimeouts`; the reconnect budget, a ``RetryPolicy`` defaulting
      to 10 consecutive failures within 5 minutes; a callback taking a :class:`ReconnectInfo`;
      the largest event accepted, 16 MiB).
    * ``headers``: extra headers sent with every request and stream.
    * ``max_response_size``: the largest response body read, in bytes (default 64 MiB; ``None``:
      no limit). A larger one raises :class:`ResponseTooLargeError` without being read further.
    * ``max_connections``: size of the connection pool of requests (default 100).
    * ``max_streams``: size of the separate pool of event streams (default 1000). Streams hold
      their connection while followed, so they never take the connections requests need.
    * ``session``: a caller-owned ``aiohttp.ClientSession`` to use instead of our own, for
      requests and streams alike; we never close it (``max_connections`` and ``max_streams``
      then do not apply).
    * ``user_agent``: a product token put in front of ours in ``User-Agent``.

    Every setting from ``timeout`` to ``max_response_size`` can be changed for some calls only
    with :meth:`with_options`. One client serves many concurrent tasks; it belongs to the event loop
    it is first used in.
    """

    _manager: SessionManager
    _options: CallOptions
    _owner: bool

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        org_id: str | None = None,
        timeout: Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        stream_timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
        max_event_size: int | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_size: int | None = DEFAULT_MAX_RESPONSE_SIZE,
        max_connections: int = 100,
        max_streams: int = 1000,
        session: aiohttp.ClientSession | None = None,
        user_agent: str | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        keyless = api_key is KEYLESS  # B3OS.public(): no key, public routes only
        if api_key is not None and not isinstance(api_key, str):
            raise ConfigurationTypeError(f"api_key must be a string, got {type(api_key).__name__}")
        key = None if keyless else _from_env(api_key, "B3OS_API_KEY")
        if key is None and not keyless:
            raise ConfigurationError(
                "no API key: pass B3OS(api_key='b3sk_…') or set the B3OS_API_KEY environment "
                "variable (create a key in the B3OS app under organization settings)"
            )
        if key is not None and (
            not key.isascii() or not key.isprintable() or any(c.isspace() for c in key)
        ):
            raise ConfigurationError(
                "the API key contains spaces or non-printable characters; check B3OS_API_KEY"
            )
        if not isinstance(allow_insecure_http, bool):  # "no" would be truthy
            raise ConfigurationTypeError(
                f"allow_insecure_http must be True or False, got {allow_insecure_http!r}"
            )
        url = check_base_url(
            _from_env(base_url, "B3OS_BASE_URL") or DEFAULT_BASE_URL,
            allow_insecure_http=allow_insecure_http,
        )
        org = None if keyless else _from_env(org_id, "B3OS_ORG_ID")
        if org is not None:
            check_header_value("org_id (B3OS_ORG_ID)", org)
        if user_agent is not None:
            check_header_value("user_agent", user_agent)
        options = _checked_options(
            CallOptions(),
            timeout=timeout,
            retry=retry,
            headers=headers,
            stream_timeouts=stream_timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
            max_event_size=max_event_size,
            max_response_size=max_response_size,
        )
        # Imported here, not at module level, so that `import b3os_async` does not load aiohttp.
        from b3os_async._transport.pools import Pools
        from b3os_async._transport.session import SessionManager

        pools = Pools(
            max_connections=max_connections,
            max_streams=max_streams,
            session=session,
            created_at=_creation_site(),
        )
        self._manager = SessionManager(
            api_key=key, base_url=url, pools=pools, org_id=org, user_agent=user_agent
        )
        self._options = options
        self._owner = True

    @property
    def keyless(self) -> bool:
        """True for a client made by :meth:`public` (no API key: public routes only)."""
        return self._manager.keyless

    # -- configuration and lifecycle -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API base URL in use."""
        return self._manager.base_url

    @property
    def org_id(self) -> str | None:
        """The organization sent as ``X-Org-ID``, or None."""
        return self._manager.org_id

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called (on this client or the one it is a view of)."""
        return self._manager.pools.closed

    def __repr__(self) -> str:
        view = ("" if self._owner else ", view=True") + (", public=True" if self.keyless else "")
        return (
            f"B3OS(base_url={self.base_url!r}, org_id={self.org_id!r}, "
            f"api_key={self._manager.key_hint!r}{view})"
        )

    async def __aenter__(self) -> B3OS:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pools and end open streams. Safe to call more than once.

        A view made by :meth:`with_options` owns nothing: closing it does nothing (close the
        client it came from). Works from any event loop, also after the client was used from
        the wrong one, so that it can always be shut down without warnings.
        """
        if self._owner:
            await self._manager.pools.aclose()

    def with_options(
        self,
        *,
        timeout: Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        stream_timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
        max_event_size: int | None = None,
        max_response_size: int | Keep | None = KEEP,
    ) -> B3OS:
        """A view of this client with some settings replaced, for the calls made through it.

        ``await b3.with_options(timeout=120).runs.get(run_id)`` or
        ``b3.with_options(on_reconnect=log).runs.stream(run_id)``. The view shares this client's
        connection pools (it is cheap: keep it or make one per call); arguments left ``None``
        keep their current value, except ``max_response_size``, where ``None`` lifts the limit
        (leave it out to keep the current one); ``headers`` replaces the extra headers. Closing
        the view does nothing; close the original client.
        """
        view = object.__new__(B3OS)
        view._manager = self._manager
        view._options = _checked_options(
            self._options,
            timeout=timeout,
            retry=retry,
            headers=headers,
            stream_timeouts=stream_timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
            max_event_size=max_event_size,
            max_response_size=max_response_size,
        )
        view._owner = False
        return view

    @functools.cached_property
    def _requester(self) -> Requester:
        from b3os_async._transport.session import Requester

        return Requester(self._manager, self._options)

    # -- raw access --------------------------------------------------------------------------------

    async def with_raw_response(self, awaitable: Awaitable[T]) -> RawResponse[T]:
        """Await an SDK call and return its result with status, headers, request id and timing.

        ``raw = await b3.with_raw_response(b3.workflows.get(wf_id))`` -> ``raw.parsed`` is the
        workflow, ``raw.meta`` a :class:`ResponseMeta`. Pass the coroutine, not a Task.
        """
        from b3os_async._transport.raw import with_raw_response  # few programs use it

        return await with_raw_response(awaitable)

    async def request(
        self,
        method: str,
        path: str,
        *ids: str | int,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Call any endpoint, wrapped or not yet: the escape hatch. Returns the unwrapped JSON.

        ``await b3.request("GET", "/v1/workflows/{}/schedule", wf_id)``: each ``{}`` of ``path``
        takes one of ``ids``, percent-encoded as one path segment. ``json`` is the body (``None``:
        no body). Authentication, retries (GET, PUT, DELETE by default; pass ``idempotent=True``
        for a POST that is safe to resend), error mapping and :meth:`with_raw_response` work as
        for every wrapped call.
        """
        from b3os_async._transport.http import NOT_GIVEN
        from b3os_async._transport.paths import check_method
        from b3os_async._transport.paths import path as build_path

        return await self._requester.request(
            check_method(method),
            build_path(path, *ids),
            params=params,
            json=NOT_GIVEN if json is None else json,
            idempotent=idempotent,
        )

    def stream(
        self,
        path: str,
        *ids: str | int,
        params: Mapping[str, QueryValue] | None = None,
        last_event_id: str | None = None,
    ) -> RawEventStream:
        """Follow any Server-Sent Events endpoint, wrapped or not yet: the streaming escape hatch.

        ``async with b3.stream("/v1/activity/stream") as events: async for sse in events: ...``
        yields raw :class:`ServerSentEvent` s with the reconnect, resume and dedupe rules of every
        stream (``Last-Event-ID``, backoff, timeouts and ``on_reconnect`` from the client's
        settings or :meth:`with_options`). It runs until closed, a 204, or an error.
        """
        from b3os_async._streams.raw import RawEventStream
        from b3os_async._transport.paths import path as build_path

        return RawEventStream(
            self._requester, build_path(path, *ids), params=params, last_event_id=last_event_id
        )
