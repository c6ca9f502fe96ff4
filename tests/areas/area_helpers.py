"""Helpers for the area tests (a module of its own: conftest modules are not importable)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
"""Where the emulator's clock stands when a test starts (the ``emu`` fixture)."""


def definition(*steps: tuple[str, str, dict[str, Any]], trigger: str = "manual") -> dict[str, Any]:
    """``root -> step1 -> step2 …`` from ``(node_id, type, payload)`` steps."""
    nodes: dict[str, Any] = {"root": {"type": trigger, "payload": {}, "children": []}}
    previous = "root"
    for node_id, kind, payload in steps:
        nodes[node_id] = {"type": kind, "payload": payload, "children": []}
        nodes[previous]["children"].append(node_id)
        previous = node_id
    return {"nodes": nodes, "triggerNodeIds": ["root"]}
