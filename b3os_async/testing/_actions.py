"""Executing one action (every type but ``wait``, which the engine keeps), and the failure type.

:func:`run_action` executes the built-in actions (``echo``, ``transform``, ``delay``, ``fail``,
``if``, ``http-request``) and simulates the catalog's other actions (see ``_catalog``): their
payload is checked against ``payloadSchema``, their result is ``exampleOutput``.

``http-request`` takes ``{"url", "method" = "GET", "headers" = {}, "body"}`` and answers
``{"status", "headers", "body"}`` (``body`` parsed as JSON when the response says JSON, else
text). It only talks to loopback hosts (``localhost``, ``127.0.0.0/8``, ``::1``): the emulator runs
inside test suites and must never reach the network. Anything else fails the node with code
``loopback_only`` before any connection is made. Redirects are not followed (one could leave
loopback). A status of 400 or more fails the node (code ``http_error``) with the response kept as
the node's ``result``; connection problems fail it with code ``http_unreachable``. At most
``MAX_HTTP_RESPONSE_BYTES`` of a response are read: a longer one fails the node (code
``value_too_large``). JSON bodies are parsed strictly (``NaN`` is not JSON: such a body stays text).
``delay.ms`` and ``wait.timeoutMs`` must be finite numbers (:func:`timer_seconds`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from b3os_async.testing import _catalog, _limits
from b3os_async.testing._expr import ConditionError, evaluate_condition
from b3os_async.testing._json import JsonError, dumps, loads
from b3os_async.testing._schema import problems

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._domain.runs import NodeState


class NodeFailure(Exception):
    """A node failed: ``message``, a string ``code``, and optionally a ``result`` to keep."""

    def __init__(self, message: str, code: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.result = result


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback IP literal."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


async def http_request(session: aiohttp.ClientSession, payload: dict[str, Any]) -> dict[str, Any]:
    """Perform the request described by a resolved ``http-request`` payload."""
    url = payload.get("url")
    if not isinstance(url, str) or not url:
        raise NodeFailure("http-request needs a 'url'", "invalid_payload")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise NodeFailure(f"http-request: unsupported URL scheme {parts.scheme!r}", "invalid_url")
    if not is_loopback_host(parts.hostname):
        raise NodeFailure(
            f"http-request: the emulator only calls loopback hosts (localhost, 127.0.0.1, ::1); "
            f"refused {parts.hostname!r}",
            "loopback_only",
        )
    method = str(payload.get("method") or "GET").upper()
    headers = payload.get("headers") or {}
    if not isinstance(headers, dict):
        raise NodeFailure("http-request: 'headers' must be an object", "invalid_payload")
    body = payload.get("body")
    sent = {
        str(key): value if isinstance(value, str) else dumps(value)
        for key, value in headers.items()
    }
    data: bytes | None = None
    if isinstance(body, str):
        data = body.encode()
    elif body is not None:
        data = dumps(body).encode()  # exact integers of any length, as the emulator keeps them
        sent.setdefault("Content-Type", "application/json")
    try:
        async with session.request(
            method,
            url,
            headers=sent,
            data=data,
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=10),
        ) as response:
            raw = await _read(response, url)
            text = raw.decode(response.charset or "utf-8", errors="replace")
            parsed: Any = text
            if "json" in response.content_type:
                try:
                    parsed = loads(text)
                except (JsonError, RecursionError):
                    parsed = text
            result = {"status": response.status, "headers": dict(response.headers), "body": parsed}
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError, LookupError) as exc:
        raise NodeFailure(f"http-request to {url} failed: {exc!r}", "http_unreachable") from None
    if response.status >= 400:
        raise NodeFailure(f"http-request to {url} answered {response.status}", "http_error", result)
    return result


async def _read(response: aiohttp.ClientResponse, url: str) -> bytes:
    """The response body, at most ``MAX_HTTP_RESPONSE_BYTES`` (``NodeFailure`` beyond)."""
    limit = _limits.MAX_HTTP_RESPONSE_BYTES
    chunks: list[bytes] = []
    size = 0
    while chunk := await response.content.readany():
        size += len(chunk)
        if size > limit:
            raise NodeFailure(
                f"http-request to {url}: the response is larger than {limit:,} bytes "
                "(the emulator's limit)",
                "value_too_large",
            )
        chunks.append(chunk)
    return b"".join(chunks)


_LONGEST_MS = 10**12
"""Timers are cut at about 31 years: as good as forever in a test, and no float overflow."""


def timer_seconds(value: Any, action: str, field: str, negative: float | None = None) -> float:
    """A payload's millisecond count as seconds: a finite number (``NaN`` would never fire).

    A negative count is ``negative`` if given, else the node fails (``invalid_payload``).
    """
    finite = not isinstance(value, float) or math.isfinite(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not finite:
        raise NodeFailure(f"{action} needs a finite number {field!r} (ms)", "invalid_payload")
    if value < 0:
        if negative is None:
            raise NodeFailure(f"{action} needs a non-negative number {field!r}", "invalid_payload")
        return negative
    return min(value, _LONGEST_MS) / 1000


async def run_action(
    kind: str,
    payload: dict[str, Any],
    state: NodeState,
    http: Callable[[], aiohttp.ClientSession],
) -> dict[str, Any]:
    """Execute action ``kind`` with its resolved ``payload``; :class:`NodeFailure` if it fails.

    ``state.branch`` is set by ``if``; ``http`` gives the client ``http-request`` uses.
    """
    if kind in ("echo", "transform"):
        return payload
    if kind == "delay":
        await asyncio.sleep(timer_seconds(payload.get("ms", 0), "delay", "ms"))
        return payload
    if kind == "fail":
        when = payload.get("when", True)
        if when in (False, None, 0, "", "false"):
            return {"failed": False}
        message = payload.get("message") or "failed on purpose"
        raise NodeFailure(message if isinstance(message, str) else dumps(message), "fail_action")
    if kind == "if":
        try:
            outcome = evaluate_condition(payload.get("condition"))
        except ConditionError as exc:
            raise NodeFailure(f"invalid if condition: {exc}", "invalid_condition") from None
        state.branch = "then" if outcome else "else"
        return {"result": outcome, "branch": state.branch}
    if kind == "http-request":
        return await http_request(http(), payload)
    entry = _catalog.lookup("action", kind)
    if entry is None or entry.executable:  # an executable type reaching here: wait, elsewhere
        raise NodeFailure(f"unknown action type {kind!r}", "unknown_action")
    found = problems(entry.definition.get("payloadSchema") or {}, payload, "payload")
    if found:
        detail = "; ".join(problem["message"] for problem in found)
        raise NodeFailure(f"{kind}: {detail}", "invalid_payload")
    return _catalog.simulate(entry, payload)
