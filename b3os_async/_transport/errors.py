"""Error responses -> exceptions: the ONE place error statuses become exception classes.

Pure functions (no aiohttp, no I/O), used by the session for every request and by the stream loop
for its error statuses and ``event: error`` frames:

* :func:`error_from_response` -- builds the :class:`~b3os_async.APIStatusError` subclass;
* :func:`body_excerpt` -- a short, tag-free, redacted excerpt of a body for messages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from b3os_async._errors import (
    APIStatusError,
    RateLimitError,
    redact_text,
    status_error_class,
)
from b3os_async._transport import json_parser

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["EXCERPT_LIMIT", "body_excerpt", "error_from_response", "header_value"]

EXCERPT_LIMIT = 200

_DROP_BLOCKS = re.compile(r"(?is)<(script|style|head)\b.*?</\1\s*>|<!--.*?-->")
_TAGS = re.compile(r"(?s)<[^>]*>")
_SPACES = re.compile(r"\s+")


def body_excerpt(body: bytes | str, limit: int = EXCERPT_LIMIT) -> str:
    """Return at most ``limit`` characters of ``body``: HTML tags stripped, whitespace collapsed."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if "<" in text:
        text = _TAGS.sub(" ", _DROP_BLOCKS.sub(" ", text))
        import html  # only error pages need it: kept off the import path of every client

        text = html.unescape(text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return redact_text(text)


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Return header ``name`` from ``headers`` case-insensitively (for plain dicts too)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _hint(status: int, retry_after: float | None) -> str:
    if status == 401:
        return "Check B3OS_API_KEY (or api_key=): the key is missing, invalid, expired or revoked."
    if status == 402:
        return "The organization lacks compute units (CU): top up compute units, then retry."
    if status == 403:
        return (
            "The key needs the read-write scope for this operation and access to the "
            "organization (check the key's scope and org_id / B3OS_ORG_ID)."
        )
    if status == 404:
        return "It does not exist, or is not visible to this key's organization."
    if status == 409:
        return "The resource changed or is in the wrong state: fetch it again, then retry."
    if status == 429:
        if retry_after is not None:
            return f"Rate limited: retry after {retry_after:g} s."
        return "Rate limited: slow down and retry later."
    if status >= 500:
        return "The B3OS API (or a proxy in front of it) failed: retry later."
    return ""


def _error_fields(body: bytes) -> tuple[str | None, int | str | None, list[Any], str | None]:
    """Extract ``(message, code, details, request_id)`` from an error body, if it is JSON."""
    try:
        decoded = json_parser.loads(body)
    except ValueError:
        return None, None, [], None
    if not isinstance(decoded, dict):
        return None, None, [], None
    message = decoded.get("message")
    code = decoded.get("code")
    details = decoded.get("details")
    request_id = decoded.get("requestId")
    error = decoded.get("error")
    if isinstance(error, dict):  # legacy {"success": false, "error": {"message", "code"}}
        message = error.get("message", message)
        code = error.get("code", code)
        details = error.get("details", details)
    elif isinstance(error, str) and not isinstance(message, str):
        message = error
    return (
        message if isinstance(message, str) else None,
        code if isinstance(code, (int, str)) and not isinstance(code, bool) else None,
        details if isinstance(details, list) else ([details] if details else []),
        request_id if isinstance(request_id, str) else None,
    )


def error_from_response(
    *,
    status: int,
    reason: str | None,
    headers: Mapping[str, str],
    body: bytes,
    method: str,
    url: str,
    attempts: int = 1,
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the :class:`APIStatusError` subclass for an error response (not raised here).

    Understands ``{code, message, details, requestId}`` and the legacy
    ``{"success": false, "error": {"message", "code"}}``; any other body (HTML, empty, text)
    contributes a short excerpt to the message. ``url`` should already be redacted.
    """
    message, code, details, request_id = _error_fields(body)
    request_id = request_id or header_value(headers, "X-Request-ID")
    if message is None:
        excerpt = body_excerpt(body) if body.strip() else ""
        message = f"non-JSON body: {excerpt!r}" if excerpt else "empty body"
    head = f"{method} {url} -> {status}{' ' + reason if reason else ''}: {message.rstrip()}"
    if code is not None:
        head += f" (code {code})"
    parts = [head if head.endswith((".", "!", "?")) else head + "."]
    hint = _hint(status, retry_after)
    if hint:
        parts.append(hint)
    if attempts > 1:
        parts.append(f"[{attempts} attempts]")
    if request_id:
        parts.append(f"[request_id {request_id}]")
    cls = status_error_class(status)
    fields: dict[str, Any] = {
        "status": status,
        "code": code,
        "details": details,
        "request_id": request_id,
        "method": method,
        "url": url,
        "attempts": attempts,
        "headers": dict(headers),
        "api_message": message.rstrip(),
    }
    if issubclass(cls, RateLimitError):
        return cls(" ".join(parts), retry_after=retry_after, **fields)
    return cls(" ".join(parts), **fields)
