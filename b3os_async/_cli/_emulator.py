"""``b3os emulator``: serve the local B3OS emulator until Ctrl-C (or SIGTERM), then exit 0.

The connection details go to stdout (flushed at once, so a script or a test can read them from a
pipe): URL, API key and a shell ``export`` line; with ``--json`` one JSON line instead. Stopping
is a signal handler that sets an event, so the emulator shuts down through its normal ``async
with`` exit (connections closed, streams ended) and no ``KeyboardInterrupt`` traceback appears.
"""

from __future__ import annotations

import asyncio
import shlex
import signal
from typing import TYPE_CHECKING, Any

from b3os_async._cli._output import Styled

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = ["emulator"]


async def emulator(args: argparse.Namespace, out: Output) -> int:
    """Run the emulator on ``--host``/``--port`` until interrupted."""
    from b3os_async.testing import Emulator

    options: dict[str, Any] = {"host": args.host, "port": args.port}
    if args.seed is not None:
        options["seed"] = args.seed

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
            if out.json_mode:
                out.json_line({"url": emu.url, "api_key": emu.api_key, "org_id": org_id})
            else:
                _print_banner(out, emu.url, emu.api_key, org_id)
            await stop.wait()
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
    out.note("emulator stopped")
    return 0


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
