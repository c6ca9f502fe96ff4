"""Workflow definition checks and graph walks (pure functions).

Three levels of checking, used at different moments:

* :func:`shape_error` - the JSON shape (``nodes`` is an object of ``{type, payload?, children?}``
  objects). Create and update refuse a definition that fails it (400228).
* :func:`graph_errors` - the graph can run: the trigger exists, every child exists, no cycles.
  Publish and both run endpoints refuse a definition that fails it (400228, items in ``details``).
* :func:`validation_errors` - everything ``POST /v1/workflows/validate`` reports: the two above,
  plus action types the catalog does not know, nodes not reachable from a trigger,
  missing/unknown ``branch`` labels under ``if``/``wait`` nodes, references to nodes that do not
  exist, a blank ``name``, and connectors (:func:`connector_errors`): a node whose action needs
  a connector type must name a connector of the organization of that type.
  Unknown action types are *not* refused by publish or run: the node fails when it executes.

The trigger is ``triggerNodeIds[0]`` when that list is given and not empty, else ``root``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from b3os_async.testing import _catalog
from b3os_async.testing._expr import references

ConnectorTypes = Callable[[str], "str | None"]
"""Connector id -> its type in the caller's organization (None: no such connector)."""

ACTIONS = frozenset({"echo", "transform", "delay", "fail", "http-request", "if", "wait"})
"""Action (non-trigger) node types the engine executes."""

BRANCHES = {"if": ("then", "else"), "wait": ("resumed", "timed_out")}
"""Branch labels a child may carry under each branching node type."""


def nodes_of(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``nodes`` map (assumes :func:`shape_error` passed)."""
    nodes: dict[str, dict[str, Any]] = definition["nodes"]
    return nodes


def children_of(node: Mapping[str, Any]) -> list[str]:
    """A node's ``children`` list (empty when absent)."""
    children = node.get("children") or []
    return list(children)


def trigger_ids(definition: Mapping[str, Any]) -> list[str]:
    """The declared trigger node ids: ``triggerNodeIds`` if given and non-empty, else ``[root]``."""
    declared = definition.get("triggerNodeIds")
    if isinstance(declared, list) and declared:
        return [str(node_id) for node_id in declared]
    return ["root"]


def trigger_type(definition: Mapping[str, Any]) -> str | None:
    """The type of the definition's (first) trigger node, if it exists."""
    nodes = nodes_of(definition)
    first = trigger_ids(definition)[0]
    return nodes[first]["type"] if first in nodes else None


def shape_error(definition: Any) -> str | None:
    """A message when ``definition`` does not have the JSON shape of a workflow definition."""
    if not isinstance(definition, Mapping):
        return "definition must be an object"
    nodes = definition.get("nodes")
    if not isinstance(nodes, Mapping) or not nodes:
        return "definition.nodes must be a non-empty object"
    declared = definition.get("triggerNodeIds")
    if declared is not None and not (
        isinstance(declared, list) and all(isinstance(item, str) for item in declared)
    ):
        return "definition.triggerNodeIds must be a list of strings"
    for node_id, node in nodes.items():
        if not isinstance(node, Mapping):
            return f"node {node_id!r} must be an object"
        if not isinstance(node.get("type"), str) or not node["type"]:
            return f"node {node_id!r} needs a string 'type'"
        if "payload" in node and not isinstance(node["payload"], Mapping):
            return f"node {node_id!r}: 'payload' must be an object"
        children = node.get("children")
        if children is not None and not (
            isinstance(children, list) and all(isinstance(child, str) for child in children)
        ):
            return f"node {node_id!r}: 'children' must be a list of node ids"
    return None


def _item(kind: str, message: str, node_id: str | None = None, **extra: str) -> dict[str, Any]:
    item: dict[str, Any] = {"type": kind, "message": message}
    if node_id is not None:
        item["nodeId"] = node_id
    item.update(extra)
    return item


def graph_errors(definition: Any) -> list[dict[str, Any]]:
    """Shape, trigger, dangling-children and cycle problems as ``ValidationErrorItem`` objects."""
    problem = shape_error(definition)
    if problem is not None:
        return [_item("nodes", problem)]
    nodes = nodes_of(definition)
    errors = [
        _item("root", f"trigger node {trigger!r} does not exist", trigger, code="missing_trigger")
        for trigger in trigger_ids(definition)
        if trigger not in nodes
    ]
    for node_id, node in nodes.items():
        for child in children_of(node):
            if child not in nodes:
                errors.append(
                    _item(
                        "connectivity",
                        f"node {node_id!r} lists unknown child {child!r}",
                        node_id,
                        code="unknown_child",
                    )
                )
    cycle = _find_cycle(nodes)
    if cycle is not None:
        errors.append(
            _item("connectivity", "the graph has a cycle: " + " -> ".join(cycle), cycle[0])
        )
    return errors


def _find_cycle(nodes: Mapping[str, Mapping[str, Any]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in nodes:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node_id, index = stack.pop()
            if index == 0:
                state[node_id] = 1
                path.append(node_id)
            children = [child for child in children_of(nodes[node_id]) if child in nodes]
            if index < len(children):
                stack.append((node_id, index + 1))
                child = children[index]
                if state.get(child) == 1:
                    return [*path[path.index(child) :], child]
                if not state.get(child):
                    stack.append((child, 0))
            else:
                state[node_id] = 2
                path.pop()
    return None


def reachable(definition: Mapping[str, Any], start: str) -> list[str]:
    """Node ids reachable from ``start`` (itself included), in depth-first pre-order."""
    nodes = nodes_of(definition)
    order: list[str] = []
    seen: set[str] = set()
    stack = [start]
    while stack:
        node_id = stack.pop()
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        order.append(node_id)
        stack.extend(reversed(children_of(nodes[node_id])))
    return order


def connector_errors(
    node_id: str, node: Mapping[str, Any], connector_type_of: ConnectorTypes
) -> list[dict[str, Any]]:
    """Problems of a node's ``connector`` against its action's requirement and the org's
    connectors (wallet references name wallets, not connectors: only their type is checked)."""
    entry = _catalog.lookup("action", node["type"])
    needed = ((entry.definition.get("connector") or {}) if entry else {}).get("type")
    needed_entry = _catalog.lookup("connector_type", needed) if needed else None
    optional = bool(needed_entry and needed_entry.definition.get("optional"))
    what = f"node {node_id!r} ({node['type']})"
    ref = node.get("connector")
    if not isinstance(ref, Mapping) or not (ref.get("id") or ref.get("type")):
        if needed and not optional:
            message = f"{what} needs a {needed!r} connector"
            return [_item("nodes", message, node_id, code="missing_connector", field="connector")]
        return []
    declared, connector_id = ref.get("type"), ref.get("id")
    actual = None
    if declared != "wallet" and isinstance(connector_id, str) and connector_id:
        actual = connector_type_of(connector_id)
        if actual is None:
            message = f"{what} uses connector {connector_id!r}, which this organization lacks"
            return [_item("nodes", message, node_id, code="unknown_connector", field="connector")]
        if declared and declared != actual:
            message = f"{what} says connector {connector_id!r} is {declared!r}; it is {actual!r}"
            return [_item("nodes", message, node_id, code="wrong_connector", field="connector")]
    kind = actual or declared
    if needed and kind != needed:
        named = f"{connector_id!r} is a {kind!r} connector" if connector_id else f"got {kind!r}"
        message = f"{what} needs a {needed!r} connector; {named}"
        return [_item("nodes", message, node_id, code="wrong_connector", field="connector")]
    return []


_RAN = frozenset({"success", "failure", "partial"})


def has_successful_leaf(definition: Mapping[str, Any], statuses: Mapping[str, str]) -> bool:
    """Whether some successful node has no child that ran (a run's ``partial`` test).

    ``statuses`` maps the run's node ids to their status.
    """
    nodes = nodes_of(definition)
    for node_id, status in statuses.items():
        if status != "success":
            continue
        children = children_of(nodes[node_id])
        if not any(statuses.get(child) in _RAN for child in children):
            return True
    return False


def validation_errors(
    definition: Any, name: Any = None, connector_type_of: ConnectorTypes | None = None
) -> list[dict[str, Any]]:
    """Everything ``POST /v1/workflows/validate`` reports (see the module docstring).

    ``connector_type_of`` resolves the organization's connectors; without it, nodes'
    connectors are not checked.
    """
    errors: list[dict[str, Any]] = []
    if isinstance(name, str) and not name.strip():
        errors.append(_item("name", "name must not be blank", field="name"))
    errors.extend(graph_errors(definition))
    if shape_error(definition) is not None:
        return errors
    nodes = nodes_of(definition)
    triggers = [trigger for trigger in trigger_ids(definition) if trigger in nodes]
    reached: set[str] = set()
    for trigger in triggers:
        reached.update(reachable(definition, trigger))
    known_refs = set(nodes) | {"root"}
    for node_id, node in nodes.items():
        if node_id not in triggers and _catalog.lookup("action", node["type"]) is None:
            errors.append(
                _item("nodes", f"unknown node type {node['type']!r}", node_id, code="unknown_type")
            )
        elif node_id not in triggers and connector_type_of is not None:
            errors.extend(connector_errors(node_id, node, connector_type_of))
        if triggers and node_id not in reached:
            errors.append(
                _item("connectivity", f"node {node_id!r} is not reachable from a trigger", node_id)
            )
        labels = BRANCHES.get(node["type"])
        for child in children_of(node):
            branch = nodes.get(child, {}).get("branch")
            if labels is not None and branch not in labels:
                errors.append(
                    _item(
                        "pattern",
                        f"child {child!r} of {node['type']} node {node_id!r} needs "
                        f"branch {labels[0]!r} or {labels[1]!r}",
                        child,
                        field="branch",
                    )
                )
        refs = {ref for ref in references(node.get("payload") or {}) if not ref.startswith("$")}
        for ref in sorted(refs - known_refs):
            errors.append(_item("variable", f"expression refers to unknown node {ref!r}", node_id))
    return errors
