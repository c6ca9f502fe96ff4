"""Helpers of the area tests: a client for another key, a tiny workflow definition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async import B3OS, RetryPolicy

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

ECHO: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["echo"]},
        "echo": {"type": "echo", "payload": {"x": 1}},
    },
    "triggerNodeIds": ["root"],
}
"""A manual trigger and one echo node (draws 0.1 + 0.5 CU per run)."""


def client(emu: Emulator, key: str, **options: Any) -> B3OS:
    """A client of the emulator with ``key`` (retries without waiting)."""
    options.setdefault("retry", RetryPolicy.no_wait())
    return B3OS(key, base_url=emu.url, **options)


def paths(emu: Emulator, method: str, prefix: str) -> list[str]:
    """The raw paths of the requests the emulator received with ``method`` under ``prefix``."""
    return [r.path for r in emu.requests if r.method == method and r.path.startswith(prefix)]
