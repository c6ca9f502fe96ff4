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
the node's ``result``; connection problems fail it with code ``http_unreachable``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from b3os_async.testing import _catalog
from b3os_async.testing._expr import ConditionError, evaluate_condition
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
    options: dict[str, Any] = {}
    if isinstance(body, str):
        options["data"] = body.encode()
    elif body is not None:
        options["json"] = body
    try:
        async with session.request(
            method,
            url,
            headers={str(key): str(value) for key, value in headers.items()},
            allow_redirects=False,
            timeout=aiohttp.ClientTimeout(total=10),
            **options,
        ) as response:
            text = await response.text(errors="replace")
            parsed: Any = text
            if "json" in response.content_type:
                try:
                    parsed = json.loads(text)
                except ValueError:
                    parsed = text
            result = {"status": response.status, "headers": dict(response.headers), "body": parsed}
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
        raise NodeFailure(f"http-request to {url} failed: {exc!r}", "http_unreachable") from None
    if response.status >= 400:
        raise NodeFailure(f"http-request to {url} answered {response.status}", "http_error", result)
    return result


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
        ms = payload.get("ms", 0)
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms < 0:
            raise NodeFailure("delay needs a non-negative number 'ms'", "invalid_payload")
        await asyncio.sleep(ms / 1000)
        return payload
    if kind == "fail":
        when = payload.get("when", True)
        if when in (False, None, 0, "", "false"):
            return {"failed": False}
        raise NodeFailure(str(payload.get("message") or "failed on purpose"), "fail_action")
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
