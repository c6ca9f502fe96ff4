"""Helpers for the SDK-against-emulator area tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from b3os_async.testing import Emulator


def sent(emu: Emulator, method: str, path: str) -> int:
    """How many requests ``method path`` the emulator received."""
    return sum(1 for r in emu.requests if (r.method, r.path) == (method, path))
