"""Turning HTTP responses into results or errors, and raw response access.

Pure functions (no aiohttp, no I/O), used by the session for every request and by the stream loop
for its error statuses:

* :func:`decode_body` / :func:`unwrap_envelope` -- the ONE place envelopes are removed;
* :func:`error_from_response` -- the ONE place error statuses become exception classes;
* :func:`body_excerpt` -- a short, tag-free, redacted excerpt of a body for messages.

Raw access (:meth:`B3OS.with_raw_response`) works through a context variable holding a capture
slot: the session writes the :class:`ResponseMeta` of every final response into the slot that is
current in the calling task's context, so awaiting any SDK coroutine inside
:func:`with_raw_response` records its response metadata without a parallel class hierarchy.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from b3os_async import _json
from b3os_async._errors import (
    APIStatusError,
    RateLimitError,
    ResponseValidationError,
    redact_text,
    status_error_class,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Mapping

__all__ = [
    "RawResponse",
    "ResponseMeta",
    "body_excerpt",
    "decode_body",
    "error_from_response",
    "header_value",
    "record_response",
    "unwrap_envelope",
    "with_raw_response",
]

T = TypeVar("T")

EXCERPT_LIMIT = 200

_DROP_BLOCKS = re.compile(r"(?is)<(script|style|head)\b.*?</\1\s*>|<!--.*?-->")
_TAGS = re.compile(r"(?s)<[^>]*>")
_SPACES = re.compile(r"\s+")


@attrs.frozen(kw_only=True)
class ResponseMeta:
    """Metadata of the final HTTP response of a call (see :meth:`B3OS.with_raw_response`).

    ``elapsed`` covers the whole call, retries and waits included; ``retries_taken`` is the number
    of attempts after the first; ``request_id`` is the body's ``requestId``, else the
    ``X-Request-ID`` header; ``url`` has credential-bearing query values redacted.
    """

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    request_id: str | None
    retries_taken: int
    elapsed: float
    method: str
    url: str


@attrs.frozen(kw_only=True)
class RawResponse(Generic[T]):
    """A parsed result together with the :class:`ResponseMeta` of the response it came from."""

    parsed: T
    meta: ResponseMeta


@attrs.define
class _Capture:
    meta: ResponseMeta | None = None


_capture: ContextVar[_Capture | None] = ContextVar("b3os_async_raw_capture", default=None)


def capturing() -> bool:
    """Whether a :func:`with_raw_response` is waiting for this task's response metadata."""
    return _capture.get() is not None


def record_response(meta: ResponseMeta) -> None:
    """Store ``meta`` in the current capture slot, if a :func:`with_raw_response` is active."""
    slot = _capture.get()
    if slot is not None:
        slot.meta = meta


async def with_raw_response(awaitable: Awaitable[T]) -> RawResponse[T]:
    """Await ``awaitable`` (an SDK coroutine) and return its result with the response metadata.

    Pass the coroutine itself (``with_raw_response(b3.workflows.get(id))``), not a Task: a task
    has already copied its context, so its response could not be captured. When the coroutine
    makes several requests, the metadata is that of the last one.
    """
    import asyncio  # already loaded by then: a running loop awaits this; keeps imports cheap

    if asyncio.isfuture(awaitable):
        raise TypeError(
            "with_raw_response() needs the coroutine itself, not a Task or Future "
            "(a task copies its context when created, so its response cannot be captured)"
        )
    slot = _Capture()
    token = _capture.set(slot)
    try:
        parsed = await awaitable
    finally:
        _capture.reset(token)
    if slot.meta is None:
        raise TypeError("with_raw_response(): the awaited call made no HTTP request")
    return RawResponse(parsed=parsed, meta=slot.meta)


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


def unwrap_envelope(body: Any) -> tuple[Any, str | None]:
    """Return ``(data, request_id)`` for a decoded JSON body, removing any known envelope.

    ``{code, data, message, requestId}`` -> ``data``; ``{success, data}`` -> ``data`` (a legacy
    list ``{success, data: [...], hasMore}`` -> ``{items, hasMore}``);
    ``{code, message[, requestId]}`` without data -> None; anything else is returned as it is.
    """
    if isinstance(body, dict):
        request_id = body.get("requestId")
        rid = request_id if isinstance(request_id, str) else None
        if "data" in body and ("code" in body or "requestId" in body):
            return body["data"], rid
        if isinstance(body.get("success"), bool) and set(body) <= {"success", "data", "hasMore"}:
            data = body.get("data")
            if isinstance(data, list) and "hasMore" in body:
                # The legacy list shape keeps `hasMore` beside `data`: keep it with the items,
                # or a pager would take the first page for the last one.
                return {"items": data, "hasMore": body["hasMore"]}, rid
            return data, rid
        if "code" in body and "message" in body and set(body) <= {"code", "message", "requestId"}:
            return None, rid
    return body, None


def decode_body(
    body: bytes,
    *,
    status: int,
    content_type: str | None,
    method: str,
    url: str,
    request_id: str | None = None,
) -> tuple[Any, str | None]:
    """Decode a successful response body and unwrap it: ``(data, request_id)``.

    An empty body gives None. A body that is not JSON (an HTML page from a proxy, say) raises
    :class:`ResponseValidationError` with the status, content type and a short excerpt.
    """
    if not body.strip():
        return None, request_id
    try:
        decoded = _json.loads(body)
    except ValueError:  # invalid JSON, bad UTF-8 or too deep: all ValueErrors
        excerpt = body_excerpt(body)
        raise ResponseValidationError(
            f"{method} {url} returned {status} with a body that is not JSON "
            f"(content type {content_type or 'unknown'}): {excerpt!r}",
            excerpt=excerpt,
            status=status,
            request_id=request_id,
            content_type=content_type,
        ) from None
    data, body_request_id = unwrap_envelope(decoded)
    return data, body_request_id or request_id


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
        decoded = _json.loads(body)
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
