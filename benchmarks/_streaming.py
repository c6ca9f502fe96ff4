"""Stream readers shared by the end-to-end and many-streams scenarios.

Each reader opens ``GET /v1/runs/{id}/stream`` on the benchmark server, consumes events until the
server closes after the terminal event, and returns how many events it saw. ``on_event(count)`` is
called after every event (the many-streams scenario uses it to know when all streams are open).

* ``b3os_async``: ``async for event in b3.runs.stream(run_id)``: typed ``RunEvent`` objects,
  with the SDK's resume bookkeeping (ids, dedupe) and its stop-at-terminal rule.
* ``aiohttp-minimal``: ``resp.content.iter_any()`` chunks appended to a ``bytes`` buffer, split on
  ``b"\\n\\n"``; for each block, the text after ``data: `` up to the end of that line goes to
  ``json.loads``. No SSE rules (no CR handling, comments, multi-line data, ids): the floor.
* ``aiohttp+SSEDecoder``: the same chunks fed to ``b3os_async.sse.SSEDecoder`` and each event's
  data to ``json.loads``: the spec-correct decode without the SDK's stream loop or models.
* ``httpx-sse``: ``aconnect_sse`` + ``EventSource.aiter_sse()`` + ``json.loads(sse.data)``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from benchmarks import _ours

if TYPE_CHECKING:
    import aiohttp

STREAM_HEADERS = {
    "Authorization": f"Bearer {_ours.API_KEY}",
    "Accept": "text/event-stream",
    "Cache-Control": "no-store",
}

OnEvent = Callable[[int], None]
Reader = Callable[[str, OnEvent], Awaitable[int]]


def _noop(count: int) -> None:
    pass


def ours(b3: Any) -> Reader:
    """A reader using ``b3.runs.stream``; checks the last event is the terminal one."""

    async def read(run_id: str, on_event: OnEvent = _noop) -> int:
        count, last = 0, None
        async with _ours.open_run_stream(b3, run_id) as stream:
            async for event in stream:
                count += 1
                last = event
                on_event(count)
        if last is None or str(getattr(last, "type", "")) != "run_completed":
            raise AssertionError(f"stream {run_id} did not end with run_completed: {last!r}")
        return count

    return read


def aiohttp_minimal(session: aiohttp.ClientSession, base_url: str) -> Reader:
    """A reader doing chunk reads, a split on blank lines and ``json.loads`` of the data line."""

    async def read(run_id: str, on_event: OnEvent = _noop) -> int:
        count, buf = 0, b""
        async with session.get(
            f"{base_url}/v1/runs/{run_id}/stream", headers=STREAM_HEADERS
        ) as resp:
            resp.raise_for_status()
            async for chunk in resp.content.iter_any():
                buf += chunk
                *blocks, buf = buf.split(b"\n\n")
                for block in blocks:
                    start = block.find(b"data: ")
                    if start < 0:
                        continue  # retry / heartbeat blocks
                    end = block.find(b"\n", start)
                    json.loads(block[start + 6 : end if end >= 0 else len(block)])
                    count += 1
                    on_event(count)
        return count

    return read


def aiohttp_sse_decoder(session: aiohttp.ClientSession, base_url: str) -> Reader:
    """A reader feeding chunks to our ``SSEDecoder`` and ``json.loads``-ing each event's data."""
    from b3os_async.sse import SSEDecoder

    async def read(run_id: str, on_event: OnEvent = _noop) -> int:
        count, decoder = 0, SSEDecoder()
        async with session.get(
            f"{base_url}/v1/runs/{run_id}/stream", headers=STREAM_HEADERS
        ) as resp:
            resp.raise_for_status()
            async for chunk in resp.content.iter_any():
                for event in decoder.feed(chunk):
                    json.loads(event.data)
                    count += 1
                    on_event(count)
        return count

    return read


def httpx_sse(client: Any, base_url: str) -> Reader:
    """A reader using httpx-sse's ``aconnect_sse`` / ``aiter_sse``."""
    from httpx_sse import aconnect_sse

    async def read(run_id: str, on_event: OnEvent = _noop) -> int:
        count = 0
        headers = {"Authorization": STREAM_HEADERS["Authorization"]}
        url = f"{base_url}/v1/runs/{run_id}/stream"
        async with aconnect_sse(client, "GET", url, headers=headers) as source:
            source.response.raise_for_status()
            async for sse in source.aiter_sse():
                if not sse.data:
                    continue  # httpx-sse dispatches the data-less "retry:" block
                json.loads(sse.data)
                count += 1
                on_event(count)
        return count

    return read
