"""Shutting down a real uvicorn process while browsers follow runs through the relay."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from kit_helpers import SseClient

from b3os_async import B3OS
from b3os_async.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]
HOLD = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["hold"]},
        "hold": {"type": "wait", "payload": {}},
    },
    "triggerNodeIds": ["root"],
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _until_up(url: str, proc: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            assert proc.returncode is None, "uvicorn exited before it served"
            try:
                async with http.get(f"{url}/api/hooks") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("uvicorn did not start")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_shutdown_with_open_relays_finishes_within_a_second(sig: signal.Signals) -> None:
    """uvicorn (example app) stops within 1 s of the signal although 3 relays were open; their
    responses end cleanly and every upstream stream is released."""
    async with Emulator(seed=31) as emu, B3OS(api_key=emu.api_key, base_url=emu.url) as b3:
        run_id = (await b3.runs.create(HOLD)).run_id
        await emu.wait_for_run(run_id, "waiting")
        port = _free_port()
        env = {**os.environ, "B3OS_API_KEY": emu.api_key, "B3OS_BASE_URL": emu.url}
        env.pop("B3OS_HOOK_SECRET", None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "uvicorn", "examples.fastapi_app.app:app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            await _until_up(url, proc)
            async with aiohttp.ClientSession() as http:
                responses = [await http.get(f"{url}/api/runs/{run_id}/events") for _ in range(3)]
                readers = [SseClient(response) for response in responses]
                for reader in readers:
                    await reader.next_events(5)  # run_started ... run_waiting
                assert emu.open_streams == 3
                started = time.monotonic()
                proc.send_signal(sig)
                endings = [await reader.events(timeout=2) for reader in readers]
                await asyncio.wait_for(proc.wait(), 2)
                elapsed = time.monotonic() - started
                for response in responses:
                    response.close()
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        assert elapsed < 1.0, f"shutdown took {elapsed:.2f} s"
        assert endings == [[], [], []]  # ended without an error frame: browsers will resume
        assert emu.open_streams == 0
