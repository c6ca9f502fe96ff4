"""``b3os hooks listen`` (a local receiver for development) and ``b3os hooks deliveries ...``.

``listen`` serves ``POST <path>`` on ``--host:--port`` and prints each delivery it receives: the
verified ones as one line per event (time, type, run, node, status, event id; ``(duplicate)``
for a redelivery), the refused ones with the failed check. Verified deliveries are answered
``204``, refused ones ``401`` (``400`` for a genuine body that is no event), as a real receiver
would, so the sender's retries can be watched. ``--json`` prints one JSON line per delivery. It
runs until Ctrl-C (exit 0). The secret comes from ``--secret`` (repeatable, for rotation) or
``B3OS_HOOK_SECRET`` (comma-separated; safer: a command line is visible to other users of the
machine); it is never printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from datetime import datetime
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import fmt_time, make_client, text
from b3os_async._cli._output import Styled, status_style
from b3os_async._errors import ConfigurationError, WebhookVerificationError

if TYPE_CHECKING:
    import argparse

    from aiohttp import web

    from b3os_async._cli._output import Output

__all__ = ["deliveries_list", "deliveries_replay", "deliveries_retry", "hooks_listen"]

_MAX_PAGE = 100


def _secrets(args: argparse.Namespace) -> list[str]:
    given = list(args.secret or [])
    if not given:
        given = [s.strip() for s in os.environ.get("B3OS_HOOK_SECRET", "").split(",")]
    secrets = [s for s in given if s]
    if not secrets:
        raise ConfigurationError(
            "no signing secret: set B3OS_HOOK_SECRET (or pass --secret) to the secret "
            "b3.execution_hooks.create() returned"
        )
    return secrets


async def hooks_listen(args: argparse.Namespace, out: Output) -> int:
    """Receive execution hooks on ``--host:--port`` and print each delivery, until Ctrl-C."""
    from aiohttp import web

    from b3os_async.webhooks import HookDeduper, Verifier

    verifier = Verifier(_secrets(args), header=args.header)
    seen = HookDeduper()

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        now = fmt_time(datetime.now().astimezone())
        try:
            event = verifier.parse(body, request.headers)
        except WebhookVerificationError as exc:
            status = 400 if exc.reason == "invalid_payload" else 401
            if out.json_mode:
                out.json_line({"verified": False, "status": status, "reason": exc.reason})
            else:
                out.line(now, "  ", Styled(f"refused {status}", "red"), f"  {exc.reason}")
            return web.json_response({"error": exc.reason}, status=status)
        duplicate = seen.seen(event)
        if out.json_mode:
            out.json_line({"verified": True, "duplicate": duplicate, "event": event})
        else:
            shown = Styled(text(event.status), status_style(event.status))
            out.line(
                now, "  ", Styled(event.type.value, "bold"), f"  {event.run_id or '-'}",
                f"  {event.node_id or '-'}  ", shown, f"  {event.id or '-'}",
                Styled("  (duplicate)", "dim") if duplicate else "",
            )  # fmt: skip
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post(args.path, receive)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
        host, port = runner.addresses[0][:2]
        url = f"http://{f'[{host}]' if ':' in host else host}:{port}{args.path}"
        if out.json_mode:
            out.json_line({"listening": url})
        else:
            out.line(Styled("Listening for execution hooks on ", "bold"), Styled(url, "cyan"))
            out.note(
                "register it: b3.execution_hooks.create(name, url) (the emulator accepts http "
                "to loopback; B3OS itself needs an HTTPS URL, e.g. a tunnel). Ctrl-C to stop."
            )
        await _until_stopped()
    finally:
        await runner.cleanup()
    out.note("stopped listening")
    return 0


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # Windows / not the main thread: Ctrl-C arrives as KeyboardInterrupt
        installed.append(sig)
    try:
        await stop.wait()
    finally:
        for sig in installed:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)


def _row(delivery: Any) -> list[Any]:
    status = text(delivery.status)
    return [
        delivery.id,
        delivery.event_type or "-",
        delivery.run_id or "-",
        Styled(status, status_style(status)),
        text(delivery.retry_count),
        text(delivery.response_status),
        fmt_time(delivery.created_at),
    ]


async def deliveries_list(args: argparse.Namespace, out: Output) -> int:
    """List recent execution-hook deliveries: id, event, run, status, retries, HTTP, created."""
    async with make_client(args) as b3:
        pager = b3.execution_hooks.deliveries(
            endpoint_id=args.endpoint, page_size=min(args.limit, _MAX_PAGE), max_items=args.limit
        )
        items = [delivery async for delivery in pager]
    if out.json_mode:
        out.json(items)
        return 0
    out.table(
        ["id", "event", "run", "status", "retries", "http", "created"],
        [_row(d) for d in items],
        empty="no deliveries",
    )
    return 0


async def deliveries_replay(args: argparse.Namespace, out: Output) -> int:
    """Send a delivery again as a new record."""
    async with make_client(args) as b3:
        delivery = await b3.execution_hooks.replay_delivery(args.delivery_id)
    if out.json_mode:
        out.json(delivery)
    else:
        out.line(
            f"replayed {args.delivery_id} as ", Styled(delivery.id, "bold"),
            f" ({text(delivery.status)})",
        )  # fmt: skip
    return 0


async def deliveries_retry(args: argparse.Namespace, out: Output) -> int:
    """Requeue a failed delivery (the same record)."""
    async with make_client(args) as b3:
        delivery = await b3.execution_hooks.retry_delivery(args.delivery_id)
    if out.json_mode:
        out.json(delivery)
    else:
        out.line("requeued ", Styled(delivery.id, "bold"), f" ({text(delivery.status)})")
    return 0
