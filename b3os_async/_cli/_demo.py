"""``b3os demo``: create, publish and run a small workflow, showing each node live.

With no connection options it starts the embedded emulator on a free loopback port, so it needs
no account and no network; ``--base-url`` / ``--api-key`` run the same steps against a real
deployment (``B3OS_*`` environment variables alone do not switch it: a bare ``b3os demo`` always
works offline).

The workflow: a manual trigger → a ``delay`` → an ``if`` on the trigger's price → ``then``: a
``transform`` that builds an alert message, followed by an ``echo`` of it; ``else``: an ``echo``
(skipped in this run). The run is started pre-subscribed (the stream is open before the run is
triggered, so no event is missed), shown live, then summarised from ``GET /v1/runs/{id}``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import finish_run, make_client, span
from b3os_async._cli._output import Styled
from b3os_async._cli._progress import RunView
from b3os_async._cli._summary import node_order, node_summary, summary_rows

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = ["DEMO_PAYLOAD", "demo", "demo_definition"]

DEMO_PAYLOAD: dict[str, Any] = {"symbol": "ETH", "price": 3150}
# Upper bound for the whole run (the demo's own nodes take well under a second on the emulator).
_RUN_TIMEOUT = 60.0


def demo_definition(delay_ms: int = 400) -> dict[str, Any]:
    """The demo workflow's definition (plain JSON, as the API takes it)."""
    return {
        "triggerNodeIds": ["root"],
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["wait"]},
            "wait": {"type": "delay", "payload": {"ms": delay_ms}, "children": ["check_price"]},
            "check_price": {
                "type": "if",
                "payload": {
                    "condition": {"left": "{{root.result.price}}", "op": "$gt", "right": 3000}
                },
                "children": ["build_alert", "log_quiet"],
            },
            "build_alert": {
                "type": "transform",
                "branch": "then",
                "payload": {
                    "message": "{{root.result.symbol}} is above 3000: {{root.result.price}}",
                    "symbol": "{{root.result.symbol}}",
                },
                "children": ["notify"],
            },
            "notify": {"type": "echo", "payload": {"text": "{{build_alert.result.message}}"}},
            "log_quiet": {
                "type": "echo",
                "branch": "else",
                "payload": {"text": "{{root.result.symbol}} is quiet"},
            },
        },
    }


async def demo(args: argparse.Namespace, out: Output) -> int:
    """Run the demo, on the embedded emulator unless connection options were given."""
    if args.base_url is not None or args.api_key is not None:
        return await _run_demo(args, out, base_url=None, api_key=None)
    from b3os_async.testing import Emulator

    async with Emulator(host="127.0.0.1", port=0) as emu:
        out.note(f"started a local B3OS emulator at {emu.url}")
        return await _run_demo(args, out, base_url=emu.url, api_key=emu.api_key)


async def _run_demo(
    args: argparse.Namespace, out: Output, *, base_url: str | None, api_key: str | None
) -> int:
    definition = demo_definition(args.delay_ms)
    nodes = definition["nodes"]
    order = node_order(nodes, definition["triggerNodeIds"])
    talk = not out.json_mode
    async with make_client(args, base_url=base_url, api_key=api_key) as b3:
        wf = await b3.workflows.create(
            name="b3os demo: price alert",
            description="delay, branch on the price, transform an alert (created by `b3os demo`)",
            definition=definition,
        )
        await b3.workflows.publish(wf.id)
        if talk:
            out.line(
                "created and published workflow ", Styled(wf.id, "bold"),
                f" ({len(nodes)} nodes)",
            )  # fmt: skip

        async def watch() -> tuple[str, str | None]:
            view = RunView(out, nodes=[(n, nodes[n]["type"]) for n in order], transient=True)
            watched = b3.with_options(on_reconnect=view.on_reconnect)
            async with watched.workflows.start(wf.id, payload=DEMO_PAYLOAD) as run:
                view.title = f"run {run.run_id} of {wf.id}"
                with view:
                    async for event in run.events():
                        view.event(event)
                return run.run_id, view.run_status

        try:
            run_id, status = await asyncio.wait_for(watch(), _RUN_TIMEOUT)
        except asyncio.TimeoutError:
            out.error(f"the demo run did not finish within {_RUN_TIMEOUT:.0f} s")
            return 1
        final = await b3.runs.get(run_id)

    summary = node_summary(final, order)
    if out.json_mode:
        out.json_line({"workflowId": wf.id, "run": final, "summary": summary})
    else:
        total = span(final.started_at, final.finished_at)
        out.table(
            ["node", "type", "status", "duration"],
            summary_rows(summary),
            title=f"summary ({total})",
        )
    return finish_run(out, run_id, status)
