"""Options of requests and streams: ONE value per client view, set once, overridden per call.

Why one mechanism: the stream arguments (``timeouts``, ``reconnect``, ``on_reconnect``) were
repeated in a dozen signatures and forwarded a dozen more times, and requests had no per-call
options at all. Now every setting lives in one frozen :class:`CallOptions` value:

* ``B3OS(timeout=..., retry=..., stream_timeouts=..., reconnect=..., on_reconnect=...)`` sets the
  client's defaults;
* ``b3.with_options(...)`` returns a *view* of the same client (same connection pools, nothing
  copied but this value) with some settings replaced, for one call or a group of calls::

      await b3.with_options(timeout=120, retry=RetryPolicy.disabled()).runs.get(run_id)
      async for event in b3.with_options(on_reconnect=log).runs.stream(run_id): ...

Resources, pagers and streams receive a :class:`~b3os_async._transport.session.Requester` (the
session plus this value) and never take option arguments of their own.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import attrs

from b3os_async._errors import ConfigurationError
from b3os_async._retry import RetryPolicy, Timeout
from b3os_async._streams.config import (
    DEFAULT_MAX_EVENT_SIZE,
    DEFAULT_RECONNECT,
    ReconnectCallback,
    StreamTimeouts,
)
from b3os_async._transport.limits import DEFAULT_MAX_RESPONSE_SIZE

__all__ = ["KEEP", "CallOptions", "Keep", "check_header_value"]


class Keep(enum.Enum):
    """The type of :data:`KEEP`."""

    KEEP = "KEEP"

    def __repr__(self) -> str:
        return "KEEP"


#: "Leave this setting as it is", for the settings where ``None`` is a value of its own
#: (``max_response_size=None`` means "no limit").
KEEP: Final = Keep.KEEP

_EMPTY: Mapping[str, str] = MappingProxyType({})


def check_header_value(name: str, value: object) -> str:
    """Return ``value`` if it can be sent in header ``name``, else raise ConfigurationError.

    CR, LF and NUL would split or end the header (an injection); aiohttp refuses them with a bare
    ``ValueError`` on every request, so they are refused here, once, with a clear message.
    """
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string, got {type(value).__name__}")
    if any(c in value for c in "\r\n\x00"):
        raise ConfigurationError(f"{name} must not contain CR, LF or NUL characters")
    return value


def _headers(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if not value:
        return _EMPTY
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"headers must be a mapping, got {type(value).__name__}")
    checked = {}
    for key, item in value.items():
        check_header_value("a header name", key)
        if not key or any(c in key for c in " :\t"):
            raise ConfigurationError(f"invalid header name {key!r}")
        checked[key] = check_header_value(f"header {key!r}", item)
    return MappingProxyType(checked)


def _timeout(value: Timeout | float | None) -> Timeout:
    return Timeout.coerce(value)


def _check_type(kind: type) -> Any:
    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, kind):
            raise TypeError(f"{attr.name} must be a {kind.__name__}, got {type(value).__name__}")

    return check


def _positive_int(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not int or value < 1:
        raise ConfigurationError(f"{attr.name} must be a positive integer, got {value!r}")


def _size_or_none(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not int or value < 1):
        raise ConfigurationError(
            f"{attr.name} must be a positive number of bytes or None (no limit), got {value!r}"
        )


def _check_callback(_inst: object, _attr: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"on_reconnect must be callable, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class CallOptions:
    """Every per-call setting of requests and streams (see the module docstring).

    * ``timeout``: time limits of one request attempt (:class:`~b3os_async.Timeout`).
    * ``retry``: retries of requests (:class:`~b3os_async.RetryPolicy`).
    * ``headers``: extra headers sent with every request and stream of this view.
    * ``stream_timeouts``: connect / first byte / idle / deadline of streams.
    * ``reconnect``: the reconnect budget and backoff of streams (a ``RetryPolicy``).
    * ``on_reconnect``: called with a :class:`~b3os_async.ReconnectInfo` before each reconnect.
    * ``max_event_size``: the largest stream line / event accepted, in bytes / characters
      (default 16 MiB); a larger one ends the stream with :class:`~b3os_async.StreamError`.
    * ``max_response_size``: the largest response body read, in bytes (default 64 MiB; None: no
      limit); a larger one raises :class:`~b3os_async.ResponseTooLargeError`.
    """

    timeout: Timeout = attrs.field(factory=Timeout, converter=_timeout)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy, validator=_check_type(RetryPolicy))
    headers: Mapping[str, str] = attrs.field(default=_EMPTY, converter=_headers)
    stream_timeouts: StreamTimeouts = attrs.field(
        factory=StreamTimeouts, validator=_check_type(StreamTimeouts)
    )
    reconnect: RetryPolicy = attrs.field(
        default=DEFAULT_RECONNECT, validator=_check_type(RetryPolicy)
    )
    on_reconnect: ReconnectCallback | None = attrs.field(default=None, validator=_check_callback)
    max_event_size: int = attrs.field(default=DEFAULT_MAX_EVENT_SIZE, validator=_positive_int)
    max_response_size: int | None = attrs.field(
        default=DEFAULT_MAX_RESPONSE_SIZE, validator=_size_or_none
    )

    def replace(self, **changes: Any) -> CallOptions:
        """A copy with the given settings replaced; ``None`` and :data:`KEEP` leave a setting as
        it is, except for ``max_response_size``, where ``None`` means "no limit"."""
        given = {
            key: value
            for key, value in changes.items()
            if value is not KEEP and (value is not None or key in _NONE_IS_A_VALUE)
        }
        return attrs.evolve(self, **given) if given else self


#: Settings whose ``None`` is a value ("no limit"), not "unchanged".
_NONE_IS_A_VALUE = frozenset({"max_response_size"})
