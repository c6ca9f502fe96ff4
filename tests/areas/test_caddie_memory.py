"""``b3.caddie_memory`` against the emulator: your memories, editing, forgetting, toggles."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from area_helpers import client

from b3os_async import NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from b3os_async import B3OS
    from b3os_async.testing import Emulator


async def test_memories_are_listed_newest_first(emu: Emulator, b3: B3OS) -> None:
    """What Caddie remembered is listed, the latest first."""
    emu.add_caddie_memory("profile", "name", "Ada")
    emu.add_caddie_memory("notes", "likes", "tea")
    assert [(m.scope, m.key) async for m in b3.caddie_memory.list()] == [
        ("notes", "likes"),
        ("profile", "name"),
    ]


async def test_editing_replaces_the_text(emu: Emulator, b3: B3OS) -> None:
    """update() replaces a memory's text; the memory is then the user's own."""
    emu.add_caddie_memory("profile", "name", "Ada")
    await b3.caddie_memory.update("profile", "name", "Ada L.")
    [memory] = [m async for m in b3.caddie_memory.list()]
    assert (memory.text, memory.source) == ("Ada L.", "user")


async def test_editing_an_unknown_memory_is_not_found(b3: B3OS) -> None:
    """update() of a key Caddie does not hold is a NotFoundError (update-only)."""
    with pytest.raises(NotFoundError):
        await b3.caddie_memory.update("notes", "nope", "x")


async def test_delete_one_then_all(emu: Emulator, b3: B3OS) -> None:
    """delete() forgets one memory; delete_all() forgets the rest and says how many."""
    for key in ("a", "b", "c"):
        emu.add_caddie_memory("notes", key, key)
    await b3.caddie_memory.delete("notes", "b")
    assert await b3.caddie_memory.delete_all() == 2
    assert [m async for m in b3.caddie_memory.list()] == []


async def test_delete_all_keeps_the_toggle(b3: B3OS) -> None:
    """Forgetting everything leaves the user's on/off setting as it was."""
    await b3.caddie_memory.set_enabled(False)
    await b3.caddie_memory.delete_all()
    assert (await b3.caddie_memory.settings()).enabled is False


async def test_toggles(b3: B3OS) -> None:
    """Memory is on for the user and off for the organization until changed."""
    before = await b3.caddie_memory.settings()
    assert (before.enabled, before.org_enabled) == (True, False)
    assert await b3.caddie_memory.set_org_enabled(True) is True
    assert (await b3.caddie_memory.settings()).org_enabled is True


async def test_only_owners_toggle_the_organizations_memory(emu: Emulator) -> None:
    """A developer's key may not turn the organization's memory on."""
    key = emu.create_member_key(emu.add_member("dev@example.com"))
    async with client(emu, key) as dev:
        with pytest.raises(PermissionDeniedError):
            await dev.caddie_memory.set_org_enabled(True)


async def test_memories_are_per_user(emu: Emulator, b3: B3OS) -> None:
    """Another member of the organization does not see the owner's memories."""
    emu.add_caddie_memory("profile", "name", "Ada")
    key = emu.create_member_key(emu.add_member("dev@example.com"))
    async with client(emu, key) as dev:
        assert [m async for m in dev.caddie_memory.list()] == []
    assert len([m async for m in b3.caddie_memory.list()]) == 1
