"""Run structure for display: node order from a definition, and per-node summaries of a run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from b3os_async._cli._output import Segment, Styled, format_duration, status_style

if TYPE_CHECKING:
    from b3os_async.models import Run

__all__ = ["display_text", "node_order", "node_summary", "summary_rows"]


def display_text(value: Any) -> str:
    """The string form of an enum-ish value (``OpenEnum`` -> its value), ``""`` for None."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def node_order(nodes: Mapping[str, Any], roots: Iterable[str] = ()) -> list[str]:
    """Node ids in execution order: depth-first from the triggers through ``children``.

    ``nodes`` maps ids to node objects or dicts with ``children``; nodes not reachable from a
    trigger follow in mapping order, so every node appears exactly once.
    """
    order: list[str] = []
    seen: set[str] = set()

    def children_of(node: Any) -> Sequence[str]:
        kids = node.get("children", ()) if isinstance(node, Mapping) else node.children
        return list(kids or ())

    def visit(node_id: str) -> None:
        stack = [node_id]
        while stack:
            current = stack.pop()
            if current in seen or current not in nodes:
                continue
            seen.add(current)
            order.append(current)
            stack.extend(reversed(children_of(nodes[current])))

    for root in [*roots, "root"]:
        visit(root)
    for node_id in nodes:
        visit(node_id)
    return order


def node_summary(run: Run, order: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Per node of a run, in ``order`` then the rest: node, type, status, duration (seconds)."""
    state = run.execution_state or {}
    ids = [n for n in order if n in state] + [n for n in state if n not in order]
    summary: list[dict[str, Any]] = []
    for node_id in ids:
        node = state[node_id]
        duration = None
        if node.started_at is not None and node.finished_at is not None:
            duration = (node.finished_at - node.started_at).total_seconds()
        summary.append(
            {
                "node": node_id,
                "type": node.type,
                "status": display_text(node.status),
                "duration": duration,
            }
        )
    return summary


def summary_rows(summary: Sequence[Mapping[str, Any]]) -> list[list[Segment]]:
    """Table rows (node, type, status, duration) for :func:`node_summary`'s result."""
    return [
        [
            item["node"],
            item["type"] or "-",
            Styled(item["status"], status_style(item["status"])),
            format_duration(item["duration"]),
        ]
        for item in summary
    ]
