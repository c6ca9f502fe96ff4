"""aiohttp glue shared by the session manager and the stream module.

Pure helpers with no state: query-string encoding, the User-Agent, and the classification and
scrubbing of transport exceptions.
"""

from __future__ import annotations

import asyncio
import enum
import re
import sys
from collections.abc import Mapping, Sequence
from urllib.parse import quote

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from b3os_async._errors import APIConnectionError, APITimeoutError
from b3os_async._retry import Failure
from b3os_async._version import __version__

__all__ = [
    "NOT_GIVEN",
    "QueryValue",
    "build_query",
    "classify_exception",
    "default_user_agent",
    "describe_exception",
    "scrub_exception",
]


class _NotGiven(enum.Enum):
    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: "No JSON body" (distinct from ``None``, which is sent as JSON ``null``).
NOT_GIVEN = _NotGiven.NOT_GIVEN

QueryScalar = str | int | float | bool
#: A query parameter value: None is dropped, a sequence repeats the key, bools are true/false.
QueryValue = QueryScalar | Sequence[QueryScalar] | None


# Text that percent-encoding leaves as it is (what `quote(text, safe="")` never changes).
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


_ENCODED_KEYS: dict[str, str] = {}


def _query_text(value: QueryScalar) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _encode(text: str) -> str:
    # Most keys and values (ids, statuses, numbers) need no escaping: skip quote() for them.
    return text if _UNRESERVED(text) else quote(text, safe="")


def build_query(params: Mapping[str, QueryValue] | None) -> str:
    """Encode query parameters (None dropped, sequences repeated, bools as ``true``/``false``).

    The result equals ``urlencode(pairs, quote_via=quote, safe="")``, built without it: this runs
    on every request, so ints (always safe) and strings take the shortest path, and encoded keys
    (a small, fixed set: the resources' parameter names) are remembered.
    """
    if not params:
        return ""
    parts: list[str] = []
    append = parts.append
    for key, value in params.items():
        if value is None:
            continue
        name = _ENCODED_KEYS.get(key)
        if name is None:
            name = _encode(key)
            if len(_ENCODED_KEYS) < 256:
                _ENCODED_KEYS[key] = name
        kind = type(value)
        if kind is int:  # not bool (its type is bool) nor IntEnum (its own type)
            append(f"{name}={value}")
        elif kind is str:
            append(f"{name}={_encode(value)}")  # type: ignore[arg-type]
        elif isinstance(value, (list, tuple, set, frozenset)):
            parts.extend(f"{name}={_encode(_query_text(v))}" for v in value)
        else:
            append(f"{name}={_encode(_query_text(value))}")  # type: ignore[arg-type]
    return "&".join(parts)


def default_user_agent(extra: str | None = None) -> str:
    """``b3os-async/<version> python/<x.y> aiohttp/<x.y>``, preceded by ``extra`` when given."""
    aiohttp_xy = ".".join(aiohttp.__version__.split(".")[:2])
    ours = (
        f"b3os-async/{__version__} python/{sys.version_info[0]}.{sys.version_info[1]} "
        f"aiohttp/{aiohttp_xy}"
    )
    return f"{extra} {ours}" if extra else ours


# aiohttp >= 3.10 tells a connect timeout apart (the request was then provably not sent).
_CONNECT_TIMEOUT: tuple[type[BaseException], ...] = tuple(
    t for t in (getattr(aiohttp, "ConnectionTimeoutError", None),) if t is not None
)


def classify_exception(exc: BaseException) -> tuple[Failure, type[APIConnectionError]]:
    """Map an aiohttp/asyncio exception to a retry :class:`Failure` kind and our final error class.

    ``ClientConnectorError`` (refused, DNS, unreachable) and connect timeouts are
    :attr:`Failure.CONNECT`: the request never left, so it may be resent whatever its method.
    """
    if isinstance(exc, (aiohttp.ClientSSLError, aiohttp.ServerFingerprintMismatch)):
        return Failure.TLS, APIConnectionError
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Failure.CONNECT, APIConnectionError
    if _CONNECT_TIMEOUT and isinstance(exc, _CONNECT_TIMEOUT):
        return Failure.CONNECT, APITimeoutError
    if isinstance(exc, asyncio.TimeoutError):  # includes aiohttp.ServerTimeoutError
        return Failure.TIMEOUT, APITimeoutError
    return Failure.CONNECTION, APIConnectionError


def scrub_exception(exc: BaseException) -> BaseException:
    """Remove what could carry a credential from an aiohttp exception, and return it.

    Our errors chain aiohttp's exception as ``__cause__`` (useful in tracebacks). But a
    ``ClientResponseError`` (e.g. a malformed response) holds the *request* headers, bearer key
    included, in ``request_info`` and in each redirect of ``history``; an error reporter that
    records the reprs of chained exceptions would capture the key. So those are replaced by a
    copy without ``Authorization`` before the exception is chained.
    """
    if isinstance(exc, aiohttp.ClientResponseError):
        info = exc.request_info
        if info is not None:
            kept = CIMultiDict(
                (k, v) for k, v in info.headers.items() if k.lower() != "authorization"
            )
            # RequestInfo is a NamedTuple in recent aiohttp and an attrs class in older ones; both
            # take (url, method, headers, real_url) positionally.
            exc.request_info = type(info)(
                info.url, info.method, CIMultiDictProxy(kept), info.real_url
            )
        exc.history = ()
    return exc


def describe_exception(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
