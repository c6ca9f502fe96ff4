"""``b3os actions list|get|test``, ``b3os triggers list``, ``b3os connectors list|get``.

Tables for people, ``--json`` (the API's camelCase) for scripts. ``actions test`` exits 1 when
the action ran and failed, so a script can tell; connectors are shown with their credentials
masked (the API never returns them).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import fmt_time, make_client, text
from b3os_async._cli._output import Styled

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = [
    "actions_get",
    "actions_list",
    "actions_test",
    "connectors_get",
    "connectors_list",
    "triggers_list",
]

_MAX_PAGE = 100


def _tags(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    return [tag.strip() for tag in raw.split(",") if tag.strip()]


def _join(values: Any) -> str:
    return ", ".join(values) if values else "-"


async def actions_list(args: argparse.Namespace, out: Output) -> int:
    """List the action catalog: type, name, category, tags."""
    async with make_client(args) as b3:
        actions = await b3.actions.list(tags=_tags(args.tags))
    if out.json_mode:
        out.json(actions)
        return 0
    rows = [[a.type, a.name or "", a.category or "-", _join(a.tags)] for a in actions]
    out.table(["type", "name", "category", "tags"], rows, empty="no actions")
    return 0


async def actions_get(args: argparse.Namespace, out: Output) -> int:
    """Show one action: what it does, what it needs, and its inputs."""
    async with make_client(args) as b3:
        action = await b3.actions.get(args.action_type)
    if out.json_mode:
        out.json(action)
        return 0
    out.line(Styled(action.type, "bold"), f"  {action.name or ''}")
    if action.description:
        out.line(action.description)
    connector = action.connector.type if action.connector is not None else None
    testable = action.test is None or action.test.enabled is not False
    out.line(
        f"category {action.category or '-'} · tags {_join(action.tags)} · connector "
        f"{connector or 'none'} · gas {'yes' if action.requires_gas else 'no'} · "
        f"testable {'yes' if testable else 'no'}"
    )
    schema = action.payload_schema or {}
    required = set(schema.get("required") or ())
    rows = [
        [
            name,
            str(prop.get("type", "any")),
            "yes" if name in required else "",
            prop.get("description", ""),
        ]
        for name, prop in (schema.get("properties") or {}).items()
    ]
    out.table(["input", "type", "required", "description"], rows, empty="no inputs")
    return 0


async def actions_test(args: argparse.Namespace, out: Output) -> int:
    """Test an action with ``--inputs``; exit 1 when it ran and failed."""
    connector = {"id": args.connector} if args.connector else None
    async with make_client(args) as b3:
        result = await b3.actions.test(args.action_type, inputs=args.inputs, connector=connector)
    if out.json_mode:
        out.json(result)
        return 0 if result.success else 1
    cost = f"{text(result.cu_cost)} CU, {text(result.execution_time_ms)} ms"
    if result.success:
        out.line(Styled("success", "bold green"), f"  ({cost})")
        out.line(json.dumps(result.result, indent=2, ensure_ascii=False))
        return 0
    error = result.error
    message = f"{error.code}: {error.message}" if error is not None else "no error given"
    out.line(Styled("failure", "bold red"), f"  ({cost})")
    out.error(f"{result.action_type or args.action_type} failed: {message}")
    return 1


async def triggers_list(args: argparse.Namespace, out: Output) -> int:
    """List the trigger catalog: type, name, tags, connector."""
    async with make_client(args) as b3:
        triggers = await b3.triggers.list(tags=_tags(args.tags))
    if out.json_mode:
        out.json(triggers)
        return 0
    rows = [
        [t.type, t.name or "", _join(t.tags), text(t.connector.type if t.connector else None)]
        for t in triggers
    ]
    out.table(["type", "name", "tags", "connector"], rows, empty="no triggers")
    return 0


async def connectors_list(args: argparse.Namespace, out: Output) -> int:
    """List the organization's connectors: id, name, type, created."""
    async with make_client(args) as b3:
        pager = b3.connectors.list(page_size=min(args.limit, _MAX_PAGE), max_items=args.limit)
        items = [c async for c in pager]
    if out.json_mode:
        out.json(items)
        return 0
    rows = [[c.id, c.name or "", c.type or "-", fmt_time(c.created_at)] for c in items]
    out.table(["id", "name", "type", "created"], rows, empty="no connectors")
    return 0


async def connectors_get(args: argparse.Namespace, out: Output) -> int:
    """Show one connector, its credentials masked."""
    async with make_client(args) as b3:
        connector = await b3.connectors.get(args.connector_id)
    if out.json_mode:
        out.json(connector)
        return 0
    out.line(Styled(connector.id, "bold"), f"  {connector.name or ''} ({text(connector.type)})")
    if connector.description:
        out.line(connector.description)
    rows = [[key, str(value)] for key, value in (connector.masked_data or {}).items()]
    out.table(["field", "value (masked)"], rows, empty="no data")
    out.note(f"created {fmt_time(connector.created_at)}, updated {fmt_time(connector.updated_at)}")
    return 0
