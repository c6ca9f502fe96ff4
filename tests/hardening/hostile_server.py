"""A raw HTTP/1.1 server on 127.0.0.1 whose paths misbehave the way real servers and proxies do.

Raw asyncio rather than aiohttp.web: the faults below (a lying Content-Length, a reset in the
middle of a body, bytes that are not HTTP, a header line that is not a header) are exactly what a
well-behaved server framework refuses to produce.

Every "endless" body is capped at :data:`ENDLESS_CAP` bytes so that a client WITHOUT limits (the
code before the fix) still finishes, with a measurable, failing, peak.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import zlib
from collections.abc import Awaitable, Callable, Iterator

__all__ = ["ENDLESS_CAP", "HostileServer"]

#: An "endless" body stops after this many bytes (see the module docstring).
ENDLESS_CAP = 256 * 1024 * 1024
#: A declared Content-Length far beyond any limit.
HUGE_DECLARED = 200 * 1024 * 1024
CHUNK = 64 * 1024
BIG_ERROR = 10 * 1024 * 1024


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _envelope(data: object) -> bytes:
    return json.dumps({"code": 200, "data": data, "message": "OK", "requestId": "r1"}).encode()


_GZIP_BOMB: bytes | None = None


def gzip_bomb() -> bytes:
    """A gzip body (about 130 KiB) that inflates to 128 MiB of a JSON string."""
    global _GZIP_BOMB
    if _GZIP_BOMB is None:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
        parts = [packer.compress(b'{"data":"')]
        zeros = b"0" * (1024 * 1024)
        parts.extend(packer.compress(zeros) for _ in range(128))
        parts.append(packer.compress(b'"}'))
        parts.append(packer.flush())
        _GZIP_BOMB = b"".join(parts)
    return _GZIP_BOMB


class Request:
    """What the server parsed of one request."""

    def __init__(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        reader: asyncio.StreamReader,
        body: bytes = b"",
    ) -> None:
        self.reader = reader
        self.body = body
        self.method = method
        self.target = target
        self.path = target.split("?", 1)[0]
        self.headers = headers


Behaviour = Callable[["HostileServer", Request, asyncio.StreamWriter], Awaitable[bool]]


class HostileServer:
    """The server (``url``; ``open_connections``; ``body_bytes_sent`` per path).

    A behaviour returns True when the connection may serve another request (keep-alive).
    """

    def __init__(self) -> None:
        self.url = ""
        self.open_connections = 0
        self.body_bytes_sent: dict[str, int] = {}
        self.requests: list[Request] = []
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._all_closed = asyncio.Event()
        self._all_closed.set()

    async def __aenter__(self) -> HostileServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()  # every handler then ends on its own (EOF or a write error)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        await self._server.wait_closed()

    async def wait_all_closed(self, timeout: float = 5.0) -> bool:
        """Wait until the client closed every connection; False if some stayed open."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._all_closed.wait(), timeout)
        return self.open_connections == 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        self.open_connections += 1
        self._all_closed.clear()
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                    return
                first, *lines = head.decode("latin-1").split("\r\n")
                method, target, _ = first.split(" ", 2)
                headers = {}
                for line in lines:
                    if ":" in line:
                        key, value = line.split(":", 1)
                        headers[key.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                request = Request(method, target, headers, reader, body)
                self.requests.append(request)
                # `X-Hostile: <name>` picks the misbehaviour for any path (e.g. an API route).
                chosen = "/" + headers.get("x-hostile", request.path).lstrip("/")
                behaviour = BEHAVIOURS.get(chosen, _not_found)
                if not await behaviour(self, request, writer):
                    return
        except (ConnectionError, OSError):
            return
        finally:
            self.open_connections -= 1
            if not self.open_connections:
                self._all_closed.set()
            self._tasks.discard(task)
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _stream_body(
        self, request: Request, writer: asyncio.StreamWriter, total: int, *, chunked: bool
    ) -> bool:
        """Send a ``total``-byte JSON document in 64 KiB pieces; False if the peer left."""
        sent = 0
        try:
            for piece in _json_pieces(total):
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
                self.body_bytes_sent[request.path] = sent
                await writer.drain()
            if chunked:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except (ConnectionError, OSError):
            return False
        return True


def _json_pieces(total: int) -> Iterator[bytes]:
    """``{"data":"xxx…"}`` of ``total`` bytes, in pieces of at most 64 KiB."""
    prefix, suffix = b'{"data":"', b'"}'
    yield prefix
    left = total - len(prefix) - len(suffix)
    filler = b"x" * CHUNK
    while left > 0:
        size = min(CHUNK, left)
        yield filler[:size]
        left -= size
    yield suffix


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashing proxy does."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _not_found(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    body = b'{"code":404001,"message":"no such route"}'
    writer.write(_head("404 Not Found", {"Content-Length": str(len(body))}) + body)
    await writer.drain()
    return True


async def _ok(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    body = _envelope({"id": "wf_1"})
    head = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    writer.write(_head("200 OK", head) + body)
    await writer.drain()
    return True


async def _huge_declared(
    server: HostileServer, request: Request, writer: asyncio.StreamWriter
) -> bool:
    """Declares 200 MiB, then sends until the client hangs up (or all of it)."""
    head = {"Content-Type": "application/json", "Content-Length": str(HUGE_DECLARED)}
    writer.write(_head("200 OK", head))
    if request.method == "HEAD":  # the length a GET would have, and no body
        await writer.drain()
        return True
    return await server._stream_body(request, writer, HUGE_DECLARED, chunked=False)


async def _sized(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    """``/sized?n=N[&chunked=1]``: a JSON document of exactly N bytes."""
    query = dict(part.split("=", 1) for part in request.target.partition("?")[2].split("&"))
    size, chunked = int(query["n"]), query.get("chunked") == "1"
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
    writer.write(_head("200 OK", {"Content-Type": "application/json", **framing}))
    return await server._stream_body(request, writer, size, chunked=chunked)


async def _big_int(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    """``/big-int?digits=N``: ``{"code":200,"data":{"amount":-777…7}}`` with N digits."""
    digits = int(request.target.partition("digits=")[2])
    body = b'{"code":200,"data":{"amount":-' + b"7" * digits + b'},"requestId":"r1"}'
    head = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    writer.write(_head("200 OK", head) + body)
    await writer.drain()
    return True


async def _endless(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    head = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    writer.write(_head("200 OK", head))
    return await server._stream_body(request, writer, ENDLESS_CAP, chunked=True)


async def _lying_length(
    server: HostileServer, request: Request, writer: asyncio.StreamWriter
) -> bool:
    """Declares 100 bytes AND chunked framing, then sends endless chunks."""
    head = {
        "Content-Type": "application/json",
        "Content-Length": "100",
        "Transfer-Encoding": "chunked",
    }
    writer.write(_head("200 OK", head))
    return await server._stream_body(request, writer, ENDLESS_CAP, chunked=True)


async def _endless_error(
    server: HostileServer, request: Request, writer: asyncio.StreamWriter
) -> bool:
    head = {"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}
    writer.write(_head("500 Internal Server Error", head))
    return await server._stream_body(request, writer, ENDLESS_CAP, chunked=True)


async def _big_error(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    """A 10 MiB error body (declared), the kind a proxy's debug page can be."""
    head = {"Content-Type": "text/plain", "Content-Length": str(BIG_ERROR)}
    writer.write(_head("500 Internal Server Error", head))
    return await server._stream_body(request, writer, BIG_ERROR, chunked=False)


async def _gzip_bomb(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    body = gzip_bomb()
    head = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Content-Length": str(len(body)),
    }
    try:
        writer.write(_head("200 OK", head) + body)
        await writer.drain()
    except (ConnectionError, OSError):
        return False
    return True


async def _drip(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    """One byte every 50 ms of a 100 KiB body: never silent long enough for a read timeout."""
    head = {"Content-Type": "application/json", "Content-Length": str(100 * 1024)}
    writer.write(_head("200 OK", head) + b'{"data":"')
    try:
        for _ in range(100 * 1024):
            await asyncio.sleep(0.05)
            writer.write(b"x")
            await writer.drain()
    except (ConnectionError, OSError):
        return False
    return False


async def _stall(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    """Headers, then silence until the client hangs up."""
    head = {"Content-Type": "application/json", "Content-Length": "100"}
    writer.write(_head("200 OK", head) + b'{"da')
    await writer.drain()
    await request.reader.read()  # b"" once the client closed the connection
    return False


async def _garbage(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    writer.write(bytes(range(256)) * 16)
    await writer.drain()
    return False


async def _long_garbage(
    server: HostileServer, request: Request, writer: asyncio.StreamWriter
) -> bool:
    """100 KiB of text where the status line should be (aiohttp quotes it in its error)."""
    writer.write(b"x" * 100 * 1024 + b"\r\n\r\n")
    await writer.drain()
    return False


async def _cut_json(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    """Promises 100 bytes, sends 40 of a JSON document, closes."""
    head = {"Content-Type": "application/json", "Content-Length": "100"}
    writer.write(_head("200 OK", head) + b'{"code":200,"data":{"id":"wf_1","name":"')
    await writer.drain()
    return False


async def _redirect_loop(
    server: HostileServer, request: Request, writer: asyncio.StreamWriter
) -> bool:
    head = {"Location": request.target, "Content-Length": "0"}
    writer.write(_head("302 Found", head))
    await writer.drain()
    return True


async def _reset_now(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    _reset(writer)
    return False


async def _reset_mid_body(
    server: HostileServer, request: Request, writer: asyncio.StreamWriter
) -> bool:
    head = {"Content-Type": "application/json", "Content-Length": "1000"}
    writer.write(_head("200 OK", head) + b'{"code":200,"data":{"items":[1,2,3')
    await writer.drain()
    await asyncio.sleep(0.05)
    _reset(writer)
    return False


async def _html_502(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    page = (
        b"<html><head><title>502 Bad Gateway</title><style>body{}</style></head><body>"
        b"<h1>502 Bad Gateway</h1><hr><center>nginx</center></body></html>"
    )
    head = {"Content-Type": "text/html", "Content-Length": str(len(page))}
    writer.write(_head("502 Bad Gateway", head) + page)
    await writer.drain()
    return True


async def _html_200(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    page = b"<html><body>Please log in to the captive portal</body></html>"
    head = {"Content-Type": "text/html", "Content-Length": str(len(page))}
    writer.write(_head("200 OK", head) + page)
    await writer.drain()
    return True


async def _malformed_header(
    server: HostileServer, request: Request, writer: asyncio.StreamWriter
) -> bool:
    writer.write(b"HTTP/1.1 200 OK\r\nthis is not a header line\r\nContent-Length: 2\r\n\r\n{}")
    await writer.drain()
    return False


async def _echo_auth(server: HostileServer, request: Request, writer: asyncio.StreamWriter) -> bool:
    """A 401 that echoes the Authorization header it received into its body and headers."""
    auth = request.headers.get("authorization", "")
    body = json.dumps(
        {
            "code": 401002,
            "message": f"invalid credentials: {auth}",
            "details": [
                {"header": "Authorization", "received": auth},
                {"apiKey": auth.removeprefix("Bearer ")},
                {"nested": [{"token": "tok_123"}, f"url https://h/x?secret=S3CR3T&key={auth}"]},
            ],
            "requestId": "req_echo",
        }
    ).encode()
    head = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Echo-Authorization": auth,
        "X-Api-Key": auth.removeprefix("Bearer "),
        "WWW-Authenticate": f'Bearer realm="b3os", error="{auth}"',
    }
    writer.write(_head("401 Unauthorized", head) + body)
    await writer.drain()
    return True


BEHAVIOURS: dict[str, Behaviour] = {
    "/ok": _ok,
    "/sized": _sized,
    "/big-int": _big_int,
    "/huge-declared": _huge_declared,
    "/endless": _endless,
    "/lying-length": _lying_length,
    "/endless-error": _endless_error,
    "/big-error": _big_error,
    "/gzip-bomb": _gzip_bomb,
    "/drip": _drip,
    "/stall": _stall,
    "/garbage": _garbage,
    "/long-garbage": _long_garbage,
    "/cut-json": _cut_json,
    "/redirect-loop": _redirect_loop,
    "/reset": _reset_now,
    "/reset-mid-body": _reset_mid_body,
    "/html-502": _html_502,
    "/html-200": _html_200,
    "/malformed-header": _malformed_header,
    "/echo-auth": _echo_auth,
}
