"""``b3os emulator``: serve the local B3OS emulator until Ctrl-C (or SIGTERM), then exit 0.

The connection details go to stdout (flushed at once, so a script or a test can read them from a
pipe): URL, API key and a shell ``export`` line; with ``--json`` one JSON line instead. Stopping
is a signal handler that sets an event, so the emulator shuts down through its normal ``async
with`` exit (connections closed, streams ended) and no ``KeyboardInterrupt`` traceback appears.

Binding beyond loopback (``--host 0.0.0.0``, ``::`` or an interface address):

* the printed URL is one the CLI and SDK accept from this machine: for the wildcard addresses
  ``http://127.0.0.1:PORT`` / ``http://[::1]:PORT``; a note says that other machines need HTTPS
  in front (clients refuse plain ``http://`` to a non-loopback host);
* without ``--seed`` the seed is random (``os.urandom``), so the API key it prints is not the
  well-known key of seed 0. On loopback the default seed stays 0 (the same key every time, handy
  for local scripts); ``--seed N`` is always deterministic.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shlex
import signal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from b3os_async._cli._output import Styled

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = ["choose_seed", "emulator", "is_loopback", "usable_url"]


async def emulator(args: argparse.Namespace, out: Output) -> int:
    """Run the emulator on ``--host``/``--port`` until interrupted."""
    from b3os_async.testing import Emulator

    options: dict[str, Any] = {"host": args.host, "port": args.port}
    seed = choose_seed(args.host, args.seed)
    if seed is not None:
        options["seed"] = seed

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            # Windows / not the main thread: Ctrl-C then arrives as KeyboardInterrupt, which
            # main() also turns into a clean exit 0 for this command.
            continue
        installed.append(sig)
    try:
        async with Emulator(**options) as emu:
            org_id = getattr(emu, "org_id", None)
            url = usable_url(emu.url)
            if out.json_mode:
                out.json_line(
                    {"url": url, "listening": emu.url, "api_key": emu.api_key, "org_id": org_id}
                )
            else:
                _print_banner(out, url, emu.api_key, org_id)
                if not is_loopback(args.host):
                    out.note(
                        f"listening on {emu.url}: other machines need HTTPS in front of it "
                        "(clients refuse plain http:// to a host that is not loopback)"
                    )
            await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    out.note("emulator stopped")
    return 0


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` serves this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to any interface


def choose_seed(host: str, seed: int | None) -> int | None:
    """The emulator seed: ``seed`` if given; else random off loopback, else ``None`` (0)."""
    if seed is not None or is_loopback(host):
        return seed
    return int.from_bytes(os.urandom(8), "big")


def usable_url(url: str) -> str:
    """``url`` with a wildcard bind address (``0.0.0.0``, ``::``) replaced by loopback."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url
    if not address.is_unspecified:
        return url
    local = "127.0.0.1" if address.version == 4 else "[::1]"
    return f"{parts.scheme}://{local}:{parts.port}"


def _print_banner(out: Output, url: str, api_key: str, org_id: str | None) -> None:
    out.line(Styled("B3OS emulator running", "bold green"))
    out.line("  URL:      ", Styled(url, "cyan"))
    out.line("  API key:  ", Styled(api_key, "yellow"))
    if org_id:
        out.line("  Org id:   ", org_id)
    out.line("")
    out.line(f"  export B3OS_BASE_URL={shlex.quote(url)} B3OS_API_KEY={shlex.quote(api_key)}")
    out.line("")
    out.line(Styled("Press Ctrl-C to stop.", "dim"))
