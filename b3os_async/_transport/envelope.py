"""Successful responses -> data: the ONE place envelopes are removed.

Pure functions (no aiohttp, no I/O): :func:`decode_body` parses a 2xx body and
:func:`unwrap_envelope` removes any of the API's envelopes (notes §1.4), keeping the request id.
"""

from __future__ import annotations

from typing import Any

from b3os_async._errors import ResponseValidationError
from b3os_async._transport import json_parser
from b3os_async._transport.errors import body_excerpt

__all__ = ["decode_body", "unwrap_envelope"]


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
        # Only with `data`: a bare `{success: true}` is an answer of its own (the faucet's).
        legacy = "data" in body and set(body) <= {"success", "data", "hasMore"}
        if isinstance(body.get("success"), bool) and legacy:
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
        decoded = json_parser.loads(body)
    except ValueError as exc:  # invalid JSON, bad UTF-8, too deep, too long an int: ValueErrors
        excerpt = body_excerpt(body)
        why = body_excerpt(str(exc), 120)
        raise ResponseValidationError(
            f"{method} {url} returned {status} with a body that is not JSON the SDK can read "
            f"({why}; content type {content_type or 'unknown'}): {excerpt!r}",
            excerpt=excerpt,
            status=status,
            request_id=request_id,
            content_type=content_type,
        ) from None
    data, body_request_id = unwrap_envelope(decoded)
    return data, body_request_id or request_id
