"""Builders the catalog's data modules use: JSON Schema fragments and catalog entries.

The data modules (``builtin``, ``apps``, ``onchain``, ``triggers``, ``connectors``) are lists of
calls to :func:`action`, :func:`trigger` and :func:`connector_type`; each call returns an
:class:`Entry` holding the definition exactly as the API renders it (camelCase JSON) plus what
only the emulator needs (executable by the engine, read-only, cost class).
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "Entry",
    "action",
    "arr",
    "boolean",
    "connector_type",
    "integer",
    "number",
    "obj",
    "schema",
    "string",
    "trigger",
]

COST_CLASSES = ("builtIn", "dynamic", "logic", "trigger")
"""How ``GET /v1/cu/costs`` groups costs: built-in, dynamic (app) and logic actions, triggers."""


@attrs.frozen
class Entry:
    """One catalog entry: an action, a trigger or a connector type.

    ``definition`` is the API's JSON (``ActionDefinition`` / ``TriggerDefinition`` /
    ``ConnectorDefinition``); treat it as read-only (the public accessors hand out copies).
    ``cost`` is an override of the cost class's default (``None``: the default applies).
    """

    kind: str  # "action" | "trigger" | "connector_type"
    type: str
    definition: dict[str, Any] = attrs.field(repr=False)
    cost_class: str = "builtIn"
    cost: int | None = None
    executable: bool = False  # the engine runs it for real (else: simulated, see the package doc)
    read_only: bool = False  # may go through the action proxy's `query` (no CU, no side effect)
    logic: bool = False  # listed by GET /v1/logic-actions

    @property
    def name(self) -> str:
        """The display name."""
        return str(self.definition.get("name", self.type))

    @property
    def tags(self) -> tuple[str, ...]:
        """The tag slugs."""
        return tuple(self.definition.get("tags") or ())


# -- JSON Schema fragments ------------------------------------------------------------------------


def string(description: str, **extra: Any) -> dict[str, Any]:
    """A string property."""
    return {"type": "string", "description": description, **extra}


def number(description: str, **extra: Any) -> dict[str, Any]:
    """A number property."""
    return {"type": "number", "description": description, **extra}


def integer(description: str, **extra: Any) -> dict[str, Any]:
    """An integer property."""
    return {"type": "integer", "description": description, **extra}


def boolean(description: str, **extra: Any) -> dict[str, Any]:
    """A boolean property."""
    return {"type": "boolean", "description": description, **extra}


def obj(description: str, **extra: Any) -> dict[str, Any]:
    """A free-form object property."""
    return {"type": "object", "description": description, **extra}


def arr(items: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    """An array property."""
    return {"type": "array", "items": items, "description": description, **extra}


def schema(*required: str, **properties: dict[str, Any]) -> dict[str, Any]:
    """An object schema: ``properties`` in declaration order, ``required`` names."""
    missing = set(required) - set(properties)
    if missing:
        raise ValueError(f"required names without a property: {sorted(missing)}")
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = list(required)
    return out


# -- entries --------------------------------------------------------------------------------------


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def action(
    type: str,
    name: str,
    description: str,
    *,
    category: str,
    tags: tuple[str, ...],
    payload: dict[str, Any],
    result: dict[str, Any],
    example_input: dict[str, Any],
    example_output: dict[str, Any],
    platform: str | None = None,
    connector: dict[str, Any] | None = None,
    requires_gas: bool = False,
    gas_chain_id: int | None = None,
    gas_chain_field: str | None = None,
    funds_movement: tuple[int, ...] | None = None,
    testable: str | None = None,
    weight: int | None = None,
    cost_class: str = "builtIn",
    cost: int | None = None,
    executable: bool = False,
    read_only: bool = False,
    logic: bool = False,
) -> Entry:
    """An action entry. ``testable`` is the reason it cannot be tested (``None``: it can)."""
    definition = _compact(
        {
            "type": type,
            "name": name,
            "description": description,
            "category": category,
            "tags": list(tags),
            "platform": platform,
            "payloadSchema": payload,
            "resultSchema": result,
            "exampleInput": example_input,
            "exampleOutput": example_output,
            "connector": connector,
            "requiresGas": requires_gas,
            "gasChainId": gas_chain_id,
            "gasChainField": gas_chain_field,
            "fundsMovement": list(funds_movement) if funds_movement is not None else None,
            "directExecutable": testable is None,
            "test": {"enabled": True}
            if testable is None
            else {"enabled": False, "disabledReason": testable},
            "documentationUrl": f"https://docs.b3os.org/actions/{type}",
            "createdBy": "b3os",
            "weight": weight,
        }
    )
    return Entry(
        "action",
        type,
        definition,
        cost_class=cost_class,
        cost=cost,
        executable=executable,
        read_only=read_only,
        logic=logic,
    )


def trigger(
    type: str,
    name: str,
    description: str,
    *,
    tags: tuple[str, ...],
    payload: dict[str, Any],
    result: dict[str, Any],
    wait: dict[str, Any] | None = None,
    platform: str | None = None,
    connector: dict[str, Any] | None = None,
    cost: int | None = None,
    executable: bool = False,
) -> Entry:
    """A trigger entry (``wait``: the ``waitPayloadSchema`` of triggers a wait node can use)."""
    definition = _compact(
        {
            "type": type,
            "name": name,
            "description": description,
            "tags": list(tags),
            "platform": platform,
            "payloadSchema": payload,
            "resultSchema": result,
            "waitPayloadSchema": wait,
            "connector": connector,
            "documentationUrl": f"https://docs.b3os.org/triggers/{type}",
            "createdBy": "b3os",
        }
    )
    return Entry(
        "trigger", type, definition, cost_class="trigger", cost=cost, executable=executable
    )


def connector_type(
    type: str,
    name: str,
    description: str,
    *,
    tags: tuple[str, ...],
    data: dict[str, Any],
    setup: str,
    domain: str | None = None,
    provider: str = "b3os",
    provider_config: dict[str, Any] | None = None,
    optional: bool = False,
    default_only: bool = False,
) -> Entry:
    """A connector type entry; ``data`` is the ``dataSchema`` (``writeOnly`` = a credential)."""
    definition = _compact(
        {
            "type": type,
            "name": name,
            "description": description,
            "provider": provider,
            "providerConfig": provider_config,
            "dataSchema": data,
            "setupGuide": setup,
            "tags": list(tags),
            "categories": list(tags[:1]),
            "logoDomain": domain,
            "logoUrl": f"https://img.logo.dev/{domain}" if domain else None,
            "informationUrl": f"https://docs.b3os.org/connectors/{type}",
            "optional": optional,
            "defaultOnly": default_only,
        }
    )
    return Entry("connector_type", type, definition)
