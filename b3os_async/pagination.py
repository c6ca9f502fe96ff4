"""``AsyncPager[T]``: lazy, offset-based paging over every list endpoint.

Theory of operation
-------------------
A list endpoint takes ``limit`` / ``offset`` and answers ``{items, limit, offset, hasMore}``
(after the session removed the envelope). A resource method returns an :class:`AsyncPager`
*without* sending anything; requests happen only while the caller iterates (or awaits
:meth:`AsyncPager.first_page`). Each ``async for`` starts again from the first page, so a pager can
be iterated more than once.

* ``page_size`` is sent as ``limit`` on every request: it is the size of one page, not a cap on
  the total. ``max_items`` caps the total number of items produced (the last page is truncated,
  and no further page is requested once the cap is reached).
* The next offset is the requested offset plus the number of items received, so a server that
  returns fewer items than asked for (its own maximum) loses nothing.
* Iteration stops on ``hasMore: false`` (or no ``hasMore`` at all), on an empty page, and -- as a
  guard against a server that ignores ``offset`` -- when a page reports an offset that did not
  advance, or repeats the previous page item for item. That last case is logged as a warning on
  logger ``b3os_async``, since it means the server misbehaved.
* A bare JSON array (the legacy ``{"success": true, "data": [...]}`` shape) is one final page.
* Keys of the list response other than the four above are kept raw in :attr:`Page.extra` (e.g.
  ``currentVersion`` on workflow version lists).

:class:`KeysetPager` is the same interface over a *keyset* list (chat history: ``before`` +
``beforeId``): the next page's position comes from the items of the previous one (a ``cursor``
function of the raw items), not from an offset. It stops on an empty page, on a page shorter than
``page_size``, on ``hasMore: false`` when the server sends it, when ``cursor`` gives nothing, and
(with a warning) when the position did not move.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Protocol, TypeVar

import attrs

from b3os_async._convert import structure_items
from b3os_async._errors import ConfigurationError, ResponseValidationError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence

    from b3os_async._transport.http import QueryValue

__all__ = ["AsyncPager", "KeysetPager", "Page"]

T = TypeVar("T")
logger = logging.getLogger("b3os_async")

_PAGE_KEYS = frozenset({"items", "limit", "offset", "hasMore"})


class _Requester(Protocol):
    """What the pager needs from the session (``Requester.request``)."""

    async def request(
        self, method: str, path: str, *, params: Mapping[str, QueryValue] | None = ...
    ) -> Any: ...


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list: its items and the paging fields the server reported.

    ``limit`` and ``offset`` are as the server echoed them (``offset`` falls back to the one we
    requested); ``extra`` holds any other keys of the list response, raw and in camelCase.
    """

    items: tuple[T, ...]
    limit: int | None
    offset: int
    has_more: bool
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None or (type(value) is int):
        return value
    raise ResponseValidationError(
        f"List response field {key!r} must be an integer, got {type(value).__name__}", path=key
    )


def decode_page(data: Any, item_type: type[T], requested_offset: int) -> Page[T]:
    """Turn an unwrapped list response into a :class:`Page` (raises ResponseValidationError)."""
    if type(data) is list:  # legacy bare array: everything there is, in one page
        return Page(items=structure_items(data, item_type), limit=None, offset=0, has_more=False)
    if type(data) is not dict:
        raise ResponseValidationError(
            f"Expected a list response {{items, limit, offset, hasMore}}, got {type(data).__name__}"
        )
    has_more = data.get("hasMore", False)
    if has_more is None:
        has_more = False
    if type(has_more) is not bool:
        raise ResponseValidationError(
            f"List response field 'hasMore' must be a boolean, got {type(has_more).__name__}",
            path="has_more",
        )
    offset = _optional_int(data, "offset")
    return Page(
        items=structure_items(data.get("items"), item_type),
        limit=_optional_int(data, "limit"),
        offset=requested_offset if offset is None else offset,
        has_more=has_more,
        extra={k: v for k, v in data.items() if k not in _PAGE_KEYS},
    )


class AsyncPager(Generic[T]):
    """An async iterator over the items of a list endpoint, fetching pages lazily.

    ``async for item in pager`` yields items across pages; ``await pager.first_page()`` fetches
    one :class:`Page`; ``async for page in pager.pages()`` yields pages. Nothing is requested
    before one of these is used.
    """

    def __init__(
        self,
        session: _Requester,
        path: str,
        item_type: type[T],
        *,
        params: Mapping[str, QueryValue] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> None:
        if page_size is not None and (type(page_size) is not int or page_size < 1):
            raise ConfigurationError(f"page_size must be a positive integer, got {page_size!r}")
        if max_items is not None and (type(max_items) is not int or max_items < 0):
            raise ConfigurationError(f"max_items must be an integer >= 0, got {max_items!r}")
        self._session = session
        self._path = path
        self._item_type = item_type
        self._params = dict(params or {})
        self._page_size = page_size
        self._max_items = max_items

    @property
    def page_size(self) -> int | None:
        """The ``limit`` sent with each request (None: the server's default)."""
        return self._page_size

    @property
    def max_items(self) -> int | None:
        """The cap on the total number of items produced (None: no cap)."""
        return self._max_items

    def __repr__(self) -> str:
        return (
            f"AsyncPager(path={self._path!r}, item_type={self._item_type.__name__}, "
            f"page_size={self._page_size}, max_items={self._max_items})"
        )

    async def _fetch(self, offset: int) -> Page[T]:
        params: dict[str, QueryValue] = dict(self._params)
        params["limit"] = self._page_size
        params["offset"] = offset
        data = await self._session.request("GET", self._path, params=params)
        return decode_page(data, self._item_type, offset)

    async def first_page(self) -> Page[T]:
        """Fetch and return the first page (truncated to ``max_items`` if set)."""
        async for page in self.pages():
            return page
        # Only reachable with max_items=0: nothing may be produced, so nothing is requested.
        return Page(items=(), limit=self._page_size, offset=0, has_more=True)

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate over pages until the list ends or ``max_items`` items were produced."""
        return _PageIterator(self)

    def __aiter__(self) -> AsyncIterator[T]:
        return _ItemIterator(_PageIterator(self))

    if not TYPE_CHECKING:  # hidden from type checkers, so that `await pager` stays a type error

        def __await__(self) -> NoReturn:
            # Why: `await b3.runs.list()` is an easy slip (most methods are awaited); Python's
            # own "object AsyncPager can't be used in 'await' expression" says nothing about
            # what to do instead.
            raise TypeError(
                "an AsyncPager is not awaited: iterate it (`async for item in pager`), await "
                "one page (`await pager.first_page()`), or collect it "
                "(`[x async for x in pager]`)"
            )


class _PageIterator(Generic[T]):
    """One pass over the pages of an :class:`AsyncPager` (see the module's stop rules).

    A plain class rather than an async generator: breaking out of ``async for`` then leaves
    nothing to finalize later (no generator for the event loop to close at shutdown).
    """

    def __init__(self, pager: AsyncPager[T]) -> None:
        self._pager = pager
        self._remaining = pager.max_items
        self._offset = 0
        self._previous: Page[T] | None = None
        self._done = False

    def __aiter__(self) -> _PageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._done or (self._remaining is not None and self._remaining <= 0):
            raise StopAsyncIteration
        pager = self._pager
        page = await pager._fetch(self._offset)
        previous = self._previous
        if previous is not None:
            if not page.items:
                self._done = True
                raise StopAsyncIteration
            if page.offset <= previous.offset or page.items == previous.items:
                logger.warning(
                    "GET %s: the server answered offset %d again instead of advancing; stopping "
                    "the iteration (does it ignore the 'offset' parameter?)",
                    pager._path,
                    page.offset,
                )
                self._done = True
                raise StopAsyncIteration
        if self._remaining is not None:
            if len(page.items) > self._remaining:
                page = attrs.evolve(page, items=page.items[: self._remaining])
            self._remaining -= len(page.items)
        if not page.has_more or not page.items:
            self._done = True
        self._previous = page
        self._offset += len(page.items)
        return page


class _ItemIterator(Generic[T]):
    """Items of successive pages, in order."""

    def __init__(self, pages: AsyncIterator[Page[T]]) -> None:
        self._pages = pages
        self._current: Iterator[T] = iter(())

    def __aiter__(self) -> _ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            for item in self._current:
                return item
            page = await self._pages.__anext__()  # StopAsyncIteration ends the items too
            self._current = iter(page.items)


class KeysetPager(AsyncPager[T]):
    """An :class:`AsyncPager` over a keyset list (see the module docstring).

    ``cursor(raw_items)`` gets the raw JSON items of a page (after ``arrange``) and returns the
    query parameters of the next page (``{"before": ..., "beforeId": ...}``), or None when there
    is no next page. ``arrange(raw_items)`` may reorder a page before it is decoded. Its pages
    have ``offset`` 0 (a keyset list has no offsets).
    """

    def __init__(
        self,
        session: _Requester,
        path: str,
        item_type: type[T],
        *,
        cursor: Callable[[Sequence[Any]], Mapping[str, QueryValue] | None],
        arrange: Callable[[list[Any]], list[Any]] | None = None,
        params: Mapping[str, QueryValue] | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> None:
        super().__init__(
            session, path, item_type, params=params, page_size=page_size, max_items=max_items
        )
        self._cursor = cursor
        self._arrange = arrange

    def __repr__(self) -> str:
        return "Keyset" + super().__repr__()

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate over pages until the list ends or ``max_items`` items were produced."""
        return _KeysetPageIterator(self)

    def __aiter__(self) -> AsyncIterator[T]:
        return _ItemIterator(_KeysetPageIterator(self))


class _KeysetPageIterator(Generic[T]):
    """One pass over the pages of a :class:`KeysetPager`."""

    def __init__(self, pager: KeysetPager[T]) -> None:
        self._pager = pager
        self._remaining = pager.max_items
        self._position: Mapping[str, QueryValue] | None = None
        self._done = False

    def __aiter__(self) -> _KeysetPageIterator[T]:
        return self

    async def __anext__(self) -> Page[T]:
        if self._done or (self._remaining is not None and self._remaining <= 0):
            raise StopAsyncIteration
        pager = self._pager
        params: dict[str, QueryValue] = dict(pager._params)
        params["limit"] = pager._page_size
        if self._position is not None:
            params.update(self._position)
        data = await pager._session.request("GET", pager._path, params=params)
        raw = data.get("items") if type(data) is dict else data
        if raw is None:
            raw = []
        if type(raw) is not list:
            raise ResponseValidationError(
                f"Expected a list of items, got {type(raw).__name__}", path="items"
            )
        if pager._arrange is not None:
            raw = pager._arrange(raw)
        has_more = data.get("hasMore") if type(data) is dict else None
        full = pager._page_size is None or len(raw) >= pager._page_size
        position = pager._cursor(raw) if raw else None
        if not raw or has_more is False or not full or position is None:
            self._done = True
        elif position == self._position:
            logger.warning(
                "GET %s: the server answered the same page again instead of older items; "
                "stopping the iteration (does it ignore the keyset parameters?)",
                pager._path,
            )
            self._done = True
            raise StopAsyncIteration
        self._position = position
        items = structure_items(raw, pager._item_type)
        if self._remaining is not None:
            items = items[: self._remaining]
            self._remaining -= len(items)
        return Page(items=items, limit=pager._page_size, offset=0, has_more=not self._done)
