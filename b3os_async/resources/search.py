"""``b3.search``: one search across actions, triggers, connector types, templates and your
workflows; and the catalog entries most like one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.models.search import SearchResults
from b3os_async.resources._args import str_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Search"]


class Search(Resource):
    """Search (``/v1/search``). Get it as ``b3.search``: ``await b3.search.query("slack")``."""

    __slots__ = ()

    async def query(
        self,
        q: str,
        *,
        types: Sequence[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> SearchResults:
        """Search resources; hits come best first.

        Args:
            q: what to look for, e.g. ``"send slack message"``.
            types: ``action``, ``trigger``, ``connector_def``, ``template``, ``workflow``
                (default: all).
            limit: hits per type (default 20, at most 100).
            offset: hits of each type to skip.
        """
        params = {"q": q, "types": str_list(types, "types"), "limit": limit, "offset": offset}
        return await self._get(SearchResults, "/v1/search", params=params)

    async def similar(
        self, resource_type: str, resource_id: str, *, limit: int | None = None
    ) -> SearchResults:
        """The resources most like one, e.g. ``similar("action", "slack-send-message")``.

        Args:
            resource_type: ``action``, ``trigger``, ``connector_def`` or ``template``.
            resource_id: its type (actions, triggers, connector types) or id (templates).
            limit: at most this many (default 5, at most 20).
        """
        path = "/v1/search/similar/{}/{}"
        return await self._get(
            SearchResults, path, resource_type, resource_id, params={"limit": limit}
        )
