"""Redaction: what could be a credential is removed from text, URLs, headers and decoded JSON.

A leaf module (standard library only): errors, logs and reprs all go through it.

* API keys (``b3sk_…``) are shown as ``b3sk_…`` plus their last four characters;
* bearer tokens, and the values of query parameters named like credentials, become
  ``<redacted>``: ``secret``, ``token``, ``key``, ``apikey``, ``keys``, ``code``, ``sig``,
  ``signature``, ``password``, any name ending in ``secret`` or ``token``, and any ending in
  ``_key`` / ``-key`` / ``.key`` (``api_key``, ``pagination_bypass_key``; not ``monkey``);
* header and JSON fields named like credentials (``Authorization``, cookies, ``X-Api-Key``,
  ``clientToken``, ``triggerSecret`` ...) lose their whole value.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "is_secret_name",
    "redact_header",
    "redact_headers",
    "redact_key",
    "redact_text",
    "redact_url",
    "redact_value",
]

# Names of query parameters (and header or JSON fields) whose values are credentials: the resume
# `secret`, the public-execution `token`, OAuth `code`, `api_key`, `pagination_bypass_key`, ...
_SECRET_NAME = (
    r"(?:[a-z0-9_.\-]*(?:secret|token)|(?:[a-z0-9_.\-]*[_.\-])?key|apikey|keys"
    r"|sig|signature|code|password|passwd)"
)
# A credential-bearing query parameter in a lower-cased URL (see _may_hold_secret).
_SECRET_PARAM = r"[?&;]" + _SECRET_NAME + "="
# Header and JSON field names whose whole value is a credential, whatever it looks like. Narrower
# than query names: a `code` or `key` field in an error's details is an error code or a field name.
_SECRET_FIELD = (
    r"(?:[a-z0-9_.\-]*(?:secret|token|password|api_?key)"
    r"|(?:proxy_)?authorization|cookie|set_cookie)"
)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled on first use: compiling this module's patterns at import time would
    cost every program about a millisecond, most of which never redact anything."""
    return re.compile(pattern)


def _is_secret_field(name: str) -> bool:
    return _compiled(_SECRET_FIELD).fullmatch(name.lower().replace("-", "_")) is not None


def is_secret_name(name: str) -> bool:
    """Whether a query parameter, header or field called ``name`` holds a credential."""
    return _compiled(_SECRET_NAME).fullmatch(name.lower().replace("-", "_")) is not None


def _may_hold_secret(text: str) -> bool:
    """A cheap pre-check (every request runs it): could ``text`` hold something to redact?

    Why not one case-insensitive regex: lower-casing once and searching plain substrings and a
    case-sensitive pattern costs a third as much.
    """
    low = text.lower()
    return (
        "@" in low
        or "b3sk_" in low
        or "bearer" in low
        or ("=" in low and _compiled(_SECRET_PARAM).search(low) is not None)
    )


# An API key anywhere in free text (an echoed header, a proxy error page, ...).
_KEY = r"b3sk_[A-Za-z0-9_\-]+"
_BEARER = r"(?i)(bearer\s+)([^\s\"',;]+)"
# A credential-bearing query parameter inside free text (an aiohttp message quoting a URL).
_QUERY_SECRET = r"(?i)([?&;]" + _SECRET_NAME + r"=)[^&#\s\"'<>)]+"


def redact_key(key: str | None) -> str:
    """Return a display form of an API key: ``b3sk_…`` plus at most its last 4 characters."""
    if not key:
        return "<none>"
    tail = key[-4:] if len(key) >= 12 else ""
    return f"b3sk_…{tail}"


def redact_text(text: str) -> str:
    """Replace API keys, bearer tokens and secret query values (``?secret=…``) in ``text``."""
    text = _compiled(_BEARER).sub(lambda m: m.group(1) + "<redacted>", text)
    text = _compiled(_QUERY_SECRET).sub(lambda m: m.group(1) + "<redacted>", text)
    return _compiled(_KEY).sub(lambda m: redact_key(m.group(0)), text)


def redact_url(url: object) -> str:
    """Return ``url`` as a string with credential-bearing query values and userinfo removed."""
    text = str(url)
    if not _may_hold_secret(text):
        return text  # the common case, on every request: nothing that could be a credential
    try:
        parts = urlsplit(text)
    except ValueError:
        return redact_text(text)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "<redacted>@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(is_secret_name(k) for k, _ in pairs):
            query = urlencode(
                [(k, "<redacted>" if is_secret_name(k) else v) for k, v in pairs],
                safe="<>,",
            )
    return redact_text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def redact_header(name: str, value: str) -> str:
    """A header's value with credentials redacted: all of it for ``Authorization``, cookies and
    names like ``X-Api-Key``; keys, bearer tokens and secret URLs inside any other value."""
    return "<redacted>" if _is_secret_field(name) else redact_text(value)


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """A plain copy of ``headers`` with credentials redacted (see :func:`redact_header`)."""
    return {name: redact_header(name, str(value)) for name, value in (headers or {}).items()}


_MAX_REDACT_DEPTH = 64


def redact_value(value: Any, _depth: int = 0) -> Any:
    """A copy of decoded JSON with credentials redacted: keys, bearer tokens and secret URLs in
    every string, and the whole value of fields named like a credential (``"secret": "…"``).

    Deeper than 64 levels, a value is replaced by ``"<nested too deeply>"`` (this runs on what a
    server sent, which may be built to exhaust the stack).
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, (dict, list)) and _depth >= _MAX_REDACT_DEPTH:
        return "<nested too deeply>"
    if isinstance(value, dict):
        return {
            redact_text(str(k)): (
                "<redacted>"
                if isinstance(v, str) and _is_secret_field(str(k))
                else redact_value(v, _depth + 1)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_value(v, _depth + 1) for v in value]
    return value
