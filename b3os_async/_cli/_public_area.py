"""``b3os templates list|get|use``, ``b3os executions watch ID`` and ``b3os x402 probe URL``.

``executions watch`` follows one external execution (not a run) until it ends; with ``--token``
it follows a public execution through the keyless public stream (no API key needed), and the
token is never printed. Its exit code is 0 when the execution succeeded (or partially), 1
otherwise, like ``runs watch``.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import fmt_time, make_client, text
from b3os_async._cli._output import Styled, status_style

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output
    from b3os_async._client import B3OS
    from b3os_async.models import ExecutionEvent

__all__ = [
    "executions_watch",
    "parse_prop",
    "templates_get",
    "templates_list",
    "templates_use",
    "x402_probe",
]

_MAX_PAGE = 100
_OK = frozenset({"workflow_succeeded", "workflow_partial"})


def parse_prop(value: str) -> tuple[str, Any]:
    """``--prop key=value``: the value is JSON when it parses (``3``, ``true``), else text."""
    key, sep, raw = value.partition("=")
    if not sep or not key:
        raise ValueError(f"--prop takes key=value, got {value!r}")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw


def _status_cell(value: Any) -> Styled:
    word = text(value)
    return Styled(word, status_style(word.removeprefix("workflow_")))


async def templates_list(args: argparse.Namespace, out: Output) -> int:
    """List templates: id, name, version, visibility, tags, forks."""
    async with make_client(args) as b3:
        pager = b3.templates.list(
            category=args.category,
            tags=args.tag or None,
            page_size=min(args.limit, _MAX_PAGE),
            max_items=args.limit,
        )
        items = [template async for template in pager]
    if out.json_mode:
        out.json(items)
        return 0
    rows = [
        [
            t.id,
            t.name or "",
            text(t.version),
            text(t.visibility),
            ", ".join(tag.name or "" for tag in t.tags),
            text(t.fork_count),
        ]
        for t in items
    ]
    out.table(["id", "name", "version", "visibility", "tags", "forks"], rows, empty="no templates")
    return 0


async def templates_get(args: argparse.Namespace, out: Output) -> int:
    """Show a template and the props it declares."""
    async with make_client(args) as b3:
        template = await b3.templates.get(args.template_id)
    if out.json_mode:
        out.json(template)
        return 0
    out.line(Styled(template.name or template.id, "bold"), f"  {template.id}  v{template.version}")
    if template.description:
        out.line(template.description)
    rows = [
        [
            p.key,
            p.type or "-",
            "yes" if p.required else "no",
            "-" if p.default is None else json.dumps(p.default),
            p.description or "",
        ]
        for p in template.template_props
    ]
    out.table(["prop", "type", "required", "default", "description"], rows, empty="no props")
    return 0


async def templates_use(args: argparse.Namespace, out: Output) -> int:
    """Create a workflow (a draft) from a template with values for its props."""
    values = dict(args.props or {})
    values.update(dict(args.prop or []))
    async with make_client(args) as b3:
        workflow = await b3.templates.use(
            args.template_id, prop_values=values, name=args.name, description=None
        )
    if out.json_mode:
        out.json(workflow)
        return 0
    out.line(
        "created workflow ",
        Styled(workflow.id, "bold"),
        f" ({workflow.name}) from ",
        args.template_id,
    )
    out.note(f"publish it with the SDK, or run it: b3os workflows run {workflow.id} --watch")
    return 0


def _watch_client(args: argparse.Namespace) -> B3OS:
    """A keyed client, or a keyless one for a public execution when no key is configured."""
    from b3os_async._client import B3OS

    has_key = args.api_key is not None or os.environ.get("B3OS_API_KEY")
    if args.token and not has_key:
        return B3OS.public(base_url=args.base_url)
    return make_client(args)


async def executions_watch(args: argparse.Namespace, out: Output) -> int:
    """Follow an external execution (or, with ``--token``, a public one) until it ends."""
    async with _watch_client(args) as b3:
        if args.token:
            stream = b3.public.stream_execution(args.execution_id, args.token)
        else:
            stream = b3.executions.stream(args.execution_id)
        last: ExecutionEvent | None = None
        async with stream:
            async for event in stream:
                last = event
                _show(out, event)
    status = last.status.value if last is not None and last.status is not None else None
    if status is None or not (last is not None and last.is_terminal):
        out.error(f"the stream of execution {args.execution_id} ended before the execution did")
        return 1
    if not out.json_mode:
        out.line(
            "execution ",
            args.execution_id,
            " finished: ",
            Styled(status, f"bold {status_style(status.removeprefix('workflow_'))}"),
        )
    if status in _OK:
        return 0
    out.error(f"execution {args.execution_id} ended with status {status}")
    return 1


def _show(out: Output, event: ExecutionEvent) -> None:
    if out.json_mode:
        out.json_line(event)
        return
    where = f" [{event.node_id}]" if event.node_id else ""
    note = f"  {event.message}" if event.message else ""
    marker = " (recovered)" if event.synthetic else ""
    out.line(
        fmt_time(event.timestamp),
        "  ",
        _status_cell(event.type),
        where,
        Styled(note, "dim"),
        Styled(marker, "dim"),
    )


async def x402_probe(args: argparse.Namespace, out: Output) -> int:
    """Show what a paid (x402) resource asks, without paying."""
    async with make_client(args) as b3:
        probe = await b3.x402.probe(args.url, method=args.method)
    if out.json_mode:
        out.json(probe)
        return 0 if probe.success else 1
    if not probe.success:
        out.error(f"{args.url} asks for no x402 payment: {probe.error}")
        return 1
    symbol = probe.token_symbol or probe.token_address or "?"
    out.line(Styled(probe.method or "?", "bold"), " ", probe.base_url or args.url)
    out.line(f"price: {probe.price} base units of {symbol} on {probe.network}, to {probe.pay_to}")
    rows = [
        [r.scheme or "-", r.network or "-", text(r.price), r.asset or "-", r.pay_to or "-"]
        for r in probe.accepts
    ]
    out.table(["scheme", "network", "amount", "asset", "pay to"], rows, empty="no requirements")
    return 0
