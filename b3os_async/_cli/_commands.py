"""``b3os workflows list|run`` and ``b3os runs list|get|watch``.

Each command is one client session: list commands read pages lazily until ``--limit`` items;
``workflows run --watch`` starts the run pre-subscribed (no event missed); ``runs watch`` follows
an existing run through the resumable stream and notes each reconnect. Its headline shows the
run's state when the watch began; "(recovered)" lines after a reconnect show only what is new
(see ``_progress.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import finish_run, fmt_time, make_client, span, text
from b3os_async._cli._output import Styled, status_style
from b3os_async._cli._progress import RunView
from b3os_async._cli._summary import node_order, node_summary, summary_rows

if TYPE_CHECKING:
    import argparse
    from collections.abc import AsyncIterable

    from b3os_async._cli._output import Output

__all__ = ["runs_get", "runs_list", "runs_watch", "workflows_list", "workflows_run"]

_MAX_PAGE = 100  # the API's largest page size


async def _collect(items: AsyncIterable[Any]) -> list[Any]:
    """Every item of a pager (which fetches pages lazily and stops at its ``max_items``)."""
    return [item async for item in items]


def _status_cell(value: Any) -> Styled:
    status = text(value)
    return Styled(status, status_style(status))


async def workflows_list(args: argparse.Namespace, out: Output) -> int:
    """List workflows: id, name, status, version, last update."""
    async with make_client(args) as b3:
        pager = b3.workflows.list(
            status=args.status, page_size=min(args.limit, _MAX_PAGE), max_items=args.limit
        )
        items = await _collect(pager)
    if out.json_mode:
        out.json(items)
        return 0
    rows = [
        [wf.id, wf.name or "", _status_cell(wf.status), text(wf.version), fmt_time(wf.updated_at)]
        for wf in items
    ]
    out.table(["id", "name", "status", "version", "updated"], rows, empty="no workflows")
    return 0


async def workflows_run(args: argparse.Namespace, out: Output) -> int:
    """Run a workflow once; with ``--watch``, follow its events until it ends."""
    async with make_client(args) as b3:
        if not args.watch:
            created = await b3.workflows.run(args.workflow_id, payload=args.payload)
            if out.json_mode:
                out.json({"runId": created.run_id, "workflowId": args.workflow_id})
            else:
                out.line("started run ", Styled(created.run_id, "bold"))
                out.note(f"follow it with: b3os runs watch {created.run_id}")
            return 0
        # The definition lists the nodes up front (and a wrong id fails before anything runs).
        workflow = await b3.workflows.get(args.workflow_id)
        view = RunView(out)
        if workflow.definition is not None:
            nodes = workflow.definition.nodes
            order = node_order(nodes, workflow.definition.trigger_node_ids)
            view.add_nodes([(n, nodes[n].type) for n in order])
        watched = b3.with_options(on_reconnect=view.on_reconnect)
        async with watched.workflows.start(args.workflow_id, payload=args.payload) as run:
            view.title = f"run {run.run_id} of {args.workflow_id}"
            with view:
                async for event in run.events():
                    view.event(event)
            return finish_run(out, run.run_id, view.run_status)


async def runs_list(args: argparse.Namespace, out: Output) -> int:
    """List recent runs: id, workflow, status, start time, duration."""
    async with make_client(args) as b3:
        pager = b3.runs.list(
            status=args.status, page_size=min(args.limit, _MAX_PAGE), max_items=args.limit
        )
        items = await _collect(pager)
    if out.json_mode:
        out.json(items)
        return 0
    rows = [
        [
            run.id,
            run.workflow_name or run.workflow_id or "-",
            _status_cell(run.status),
            fmt_time(run.started_at),
            span(run.started_at, run.finished_at),
        ]
        for run in items
    ]
    out.table(["id", "workflow", "status", "started", "duration"], rows, empty="no runs")
    return 0


async def runs_get(args: argparse.Namespace, out: Output) -> int:
    """Show one run: its status and a node table (node, type, status, duration)."""
    async with make_client(args) as b3:
        run = await b3.runs.get(args.run_id)
    if out.json_mode:
        out.json(run)
        return 0
    out.line(
        "run ", Styled(run.id, "bold"), " of ", run.workflow_id or "-", "  ",
        _status_cell(run.status), f"  {span(run.started_at, run.finished_at)}",
    )  # fmt: skip
    order: list[str] = []
    if run.workflow_definition is not None:
        order = node_order(run.workflow_definition.nodes, run.workflow_definition.trigger_node_ids)
    summary = node_summary(run, order)
    out.table(["node", "type", "status", "duration"], summary_rows(summary), empty="no nodes")
    return 0


async def runs_watch(args: argparse.Namespace, out: Output) -> int:
    """Follow a run's events live until it ends, through reconnects."""
    async with make_client(args) as b3:
        view = RunView(out, title=f"run {args.run_id}")
        watched = b3.with_options(on_reconnect=view.on_reconnect)
        # Live only: the headline shows the state so far (read below), the stream what follows.
        async with watched.runs.stream(args.run_id, history=False) as stream:
            # Subscribe first, then read the state: nothing can fall between the two. The GET
            # also turns a mistyped id into a 404 (the stream alone would wait for the run).
            await stream.connect()
            run = await b3.runs.get(args.run_id)
            view.title = f"run {run.id} of {run.workflow_id or '-'}"
            view.load_run(run)
            with view:
                async for event in stream:
                    view.event(event)
        return finish_run(out, args.run_id, view.run_status)
