"""``b3os emulator`` off loopback: a usable URL, a note, and no well-known key (in-process).

The emulator class is replaced by a stand-in that binds nothing: these tests never listen on
anything but loopback, whatever ``--host`` says.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import shlex
from typing import Any

import pytest

import b3os_async.testing
from b3os_async._cli._emulator import choose_seed, emulator, is_loopback, usable_url
from b3os_async._cli._output import Output
from b3os_async._cli._parser import build_parser
from b3os_async._client import check_base_url


class _StandIn:
    """Looks like a started Emulator bound to ``host`` on port 4321; records its options."""

    made: list[dict[str, Any]] = []

    def __init__(self, **options: Any) -> None:
        _StandIn.made.append(options)
        host = options["host"]
        self.url = f"http://{f'[{host}]' if ':' in host else host}:4321"
        self.api_key = "b3sk_standin"
        self.org_id = "org_standin"

    async def __aenter__(self) -> _StandIn:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


async def _serve(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str, dict[str, Any]]:
    """Run ``b3os emulator ARGV`` until its banner is out, then stop it: (stdout, stderr, opts)."""
    monkeypatch.setattr(b3os_async.testing, "Emulator", _StandIn)
    _StandIn.made.clear()
    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(stdout, stderr, tty=False)
    task = asyncio.create_task(emulator(build_parser().parse_args(["emulator", *argv]), out))
    for _ in range(500):
        if "export " in stdout.getvalue() or task.done():
            break
        await asyncio.sleep(0.002)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return stdout.getvalue(), stderr.getvalue(), _StandIn.made[0]


@pytest.mark.parametrize(
    ("host", "expected"), [("0.0.0.0", "http://127.0.0.1:4321"), ("::", "http://[::1]:4321")]
)
async def test_a_wildcard_bind_prints_a_loopback_url_the_cli_accepts(
    host: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--host 0.0.0.0`` / ``::``: URL and export line use loopback; a note tells about HTTPS."""
    stdout, stderr, _ = await _serve(["--host", host, "--port", "0"], monkeypatch)
    export = next(line for line in stdout.splitlines() if "export " in line)
    words = dict(word.partition("=")[::2] for word in shlex.split(export)[1:])
    assert words["B3OS_BASE_URL"] == expected
    assert check_base_url(expected) == expected  # plain http to loopback: accepted
    assert f"URL:      {expected}" in stdout
    assert "other machines need HTTPS" in stderr


async def test_a_non_loopback_bind_without_seed_uses_a_random_seed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Off loopback and without --seed the emulator gets a random seed (not the default 0)."""
    *_, first = await _serve(["--host", "0.0.0.0"], monkeypatch)
    *_, second = await _serve(["--host", "0.0.0.0"], monkeypatch)
    assert isinstance(first["seed"], int)
    assert first["seed"] != second["seed"]


async def test_a_loopback_bind_keeps_the_default_seed_and_prints_no_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On 127.0.0.1 without --seed the emulator keeps its default seed; no HTTPS note."""
    stdout, stderr, options = await _serve(["--host", "127.0.0.1"], monkeypatch)
    assert "seed" not in options
    assert "export B3OS_BASE_URL=http://127.0.0.1:4321 " in stdout
    assert "HTTPS" not in stderr


def test_choose_seed() -> None:
    """An explicit --seed always wins; loopback defaults to None (seed 0), others to random."""
    assert choose_seed("0.0.0.0", 5) == 5
    assert choose_seed("127.0.0.1", 7) == 7
    assert choose_seed("127.0.0.1", None) is None
    assert choose_seed("localhost", None) is None
    assert isinstance(choose_seed("192.168.1.20", None), int)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("::", False)],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    """Loopback hosts are told apart from wildcard and other addresses."""
    assert is_loopback(host) is loopback


def test_usable_url_keeps_specific_addresses() -> None:
    """Only wildcard addresses are rewritten; a specific address or name is kept."""
    assert usable_url("http://10.1.2.3:80") == "http://10.1.2.3:80"
    assert usable_url("http://127.0.0.1:80") == "http://127.0.0.1:80"
