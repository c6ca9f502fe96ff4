"""``b3.caddie_memory``: what Caddie remembers about you in the organization, and the toggles.

Methods default to the client's organization (``org_id=`` for another).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async._convert import structure
from b3os_async._errors import ConfigurationError
from b3os_async.models.caddie_memory import CaddieMemory, CaddieMemorySettings
from b3os_async.resources._org import OrgResource, unwrap_data

if TYPE_CHECKING:
    from b3os_async.pagination import AsyncPager

__all__ = ["CaddieMemories"]

SCOPES = ("profile", "notes")


def _scope(scope: str) -> str:
    if scope not in SCOPES:
        raise ConfigurationError(f"scope must be 'profile' or 'notes', got {scope!r}")
    return scope


def _enabled(enabled: bool) -> bool:
    if not isinstance(enabled, bool):
        raise ConfigurationError(f"enabled must be True or False, got {enabled!r}")
    return enabled


class CaddieMemories(OrgResource):
    """Caddie's memory of you (``…/caddie-memory``). Get it as ``b3.caddie_memory``."""

    __slots__ = ()

    def list(
        self,
        *,
        org_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[CaddieMemory]:
        """What Caddie remembers about you, newest first."""
        return self._org_list(
            CaddieMemory, "/v1/organizations/{}/caddie-memory", org_id,
            page_size=page_size, max_items=max_items, unwrap=True,
        )  # fmt: skip

    async def settings(self, *, org_id: str | None = None) -> CaddieMemorySettings:
        """Whether memory is on for you (``enabled``) and for the organization."""
        oid = await self._org(org_id)
        data = unwrap_data(
            await self._data("GET", "/v1/organizations/{}/caddie-memory", oid, params={"limit": 1})
        )
        return structure(
            {"enabled": data.get("enabled"), "orgEnabled": data.get("orgEnabled")},
            CaddieMemorySettings,
        )

    async def update(self, scope: str, key: str, text: str, *, org_id: str | None = None) -> None:
        """Replace the text of one memory (``NotFoundError`` if Caddie has no such memory)."""
        checked: object = text  # callers may pass anything: check at runtime
        if not isinstance(checked, str) or not 1 <= len(text) <= 2000:
            raise ConfigurationError("text must be 1-2000 characters")
        oid = await self._org(org_id)
        await self._data(
            "PUT", "/v1/organizations/{}/caddie-memory/{}/{}", oid, _scope(scope), key,
            json={"text": text},
        )  # fmt: skip

    async def delete(self, scope: str, key: str, *, org_id: str | None = None) -> None:
        """IRREVERSIBLE: make Caddie forget one memory. Never retried automatically."""
        oid = await self._org(org_id)
        await self._data(
            "DELETE", "/v1/organizations/{}/caddie-memory/{}/{}", oid, _scope(scope), key,
            idempotent=False,
        )  # fmt: skip

    async def delete_all(self, *, org_id: str | None = None) -> int:
        """IRREVERSIBLE: make Caddie forget EVERYTHING about you in the organization; returns
        how many memories were deleted (your on/off setting stays). Never retried automatically.
        """
        oid = await self._org(org_id)
        data = unwrap_data(
            await self._data("DELETE", "/v1/organizations/{}/caddie-memory", oid, idempotent=False)
        )
        cleared = data.get("cleared") if isinstance(data, dict) else None
        return cleared if isinstance(cleared, int) and not isinstance(cleared, bool) else 0

    async def set_enabled(self, enabled: bool, *, org_id: str | None = None) -> bool:
        """Turn Caddie's memory of you on or off; the new state."""
        oid = await self._org(org_id)
        data = unwrap_data(
            await self._data(
                "PUT", "/v1/organizations/{}/caddie-memory/settings", oid,
                json={"enabled": _enabled(enabled)},
            )
        )  # fmt: skip
        return bool(data.get("enabled")) if isinstance(data, dict) else enabled

    async def set_org_enabled(self, enabled: bool, *, org_id: str | None = None) -> bool:
        """Turn Caddie's long-term memory on or off for the whole organization (admins only)."""
        oid = await self._org(org_id)
        data = unwrap_data(
            await self._data(
                "PUT", "/v1/organizations/{}/caddie-memory/org-settings", oid,
                json={"enabled": _enabled(enabled)},
            )
        )  # fmt: skip
        return bool(data.get("enabled")) if isinstance(data, dict) else enabled
