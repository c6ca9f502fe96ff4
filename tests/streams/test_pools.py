"""Open event streams never starve the requests they wait on (separate connection pools)."""

from __future__ import annotations

import asyncio

from b3os_async import B3OS, RetryPolicy, Timeout
from b3os_async.testing import Emulator

DEFINITION = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["pause"]},
        "pause": {"type": "delay", "payload": {"ms": 50}},
    }
}


async def test_more_run_handles_than_request_connections_all_finish() -> None:
    """Twelve pre-subscribed runs on a 3-connection request pool all trigger and complete."""
    async with (
        Emulator(seed=3, retry_ms=10) as emu,
        B3OS(
            api_key=emu.api_key,
            base_url=emu.url,
            retry=RetryPolicy.no_wait(),
            timeout=Timeout(total=5.0, connect=1.0),
            max_connections=3,
        ) as b3,
    ):
        wf = await b3.workflows.create(name="pools", description="", definition=DEFINITION)

        async def one() -> list[str]:
            return [e.type async for e in b3.workflows.start(wf.id)]

        results = await asyncio.wait_for(asyncio.gather(*(one() for _ in range(12))), 20)
    assert all(types[0] == "run_started" and types[-1] == "run_completed" for types in results)


async def test_stream_pool_is_bounded_by_max_streams() -> None:
    """The stream pool's size is the client's ``max_streams``, apart from the request pool."""
    async with (
        Emulator(seed=4, retry_ms=10) as emu,
        B3OS(api_key=emu.api_key, base_url=emu.url, max_connections=7, max_streams=11) as b3,
    ):
        wf = await b3.workflows.create(name="pools", description="", definition=DEFINITION)
        async for _ in b3.workflows.start(wf.id):
            pass
        requests, streams = b3._manager.pools.request_session, b3._manager.pools.stream_session
        assert requests is not None
        assert streams is not None
        assert requests is not streams
        assert requests.connector is not None
        assert streams.connector is not None
        assert (requests.connector.limit, streams.connector.limit) == (7, 11)
