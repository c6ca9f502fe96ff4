"""Helpers of the area tests (definitions, set-up shortcuts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async import B3OS
    from b3os_async.testing import Emulator

#: root (manual) -> greet (echo of a prop and of the trigger payload).
DEFINITION: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["greet"]},
        "greet": {"type": "echo", "payload": {"who": "{{$props.who}}", "n": "{{root.result.n}}"}},
    },
    "triggerNodeIds": ["root"],
}


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
