"""Ordered indexes that page in O(page), and the generic org-scoped collection helper.

Theory of operation
-------------------
Every list endpoint answers ``{items, limit, offset, hasMore}`` pages, and a page must cost the
same with 100 objects in the store as with 100,000: nothing on a list's path may re-read,
re-derive or re-sort a whole collection.

:class:`SortedIndex` keeps the items of ONE list order (one organization, one sort) as a Python
list of keys in sorted order plus a dict key -> item. Keys are tuples ending with a number unique
to the item (its creation number), so two keys never tie. Adding or removing an item is a binary
search and one ``list.insert``/``del`` (a memmove done in C: well under a millisecond at 100k
keys, and next to nothing for the newest items, where most changes land); a page is one slice
(newest-first pages are slices from the end). When an item's key changes (a workflow updated,
renamed, run again) its owner removes the old key and adds the new one.

Filtered pages (:func:`scan_page`) walk an index in order and test each item with a predicate
that reads only data computed when the item was written (lower-cased text, node types, ...); the
walk stops as soon as ``offset + limit + 1`` items matched (the extra one decides ``hasMore``).

The collection helper
---------------------
:class:`Collection` is the whole book of a simple area: create, get, list with paging, update,
delete, and a 404 with the area's own not-found code. Declare it once, at module level, in
``routes/<area>.py``; ``Collection.of(store)`` gives that emulator's items (created on first use,
so a new area registers nothing anywhere else)::

    @attrs.define
    class Connector:                      # any mutable class with ``id`` and ``org_id``
        id: str
        org_id: str
        name: str
        created_at: str

    CONNECTORS = Collection[Connector]("connectors", "connector", CONNECTOR_NOT_FOUND, "conn_")

    @ROUTES.post("/v1/connectors")
    async def create_connector(request: web.Request) -> web.Response:
        who, body = principal(request), await json_body(request)
        items = CONNECTORS.of(context(request).store)
        connector = items.add(
            Connector(id=items.new_id(), org_id=who.org_id,
                      name=require(body, "name", str, "a string"), created_at=now_iso())
        )
        return ok(request, connector_json(connector))

    @ROUTES.get("/v1/connectors")
    async def list_connectors(request: web.Request) -> web.Response:
        limit, offset = paging(request)
        items = CONNECTORS.of(context(request).store)
        return ok(request, items.page(principal(request).org_id, limit, offset, connector_json))

    # get:    items.get(org_id, request.match_info["id"])  -> else 404 with CONNECTOR_NOT_FOUND
    # update: items.update(org_id, item_id, name="new")    -> the item (404 likewise)
    # delete: items.delete(org_id, item_id)                -> the removed item (404 likewise)
    # filter: items.page(org_id, limit, offset, render, keep=lambda c: c.kind == kind)

Lists are newest first: by creation (``order="created"``, the default) or by last update
(``order="updated"``: :meth:`OrgItems.update` moves the item to the front). An object of another
organization is treated exactly like a missing one.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, insort
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

import attrs

from b3os_async.testing._common import not_found

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from b3os_async.testing._common import IdSource
    from b3os_async.testing._store import Store

Key = tuple[Any, ...]
"""A sort key: a tuple ending with a number unique to the item."""


class Owned(Protocol):
    """What a collection item needs: an id and the organization it belongs to."""

    @property
    def id(self) -> str: ...

    @property
    def org_id(self) -> str: ...


T = TypeVar("T")
O = TypeVar("O", bound=Owned)  # noqa: E741 (the conventional name of an owned item type)


class SortedIndex(Generic[T]):
    """Items kept sorted by a unique key; pages are slices (see the module docstring)."""

    __slots__ = ("_items", "_keys")

    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._items: dict[Key, T] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: Key, item: T) -> None:
        """Insert ``item`` under ``key`` (keys are unique)."""
        if key in self._items:
            raise ValueError(f"duplicate index key {key!r}")
        insort(self._keys, key)
        self._items[key] = item

    def remove(self, key: Key) -> None:
        """Take out the item stored under ``key``."""
        del self._items[key]
        del self._keys[bisect_left(self._keys, key)]

    def page(self, offset: int, limit: int, *, descending: bool) -> tuple[list[T], bool]:
        """Items ``offset .. offset + limit`` in the order asked, and whether more follow."""
        keys, items = self._keys, self._items
        if not descending:
            return [items[key] for key in keys[offset : offset + limit]], offset + limit < len(keys)
        end = len(keys) - offset
        if end <= 0:
            return [], False
        start = max(0, end - limit)
        return [items[key] for key in reversed(keys[start:end])], start > 0

    def iterate(self, *, descending: bool) -> Iterator[T]:
        """Every item in order (for a filtered scan, which stops early)."""
        items = self._items
        for key in reversed(self._keys) if descending else self._keys:
            yield items[key]

    def first(self, *, descending: bool) -> T | None:
        """The first item in the order asked, if any."""
        if not self._keys:
            return None
        return self._items[self._keys[-1 if descending else 0]]


def scan_page(
    candidates: Iterable[T], keep: Callable[[T], bool], offset: int, limit: int
) -> tuple[list[T], bool]:
    """Items ``offset .. offset + limit`` of ``candidates`` that ``keep`` accepts, and hasMore.

    Stops at the first match past the page: at most ``offset + limit + 1`` matches are tested
    beyond the non-matching items met on the way.
    """
    wanted = offset + limit
    found: list[T] = []
    matched = 0
    for item in candidates:
        if not keep(item):
            continue
        if matched >= wanted:
            return found, True
        if matched >= offset:
            found.append(item)
        matched += 1
    return found, False


def page_body(items: list[Any], limit: int, offset: int, has_more: bool) -> dict[str, Any]:
    """The ``PaginatedData`` body ``{items, limit, offset, hasMore}``."""
    return {"items": items, "limit": limit, "offset": offset, "hasMore": has_more}


Sorts = dict[str, tuple["Callable[[O], Key]", bool]]
"""List orders by name: the key of an item in that order, and whether lists read it descending."""


class Shelves(Generic[O]):
    """Items of every organization, kept in several list orders at once and split into partitions.

    ``sorts`` names the orders (``{"name:asc": (key_of, False), …}``); ``partition`` puts each item
    in one partition (e.g. ``"visible"``/``"archived"``), so that a list of one partition is a
    slice, not a scan. After any change that may move an item, call :meth:`place` again: it
    compares the item's keys with the ones it was filed under and moves only what changed.
    """

    def __init__(self, sorts: Sorts[O], partition: Callable[[O], str]) -> None:
        self._sorts = sorts
        self._partition = partition
        self._shelves: dict[tuple[str, str], dict[str, SortedIndex[O]]] = {}
        self._placed: dict[str, tuple[str, dict[str, Key]]] = {}

    def __len__(self) -> int:
        return len(self._placed)

    def place(self, item: O) -> None:
        """File a new item, or move a changed one to its current keys."""
        part = self._partition(item)
        keys = {sort: key_of(item) for sort, (key_of, _) in self._sorts.items()}
        old = self._placed.get(item.id)
        shelf = self._shelf(item.org_id, part)
        for sort, key in keys.items():
            if old is not None:
                if old[0] == part and old[1][sort] == key:
                    continue
                self._shelf(item.org_id, old[0])[sort].remove(old[1][sort])
            shelf[sort].add(key, item)
        self._placed[item.id] = (part, keys)

    def remove(self, item: O) -> None:
        """Take a placed item out of every order."""
        part, keys = self._placed.pop(item.id)
        shelf = self._shelf(item.org_id, part)
        for sort, key in keys.items():
            shelf[sort].remove(key)

    def count(self, org_id: str, partition: str) -> int:
        """How many items the organization has in ``partition``."""
        shelf = self._shelves.get((org_id, partition))
        return 0 if shelf is None else len(next(iter(shelf.values())))

    def page(
        self,
        org_id: str,
        partition: str,
        sort: str,
        offset: int,
        limit: int,
        keep: Callable[[O], bool] | None = None,
    ) -> tuple[list[O], bool]:
        """A page of one partition in one order: a slice, or a scan stopping early (``keep``)."""
        shelf = self._shelves.get((org_id, partition))
        if shelf is None:
            return [], False
        index, descending = shelf[sort], self._sorts[sort][1]
        if keep is None:
            return index.page(offset, limit, descending=descending)
        return scan_page(index.iterate(descending=descending), keep, offset, limit)

    def _shelf(self, org_id: str, partition: str) -> dict[str, SortedIndex[O]]:
        shelf = self._shelves.get((org_id, partition))
        if shelf is None:
            shelf = self._shelves[org_id, partition] = {sort: SortedIndex() for sort in self._sorts}
        return shelf


@attrs.frozen
class Collection(Generic[O]):
    """The org-scoped collection of one simple area (see the module docstring for an example).

    :param name: the area's name (``"connectors"``); one collection per name per emulator.
    :param noun: what one item is called in a 404 message (``"connector 'x' not found"``).
    :param not_found: the area's 404 error code (``404xxx``, listed in ``_common.py``).
    :param id_prefix: generated ids are this prefix plus 16 random characters (seeded).
    :param order: lists newest first by ``"created"`` (default) or last ``"updated"``.
    """

    name: str
    noun: str
    not_found: int
    id_prefix: str
    order: Literal["created", "updated"] = "created"

    def of(self, store: Store) -> OrgItems[O]:
        """This emulator's items of the collection (created on first use)."""
        items = store.collections.get(self.name)
        if items is None:
            items = store.collections[self.name] = OrgItems(self, store.ids)
        if items.spec != self:
            raise RuntimeError(f"two different collections are named {self.name!r}")
        found: OrgItems[O] = items
        return found


class OrgItems(Generic[O]):
    """One emulator's items of a :class:`Collection`, per organization, in list order."""

    def __init__(self, spec: Collection[O], ids: IdSource) -> None:
        self.spec = spec
        self._ids = ids
        self._by_id: dict[str, O] = {}
        self._stamp: dict[str, int] = {}
        self._stamps = itertools.count(1)
        self._shelves: Shelves[O] = Shelves(
            {"newest": (lambda item: (self._stamp[item.id],), True)}, lambda item: ""
        )

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def new_id(self) -> str:
        """A fresh id: the collection's prefix plus 16 seeded random characters."""
        return self._ids.new(self.spec.id_prefix)

    def add(self, item: O) -> O:
        """Store a new item (its id must be new) at the front of its organization's list."""
        if item.id in self._by_id:
            raise ValueError(f"{self.spec.noun} {item.id!r} already exists")
        self._by_id[item.id] = item
        self._stamp[item.id] = next(self._stamps)
        self._shelves.place(item)
        return item

    def get(self, org_id: str, item_id: str) -> O:
        """The organization's item ``item_id``, or a 404 with the area's not-found code."""
        found = self._by_id.get(item_id)
        if found is None or found.org_id != org_id:
            raise not_found(self.spec.not_found, f"{self.spec.noun} {item_id!r}")
        return found

    def update(self, org_id: str, item_id: str, **changes: Any) -> O:
        """Set attributes of the item (404 if it is not the org's); ``order="updated"`` moves it."""
        item = self.get(org_id, item_id)
        unknown = [name for name in changes if not hasattr(item, name)]
        if unknown:
            raise AttributeError(f"{self.spec.noun} has no attribute(s) {', '.join(unknown)}")
        for name, value in changes.items():
            setattr(item, name, value)
        if self.spec.order == "updated":
            self._stamp[item_id] = next(self._stamps)
            self._shelves.place(item)
        return item

    def delete(self, org_id: str, item_id: str) -> O:
        """Remove the item (404 if it is not the org's) and return it."""
        item = self.get(org_id, item_id)
        self._shelves.remove(item)
        del self._by_id[item_id], self._stamp[item_id]
        return item

    def count(self, org_id: str) -> int:
        """How many items the organization has."""
        return self._shelves.count(org_id, "")

    def page(
        self,
        org_id: str,
        limit: int,
        offset: int,
        render: Callable[[O], Any],
        *,
        keep: Callable[[O], bool] | None = None,
    ) -> dict[str, Any]:
        """One page of the org's items, newest first, rendered: ``{items, limit, offset, hasMore}``.

        Without ``keep`` the page is a slice (O(page)); with it, a scan that stops once the page
        and one more match are found.
        """
        items, more = self._shelves.page(org_id, "", "newest", offset, limit, keep)
        return page_body([render(item) for item in items], limit, offset, more)
