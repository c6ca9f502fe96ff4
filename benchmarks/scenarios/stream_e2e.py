"""Scenario 3: end-to-end run stream, events/s through ``b3.runs.stream()`` vs raw readers.

The server (separate process) sends ``retry: 1000`` then 20,000 small run events (``id:``,
``event:``, one ~200-byte JSON ``data:`` line; ids 1..N, ``run_completed`` last) in 64 KiB writes,
then closes. Readers (see ``benchmarks/_streaming.py`` for exactly what each does):
``b3os_async`` (typed ``RunEvent`` objects), ``aiohttp-minimal`` (chunk reads + split on blank
lines + ``json.loads``), ``aiohttp+SSEDecoder`` (our decoder + ``json.loads``) and ``httpx-sse``.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack

import aiohttp

from benchmarks import _ours, _streaming
from benchmarks._harness import Config, Row, ScenarioResult, Target, add_ratio, missing, rotated
from benchmarks._server import ServerProcess, post_json

NAME = "stream_e2e"
TITLE = "End-to-end run stream: small events through one stream"
CASE = "one stream"


async def _measure(url: str, cfg: Config, result: ScenarioResult) -> None:
    events = cfg.size(20_000, 4_000)
    repeats = cfg.repeats(5, 2)
    result.params.update(events=events, repeats=repeats, write_bytes=64 * 1024)
    await post_json(f"{url}/_bench/stream", {"events": events, "hold_after": None})
    readers: dict[str, _streaming.Reader] = {}
    async with AsyncExitStack() as stack:
        why = _ours.why_missing()
        if why is None:
            b3 = await stack.enter_async_context(_ours.client(url))
            readers["b3os_async"] = _streaming.ours(b3)
            if _ours.speedups_available():  # the parser is switched before each sample
                readers[_ours.STDLIB_JSON] = _streaming.ours(b3)
        else:
            result.skipped["b3os_async"] = why
        session = await stack.enter_async_context(aiohttp.ClientSession())
        readers["aiohttp-minimal"] = _streaming.aiohttp_minimal(session, url)
        why = _ours.why_missing("b3os_async.sse")
        if why is None:
            readers["aiohttp+SSEDecoder"] = _streaming.aiohttp_sse_decoder(session, url)
        else:
            result.skipped["aiohttp+SSEDecoder"] = why
        why = missing("httpx_sse")
        if why is None:
            import httpx

            client = await stack.enter_async_context(httpx.AsyncClient(timeout=60))
            readers["httpx-sse"] = _streaming.httpx_sse(client, url)
        else:
            result.skipped["httpx-sse"] = why

        names = list(readers)
        for name in names:  # warm-up
            if name.startswith("b3os_async"):
                _ours.use_speedups(name != _ours.STDLIB_JSON)
            await readers[name](
                f"run_bench_warm_{''.join(c if c.isalnum() else '_' for c in name)}",
                _streaming._noop,
            )
        rate: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for r in range(repeats):
            for name in rotated(names, r):
                run_id = f"run_bench_e2e_{r}_{''.join(c if c.isalnum() else '_' for c in name)}"
                if name.startswith("b3os_async"):
                    _ours.use_speedups(name != _ours.STDLIB_JSON)
                wall, cpu0 = time.perf_counter(), time.process_time()
                count = await readers[name](run_id, _streaming._noop)
                wall, cpu0 = time.perf_counter() - wall, time.process_time() - cpu0
                if count != events:
                    raise AssertionError(f"{name} saw {count} events, expected {events}")
                rate[name].append(count / wall)
                cpu[name].append(cpu0 / count * 1e6)
        if _ours.STDLIB_JSON in readers:
            _ours.use_speedups(True)  # back to the default (for --in-process runs)
    for name in names:
        result.rows.append(Row(CASE, name, "events/s", rate[name]))
    for name in names:
        result.rows.append(
            Row(f"{CASE} (client CPU)", name, "µs/event", cpu[name], higher_is_better=False)
        )


def run(cfg: Config) -> ScenarioResult:
    """Read the same stream with every reader against one server process."""
    result = ScenarioResult(NAME, TITLE)
    with ServerProcess() as server:
        asyncio.run(_measure(server.url, cfg, result))
    minimal = add_ratio(
        result, CASE, "b3os_async", "aiohttp-minimal", "b3os_async / aiohttp-minimal", "events/s"
    )
    for other in ("aiohttp+SSEDecoder", "httpx-sse"):
        add_ratio(result, CASE, "b3os_async", other, f"b3os_async / {other}", "events/s")
    add_ratio(
        result,
        CASE,
        _ours.STDLIB_JSON,
        "aiohttp-minimal",
        f"{_ours.STDLIB_JSON} / aiohttp-minimal",
        "events/s without the speedups extra",
    )
    result.targets.append(
        Target(">= 0.5x raw aiohttp (minimal split) incl. typed decoding", ">=", 0.5, minimal)
    )
    result.notes.append(
        "aiohttp-minimal applies no SSE rules (no CR/CRLF, comments, multi-line data or ids); "
        "it is the floor a hand-rolled reader would reach."
    )
    return result
