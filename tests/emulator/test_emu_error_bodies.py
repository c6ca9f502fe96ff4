"""Every error the emulator answers has the documented body ``{code, message, details, requestId}``.

Including the ones aiohttp produces itself: a body over 1 MiB (413), and requests it refuses
while parsing them (an oversized request line or header, too many headers, malformed framing),
which it answers before any application code runs (``b3os_async/testing/_protocol.py``).
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from b3os_async.testing import Emulator
from b3os_async.testing.routes import runs as run_routes

if TYPE_CHECKING:
    from emu_helpers import Api


async def _raw(emu: Emulator, request: bytes) -> tuple[int, dict[str, str], Any]:
    """Send raw bytes; the status, headers and JSON body of the answer."""
    url = urlsplit(emu.url)
    assert url.hostname is not None
    assert url.port is not None
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, json.loads(body)


def _documented(body: Any, status: int, headers: dict[str, str]) -> None:
    assert set(body) == {"code", "message", "details", "requestId"}
    assert body["code"] // 1000 == status
    assert (body["details"], headers["X-Request-ID"]) == ([], body["requestId"])
    assert headers["Content-Type"].startswith("application/json")


_KEY = b"Authorization: Bearer KEY\r\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: e\r\n\r\n",
        b"GET /v1/runs HTTP/1.1\r\nHost: e\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
        b"GET /v1/runs HTTP/1.1\r\nHost: e\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200)),
        b"POST /v1/runs HTTP/1.1\r\nHost: e\r\n"
        + _KEY
        + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"NOT-HTTP\r\n\r\n",
    ],
    ids=["long-url", "long-header", "200-headers", "bad-chunk", "garbage"],
)
async def test_requests_aiohttp_refuses_while_parsing_get_the_error_body(
    emu: Emulator, request_bytes: bytes
) -> None:
    """A request line/header over the limits or malformed framing: 400090 with the error body."""
    raw = request_bytes.replace(b"KEY", emu.api_key.encode())
    if not raw.endswith(b"\r\n\r\n") and b"chunked" not in raw:
        raw += b"\r\n"
    status, headers, body = await _raw(emu, raw)
    assert (status, body["code"]) == (400, 400090)
    _documented(body, status, headers)


@pytest.mark.parametrize("record", [True, False], ids=["recorded", "not-recorded"])
async def test_a_body_over_1_mib_is_413001_with_the_error_body(record: bool) -> None:
    """A 2 MiB body answers 413 (413001, the documented body) whether the log reads it or not."""
    async with Emulator(record_requests=record) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}", "Content-Type": "application/json"}
        async with (
            aiohttp.ClientSession(emu.url) as session,
            session.post("/v1/runs", data=io.BytesIO(b" " * (2 << 20)), headers=headers) as resp,
        ):
            body = await resp.json()
            assert (resp.status, body["code"]) == (413, 413001)
            _documented(body, 413, dict(resp.headers))
            assert "1,048,576 bytes" in body["message"]


async def test_aiohttp_http_errors_in_a_handler_get_the_error_body(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An aiohttp HTTPException raised in a handler keeps its status, with the error body."""
    started = await api.data("POST", "/v1/runs", json={"definition": _one_node()})
    await api.emu.wait_for_run(started["runId"])

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise web.HTTPUnprocessableEntity(text="nope")

    monkeypatch.setattr(run_routes, "run_json", refuse)
    async with api.session.get(f"/v1/runs/{started['runId']}") as response:
        body = await response.json()
        assert (response.status, body["code"], body["message"]) == (422, 422001, "nope")


def _one_node() -> dict[str, Any]:
    return {"nodes": {"root": {"type": "manual", "payload": {}}}, "triggerNodeIds": ["root"]}
