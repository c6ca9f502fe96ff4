"""Scenario 1: request overhead of ``b3.runs.list(...).first_page()`` vs raw aiohttp and httpx.

All competitors GET the same 20-item run list (envelope A, ~8 KB of JSON) from the same server,
which runs in a separate process. Each competitor keeps one client open (keep-alive), and checks
the status and decodes the JSON:

* ``b3os_async``: ``await b3.runs.list(status="success", page_size=20).first_page()``: envelope
  unwrap, error mapping, retry bookkeeping and typed decoding into 20 ``RunListItem`` objects.
* ``aiohttp``: ``session.get(...)`` + ``raise_for_status()`` + ``await resp.json()`` (dicts only).
* ``httpx``: ``AsyncClient.get(...)`` + ``raise_for_status()`` + ``resp.json()`` (dicts only);
  it runs a third of the requests per sample (it is 5-10x slower; rates are per request).
* ``aiohttp+typed`` (diagnostic): ``aiohttp`` plus the SDK's typed decoding of the 20 items
  (``_convert.structure_items(items, RunListItem)``): what typed decoding alone costs, so that
  ``b3os_async / aiohttp+typed`` isolates the SDK's request machinery (session, pager, envelope).

Measured: throughput (requests/s) sequentially and with 50 concurrent workers, and the client
process's CPU time per request (``time.process_time``; the server's CPU is not in it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

import aiohttp

from benchmarks import _ours
from benchmarks._harness import Config, Row, ScenarioResult, Target, add_ratio, missing, rotated
from benchmarks._server import ServerProcess

NAME = "request_overhead"
TITLE = "Request overhead: GET a 20-item run list"
CONCURRENCY = 50
SLOW_DIVISOR = 3  # httpx runs n // 3 requests per sample (see _measure)
PARAMS = {"status": "success", "limit": "20"}
HEADERS = {"Authorization": "Bearer b3sk_bench_0000000000000000"}

Fetch = Callable[[], Awaitable[int]]  # performs one request, returns the number of items


async def _sequential(fetch: Fetch, n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        if await fetch() != 20:
            raise AssertionError("expected 20 items")
    return time.perf_counter() - wall, time.process_time() - cpu


async def _concurrent(fetch: Fetch, n: int) -> tuple[float, float]:
    per_worker = max(1, n // CONCURRENCY)

    async def worker() -> None:
        for _ in range(per_worker):
            if await fetch() != 20:
                raise AssertionError("expected 20 items")

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return time.perf_counter() - wall, time.process_time() - cpu


async def _open_competitors(
    stack: AsyncExitStack, url: str, result: ScenarioResult
) -> dict[str, Fetch]:
    fetchers: dict[str, Fetch] = {}

    why = _ours.why_missing()
    if why is None:
        b3 = await stack.enter_async_context(_ours.client(url, max_connections=100))

        async def fetch_ours() -> int:
            page = await _ours.first_runs_page(b3, status="success", page_size=20)
            return len(page.items)

        fetchers["b3os_async"] = fetch_ours
        if _ours.speedups_available():
            # The same client parsing with the standard library (as installed without the
            # `speedups` extra); _measure switches the parser before each of its samples.
            fetchers[_ours.STDLIB_JSON] = fetch_ours
    else:
        result.skipped["b3os_async"] = why

    session = await stack.enter_async_context(
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
    )
    list_url = f"{url}/v1/runs"

    async def fetch_aiohttp() -> int:
        async with session.get(list_url, params=PARAMS, headers=HEADERS) as resp:
            resp.raise_for_status()
            body: Any = await resp.json()
        return len(body["data"]["items"])

    fetchers["aiohttp"] = fetch_aiohttp

    if "b3os_async" in fetchers:
        # Diagnostic: raw aiohttp + the SDK's own typed decoding of the page. The gap between
        # this and b3os_async is the SDK's request machinery alone (session, pager, envelope).
        decode_items = _ours.run_list_items_decoder()

        async def fetch_aiohttp_typed() -> int:
            async with session.get(list_url, params=PARAMS, headers=HEADERS) as resp:
                resp.raise_for_status()
                body: Any = await resp.json()
            return len(decode_items(body["data"]["items"]))

        fetchers["aiohttp+typed"] = fetch_aiohttp_typed

    why = missing("httpx")
    if why is None:
        import httpx

        if missing("sniffio") is not None:
            # httpcore 1.x runs `import sniffio` on every request and anyio >= 4.? no longer
            # installs it: each failed import walks sys.path (about 3x httpx's per-request CPU).
            result.notes.append(
                "sniffio is not installed: httpx pays a failed `import sniffio` per request "
                "(pip install sniffio for its usual speed)"
            )

        client = await stack.enter_async_context(
            httpx.AsyncClient(
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=100)
            )
        )

        async def fetch_httpx() -> int:
            resp = await client.get(list_url, params=PARAMS, headers=HEADERS)
            resp.raise_for_status()
            body: Any = resp.json()
            return len(body["data"]["items"])

        fetchers["httpx"] = fetch_httpx
    else:
        result.skipped["httpx"] = why
    return fetchers


async def _measure(url: str, cfg: Config, result: ScenarioResult) -> None:
    n_seq = cfg.size(1000, 100)
    n_conc = cfg.size(2000, 200)
    repeats = cfg.repeats(15, 2)  # its ratios are the noisiest: 7 repeats moved them by +-0.1
    result.params.update(
        sequential_requests=n_seq,
        concurrent_requests=n_conc,
        concurrency=CONCURRENCY,
        repeats=repeats,
        items_per_page=20,
        httpx_requests_divisor=SLOW_DIVISOR,
    )
    cases: dict[str, tuple[Callable[[Fetch, int], Awaitable[tuple[float, float]]], int]] = {
        "sequential": (_sequential, n_seq),
        f"concurrent x{CONCURRENCY}": (_concurrent, n_conc),
    }
    async with AsyncExitStack() as stack:
        fetchers = await _open_competitors(stack, url, result)
        names = list(fetchers)
        for name in names:  # warm-up: open the pool's connections, fill caches
            if name.startswith("b3os_async"):
                _ours.use_speedups(name != _ours.STDLIB_JSON)
            await _concurrent(fetchers[name], CONCURRENCY * 2)
        throughput: dict[tuple[str, str], list[float]] = {}
        cpu_us: dict[tuple[str, str], list[float]] = {}
        for r in range(repeats):
            for case, (run, n) in cases.items():
                for name in rotated(names, r):
                    # httpx is 5-10x slower per request here: a third of the requests keeps
                    # its samples as long as the others' (rates are per request anyway).
                    count = max(CONCURRENCY * 2, n // SLOW_DIVISOR) if name == "httpx" else n
                    if name.startswith("b3os_async"):
                        _ours.use_speedups(name != _ours.STDLIB_JSON)
                    wall, cpu = await run(fetchers[name], count)
                    done = (
                        count if run is _sequential else CONCURRENCY * max(1, count // CONCURRENCY)
                    )
                    throughput.setdefault((case, name), []).append(done / wall)
                    cpu_us.setdefault((case, name), []).append(cpu / done * 1e6)
        if _ours.STDLIB_JSON in fetchers:
            _ours.use_speedups(True)  # back to the default (for --in-process runs)
    for (case, name), samples in throughput.items():
        result.rows.append(Row(case, name, "req/s", samples))
    for (case, name), samples in cpu_us.items():
        result.rows.append(
            Row(f"{case} (client CPU)", name, "µs/req", samples, higher_is_better=False)
        )


def run(cfg: Config) -> ScenarioResult:
    """Measure every competitor against one server process and report ratios."""
    result = ScenarioResult(NAME, TITLE)
    with ServerProcess() as server:
        asyncio.run(_measure(server.url, cfg, result))
    conc = f"concurrent x{CONCURRENCY}"
    for case in ("sequential", conc):
        vs_aiohttp = add_ratio(
            result, case, "b3os_async", "aiohttp", f"{case}: b3os_async / aiohttp", "throughput"
        )
        add_ratio(
            result,
            case,
            _ours.STDLIB_JSON,
            "aiohttp",
            f"{case}: {_ours.STDLIB_JSON} / aiohttp",
            "throughput without the speedups extra",
        )
        add_ratio(
            result,
            case,
            "b3os_async",
            "aiohttp+typed",
            f"{case}: b3os_async / aiohttp+typed",
            "throughput; isolates the SDK's request machinery",
        )
        vs_httpx = add_ratio(
            result, case, "b3os_async", "httpx", f"{case}: b3os_async / httpx", "throughput"
        )
        result.targets.append(Target(f"{case}: >= 0.85x raw aiohttp", ">=", 0.85, vs_aiohttp))
        result.targets.append(Target(f"{case}: >= 2x httpx", ">=", 2.0, vs_httpx))
    for case in ("sequential", conc):
        cpu_case = f"{case} (client CPU)"
        for other in ("aiohttp", "aiohttp+typed"):
            add_ratio(
                result,
                cpu_case,
                "b3os_async",
                other,
                f"{cpu_case}: b3os_async / {other}",
                "client CPU per request (lower is better)",
            )
    result.notes.append(
        "Server in a separate process; 2 cores: client and server each get about one core, so "
        "concurrent throughput can be bounded by the server. Client CPU per request is the "
        "server-independent figure."
    )
    return result
