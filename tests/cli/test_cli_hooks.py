"""``b3os hooks listen`` (a subprocess, as a developer runs it) and ``b3os hooks deliveries``."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import socket
import sys
import time
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.cli import main
from b3os_async.models import DeliveryStatus
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DEFINITION: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["step"]},
        "step": {"type": "echo", "payload": {"v": 1}},
    },
    "triggerNodeIds": ["root"],
}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator with fast hook retries."""
    async with Emulator(seed=13, hook_retry_delay=0.02, hook_timeout=1.0) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client for setting up state on the emulator."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


class Listener:
    """``b3os hooks listen`` in a subprocess; reads its stdout line by line."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    async def line(self, timeout: float = 10.0) -> str:
        assert self.proc.stdout is not None
        raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        assert raw, "the listener's stdout closed"
        self.lines.append(raw.decode().rstrip("\n"))
        return self.lines[-1]

    async def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(self.proc.communicate(), 10)
        self.lines.extend(out.decode().splitlines())
        assert self.proc.returncode is not None
        return self.proc.returncode, err.decode()


async def _listen(*argv: str, secret: str | None = None) -> Listener:
    env = {k: v for k, v in os.environ.items() if not k.startswith("B3OS_")}
    if secret is not None:
        env["B3OS_HOOK_SECRET"] = secret
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "b3os_async", "hooks", "listen", *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    return Listener(proc)


def _sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def _settled(b3: B3OS, count: int) -> None:
    deadline = time.monotonic() + 5
    while True:
        items = [d async for d in b3.execution_hooks.deliveries()]
        done = (DeliveryStatus.SUCCESS, DeliveryStatus.FAILURE)
        if len(items) >= count and all(d.status in done for d in items):
            return
        assert time.monotonic() < deadline, items
        await asyncio.sleep(0.02)


@pytest.mark.slow
async def test_listen_prints_verified_deliveries_and_refusals(b3: B3OS) -> None:
    """Real deliveries print one line each; an unsigned POST prints a refusal; Ctrl-C exits 0."""
    with socket.socket() as sock:  # a free port for the endpoint's URL
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/b3os/hooks"
    created = await b3.execution_hooks.create("cli", url, subscribed_event_types=["run.completed"])
    listener = await _listen("--port", str(port), secret=created.signing_secret)
    assert (await listener.line()) == f"Listening for execution hooks on {url}"
    run = await b3.runs.start(DEFINITION)
    delivered = await listener.line()
    async with aiohttp.ClientSession() as http, http.post(url, data=b"{}") as refused:
        assert refused.status == 401
    refusal = await listener.line()
    code, err = await listener.stop()
    assert code == 0
    assert "stopped listening" in err
    assert delivered.split()[2:5] == ["run.completed", run.run_id, "-"]
    assert refusal.split()[2:] == ["refused", "401", "missing_signature"]
    assert created.signing_secret not in "\n".join(listener.lines) + err


@pytest.mark.slow
async def test_listen_json_marks_duplicates() -> None:
    """``--json`` prints one JSON line per delivery; the same event again is a duplicate."""
    listener = await _listen("--json", "--port", "0", "--secret", "whsec_a", "--secret", "whsec_b")
    url = json.loads(await listener.line())["listening"]
    body = json.dumps({"id": "evt_1", "eventType": "run.failed", "runId": "run_9"}).encode()
    async with aiohttp.ClientSession() as http:
        for secret in ("whsec_b", "whsec_a"):  # either secret of the rotation verifies
            headers = {"x-b3os-signature": _sign(secret, body)}
            async with http.post(url, data=body, headers=headers) as answer:
                assert answer.status == 204
    lines = [json.loads(await listener.line()) for _ in range(2)]
    await listener.stop()
    assert [(x["verified"], x["duplicate"]) for x in lines] == [(True, False), (True, True)]
    assert lines[0]["event"]["type"] == "run.failed"
    assert lines[0]["event"]["runId"] == "run_9"


@pytest.mark.slow
async def test_listen_without_a_secret_is_a_usage_error() -> None:
    """No --secret and no B3OS_HOOK_SECRET: exit 2 with one line saying what to set."""
    listener = await _listen()
    _out, err = await asyncio.wait_for(listener.proc.communicate(), 10)
    assert listener.proc.returncode == 2
    assert err.decode().startswith("error: no signing secret: set B3OS_HOOK_SECRET")


async def _main(emu: Emulator, *argv: str) -> int:
    args = [*argv, "--base-url", emu.url, "--api-key", emu.api_key]
    return await asyncio.to_thread(main, args)


@pytest.mark.slow
async def test_deliveries_list_replay_and_retry(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``deliveries list`` shows the records; ``replay`` makes a new one; ``retry`` requeues."""
    await b3.execution_hooks.create(
        "down", "http://127.0.0.1:9/hook", subscribed_event_types=["run.completed"], max_retries=0
    )
    await b3.runs.start(DEFINITION)
    await _settled(b3, 1)
    assert await _main(emu, "hooks", "deliveries", "list") == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["ID", "EVENT", "RUN", "STATUS", "RETRIES", "HTTP", "CREATED"]
    delivery_id, event, _, status = table[1].split()[:4]
    assert (event, status) == ("run.completed", "failure")
    assert await _main(emu, "hooks", "deliveries", "replay", delivery_id) == 0
    replayed = capsys.readouterr().out
    assert replayed.startswith(f"replayed {delivery_id} as whd_")
    await _settled(b3, 2)
    assert await _main(emu, "hooks", "deliveries", "retry", delivery_id, "--json") == 0
    assert json.loads(capsys.readouterr().out)["id"] == delivery_id
    await _settled(b3, 2)
    assert await _main(emu, "hooks", "deliveries", "list", "--json", "--limit", "1") == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


async def test_replay_of_an_unknown_delivery_fails_with_one_line(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown delivery id exits 1 with a single ``error:`` line."""
    assert await _main(emu, "hooks", "deliveries", "replay", "whd_nope") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error:")
    assert "whd_nope" in err[0]
