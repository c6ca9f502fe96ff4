"""The benchmark server: a small aiohttp app run in its OWN process.

Theory of operation
-------------------
The machine has two cores. The server runs in a child process (``python -m benchmarks._server``)
so that its CPU work does not share the client's event loop: the client process gets one core,
the server the other. Responses are pre-serialised bytes (the server does as little as it can per
request), so the client-side cost dominates what we measure. The parent talks to it over HTTP on
127.0.0.1 and keeps its stdin open: when the parent closes stdin (or dies), the server stops. A
hard lifetime cap stops it regardless.

Routes
  GET  /v1/runs                 envelope A + PaginatedData of 20 RunListItem (fixed bytes)
  GET  /v1/runs/{id}            envelope A + a Run with 50 nodes (for a client that reconciles)
  GET  /v1/runs/{id}/stream     the run stream: ``retry:``, N framed events (ids 1..N, terminal
                                last), then the server closes. With ``hold_after=K`` it sends K
                                events, then ``: heartbeat`` comments every 0.5 s until
                                ``POST /_bench/release``, then the rest.
  POST /_bench/stream           JSON ``{"events": N, "hold_after": K | null}``: configure streams
  POST /_bench/release          let held streams go on
  GET  /_bench/stats            ``{"open": n, "served": m}``

This module must not import b3os_async: the server is the common ground for every competitor.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import socket
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any

from aiohttp import web

from benchmarks import _payloads

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import TracebackType

    from typing_extensions import Self

WRITE_SIZE = 64 * 1024  # bytes per write of a stream body
MAX_LIFETIME = 1800.0  # seconds; the server stops by itself after this
HEARTBEAT_INTERVAL = 0.5


class _StreamState:
    """The current stream configuration and the hold/release gate."""

    def __init__(self) -> None:
        self.events = 10
        self.hold_after: int | None = None
        self.release = asyncio.Event()
        self.template: list[bytes] = _payloads.run_stream_body(self.events)
        self.open = 0
        self.served = 0

    def configure(self, events: int, hold_after: int | None) -> None:
        self.events = events
        self.hold_after = hold_after
        self.release = asyncio.Event()
        self.template = _payloads.run_stream_body(events)


def _join_for(template: list[bytes], run_id: str) -> bytes:
    placeholder = _payloads.RUN_ID_PLACEHOLDER.encode()
    return b"".join(template).replace(placeholder, run_id.encode())


async def _write_all(resp: web.StreamResponse, data: bytes) -> None:
    view = memoryview(data)
    for start in range(0, len(view), WRITE_SIZE):
        await resp.write(view[start : start + WRITE_SIZE])


def make_app() -> web.Application:
    """The aiohttp application (also usable in-process, e.g. by a test)."""
    state = _StreamState()
    list_body = _payloads.dumps(_payloads.run_list_envelope(20))
    detail_template = _payloads.dumps(
        {
            "code": 200,
            "message": "OK",
            "requestId": "req_bench_detail",
            "data": _payloads.run_detail(50, run_id=_payloads.RUN_ID_PLACEHOLDER),
        }
    )

    async def list_runs(request: web.Request) -> web.Response:
        return web.Response(body=list_body, content_type="application/json")

    async def get_run(request: web.Request) -> web.Response:
        run_id = request.match_info["run_id"].encode()
        body = detail_template.replace(_payloads.RUN_ID_PLACEHOLDER.encode(), run_id)
        return web.Response(body=body, content_type="application/json")

    async def stream(request: web.Request) -> web.StreamResponse:
        run_id = request.match_info["run_id"]
        template, hold_after, release = state.template, state.hold_after, state.release
        resp = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await resp.prepare(request)  # flush headers now: the subscriber knows it is subscribed
        state.open += 1
        try:
            await resp.write(b"retry: 1000\n\n")
            last_id = request.headers.get("Last-Event-ID")
            start = int(last_id) if last_id and last_id.isdigit() else 0
            if hold_after is not None and start < hold_after:
                await _write_all(resp, _join_for(template[start:hold_after], run_id))
                while not release.is_set():
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(release.wait(), HEARTBEAT_INTERVAL)
                    if not release.is_set():
                        await resp.write(b": heartbeat\n\n")
                start = hold_after
            await _write_all(resp, _join_for(template[start:], run_id))
            await resp.write_eof()
        finally:
            state.open -= 1
            state.served += 1
        return resp

    async def configure(request: web.Request) -> web.Response:
        body = await request.json()
        state.configure(int(body["events"]), body.get("hold_after"))
        return web.json_response({"ok": True})

    async def release(request: web.Request) -> web.Response:
        state.release.set()
        return web.json_response({"ok": True})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({"open": state.open, "served": state.served})

    app = web.Application()
    app.router.add_get("/v1/runs", list_runs)
    app.router.add_get("/v1/runs/{run_id}", get_run)
    app.router.add_get("/v1/runs/{run_id}/stream", stream)
    app.router.add_post("/_bench/stream", configure)
    app.router.add_post("/_bench/release", release)
    app.router.add_get("/_bench/stats", stats)
    return app


def raise_fd_limit(wanted: int = 8192) -> int:
    """Raise RLIMIT_NOFILE's soft limit towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


async def _serve() -> None:
    raise_fd_limit()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    def watch_stdin() -> None:
        # The parent holds our stdin open; EOF means it is gone or done with us.
        with contextlib.suppress(Exception):
            sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # loopback only
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    site = web.SockSite(runner, sock, backlog=4096)
    await site.start()
    print(f"READY {sock.getsockname()[1]}", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), MAX_LIFETIME)
    except asyncio.TimeoutError:
        pass
    finally:
        await runner.cleanup()


def pin_server(server_pid: int) -> None:
    """Give the server the last CPU and this (client) process the others, where possible.

    Why: unpinned, the scheduler moves both processes across the two cores, and a client that
    shares its core with the server for a while measures the server's work as its own slowness;
    pinning removed much of the run-to-run noise. Without sched_setaffinity (macOS) or with a
    single CPU, nothing is pinned.
    """
    setaffinity = getattr(os, "sched_setaffinity", None)
    # All CPUs, not this process's current set: a process pinned by an earlier server (a worker
    # it spawned, or --in-process runs) must still give its own server a CPU of its own.
    cpus = list(range(os.cpu_count() or 1))
    if setaffinity is None or len(cpus) < 2:
        return
    try:
        setaffinity(server_pid, {cpus[-1]})
        setaffinity(0, set(cpus[:-1]))
    except OSError:  # a container may forbid it; the figures are only noisier
        return


class ServerProcess:
    """``with ServerProcess() as srv:`` starts the server in a child process (``srv.url``).

    The child is ``python -m <MODULE>``: it prints ``READY <fields...>`` once it listens and stops
    when its stdin closes. Subclasses name another module and read other fields (``_ready``).
    """

    MODULE = "benchmarks._server"
    LABEL = "benchmark server"

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def _ready(self, fields: list[str]) -> None:
        """Read the child's ``READY`` fields (here: the port)."""
        self.url = f"http://127.0.0.1:{int(fields[0])}"

    def __enter__(self) -> Self:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (os.path.dirname(os.path.dirname(__file__)), env.get("PYTHONPATH")) if p
        )
        self._proc = subprocess.Popen(
            [sys.executable, "-m", self.MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().decode()  # "" if the child died before binding
        try:
            if not line.startswith("READY "):
                raise ValueError(line)
            self._ready(line.split()[1:])
        except (ValueError, IndexError):
            self.__exit__(None, None, None)
            raise RuntimeError(f"{self.LABEL} did not start (said {line!r})") from None
        pin_server(self._proc.pid)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def rss() -> int:
    """This process's resident set size in bytes (Linux ``/proc``)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def wait_until_open(
    opened: asyncio.Event,
    tasks: Sequence[asyncio.Future[int]],
    timeout: float,
    what: Callable[[], str],
) -> None:
    """Wait for ``opened``; if a task ends first (or time runs out), cancel all and fail.

    Held streams cannot end before they are released, so a task that finishes early has failed.
    ``what()`` completes the failure message "only ..." (e.g. "3 of 1000 streams opened").
    """
    waiter: asyncio.Future[Any] = asyncio.ensure_future(opened.wait())
    done, _ = await asyncio.wait(
        [waiter, *tasks], timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if waiter in done:
        return
    waiter.cancel()
    for task in tasks:
        task.cancel()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    detail = f"; first error: {errors[0]!r}" if errors else ""
    raise AssertionError(f"only {what()}{detail}")


async def post_json(url: str, body: object) -> None:
    """POST a JSON control message to the server (plain aiohttp, outside any measurement)."""
    import aiohttp

    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=json.dumps(body), headers={"Content-Type": "application/json"}) as r,
    ):
        r.raise_for_status()


if __name__ == "__main__":
    asyncio.run(_serve())
