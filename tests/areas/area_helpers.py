"""Helpers of the area tests: definitions, set-up shortcuts, a client for another key, the frozen
clock's start.

(A module of its own: conftest modules are not importable.)
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from b3os_async import B3OS, RetryPolicy

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
"""Where the emulator's clock stands when a test starts (the ``emu`` fixture)."""

#: root (manual) -> greet (echo of a prop and of the trigger payload).
DEFINITION: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["greet"]},
        "greet": {"type": "echo", "payload": {"who": "{{$props.who}}", "n": "{{root.result.n}}"}},
    },
    "triggerNodeIds": ["root"],
}

ECHO: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["echo"]},
        "echo": {"type": "echo", "payload": {"x": 1}},
    },
    "triggerNodeIds": ["root"],
}
"""A manual trigger and one echo node (draws 0.1 + 0.5 CU per run)."""


def definition(*steps: tuple[str, str, dict[str, Any]], trigger: str = "manual") -> dict[str, Any]:
    """``root -> step1 -> step2 …`` from ``(node_id, type, payload)`` steps."""
    nodes: dict[str, Any] = {"root": {"type": trigger, "payload": {}, "children": []}}
    previous = "root"
    for node_id, kind, payload in steps:
        nodes[node_id] = {"type": kind, "payload": payload, "children": []}
        nodes[previous]["children"].append(node_id)
        previous = node_id
    return {"nodes": nodes, "triggerNodeIds": ["root"]}


async def public_workflow(
    b3: B3OS, visibility: str = "public_execute", definition: dict[str, Any] | None = None
) -> str:
    """A published workflow with ``visibility``; its id."""
    wf = await b3.workflows.create(name="pub", description="d", definition=definition or DEFINITION)
    await b3.workflows.set_visibility(wf.id, visibility)
    await b3.workflows.publish(wf.id)
    return wf.id


def sent(emu: Emulator, method: str, path: str) -> int:
    """How many requests ``method path`` the emulator received."""
    return sum(1 for r in emu.requests if (r.method, r.path) == (method, path))


def client(emu: Emulator, key: str, **options: Any) -> B3OS:
    """A client of the emulator with ``key`` (retries without waiting)."""
    options.setdefault("retry", RetryPolicy.no_wait())
    return B3OS(key, base_url=emu.url, **options)


def paths(emu: Emulator, method: str, prefix: str) -> list[str]:
    """The raw paths of the requests the emulator received with ``method`` under ``prefix``."""
    return [r.path for r in emu.requests if r.method == method and r.path.startswith(prefix)]
