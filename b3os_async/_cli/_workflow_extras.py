"""``b3os workflows schedule ID`` and ``b3os workflows vars ID``.

``schedule`` shows when the workflow runs next (and the server's time), then one row per trigger
node with its runs and fire times; ``vars`` lists the workflow's variables with their values.
``--json`` prints the SDK's models in the API's camelCase.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import fmt_time, make_client, text

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = ["workflows_schedule", "workflows_vars"]

_VALUE_WIDTH = 40


def _value(value: Any) -> str:
    """A variable's value as compact JSON, shortened for a table cell."""
    shown = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return shown if len(shown) <= _VALUE_WIDTH else shown[: _VALUE_WIDTH - 1] + "…"


async def workflows_schedule(args: argparse.Namespace, out: Output) -> int:
    """Show the next fire time and the per-trigger aggregates of a workflow."""
    async with make_client(args) as b3:
        schedule = await b3.workflows.schedule(args.workflow_id)
        aggregates = await b3.workflows.trigger_aggregates(args.workflow_id)
    if out.json_mode:
        out.json({"schedule": schedule, "triggers": aggregates.triggers})
        return 0
    nxt = fmt_time(schedule.next_run_at) if schedule.next_run_at else "not scheduled"
    out.line("next run:    ", nxt)
    out.line("server time: ", fmt_time(schedule.server_time))
    rows = [
        [
            trigger.trigger_node_id or "-",
            trigger.type or "-",
            str(trigger.run_count),
            str(trigger.success_count),
            str(trigger.failure_count),
            fmt_time(trigger.last_fired_at),
            fmt_time(trigger.next_fire_at),
        ]
        for trigger in aggregates.triggers
    ]
    headers = ["trigger", "type", "runs", "ok", "failed", "last fired", "next fire"]
    out.table(headers, rows, empty="no triggers")
    return 0


async def workflows_vars(args: argparse.Namespace, out: Output) -> int:
    """List a workflow's variables: name, type, lifetime, current value, last write."""
    async with make_client(args) as b3:
        variables = await b3.workflows.variables.list(args.workflow_id)
    if out.json_mode:
        out.json(variables)
        return 0
    rows = []
    for variable in variables:
        definition = variable.definition
        value = variable.value if variable.has_value else (definition and definition.default)
        shown = _value(value) + ("" if variable.has_value else " (default)")
        rows.append(
            [
                text(definition.name if definition else None),
                text(definition.type if definition else None),
                text(definition.lifetime if definition else None),
                shown,
                fmt_time(variable.updated_at),
                variable.last_run_id or "-",
            ]
        )
    headers = ["name", "type", "lifetime", "value", "updated", "last run"]
    out.table(headers, rows, empty="no variables")
    return 0
