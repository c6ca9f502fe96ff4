"""Helpers of the area tests (definitions, set-up shortcuts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async import B3OS

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
