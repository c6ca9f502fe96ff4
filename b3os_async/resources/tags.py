"""``b3.tags``: the tags of actions, triggers, connectors and templates, and their categories."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from b3os_async._convert import structure
from b3os_async.models.tags import Tag
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from b3os_async.pagination import AsyncPager

__all__ = ["Tags"]


class Tags(Resource):
    """Tags (``/v1/tags``). Get it as ``b3.tags``."""

    __slots__ = ()

    def list(
        self,
        *,
        category: str | None = None,
        search: str | None = None,
        scope: str | None = None,
        sort_by_count: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[Tag]:
        """Tags, most prominent first (or most used, with ``sort_by_count``), lazily.

        Args:
            category: only tags of this category (see :meth:`categories`).
            search: only tags whose name or description contains this.
            scope: what ``count`` counts: ``all``, ``actions``, ``triggers``, ``connectors``,
                ``templates_public``, ``templates_promoted``, ``templates_org``.
            sort_by_count: most used first.
            page_size: items per request (``limit``, at most 1000).
            max_items: stop after this many items.
        """
        params = {
            "category": category,
            "search": search,
            "scope": scope,
            "sortByCount": sort_by_count,
        }
        return self._list(Tag, "/v1/tags", params=params, page_size=page_size, max_items=max_items)

    async def categories(self) -> builtins.list[str]:
        """Every category tags belong to."""
        return structure(await self._data("GET", "/v1/tags/categories"), builtins.list[str])
