"""The current organization of a client, for the paths that name one (``…/{orgId}/…``).

Why: an API key is bound to one organization, yet a dozen endpoints take its id in the path. A
method of those areas takes ``org_id=None`` and means the client's organization:

1. the ``org_id`` given to that call (a call for another organization is explicit);
2. else ``B3OS(org_id=...)`` / ``B3OS_ORG_ID`` (also sent as ``X-Org-ID``);
3. else the key's organization, learnt ONCE per client with ``GET /v1/organizations?limit=1``
   (the first item: what the official MCP client does) and remembered for the client and all
   its ``with_options`` views (they share one session manager).

Nothing is requested before the result of a call is used: resources resolve the id when the
call is awaited, and :class:`OrgRequester` lets a pager resolve it on its first page.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Any, TypeVar

from b3os_async._errors import ConfigurationError
from b3os_async._transport.http import NOT_GIVEN
from b3os_async._transport.paths import path
from b3os_async.pagination import AsyncPager
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async._transport.http import QueryValue
    from b3os_async._transport.session import Requester, SessionManager

__all__ = ["OrgRequester", "OrgResource", "current_org_id", "unwrap_data"]

T = TypeVar("T")

# One entry per client (its session manager); it goes away with the client.
_LEARNT: weakref.WeakKeyDictionary[SessionManager, str] = weakref.WeakKeyDictionary()
# Concurrent first calls of one client wait for one lookup instead of each making their own.
_LOOKUPS: weakref.WeakKeyDictionary[SessionManager, asyncio.Lock] = weakref.WeakKeyDictionary()


def _check(org_id: object) -> str:
    if not isinstance(org_id, str) or not org_id or "/" in org_id or not org_id.isprintable():
        raise ConfigurationError(
            f"org_id must be an organization id such as 'org_…', got {org_id!r}"
        )
    return org_id


async def current_org_id(requester: Requester, org_id: str | None = None) -> str:
    """``org_id`` if given, else the client's organization (see the module docstring)."""
    if org_id is not None:
        return _check(org_id)
    manager = requester.manager
    if manager.org_id:
        return manager.org_id
    learnt = _LEARNT.get(manager)
    if learnt is not None:
        return learnt
    lock = _LOOKUPS.setdefault(manager, asyncio.Lock())
    async with lock:
        learnt = _LEARNT.get(manager)
        return learnt if learnt is not None else await _lookup(requester, manager)


async def _lookup(requester: Requester, manager: SessionManager) -> str:
    data = await requester.request("GET", "/v1/organizations", params={"limit": 1})
    items = data.get("items") if isinstance(data, dict) else None
    first = items[0] if isinstance(items, list) and items else None
    if not isinstance(first, dict) or not isinstance(first.get("id"), str):
        raise ConfigurationError(
            "the API key's organization is unknown (GET /v1/organizations listed none): pass "
            "org_id= to the call or B3OS(org_id=...)"
        )
    learnt = _LEARNT[manager] = str(first["id"])
    return learnt


def unwrap_data(data: Any) -> Any:
    """Remove the ``{"data": …}`` wrapper some endpoints answer with (no ``code``/``requestId``,
    so the session's envelope rule keeps it); anything else as it is."""
    if isinstance(data, dict) and set(data) == {"data"}:
        return data["data"]
    return data


class OrgRequester:
    """A requester for a pager over an organization's list: resolves the organization when the
    first page is fetched, then requests ``template`` filled with it (and ``ids``)."""

    __slots__ = ("_ids", "_org_id", "_requester", "_template", "_unwrap")

    def __init__(
        self,
        requester: Requester,
        template: str,
        org_id: str | None,
        *ids: object,
        unwrap: bool = False,
    ) -> None:
        if org_id is not None:
            _check(org_id)
        self._requester = requester
        self._template = template
        self._org_id = org_id
        self._ids = ids
        self._unwrap = unwrap

    async def request(
        self,
        method: str,
        path_: str,
        *,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = NOT_GIVEN,
    ) -> Any:
        """Send the pager's request to the organization's path (``path_`` is only a label)."""
        org_id = await current_org_id(self._requester, self._org_id)
        full = path(self._template, org_id, *self._ids)
        data = await self._requester.request(method, full, params=params, json=json)
        return unwrap_data(data) if self._unwrap else data


class OrgResource(Resource):
    """A resource whose paths name an organization: ``_org()`` and ``_org_list()`` helpers."""

    __slots__ = ()

    async def _org(self, org_id: str | None) -> str:
        """The organization a call is for (``org_id``, else the client's)."""
        return await current_org_id(self._req, org_id)

    def _org_list(
        self,
        model: type[T],
        template: str,
        org_id: str | None,
        *,
        params: Mapping[str, QueryValue] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        unwrap: bool = False,
    ) -> AsyncPager[T]:
        """A lazy pager over an organization's list (``template``'s first ``{}`` is the org)."""
        return AsyncPager(
            OrgRequester(self._req, template, org_id, unwrap=unwrap),
            template.replace("{}", "{orgId}", 1),
            model,
            params=params,
            page_size=page_size,
            max_items=max_items,
        )
