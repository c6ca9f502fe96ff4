"""Background load on the emulator, in a worker process of its own (scenario ``emulator_scale``).

``python -m benchmarks._emulator_load <url> <api key> <streams> <runs per second>``:

1. creates a *hold* workflow (``root`` -> ``wait``), ``streams / 2`` *quiet* workflows and one
   *busy* workflow (``root`` -> ``echo``), through the API;
2. opens ``streams`` streams and keeps them open: half are run streams, each opened before its
   run is started (``runId`` chosen by the client) on the hold workflow, so every run stops at its
   ``wait`` node and the stream stays open; the other half are run-notification streams
   (``/v1/workflows/{id}/runs/stream``) of the quiet workflows, which never see an event;
3. once every stream is open (every run stream saw ``run_waiting``) it prints ``LOADED`` and
   starts runs of the busy workflow at the given rate, without waiting for one to finish before
   the next (at most 256 requests in flight);
4. when its stdin closes it stops and prints one JSON line: runs started, failed starts, seconds,
   achieved rate, and how many streams were still open.

Raw aiohttp, no SDK: the emulator is what is measured. Streams are read and their bytes dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

import aiohttp

from benchmarks._emulator_scale import SMALL
from benchmarks._server import raise_fd_limit

HOLD = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["hold"]},
        "hold": {"type": "wait", "payload": {}},
    },
    "triggerNodeIds": ["root"],
}
OPEN_TIMEOUT = 180.0
IN_FLIGHT = 256


async def _create(session: aiohttp.ClientSession, name: str, definition: Any) -> str:
    body = {"name": name, "description": "load", "definition": definition}
    async with session.post("/v1/workflows", json=body) as response:
        response.raise_for_status()
        return str((await response.json())["data"]["id"])


async def _follow(
    session: aiohttp.ClientSession, path: str, opened: asyncio.Future[None], marker: bytes
) -> None:
    """Read a stream until it ends; resolve ``opened`` once ``marker`` has arrived."""
    # Last-Event-ID: 0 replays the run's events, whether the stream or the run came first.
    async with session.get(path, headers={"Last-Event-ID": "0"}) as response:
        response.raise_for_status()
        seen = b""
        async for chunk in response.content.iter_any():
            if not opened.done():
                seen = seen[-64:] + chunk
                if marker in seen:
                    opened.set_result(None)
    if not opened.done():
        opened.set_exception(AssertionError(f"{path} ended before {marker!r}"))


async def _load(url: str, api_key: str, streams: int, rate: float) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api_key}"}
    connector = aiohttp.TCPConnector(limit=streams + IN_FLIGHT + 16)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(
        url, headers=headers, connector=connector, timeout=timeout
    ) as session:
        hold = await _create(session, "hold", HOLD)
        busy = await _create(session, "busy", SMALL)
        quiet = [await _create(session, f"quiet {i}", SMALL) for i in range(streams // 2)]
        loop = asyncio.get_running_loop()
        followers: list[asyncio.Future[None]] = []
        opened: list[asyncio.Future[None]] = []

        def follow(path: str, marker: bytes) -> None:
            ready: asyncio.Future[None] = loop.create_future()
            followers.append(asyncio.ensure_future(_follow(session, path, ready, marker)))
            opened.append(ready)

        for workflow_id in quiet:
            follow(f"/v1/workflows/{workflow_id}/runs/stream", b"retry:")
        for i in range(streams - len(quiet)):
            run_id = f"run_load_hold_{i:05d}"
            follow(f"/v1/runs/{run_id}/stream", b"run_waiting")
            async with session.post(f"/v1/workflows/{hold}/run", json={"runId": run_id}) as r:
                r.raise_for_status()
        await asyncio.wait_for(asyncio.gather(*opened), OPEN_TIMEOUT)
        print("LOADED", flush=True)

        started = failed = 0
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def start() -> None:
            nonlocal started, failed
            try:
                async with session.post(f"/v1/workflows/{busy}/run", json={}) as response:
                    await response.read()
                    if response.status == 200:
                        started += 1
                    else:
                        failed += 1
            except aiohttp.ClientError:
                failed += 1
            finally:
                gate.release()

        stop = asyncio.Event()
        waiter = loop.run_in_executor(None, sys.stdin.buffer.read)
        waiter.add_done_callback(lambda _: loop.call_soon_threadsafe(stop.set))
        starters: set[asyncio.Task[None]] = set()
        began = next_at = time.perf_counter()
        while not stop.is_set():
            await gate.acquire()
            task = asyncio.ensure_future(start())
            starters.add(task)
            task.add_done_callback(starters.discard)
            next_at += 1 / rate
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - time.perf_counter()))
        seconds = time.perf_counter() - began
        still_open = sum(1 for task in followers if not task.done())
        for task in [*starters, *followers]:
            task.cancel()
        await asyncio.gather(*starters, *followers, return_exceptions=True)
        with contextlib.suppress(Exception):
            await waiter
    return {
        "started": started,
        "failed": failed,
        "seconds": seconds,
        "rate": started / seconds if seconds else 0.0,
        "streams_open": still_open,
    }


def _main() -> None:
    url, api_key, streams, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    raise_fd_limit(streams * 2 + IN_FLIGHT + 256)
    print(json.dumps(asyncio.run(_load(url, api_key, streams, rate))), flush=True)


if __name__ == "__main__":
    _main()
