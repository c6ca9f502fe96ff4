"""Repair mode of the emulator's Caddie: fix what the emulator's validation finds (pure).

:func:`repair` works on a copy and applies, in order: drop children that do not exist; add a
``manual`` trigger when no declared trigger exists (its children: the nodes nobody points to);
cut each cycle at its closing edge; give nodes of an unknown type the closest catalog action
(else ``echo``, which keeps the payload); attach nodes no trigger reaches to the trigger; label
the children of ``if`` / ``wait`` nodes that lack a branch. References to nodes that do not exist
cannot be guessed and stay as validation errors.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from b3os_async.testing._graph import (
    ACTIONS,
    BRANCHES,
    _find_cycle,
    children_of,
    reachable,
    shape_error,
    trigger_ids,
)

__all__ = ["repair"]


class _Entry(Protocol):
    @property
    def type(self) -> str: ...


Finder = Callable[[str], Sequence[_Entry]]


def repair(
    definition: dict[str, Any], find_action: Finder
) -> tuple[dict[str, Any] | None, list[str], list[str]]:
    """``(fixed definition, what was changed, ids of changed or added nodes)``.

    The definition is ``None`` when its shape cannot be read at all (the first change then says
    why).
    """
    problem = shape_error(definition)
    if problem is not None:
        return None, [problem], []
    fixed = copy.deepcopy(definition)
    nodes: dict[str, dict[str, Any]] = fixed["nodes"]
    changes: list[str] = []
    touched: list[str] = []

    def touch(node_id: str) -> None:
        if node_id not in touched:
            touched.append(node_id)

    for node_id, node in nodes.items():
        kept = [child for child in children_of(node) if child in nodes]
        if len(kept) != len(children_of(node)):
            node["children"] = kept
            changes.append(f"removed links from {node_id!r} to nodes that do not exist")
            touch(node_id)
    triggers = [t for t in trigger_ids(fixed) if t in nodes]
    if not triggers:
        pointed = {child for node in nodes.values() for child in children_of(node)}
        root = "root"
        while root in nodes:
            root += "_trigger"
        orphans = [node_id for node_id in nodes if node_id not in pointed]
        nodes[root] = {"type": "manual", "payload": {}, "children": orphans}
        fixed["triggerNodeIds"] = triggers = [root]
        changes.append(f"added a manual trigger {root!r}")
        touch(root)
    elif fixed.get("triggerNodeIds") and triggers != list(fixed["triggerNodeIds"]):
        fixed["triggerNodeIds"] = triggers
        changes.append("dropped trigger ids that name no node")
    cycle = _find_cycle(nodes)
    while cycle is not None:
        tail, head = cycle[-2], cycle[-1]
        nodes[tail]["children"] = [c for c in children_of(nodes[tail]) if c != head]
        changes.append(f"cut the cycle at {tail!r} -> {head!r}")
        touch(tail)
        cycle = _find_cycle(nodes)
    for node_id, node in nodes.items():
        if node_id in triggers or node["type"] in ACTIONS:
            continue
        query = " ".join(re.findall(r"[a-z]+", node["type"].lower()))
        matches = find_action(query)
        new = matches[0].type if matches else "echo"
        changes.append(f"replaced unknown type {node['type']!r} of {node_id!r} with {new!r}")
        node["type"] = new
        touch(node_id)
    reached: set[str] = set()
    for trigger in triggers:
        reached.update(reachable(fixed, trigger))
    pointed = {child for node in nodes.values() for child in children_of(node)}
    for node_id in list(nodes):
        if node_id not in reached and node_id not in pointed:
            nodes[triggers[0]].setdefault("children", []).append(node_id)
            reached.update(reachable(fixed, node_id))
            changes.append(f"attached unreachable {node_id!r} to the trigger")
            touch(triggers[0])
    for node in nodes.values():
        labels = BRANCHES.get(node["type"])
        if labels is None:
            continue
        for child in children_of(node):
            if nodes[child].get("branch") not in labels:
                nodes[child]["branch"] = labels[0]
                changes.append(f"set branch {labels[0]!r} on {child!r}")
                touch(child)
    return fixed, changes, touched
