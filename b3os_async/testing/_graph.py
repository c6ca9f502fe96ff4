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

Every check is linear in the size of the definition (each node and each link is looked at a
bounded number of times; a 30,000-child fan-out took 85 s when the cycle search rebuilt a node's
child list at every step), and a definition is refused (400228) beyond ``MAX_NODES`` nodes or
``MAX_LINKS`` links (``_limits.py``). At most ``MAX_VALIDATION_ERRORS`` problems are listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from b3os_async.testing import _catalog, _limits
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


def size_error(definition: Any) -> str | None:
    """A message when ``definition`` has more nodes or links than the emulator accepts."""
    if not isinstance(definition, Mapping):
        return None
    nodes = definition.get("nodes")
    if isinstance(nodes, Mapping) and len(nodes) > _limits.MAX_NODES:
        return (
            f"the definition has {len(nodes):,} nodes; the emulator accepts at most "
            f"{_limits.MAX_NODES:,}"
        )
    declared = definition.get("triggerNodeIds")
    links = len(declared) if isinstance(declared, list) else 0
    for node in nodes.values() if isinstance(nodes, Mapping) else ():
        children = node.get("children") if isinstance(node, Mapping) else None
        links += len(children) if isinstance(children, list) else 0
        if links > _limits.MAX_LINKS:
            return (
                f"the definition has more than {_limits.MAX_LINKS:,} links (children and "
                "trigger ids); the emulator accepts at most that many"
            )
    return None


def shape_error(definition: Any) -> str | None:
    """A message when ``definition`` does not have the JSON shape of a workflow definition.

    Over the emulator's size limits (:func:`size_error`) counts as a shape problem too.
    """
    if not isinstance(definition, Mapping):
        return "definition must be an object"
    nodes = definition.get("nodes")
    if not isinstance(nodes, Mapping) or not nodes:
        return "definition.nodes must be a non-empty object"
    too_large = size_error(definition)
    if too_large is not None:
        return too_large
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


def with_payloads(definition: Any) -> Any:
    """``definition`` with ``"payload": {}`` on each node without one (the document requires it).

    The emulator accepts nodes without a payload (it reads ``{}``); what it stores and answers
    has one, so every answer is a valid ``WorkflowNode``. A definition that fails
    :func:`shape_error` is returned as it is.
    """
    if shape_error(definition) is not None:
        return definition
    nodes = definition["nodes"]
    if all("payload" in node for node in nodes.values()):
        return definition
    filled = {
        key: node if "payload" in node else {**node, "payload": {}} for key, node in nodes.items()
    }
    return {**definition, "nodes": filled}


def _item(kind: str, message: str, node_id: str | None = None, **extra: str) -> dict[str, Any]:
    item: dict[str, Any] = {"type": kind, "message": message}
    if node_id is not None:
        item["nodeId"] = node_id
    item.update(extra)
    return item


def capped(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``errors`` cut to ``MAX_VALIDATION_ERRORS`` items, the last one saying how many more."""
    limit = _limits.MAX_VALIDATION_ERRORS
    if len(errors) <= limit:
        return errors
    more = len(errors) - (limit - 1)
    note = f"… and {more:,} more problems (the emulator lists at most {limit})"
    return [*errors[: limit - 1], _item("nodes", note, code="too_many_errors")]


def graph_errors(definition: Any) -> list[dict[str, Any]]:
    """Shape, trigger, dangling-children and cycle problems as ``ValidationErrorItem`` objects.

    At most ``MAX_VALIDATION_ERRORS`` of them (:func:`capped`).
    """
    return capped(_graph_errors(definition))


def _graph_errors(definition: Any) -> list[dict[str, Any]]:
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
    """A cycle (its node ids, the first repeated at the end), or ``None``: iterative DFS.

    Each node's children are read once, through one iterator kept on the stack, so the search
    is linear in nodes plus links however wide a node is.
    """
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in nodes:
        if state.get(start):
            continue
        path: list[str] = [start]
        state[start] = 1
        stack: list[Iterator[str]] = [iter(children_of(nodes[start]))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            if child not in nodes:
                continue
            if state.get(child) == 1:
                return [*path[path.index(child) :], child]
            if not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append(iter(children_of(nodes[child])))
    return None


def reachable(definition: Mapping[str, Any], start: str | list[str]) -> list[str]:
    """Node ids reachable from ``start`` (one id or several; included), depth-first pre-order."""
    nodes = nodes_of(definition)
    order: list[str] = []
    seen: set[str] = set()
    stack = [start] if isinstance(start, str) else list(reversed(start))
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
    errors.extend(_graph_errors(definition))
    if shape_error(definition) is not None:
        return capped(errors)
    nodes = nodes_of(definition)
    listed = [trigger for trigger in trigger_ids(definition) if trigger in nodes]
    triggers = set(listed)  # a set: `in` for every node stays O(1)
    reached = set(reachable(definition, listed))  # one walk from every trigger: linear
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
    return capped(errors)
