"""Reading response bodies within a size limit (``max_response_size``, error-body excerpts).

Why not ``resp.read()``: it reads whatever the server sends. A 200 MiB answer took the client to
646 MiB, an endless chunked body grew to 3 GiB within the default timeout, and a proxy's 50 MiB
error page cost 100 MiB for a 200-character message. So:

* a declared ``Content-Length`` above the limit is refused before a byte of the body is read;
* otherwise the bytes are counted while they arrive (chunked and close-delimited bodies, and
  compressed ones, whose ``Content-Length`` says nothing about their decoded size), and reading
  stops as soon as the count passes the limit;
* a body that was not read to its end is *closed*, never released: its connection still has
  unread bytes and must not go back to the pool.

Reading happens inside the request's ``async with``, so the connection is given back (or closed)
on every path, a :class:`~b3os_async.ResponseTooLargeError` included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async._errors import ResponseTooLargeError
from b3os_async._transport.limits import ERROR_BODY_LIMIT

if TYPE_CHECKING:
    import aiohttp

__all__ = ["read_error_body", "read_success_body"]


async def _read_at_most(
    resp: aiohttp.ClientResponse, limit: int, *, keep_start: bool
) -> tuple[bytes, int]:
    """``(body, seen)``: at most ``limit`` bytes, and how many arrived (``seen > limit``: more).

    Stops reading (and closes the response) once more than ``limit`` bytes arrived; ``body`` then
    holds the first ``limit`` bytes if ``keep_start``, else nothing (no copy of a body that is
    refused anyway).
    """
    declared = resp.content_length
    identity = resp.headers.get("Content-Encoding", "identity") == "identity"
    if declared is not None and declared <= limit and identity:
        # The parser stops at Content-Length, so read() cannot pass the limit: the fast path.
        body = await resp.read()
        return body, len(body)
    parts: list[bytes] = []
    seen = 0
    content = resp.content
    while True:
        chunk = await content.readany()
        if not chunk:
            return b"".join(parts), seen
        seen += len(chunk)
        if seen > limit:
            resp.close()
            if not keep_start:
                return b"", seen
            parts.append(chunk[: len(chunk) - (seen - limit)])
            return b"".join(parts), seen
        parts.append(chunk)


async def read_success_body(
    resp: aiohttp.ClientResponse, limit: int | None, *, method: str, url: str
) -> bytes:
    """Read a 2xx body of at most ``limit`` bytes (None: no limit); raise ResponseTooLargeError.

    ``url`` must already be redacted (it goes into the message).
    """
    if limit is None or method == "HEAD":  # a HEAD answer declares a length but has no body
        return await resp.read()
    declared = resp.content_length
    if declared is not None and declared > limit:
        resp.close()  # refused before reading a byte of it
        size, what = declared, f"declares {declared:,} bytes (Content-Length)"
    else:
        body, size = await _read_at_most(resp, limit, keep_start=False)
        if size <= limit:
            return body
        what = f"passed {limit:,} bytes while being read"
    raise ResponseTooLargeError(
        f"{method} {url} returned {resp.status} with a body larger than max_response_size "
        f"({limit:,} bytes): it {what}; reading stopped there. If such answers are expected, "
        "raise the limit: B3OS(max_response_size=...), or for some calls "
        "b3.with_options(max_response_size=...) (None: no limit).",
        limit=limit,
        size=size,
        status=resp.status,
        request_id=resp.headers.get("X-Request-ID"),
        content_type=resp.headers.get("Content-Type"),
    )


async def read_error_body(resp: aiohttp.ClientResponse, limit: int = ERROR_BODY_LIMIT) -> bytes:
    """The first ``limit`` bytes of an error body (enough for its message); the rest is dropped.

    A longer body is cut (its JSON then no longer parses, so the error shows a text excerpt).
    """
    body, _ = await _read_at_most(resp, limit, keep_start=True)
    return body
