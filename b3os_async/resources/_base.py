"""What every resource shares: one helper per HTTP method, decoding into models, pagers.

A resource method is then a few lines: its arguments converted (:mod:`._args`), one helper call
naming the model and the path template, each ``{}`` filled by an id encoded as one path segment::

    async def get(self, workflow_id: str) -> Workflow:
        \"\"\"Get a workflow.\"\"\"
        return await self._get(Workflow, "/v1/workflows/{}", workflow_id)

``_get``/``_put``/``_delete`` are retried by the session's rules (idempotent methods);
``_post``/``_patch`` are not, unless ``idempotent=True`` says resending is safe. ``_list`` returns a
lazy :class:`~b3os_async.AsyncPager`; ``_maybe`` decodes an undocumented answer when it is an
object with an ``id``; ``_data`` returns the unwrapped JSON for free-form answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from b3os_async._convert import structure
from b3os_async._transport.http import NOT_GIVEN
from b3os_async._transport.paths import path
from b3os_async.pagination import AsyncPager

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import Requester

__all__ = ["Resource"]

T = TypeVar("T")


class Resource:
    """Base of the resource classes: holds the requester and the shared request helpers."""

    __slots__ = ("_req",)

    def __init__(self, requester: Requester) -> None:
        self._req = requester

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._req.manager!r})"

    async def _data(
        self,
        method: str,
        template: str,
        *ids: object,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = NOT_GIVEN,
        idempotent: bool | None = None,
    ) -> Any:
        """Send a request and return its unwrapped JSON ``data`` (free-form answers)."""
        return await self._req.request(
            method, path(template, *ids), params=params, json=json, idempotent=idempotent
        )

    async def _get(
        self,
        model: type[T],
        template: str,
        *ids: object,
        params: Mapping[str, QueryValue] | None = None,
    ) -> T:
        """``GET`` and decode into ``model``."""
        return structure(await self._data("GET", template, *ids, params=params), model)

    async def _post(
        self,
        model: type[T],
        template: str,
        *ids: object,
        json: Any = NOT_GIVEN,
        params: Mapping[str, QueryValue] | None = None,
        idempotent: bool | None = None,
    ) -> T:
        """``POST`` (not retried unless ``idempotent``) and decode into ``model``."""
        data = await self._data(
            "POST", template, *ids, params=params, json=json, idempotent=idempotent
        )
        return structure(data, model)

    async def _put(self, model: type[T], template: str, *ids: object, json: Any = NOT_GIVEN) -> T:
        """``PUT`` and decode into ``model``."""
        return structure(await self._data("PUT", template, *ids, json=json), model)

    async def _patch(
        self,
        model: type[T],
        template: str,
        *ids: object,
        json: Any = NOT_GIVEN,
        idempotent: bool | None = None,
    ) -> T:
        """``PATCH`` (not retried unless ``idempotent``) and decode into ``model``."""
        data = await self._data("PATCH", template, *ids, json=json, idempotent=idempotent)
        return structure(data, model)

    async def _delete(
        self,
        model: type[T],
        template: str,
        *ids: object,
        params: Mapping[str, QueryValue] | None = None,
    ) -> T:
        """``DELETE`` and decode into ``model``."""
        return structure(await self._data("DELETE", template, *ids, params=params), model)

    async def _maybe(
        self, model: type[T], method: str, template: str, *ids: object, json: Any = NOT_GIVEN
    ) -> T | None:
        """For endpoints whose answer is undocumented: an object with an ``id`` decoded into
        ``model``; anything else (no data, ``{}``, a message) is None."""
        data = await self._data(method, template, *ids, json=json)
        if isinstance(data, dict) and "id" in data:
            return structure(data, model)
        return None

    def _list(
        self,
        model: type[T],
        template: str,
        *ids: object,
        params: Mapping[str, QueryValue] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[T]:
        """A lazy pager over a list endpoint (no request is made here)."""
        return AsyncPager(
            self._req,
            path(template, *ids),
            model,
            params=params,
            page_size=page_size,
            max_items=max_items,
        )
