"""The relay under test for scenario 9 (``relay_clients``): a FastAPI app under uvicorn.

``python -m benchmarks._relay_server`` (with ``BENCH_RELAY_UPSTREAM="<emulator url> <api key>"``
in the environment) serves, on 127.0.0.1:

  GET /runs/{id}/events    ``b3os_async.fastapi.relay_run``: the run's events, resumable
  GET /_bench/rss          ``{"rss": <bytes>, "relays": <open relays>}`` of this process

and prints ``READY <port>``; it stops when its stdin closes. The app's one client
(``B3OSLifespan``) may hold ``BENCH_RELAY_STREAMS`` upstream streams.

``python -m benchmarks._relay_server upstream <url> <key> <run ids file>`` is the reference
worker: the same client and upstream streams (``b3.runs.stream``) on the same held runs, without
uvicorn, FastAPI or a browser connection; it prints one JSON line with the RSS per stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import sys
import threading
from typing import Any

# FastAPI resolves the endpoints' annotations from this module's globals (the scenario checks
# that fastapi and uvicorn are installed before it starts this module).
from fastapi import Request  # noqa: TC002
from starlette.responses import JSONResponse, Response

from benchmarks._server import raise_fd_limit, rss


def _client(url: str, key: str, streams: int) -> Any:
    from b3os_async import B3OS, RetryPolicy

    return B3OS(
        api_key=key,
        base_url=url,
        retry=RetryPolicy.no_wait(),
        max_streams=streams + 16,
        max_connections=200,
    )


async def _serve() -> None:
    import uvicorn
    from fastapi import FastAPI

    from b3os_async.fastapi import B3OSLifespan, relay_hub, relay_run

    raise_fd_limit()
    url, key = os.environ["BENCH_RELAY_UPSTREAM"].split()
    streams = int(os.environ.get("BENCH_RELAY_STREAMS", "1000"))
    app = FastAPI(lifespan=B3OSLifespan(lambda: _client(url, key, streams), watch_signals=False))

    async def events(run_id: str, request: Request) -> Response:
        return await relay_run(request, run_id)

    async def measure(request: Request) -> Response:
        gc.collect()
        hub = relay_hub(request)
        return JSONResponse({"rss": rss(), "relays": len(hub) if hub is not None else 0})

    app.add_api_route("/runs/{run_id}/events", events, methods=["GET"])
    app.add_api_route("/_bench/rss", measure, methods=["GET"])
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", ws="none", backlog=4096,
        timeout_graceful_shutdown=2,
    )  # fmt: skip
    server = uvicorn.Server(config)
    loop = asyncio.get_running_loop()

    def watch_stdin() -> None:
        with contextlib.suppress(Exception):
            sys.stdin.buffer.read()
        loop.call_soon_threadsafe(setattr, server, "should_exit", True)

    threading.Thread(target=watch_stdin, daemon=True).start()
    task = loop.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            return
        await asyncio.sleep(0.01)
    print(f"READY {server.servers[0].sockets[0].getsockname()[1]}", flush=True)
    await task


async def _upstream(url: str, key: str, run_ids: list[str]) -> dict[str, float]:
    """RSS per upstream stream alone: the same streams the relays open, nothing else."""
    raise_fd_limit()
    async with _client(url, key, len(run_ids)) as b3:

        async def hold_open(ids: list[str]) -> list[asyncio.Future[None]]:
            """Open one stream per run, return once each saw ``run_waiting`` (still open)."""
            waiting: list[asyncio.Future[None]] = []
            done = asyncio.Event()

            async def follow(run_id: str, seen: asyncio.Future[None]) -> None:
                async with b3.runs.stream(run_id) as stream:
                    async for event in stream:
                        if event.type == "run_waiting":
                            seen.set_result(None)
                            await done.wait()
                            return

            loop = asyncio.get_running_loop()
            tasks = []
            for run_id in ids:
                seen = loop.create_future()
                waiting.append(seen)
                tasks.append(asyncio.ensure_future(follow(run_id, seen)))
            await asyncio.wait_for(asyncio.gather(*waiting), 120)
            holders.append((done, tasks))
            return waiting

        holders: list[tuple[asyncio.Event, list[asyncio.Task[None]]]] = []
        await hold_open(run_ids[:20])  # warm up: code loaded, pools grown
        gc.collect()
        before = rss()
        await hold_open(run_ids[20:])
        gc.collect()
        per_stream = (rss() - before) / (len(run_ids) - 20)
        for done, tasks in holders:
            done.set()
            await asyncio.gather(*tasks)
    return {"rss_per_stream": per_stream}


if __name__ == "__main__":
    if sys.argv[1:2] == ["upstream"]:
        _, _, base, api_key, ids_file = sys.argv
        with open(ids_file) as f:
            ids = f.read().split()
        print(json.dumps(asyncio.run(_upstream(base, api_key, ids))), flush=True)
    else:
        asyncio.run(_serve())
