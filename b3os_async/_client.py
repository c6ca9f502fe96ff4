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

from b3os_async._errors import ConfigurationError
from b3os_async._retry import RetryPolicy, Timeout
from b3os_async._transport.raw import RawResponse
from b3os_async._transport.raw import with_raw_response as _with_raw_response

if TYPE_CHECKING:
    from collections.abc import Awaitable
    from types import TracebackType

    import aiohttp

    from b3os_async._transport.session import SessionManager
    from b3os_async.resources.activity import Activity
    from b3os_async.resources.runs import Runs
    from b3os_async.resources.workflows import Workflows

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
    not travel in clear over a network.
    """
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


def _from_env(value: str | None, name: str) -> str | None:
    if value is None:
        value = os.environ.get(name)
    return value or None


class B3OS:
    """The async B3OS client. Use it as ``async with B3OS() as b3: ...`` (or ``await b3.aclose()``).

    Arguments (each falls back to an environment variable where named):

    * ``api_key`` (``B3OS_API_KEY``): the bearer key (``b3sk_…``); required.
    * ``base_url`` (``B3OS_BASE_URL``, default ``https://api.b3os.org``): https only, except
      loopback hosts or ``allow_insecure_http=True``.
    * ``org_id`` (``B3OS_ORG_ID``): sent as ``X-Org-ID`` when set.
    * ``timeout``: a :class:`Timeout` or a number of seconds (the total per attempt).
    * ``retry``: a :class:`RetryPolicy` (default ``RetryPolicy()``).
    * ``max_connections``: size of the connection pool of requests (default 100).
    * ``max_streams``: size of the separate pool of event streams (default 1000). Streams hold
      their connection while followed, so they never take the connections requests need.
    * ``session``: a caller-owned ``aiohttp.ClientSession`` to use instead of our own, for
      requests and streams alike; we never close it (``max_connections`` and ``max_streams``
      then do not apply).
    * ``user_agent``: a product token put in front of ours in ``User-Agent``.

    One client serves many concurrent tasks; it belongs to the event loop it is first used in.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        org_id: str | None = None,
        timeout: Timeout | float | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 100,
        max_streams: int = 1000,
        session: aiohttp.ClientSession | None = None,
        user_agent: str | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        key = _from_env(api_key, "B3OS_API_KEY")
        if key is None:
            raise ConfigurationError(
                "no API key: pass B3OS(api_key='b3sk_…') or set the B3OS_API_KEY environment "
                "variable (create a key in the B3OS app under organization settings)"
            )
        if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
            raise ConfigurationError(
                "the API key contains spaces or non-printable characters; check B3OS_API_KEY"
            )
        url = check_base_url(
            _from_env(base_url, "B3OS_BASE_URL") or DEFAULT_BASE_URL,
            allow_insecure_http=allow_insecure_http,
        )
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, got {type(retry).__name__}")
        # Imported here, not at module level, so that `import b3os_async` does not load aiohttp.
        from b3os_async._transport.session import SessionManager

        self._session: SessionManager = SessionManager(
            api_key=key,
            base_url=url,
            org_id=_from_env(org_id, "B3OS_ORG_ID"),
            timeout=Timeout.coerce(timeout),
            retry=retry,
            max_connections=max_connections,
            max_streams=max_streams,
            session=session,
            user_agent=user_agent,
            created_at=_creation_site(),
        )

    @property
    def base_url(self) -> str:
        """The API base URL in use."""
        return self._session.base_url

    @property
    def org_id(self) -> str | None:
        """The organization sent as ``X-Org-ID``, or None."""
        return self._session.org_id

    @property
    def closed(self) -> bool:
        """True once :meth:`aclose` was called."""
        return self._session.closed

    def __repr__(self) -> str:
        return (
            f"B3OS(base_url={self.base_url!r}, org_id={self.org_id!r}, "
            f"api_key={self._session.key_hint!r})"
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
        """Close the connection pool (not a caller-owned session). Safe to call more than once."""
        await self._session.aclose()

    async def with_raw_response(self, awaitable: Awaitable[T]) -> RawResponse[T]:
        """Await an SDK call and return its result with status, headers, request id and timing.

        ``raw = await b3.with_raw_response(b3.workflows.get(wf_id))`` -> ``raw.parsed`` is the
        workflow, ``raw.meta`` a :class:`ResponseMeta`. Pass the coroutine, not a Task.
        """
        return await _with_raw_response(awaitable)

    @functools.cached_property
    def workflows(self) -> Workflows:
        """Workflows: create, update, publish, run, list, versions."""
        from b3os_async.resources.workflows import Workflows

        return Workflows(self._session)

    @functools.cached_property
    def runs(self) -> Runs:
        """Runs: get, list, cancel, stream."""
        from b3os_async.resources.runs import Runs

        return Runs(self._session)

    @functools.cached_property
    def activity(self) -> Activity:
        """Organization activity (feed and stream)."""
        from b3os_async.resources.activity import Activity

        return Activity(self._session)
