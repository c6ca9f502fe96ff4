"""Leaf pieces of the private converter: timestamps, strict scalar hooks, enums, type predicates.

Split out of :mod:`b3os_async._convert` (which assembles the converters) to keep both readable.
Every hook has the cattrs signature ``hook(value, type) -> value`` and raises ``TypeError`` /
``ValueError`` on a value that does not fit; the converter turns those into
:class:`~b3os_async.ResponseValidationError` with a field path.
"""

from __future__ import annotations

import re
import sys
import types
import typing
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, cast

import attrs

from b3os_async.models._enums import OpenEnum

__all__ = [
    "OPTIONAL_LEAVES",
    "Hook",
    "NoneType",
    "fast_fromisoformat",
    "format_datetime",
    "identity",
    "is_attrs_class",
    "is_homogeneous_tuple",
    "is_open_enum",
    "is_optional",
    "is_str_dict",
    "optional_enum_hook",
    "parse_datetime",
    "parse_datetime_slow",
    "structure_bool",
    "structure_datetime",
    "structure_enum",
    "structure_float",
    "structure_int",
    "structure_json_object",
    "structure_str",
    "type_error",
]

Hook = Callable[[Any, Any], Any]
NoneType = type(None)

# --------------------------------------------------------------------------------------------
# Timestamps

_UTC = timezone.utc
# Go's zero time.Time, which a non-pointer field serialises when "unset".
_GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=_UTC)
# Compiled on first use by re's own cache (only unusual timestamps get here): compiling it at
# import time would cost every program a fraction of a millisecond for nothing.
_RFC3339 = (
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?"
)

# fast_fromisoformat(text): the quickest parse of a usual API timestamp; ValueError on anything
# it does not read (the caller then tries parse_datetime_slow). Naive results stay naive.
if sys.version_info >= (3, 11):
    # 3.11+ accepts "Z" and any number of fractional digits by itself.
    fast_fromisoformat = datetime.fromisoformat
else:

    def fast_fromisoformat(value: str) -> datetime:
        # 3.10 takes "+00:00" and 0/3/6 fractional digits; anything else goes the slow way.
        if value[-1:] in ("Z", "z"):
            value = value[:-1] + "+00:00"
        return datetime.fromisoformat(value)


def parse_datetime_slow(value: str) -> datetime:
    """Normalise a timestamp for ``fromisoformat`` on any Python >= 3.10.

    Handles what 3.10 cannot: ``Z``/``z``, 1-9 fractional digits (truncated to microseconds),
    ``+hhmm`` offsets and a lowercase ``t`` separator.
    """
    match = re.fullmatch(_RFC3339, value.strip())
    if match is None:
        raise ValueError(f"not an RFC 3339 timestamp: {value[:40]!r}")
    date, clock, fraction, zulu, sign, off_h, off_m = match.groups()
    text = f"{date}T{clock}"
    if fraction:
        text += "." + fraction[:6].ljust(6, "0")
    if zulu:
        text += "+00:00"
    elif sign:
        text += f"{sign}{off_h}:{off_m}"
    return datetime.fromisoformat(text)


def parse_datetime(value: str) -> datetime:
    """Parse an RFC 3339 timestamp into a timezone-aware ``datetime`` (UTC if no offset given)."""
    try:
        parsed = fast_fromisoformat(value)
    except ValueError:
        parsed = parse_datetime_slow(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    return parsed


def format_datetime(value: datetime) -> str:
    """Format an aware ``datetime`` as RFC 3339 in UTC (``2024-05-01T10:00:00.5Z`` style).

    A naive ``datetime`` is ambiguous (local time? UTC?) and is rejected with ``ValueError``.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware (e.g. datetime.now(timezone.utc))")
    return value.astimezone(_UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------------------------
# Leaf hooks. Strict about JSON types (cattrs' defaults would call str()/int()/bool() on
# anything: 5 -> "5", "false" -> True). The Optional variants are flattened copies rather than
# wrappers because decoding time is dominated by the number of Python calls per field.


def type_error(expected: str, value: Any) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}")


def structure_datetime(value: Any, _: Any) -> datetime:
    if type(value) is not str:
        raise type_error("an RFC 3339 timestamp string", value)
    return parse_datetime(value)


def structure_optional_datetime(value: Any, _: Any) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str:
        raise type_error("an RFC 3339 timestamp string", value)
    if not value:
        return None
    try:
        parsed = fast_fromisoformat(value)
    except ValueError:
        parsed = parse_datetime_slow(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=_UTC)
    if parsed.year == 1 and parsed == _GO_ZERO_TIME:
        return None  # Go's zero time.Time means "not set"
    return parsed


def structure_str(value: Any, _: Any) -> str:
    if type(value) is str:
        return value
    raise type_error("a string", value)


def structure_optional_str(value: Any, _: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    raise type_error("a string", value)


def structure_int(value: Any, _: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise type_error("an integer", value)


def structure_optional_int(value: Any, _: Any) -> int | None:
    if value is None or type(value) is int:
        return value
    return structure_int(value, None)


def structure_float(value: Any, _: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise type_error("a number", value)


def structure_optional_float(value: Any, _: Any) -> float | None:
    if value is None or type(value) is float:
        return value
    return structure_float(value, None)


def structure_bool(value: Any, _: Any) -> bool:
    if type(value) is bool:
        return value
    raise type_error("a boolean", value)


def structure_optional_bool(value: Any, _: Any) -> bool | None:
    if value is None or type(value) is bool:
        return value
    raise type_error("a boolean", value)


def structure_json_object(value: Any, _: Any) -> dict[str, Any]:
    """Free-form JSON object (``dict[str, Any]``): checked, neither copied nor walked."""
    if type(value) is dict:
        return value
    raise type_error("a JSON object", value)


def structure_optional_json_object(value: Any, _: Any) -> dict[str, Any] | None:
    if value is None or type(value) is dict:
        return value
    raise type_error("a JSON object", value)


def identity(value: Any, _: Any) -> Any:
    return value


def structure_enum(value: Any, tp: type[OpenEnum]) -> OpenEnum:
    # Look members up directly: calling an Enum class costs several Python frames per value.
    # The map is live, so cached pseudo-members are found too; anything else goes through
    # tp(value), i.e. OpenEnum._missing_ (unknown strings kept; non-strings -> ValueError).
    if type(value) is str:
        member = tp._value2member_map_.get(value)
        if member is not None:
            return cast("OpenEnum", member)
    return tp(value)


def optional_enum_hook(tp: type[OpenEnum]) -> Hook:
    """Structure hook for ``SomeEnum | None`` (flattened, like the other optional leaves)."""
    members = tp._value2member_map_

    def structure_optional_enum(value: Any, _: Any) -> Any:
        if type(value) is str:
            member = members.get(value)
            if member is not None:
                return member
        elif value is None:
            return None
        return tp(value)

    return structure_optional_enum


OPTIONAL_LEAVES: dict[Any, Hook] = {
    str: structure_optional_str,
    int: structure_optional_int,
    float: structure_optional_float,
    bool: structure_optional_bool,
    datetime: structure_optional_datetime,
    dict[str, Any]: structure_optional_json_object,
    Any: identity,
}


# --------------------------------------------------------------------------------------------
# Type predicates


def is_optional(tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = typing.get_args(tp)
        return len(args) == 2 and NoneType in args
    return False


def is_homogeneous_tuple(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def is_str_dict(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is dict and len(args) == 2 and args[0] is str


def is_attrs_class(tp: Any) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def is_open_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, OpenEnum)
