"""The emulator's catalog: actions, triggers, connector types, MCP servers, tags and CU costs.

Theory of operation
-------------------
The catalog is static data (Python literals in this package's modules, no files to load): the
same answers in every emulator, so listing, tag filters, search and "similar" are deterministic.

* **Actions** (``builtin``, ``apps``, ``data``, ``onchain``). The engine executes the
  ``builtin`` ones for real (``echo``, ``transform``, ``if``, ``delay``, ``wait``, ``fail``,
  ``http-request``: ``Entry.executable``). Every other action is *simulated*: its input is
  checked against its ``payloadSchema`` (a problem fails the node, or answers 400 to
  ``actions test/run``) and its result is its ``exampleOutput``; nothing leaves the machine.
  ``Entry.read_only`` marks the actions the action proxy's ``query`` accepts. Actions that move
  funds have ``test.enabled`` false, as on B3OS.
* **Triggers** (``triggers``): ``manual`` and ``webhook`` fire in the emulator; the rest describe
  what B3OS watches. **Connector types** (``connectors``): ``dataSchema`` checks what
  ``POST /v1/connectors`` stores (``writeOnly`` properties are credentials).
* **Costs**: every action and trigger has a cost class (built-in, dynamic = app actions through
  Pipedream, logic, trigger) whose default applies unless the entry overrides it. What
  ``GET /v1/cu/costs`` lists is what the ledger (``_domain/credits.py``) charges.

For other parts of the emulator (and other helpers: the Caddie tooling builds workflows from
it), the stable accessors are :func:`lookup` (THE one lookup: an :class:`Entry` by kind and type),
:func:`actions`, :func:`triggers`, :func:`logic_actions`, :func:`connector_types`,
:func:`mcp_servers`, :func:`cu_cost` and :func:`tags`. Accessors that return definitions return
fresh copies (callers may change them); :class:`Entry` objects are shared and read-only.
"""

from __future__ import annotations

import copy
from collections import Counter
from typing import TYPE_CHECKING, Any

from b3os_async.testing._catalog import apps, builtin, connectors, data, onchain
from b3os_async.testing._catalog import triggers as _triggers
from b3os_async.testing._catalog._shape import COST_CLASSES, Entry
from b3os_async.testing._catalog.tags import tag_rows

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DEFAULT_COSTS",
    "KINDS",
    "TAG_SCOPES",
    "Entry",
    "actions",
    "connector_types",
    "cost_table",
    "cu_cost",
    "entries",
    "logic_actions",
    "lookup",
    "mcp_servers",
    "simulate",
    "tag_categories",
    "tags",
    "triggers",
]

KINDS = ("action", "trigger", "connector_type")

DEFAULT_COSTS: dict[str, int] = {"builtIn": 2, "dynamic": 5, "logic": 1, "trigger": 1}
"""CU per execution of each cost class, unless an entry overrides it."""

TAG_SCOPES = (
    "all",
    "templates_public",
    "templates_promoted",
    "templates_org",
    "actions",
    "triggers",
    "connectors",
)

_ENTRIES: dict[str, tuple[Entry, ...]] = {
    "action": (*builtin.ACTIONS, *apps.ACTIONS, *data.ACTIONS, *onchain.ACTIONS),
    "trigger": tuple(_triggers.TRIGGERS),
    "connector_type": tuple(connectors.CONNECTOR_TYPES),
}
_BY_TYPE: dict[tuple[str, str], Entry] = {
    (entry.kind, entry.type): entry for group in _ENTRIES.values() for entry in group
}
assert len(_BY_TYPE) == sum(map(len, _ENTRIES.values())), "duplicate type in the catalog"
assert all(entry.cost_class in COST_CLASSES for entry in _BY_TYPE.values())

_TAG_COUNTS: dict[str, Counter[str]] = {
    "actions": Counter(tag for entry in _ENTRIES["action"] for tag in entry.tags),
    "triggers": Counter(tag for entry in _ENTRIES["trigger"] for tag in entry.tags),
    "connectors": Counter(tag for entry in _ENTRIES["connector_type"] for tag in entry.tags),
}
_TAG_COUNTS["all"] = _TAG_COUNTS["actions"] + _TAG_COUNTS["triggers"] + _TAG_COUNTS["connectors"]


def lookup(kind: str, type: str) -> Entry | None:
    """THE catalog lookup: the entry of ``kind`` (action, trigger, connector_type) and ``type``."""
    return _BY_TYPE.get((kind, type))


def entries(kind: str) -> tuple[Entry, ...]:
    """Every entry of ``kind``, in catalog order."""
    return _ENTRIES[kind]


def _definitions(found: Iterable[Entry], tags: Iterable[str]) -> list[dict[str, Any]]:
    wanted = frozenset(tags)
    return [copy.deepcopy(entry.definition) for entry in found if wanted.issubset(entry.tags)]


def actions(tags: Iterable[str] = ()) -> list[dict[str, Any]]:
    """``ActionDefinition`` JSON of every action carrying ALL of ``tags``, in catalog order."""
    return _definitions(_ENTRIES["action"], tags)


def triggers(tags: Iterable[str] = ()) -> list[dict[str, Any]]:
    """``TriggerDefinition`` JSON of every trigger carrying ALL of ``tags``, in catalog order."""
    return _definitions(_ENTRIES["trigger"], tags)


def logic_actions() -> list[dict[str, Any]]:
    """``ActionDefinition`` JSON of the built-in logic actions (``if``, ``wait`` …)."""
    return _definitions((entry for entry in _ENTRIES["action"] if entry.logic), ())


def connector_types() -> list[dict[str, Any]]:
    """``ConnectorDefinition`` JSON of every connector type, in catalog order."""
    return _definitions(_ENTRIES["connector_type"], ())


def mcp_servers(*, include_custom: bool = False) -> list[dict[str, Any]]:
    """The known MCP servers (``custom``, a placeholder, only when asked for)."""
    return [
        copy.deepcopy(server)
        for server in connectors.MCP_SERVERS
        if include_custom or server["id"] != "custom"
    ]


def cu_cost(kind: str, type: str) -> int:
    """CU one execution of an action or trigger costs (the default of an unknown type's class)."""
    entry = _BY_TYPE.get((kind, type))
    if entry is None:
        return DEFAULT_COSTS["trigger" if kind == "trigger" else "dynamic"]
    return entry.cost if entry.cost is not None else DEFAULT_COSTS[entry.cost_class]


def cost_table() -> dict[str, Any]:
    """``GET /v1/cu/costs``: ``{actions: {builtIn, dynamic, logic}, defaults, triggers}``."""

    def item(entry: Entry) -> dict[str, Any]:
        source = "default" if entry.cost is None else "override"
        return {"type": entry.type, "cost": cu_cost(entry.kind, entry.type), "source": source}

    grouped: dict[str, list[dict[str, Any]]] = {"builtIn": [], "dynamic": [], "logic": []}
    for entry in _ENTRIES["action"]:
        grouped[entry.cost_class].append(item(entry))
    return {
        "actions": grouped,
        "defaults": dict(DEFAULT_COSTS),
        "triggers": [item(entry) for entry in _ENTRIES["trigger"]],
    }


def simulate(entry: Entry, payload: dict[str, Any]) -> dict[str, Any]:
    """The result of a simulated (catalog-only) action: its ``exampleOutput``, where each
    top-level field the payload also has (same JSON type) takes the payload's value, so a price
    asked for ``bitcoin`` answers ``coinId: "bitcoin"``."""
    output = entry.definition.get("exampleOutput")
    result: dict[str, Any] = copy.deepcopy(output) if isinstance(output, dict) else {}
    for key, value in result.items():
        if key in payload and type(payload[key]) is type(value):
            result[key] = copy.deepcopy(payload[key])
    return result


def tags(scope: str = "all", extra: Counter[str] | None = None) -> list[dict[str, Any]]:
    """``Tag`` JSON of every tag, weight first, ``count`` = entries of ``scope`` carrying it,
    plus ``extra`` (the caller adds what the catalog cannot know: templates' tags)."""
    counts = _TAG_COUNTS.get(scope, Counter()) + (extra or Counter())
    return [{**row, "count": counts[row["slug"]]} for row in tag_rows()]


def tag_categories() -> list[str]:
    """Every category a tag belongs to, sorted."""
    return sorted({category for row in tag_rows() for category in row["categories"]})
