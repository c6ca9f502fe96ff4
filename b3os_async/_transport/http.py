"""aiohttp glue shared by the session manager and the stream module.

Pure helpers with no state: query-string encoding, the User-Agent, and the classification and
scrubbing of transport exceptions.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import math
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import aiohttp
import attrs
import yarl
from aiohttp.client_reqrep import ConnectionKey, RequestInfo
from multidict import CIMultiDict, CIMultiDictProxy

from b3os_async._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    ConfigurationTypeError,
    redact_header,
    redact_text,
    redact_url,
)
from b3os_async._retry import Failure
from b3os_async._transport.json_parser import int_to_text
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


def _query_text(value: object, key: str) -> str:
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return _query_text(value.value, key)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        try:
            return int_to_text(value)
        except ValueError as exc:
            raise ConfigurationError(f"query parameter {key!r}: {exc}") from None
    if isinstance(value, float) and math.isfinite(value):
        return float.__repr__(value)
    raise ConfigurationError(
        f"query parameter {key!r}: {value!r:.60} cannot be sent (query values are str, int, "
        "finite float, bool or an Enum, or a list of them)"
    )


def _encode(text: str, key: str = "") -> str:
    # Most keys and values (ids, statuses, numbers) need no escaping: skip quote() for them.
    if _UNRESERVED(text):
        return text
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:
        raise ConfigurationError(
            f"query parameter {key!r}: the text holds a lone surrogate, which UTF-8 cannot encode"
        ) from None


def build_query(params: Mapping[str, QueryValue] | None) -> str:
    """Encode query parameters (None dropped, sequences repeated, bools as ``true``/``false``).

    The result equals ``urlencode(pairs, quote_via=quote, safe="")``, built without it: this runs
    on every request, so ints (always safe) and strings take the shortest path, and encoded keys
    (a small, fixed set: the resources' parameter names) are remembered.
    """
    if not params:
        return ""
    if type(params) is not dict and not isinstance(params, Mapping):
        raise ConfigurationTypeError(f"params must be a mapping, got {type(params).__name__}")
    parts: list[str] = []
    append = parts.append
    for key, value in params.items():
        if value is None:
            continue
        name = _ENCODED_KEYS.get(key)
        if name is None:
            if not isinstance(key, str):
                raise ConfigurationError(f"query parameter names must be strings, got {key!r:.60}")
            name = _encode(key, key)
            if len(_ENCODED_KEYS) < 256:
                _ENCODED_KEYS[key] = name
        kind = type(value)
        if kind is int:  # not bool (its type is bool) nor IntEnum (its own type)
            try:
                append(f"{name}={value}")
            except ValueError:  # more digits than Python converts by default
                append(f"{name}={_query_text(value, key)}")
        elif kind is str:
            append(f"{name}={_encode(value, key)}")  # type: ignore[arg-type]
        elif isinstance(value, (list, tuple, set, frozenset)):
            parts.extend(f"{name}={_encode(_query_text(v, key), key)}" for v in value)
        else:
            append(f"{name}={_encode(_query_text(value, key), key)}")
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
    """Make ``exc`` and every exception chained to it safe to keep, print and report; return it.

    Our errors chain aiohttp's exception as ``__cause__``: its type and text help in tracebacks,
    and the stream machinery classifies failures by it. But aiohttp's exceptions hold what was
    *sent*: a ``ClientResponseError`` (e.g. a malformed response) keeps the request headers,
    bearer key included, in ``request_info`` and ``args``, and its text quotes the URL with any
    ``?secret=``; their tracebacks' frames hold the request headers as local variables (error
    reporters record those). So, for ``exc`` and everything reachable through ``__cause__``,
    ``__context__``, ``args`` and attributes:

    * the traceback is dropped (the frames' locals are the request);
    * request info is rebuilt with redacted URLs and headers (``Authorization: <redacted>``);
      redirect ``history`` (responses that hold request info too) is emptied;
    * header mappings are redacted, strings and URLs pass through :func:`redact_text` /
      :func:`redact_url`, proxy credentials are removed from connection keys.

    The exception keeps its type (``isinstance`` checks and retry classification still work).
    """
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        with contextlib.suppress(Exception):  # an exotic exception refusing new args keeps them
            current.args = tuple(_clean(arg, pending) for arg in current.args)
        if isinstance(current, OSError):  # C-level fields that str() shows
            for field in ("strerror", "filename", "filename2"):
                value = getattr(current, field, None)
                if isinstance(value, str):
                    with contextlib.suppress(Exception):
                        setattr(current, field, redact_text(value))
        state = getattr(current, "__dict__", None)
        if state is not None:
            for name, value in list(state.items()):
                state[name] = _clean(value, pending)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return exc


def _clean(value: Any, pending: list[BaseException]) -> Any:
    """``value`` without credentials (see :func:`scrub_exception`); exceptions are queued."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, BaseException):
        pending.append(value)
        return value
    if isinstance(value, yarl.URL):
        shown = redact_url(value)
        return value if shown == str(value) else yarl.URL(shown, encoded=True)
    if isinstance(value, RequestInfo):
        return type(value)(
            _clean(value.url, pending),
            value.method,
            _clean_headers(value.headers),
            _clean(value.real_url, pending),
        )
    if isinstance(value, ConnectionKey):
        # A NamedTuple in recent aiohttp, an attrs class in older ones.
        proxy = _clean(value.proxy, pending)
        if hasattr(value, "_replace"):
            return value._replace(proxy=proxy, proxy_auth=None)
        return attrs.evolve(value, proxy=proxy, proxy_auth=None)  # type: ignore[misc]
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "replace")
        shown = redact_text(text)
        return value if shown == text else shown.encode()
    if isinstance(value, (aiohttp.ClientResponse, aiohttp.BasicAuth)):
        return None  # a response holds its request's info; basic auth is a credential
    if isinstance(value, Mapping):
        return _clean_headers(value)
    if isinstance(value, (tuple, list)):
        kept = [_clean(v, pending) for v in value if not isinstance(v, aiohttp.ClientResponse)]
        return tuple(kept) if isinstance(value, tuple) else kept
    return value


def _clean_headers(headers: Mapping[Any, Any]) -> CIMultiDictProxy[str]:
    """A read-only copy of a header mapping, credentials redacted (repeated names kept)."""
    kept = CIMultiDict((str(k), redact_header(str(k), str(v))) for k, v in headers.items())
    return CIMultiDictProxy(kept)


#: The longest exception text quoted in our messages (aiohttp quotes the bytes it could not parse).
DESCRIBE_LIMIT = 300


def describe_exception(exc: BaseException) -> str:
    """``Type: text`` of an exception, for our messages (which are redacted when built).

    The text is cut to :data:`DESCRIBE_LIMIT` characters: aiohttp's parser errors quote what the
    server sent (a "bad status line" of 64 KiB becomes a 64 KiB message otherwise).
    """
    text = str(exc)
    if len(text) > DESCRIBE_LIMIT:
        text = text[: DESCRIBE_LIMIT - 1] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
