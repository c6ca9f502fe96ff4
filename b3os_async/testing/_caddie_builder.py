"""The emulator's Caddie: a rules-based workflow builder (no model, no network, no randomness).

Theory of operation
-------------------
:func:`plan_turn` turns one chat message (plus an optional definition to change) into a
:class:`Turn`: the events the chat stream sends, each with a *pace weight* (the route sends event
``i`` once ``sum(weights[:i+1]) * pace`` seconds have passed), and the outcome kept in history.
Everything is a pure function of its inputs: the same message gives the same events, byte for byte.

* **Catalog.** Every node type the builder may use comes from :func:`catalog` -- the ONE lookup,
  so a larger action/trigger catalog can replace it in one place. Today it lists the triggers the
  emulator knows (``manual``, ``cronjob``) and the action types the engine executes
  (``_graph.ACTIONS``).
* **Reading a request** (building mode): a schedule ("every hour", "every 5 minutes", "daily at
  9am") picks ``cronjob``, anything else ``manual``; then, in the order they appear, fetches ("fetch
  the ETH price", "get https://…"), notifications ("post to Slack", "send to a webhook"), delays
  ("wait 5 minutes"), approvals ("wait for approval") and logs; a condition ("when it is above
  3000", "if below 10") gates everything after the fetch it tests: those steps become the ``then``
  branch of an ``if`` node. The nodes form one chain from the trigger. Values the user must supply
  (a Slack webhook URL) are placeholders listed in ``incompleteFields``.
* **Events:** ``mode_switch`` (when the mode was not given), ``thinking``, ``tool_start`` /
  ``tool_result`` pairs (catalog searches, then the validation of the result), one ``node`` per
  node added, the explanation as ``chunk`` events, and ``done`` with the definition, incomplete
  fields, validation errors, token usage and tool utilization.
* **Repair mode** (``preferredMode: repair``, or a definition plus "fix"/"repair"/"broken"): the
  given definition is checked with the emulator's own validation and fixed (dangling children
  dropped, a missing trigger added, cycles cut, unknown types replaced from the catalog, missing
  branch labels set, unreachable nodes attached to the trigger); what cannot be fixed is reported.
* **Planning / conversation**, and requests it cannot read, end in ``done`` with a helpful
  message (``data.type: "message"``), never an ``error`` event.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import attrs

from b3os_async.testing import _caddie_reading as reading
from b3os_async.testing._caddie_repair import repair
from b3os_async.testing._common import dumps
from b3os_async.testing._graph import ACTIONS, validation_errors

__all__ = ["CatalogEntry", "Turn", "catalog", "classify", "plan_turn", "search"]

MODES = ("planning", "building", "repair", "conversation")

# Pace weights: how long each kind of event takes, in units of the emulator's caddie_pace.
_WEIGHTS = {
    "mode_switch": 0.5,
    "thinking": 4.0,
    "tool_start": 1.0,
    "tool_result": 2.0,
    "node": 1.0,
    "chunk": 1.0,
    "done": 1.0,
}


@attrs.frozen
class CatalogEntry:
    """One node type the builder may use: a trigger or an action, with its search words."""

    type: str
    kind: str  # "trigger" | "action"
    title: str
    keywords: tuple[str, ...]


def catalog() -> tuple[CatalogEntry, ...]:
    """Every trigger and action the builder may use (THE one catalog lookup; see module doc)."""
    actions = {
        "http-request": ("HTTP request", ("fetch", "get", "call", "api", "request", "price",
                                          "post", "send", "slack", "discord", "webhook", "notify")),
        "if": ("Condition", ("if", "when", "above", "below", "condition", "only")),
        "delay": ("Delay", ("wait", "delay", "pause", "sleep", "after")),
        "wait": ("Wait for approval", ("wait", "approval", "approve", "confirm", "until")),
        "echo": ("Log a value", ("log", "echo", "record", "print")),
        "transform": ("Transform data", ("transform", "format", "map", "compose", "build")),
        "fail": ("Fail the run", ("fail", "abort", "stop", "error")),
    }  # fmt: skip
    entries = [
        CatalogEntry("manual", "trigger", "Manual trigger", ("manual", "click", "demand", "now")),
        CatalogEntry("cronjob", "trigger", "Schedule", ("every", "hourly", "daily", "schedule")),
    ]
    for kind in sorted(ACTIONS):
        title, words = actions.get(kind, (kind, (kind,)))
        entries.append(CatalogEntry(kind, "action", title, words))
    return tuple(entries)


def search(kind: str, query: str) -> list[CatalogEntry]:
    """Catalog entries of ``kind`` whose words occur in ``query``, best match first."""
    words = set(re.findall(r"[a-z]+", query.lower()))
    scored = [
        (sum(word in words for word in entry.keywords), index, entry)
        for index, entry in enumerate(catalog())
        if entry.kind == kind
    ]
    return [entry for score, _, entry in sorted(scored, key=lambda s: (-s[0], s[1])) if score]


@attrs.frozen
class Turn:
    """What one chat turn sends and leaves behind (see the module docstring)."""

    mode: str
    events: tuple[dict[str, Any], ...]
    weights: tuple[float, ...]
    reply: str  # the assistant's message, as kept in history
    definition: dict[str, Any] | None
    incomplete: tuple[str, ...]
    usage: dict[str, int]


def classify(message: str, definition: Any) -> str:
    """The mode a request without ``preferredMode`` gets (the emulator's auto-classifier)."""
    text = message.lower()
    if definition is not None and re.search(r"\b(fix|repair|broken|invalid|error)", text):
        return "repair"
    if re.match(r"\s*(what|how|why|who|explain|help)\b", text) and not reading.STEP.search(text):
        return "conversation"
    if re.search(r"\b(plan|outline|propose)\b", text):
        return "planning"
    return "building"


def plan_turn(message: str, *, definition: Any = None, mode: str | None = None) -> Turn:
    """The events and outcome of one turn (pure: same inputs, same turn)."""
    chosen = mode or classify(message, definition)
    events: list[dict[str, Any]] = []
    if mode is None:
        events.append({"type": "mode_switch", "mode": chosen})
    if chosen == "repair" and isinstance(definition, dict):
        outcome = _repair_turn(definition, events)
    elif chosen in ("building", "repair"):
        outcome = _build_turn(message, definition, events)
    elif chosen == "planning":
        outcome = _plan_only(message, events)
    else:
        outcome = _Outcome(reply=_HELP, definition=None)
    return _finish(message, definition, chosen, events, outcome)


_HELP = (
    "I'm the emulator's rules-based Caddie. I build workflows from a schedule (\"every hour\", "
    '"daily at 9am") or a manual trigger, HTTP fetches ("fetch the ETH price", "get '
    'https://..."), conditions ("when it is above 3000"), notifications ("post to Slack", '
    '"send to a webhook"), delays ("wait 5 minutes"), approvals and logs. Try: "every hour '
    'fetch the ETH price and post to Slack when it is above 3000".'
)

# A chunk of the explanation: up to a sentence end (not "3000." or "node.payload") or a newline.
_SENTENCE = re.compile(r"[^\n]*?(?:(?<!\d)[.!?](?=\s|$)|\n|$)")


@attrs.define
class _Outcome:
    reply: str
    definition: dict[str, Any] | None
    incomplete: list[str] = attrs.field(factory=list)
    errors: list[dict[str, Any]] = attrs.field(factory=list)
    name: str | None = None


# -- turns -----------------------------------------------------------------------------------------


def _build_turn(message: str, base: Any, events: list[dict[str, Any]]) -> _Outcome:
    text = message.lower()
    trigger, when, trigger_query = reading.trigger(text)
    steps = reading.steps(message)
    if not steps:
        if reading.SCHEDULE.search(text):
            reply = f"I can run something {when}. What should happen each time? {_HELP}"
            return _Outcome(reply=reply, definition=None)
        return _Outcome(reply=_HELP, definition=None)
    events.append(_thinking(f"Reading the request: {len(steps)} step(s), triggered {when}."))
    if not isinstance(base, dict):
        found = [e.type for e in search("trigger", trigger_query)][:3] or ["manual"]
        _tool(events, "search_triggers", {"query": trigger_query}, {"matches": found})
    for step in steps:
        matches = [e.type for e in search("action", step.query)][:3] or [step.node["type"]]
        if step.node["type"] not in matches:
            matches.insert(0, step.node["type"])
        _tool(events, "search_actions", {"query": step.query}, {"matches": matches})
    definition, added = _assemble(trigger, steps, base)
    events.append(_thinking(f"Wiring {len(added)} node(s) into one chain."))
    for node_id in added:
        events.append({"type": "node", "nodeId": node_id, "node": definition["nodes"][node_id]})
    errors = validation_errors(definition)
    _tool(events, "validate_workflow", {"nodes": len(definition["nodes"])},
          {"valid": not errors, "errors": errors})  # fmt: skip
    incomplete = [field for step in steps for field in step.incomplete]
    said = ""
    for index, step in enumerate(steps):
        if index == 0:
            said = f"It {step.says}"
        elif steps[index - 1].gate:
            said += f"; only if it is, it {step.says}"
        else:
            said += f", then {step.says}"
    parts = [f"Here is your workflow. It runs {when}.", f"{said}."]
    if incomplete:
        parts.append(f"Before it can run, fill in: {', '.join(incomplete)}.")
    return _Outcome(
        reply=" ".join(parts),
        definition=definition,
        incomplete=incomplete,
        errors=errors,
        name=_name(steps, when),
    )


def _assemble(
    trigger: dict[str, Any], steps: list[reading.Step], base: Any
) -> tuple[dict[str, Any], list[str]]:
    """The definition: ``base`` (or a new trigger) with the steps chained after it."""
    if isinstance(base, dict) and isinstance(base.get("nodes"), dict) and base["nodes"]:
        definition = copy.deepcopy(base)
        nodes: dict[str, Any] = definition["nodes"]
        anchor = _last_leaf(definition)
        added: list[str] = []
    else:
        nodes = {"root": {**trigger, "children": []}}
        definition = {"nodes": nodes, "triggerNodeIds": ["root"]}
        anchor, added = "root", ["root"]
    branch: str | None = None
    for step in steps:
        node_id = step.node_id
        while node_id in nodes:
            node_id += "_2"
        node = {**copy.deepcopy(step.node), "children": []}
        if branch is not None:
            node["branch"] = branch
        nodes.setdefault(anchor, {}).setdefault("children", []).append(node_id)
        nodes[node_id] = node
        added.append(node_id)
        anchor = node_id
        branch = "then" if step.gate else "resumed" if step.resumes else None
    return definition, added


def _last_leaf(definition: dict[str, Any]) -> str:
    """Where new steps go in an existing definition: the end of the trigger's first chain."""
    nodes = definition["nodes"]
    triggers = definition.get("triggerNodeIds") or ["root"]
    current = triggers[0] if triggers[0] in nodes else next(iter(nodes))
    seen = {current}
    while True:
        children = [c for c in nodes[current].get("children") or [] if c in nodes and c not in seen]
        if not children:
            return str(current)
        current = children[0]
        seen.add(current)


def _name(steps: list[reading.Step], when: str) -> str:
    price = next((s.node_id.split("_")[1].upper() for s in steps if "price" in s.node_id), None)
    notify = next((s.node_id.split("_")[1] for s in steps if "notify" in s.node_id), None)
    if price:
        return f"{price} price alert" + (f" to {reading.CHANNEL_NAMES[notify]}" if notify else "")
    return f"Workflow that runs {when.split(' (')[0]}"


def _repair_turn(definition: dict[str, Any], events: list[dict[str, Any]]) -> _Outcome:
    before = validation_errors(definition)
    events.append(_thinking(f"Checking the workflow: {len(before)} problem(s) found."))
    _tool(events, "validate_workflow", {"nodes": len(definition.get("nodes") or {})},
          {"valid": not before, "errors": before})  # fmt: skip
    fixed, changes, changed_nodes = repair(definition, lambda q: search("action", q))
    if fixed is None:
        return _Outcome(reply=f"I could not repair this workflow: {changes[0]}", definition=None)
    for node_id in changed_nodes:
        events.append({"type": "node", "nodeId": node_id, "node": fixed["nodes"][node_id]})
    after = validation_errors(fixed)
    _tool(events, "validate_workflow", {"nodes": len(fixed["nodes"])},
          {"valid": not after, "errors": after})  # fmt: skip
    if not changes:
        reply = "The workflow is already valid: nothing to repair."
    else:
        reply = "I repaired the workflow: " + "; ".join(changes) + "."
    if after:
        reply += f" {len(after)} problem(s) remain: " + "; ".join(e["message"] for e in after)
    return _Outcome(reply=reply, definition=fixed, errors=after)


def _plan_only(message: str, events: list[dict[str, Any]]) -> _Outcome:
    _, when, _ = reading.trigger(message.lower())
    steps = reading.steps(message)
    if not steps:
        return _Outcome(reply=_HELP, definition=None)
    events.append(_thinking("Drafting a plan before building anything."))
    lines = [f"1. Trigger: runs {when}."]
    lines += [f"{n}. It {step.says}." for n, step in enumerate(steps, start=2)]
    lines.append('Say "build it" (or send the request in building mode) to create it.')
    return _Outcome(reply="Here is the plan:\n" + "\n".join(lines), definition=None)


def _finish(
    message: str, base: Any, mode: str, events: list[dict[str, Any]], outcome: _Outcome
) -> Turn:
    for sentence in _SENTENCE.findall(outcome.reply):
        if sentence:
            events.append({"type": "chunk", "data": sentence})
    data: dict[str, Any] = {"type": "workflow" if outcome.definition is not None else "message"}
    if outcome.definition is not None:
        data["workflow"] = outcome.definition
        data["incompleteFields"] = outcome.incomplete
        data["validationErrors"] = [
            {key: error[key] for key in ("nodeId", "message") if key in error}
            for error in outcome.errors
        ]
        if outcome.name:
            data["name"] = outcome.name
            data["description"] = message.strip()[:500]
    else:
        data["message"] = outcome.reply
    tools: dict[str, int] = {}
    for event in events:
        if event["type"] == "tool_start":
            tools[event["toolName"]] = tools.get(event["toolName"], 0) + 1
    size = len(dumps(events)) + len(dumps(data))
    usage = {
        "inputTokens": 1200 + len(message) // 4 + (len(dumps(base)) // 4 if base else 0),
        "outputTokens": 40 + size // 4,
    }
    events.append(
        {
            "type": "done",
            "data": data,
            "usage": usage,
            "toolUtilization": [
                {"toolName": name, "callCount": count, "score": 1.0}
                for name, count in sorted(tools.items())
            ],
        }
    )
    return Turn(
        mode=mode,
        events=tuple(events),
        weights=tuple(_WEIGHTS.get(event["type"], 1.0) for event in events),
        reply=outcome.reply,
        definition=outcome.definition,
        incomplete=tuple(outcome.incomplete),
        usage=usage,
    )


def _thinking(text: str) -> dict[str, Any]:
    return {"type": "thinking", "message": text}


def _tool(events: list[dict[str, Any]], name: str, given: Any, result: Any) -> None:
    events.append({"type": "tool_start", "toolName": name, "input": given})
    events.append({"type": "tool_result", "toolName": name, "result": result})
