"""Caddie's memory: what Caddie remembers about each user of each organization, and the toggles.

Theory of operation
-------------------
Memories belong to one user in one organization (``(org_id, user_id)``); a caller only ever sees
and changes their own. Each has a ``scope`` (``profile``: always-injected identity, or ``notes``:
searchable history), a ``key`` unique within the scope, a ``text`` and a ``source`` (``user``,
``agent``, ``reflection``). The API only reads, edits (update-only: an unknown key is 404046),
deletes one, and deletes all of them; Caddie itself writes them, which in the emulator is
``Emulator.add_caddie_memory``. Editing keeps the memory's place; lists are newest first by
creation.

Two toggles: the user's own (``enabled``, default on; deleting every memory keeps it) and the
organization's (``orgEnabled``, admin-only, default off: "Memory is disabled by default").
"""

from __future__ import annotations

from typing import Any

import attrs

from b3os_async.testing._common import BAD_FIELD, MEMORY_NOT_FOUND, ApiError, not_found, now_iso

__all__ = ["SCOPES", "CaddieMemoryBook", "Memory"]

SCOPES = ("profile", "notes")
SOURCES = ("user", "agent", "reflection")


@attrs.define
class Memory:
    """One memory (``CaddieMemoryItem``)."""

    scope: str
    key: str
    text: str
    source: str
    created_at: str
    updated_at: str

    def json(self) -> dict[str, Any]:
        """The ``CaddieMemoryItem`` JSON."""
        return {
            "scope": self.scope,
            "key": self.key,
            "text": self.text,
            "source": self.source,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


def check_scope(scope: str) -> str:
    """``scope`` when it is ``profile`` or ``notes``; else 400002."""
    if scope not in SCOPES:
        raise ApiError(400, BAD_FIELD, f"memory scope must be 'profile' or 'notes', got {scope!r}")
    return scope


class CaddieMemoryBook:
    """Every user's memories and both toggles, for one emulator."""

    def __init__(self) -> None:
        self._memories: dict[tuple[str, str], dict[tuple[str, str], Memory]] = {}
        self._disabled_users: set[tuple[str, str]] = set()
        self._enabled_orgs: set[str] = set()

    def add(self, org_id: str, user_id: str, scope: str, key: str, text: str, source: str) -> None:
        """Remember something (what Caddie does; a memory with the same key is replaced)."""
        if source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}")
        at = now_iso()
        mine = self._memories.setdefault((org_id, user_id), {})
        mine.pop((check_scope(scope), key), None)
        mine[scope, key] = Memory(scope, key, text, source, at, at)

    def page(self, org_id: str, user_id: str, limit: int, offset: int) -> dict[str, Any]:
        """``ListCaddieMemoryResponse``: a newest-first page and both toggles."""
        mine = list(self._memories.get((org_id, user_id), {}).values())
        end = len(mine) - offset
        items = mine[max(end - limit, 0) : max(end, 0)][::-1]
        return {
            "items": [memory.json() for memory in items],
            "limit": limit,
            "offset": offset,
            "hasMore": end - limit > 0,
            "enabled": (org_id, user_id) not in self._disabled_users,
            "orgEnabled": org_id in self._enabled_orgs,
        }

    def _find(self, org_id: str, user_id: str, scope: str, key: str) -> Memory:
        memory = self._memories.get((org_id, user_id), {}).get((check_scope(scope), key))
        if memory is None:
            raise not_found(MEMORY_NOT_FOUND, f"memory {scope}/{key}")
        return memory

    def edit(self, org_id: str, user_id: str, scope: str, key: str, text: str) -> Memory:
        """Replace a memory's text (update-only: 404046 for an unknown key)."""
        memory = self._find(org_id, user_id, scope, key)
        memory.text, memory.source, memory.updated_at = text, "user", now_iso()
        return memory

    def delete(self, org_id: str, user_id: str, scope: str, key: str) -> None:
        """Forget one memory (404046 for an unknown key)."""
        self._find(org_id, user_id, scope, key)
        del self._memories[org_id, user_id][scope, key]

    def clear(self, org_id: str, user_id: str) -> int:
        """Forget every memory of the user in the organization; how many there were."""
        return len(self._memories.pop((org_id, user_id), {}))

    def set_user_enabled(self, org_id: str, user_id: str, enabled: bool) -> bool:
        """The user's toggle."""
        (self._disabled_users.discard if enabled else self._disabled_users.add)((org_id, user_id))
        return enabled

    def set_org_enabled(self, org_id: str, enabled: bool) -> bool:
        """The organization's toggle."""
        (self._enabled_orgs.add if enabled else self._enabled_orgs.discard)(org_id)
        return enabled
