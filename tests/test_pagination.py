"""AsyncPager: laziness, page walking, max_items, stop conditions, page decoding."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from b3os_async import AsyncPager, ConfigurationError, Page, ResponseValidationError
from b3os_async.models import RunListItem

if TYPE_CHECKING:
    from collections.abc import Mapping


class FakeSession:
    """Answers GETs from a scripted list of unwrapped list responses and records the params."""

    def __init__(self, *responses: Any) -> None:
        self.responses = list(responses)
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None
    ) -> Any:
        self.calls.append((method, path, dict(params or {})))
        return self.responses.pop(0)

    @property
    def offsets(self) -> list[int]:
        return [params["offset"] for _, _, params in self.calls]


def runs(start: int, count: int) -> list[dict[str, Any]]:
    return [{"id": f"run_{i}", "status": "success"} for i in range(start, start + count)]


def page(items: list[dict[str, Any]], offset: int, has_more: bool, **extra: Any) -> dict[str, Any]:
    return {"items": items, "limit": 2, "offset": offset, "hasMore": has_more, **extra}


def pager(session: FakeSession, **kwargs: Any) -> AsyncPager[RunListItem]:
    return AsyncPager(session, "/v1/runs", RunListItem, **kwargs)


async def test_creating_a_pager_sends_nothing() -> None:
    """No request is made until iteration or first_page()."""
    session = FakeSession(page(runs(0, 1), 0, False))
    p = pager(session, params={"status": "failure"}, page_size=2)
    assert session.calls == []
    await p.first_page()
    assert len(session.calls) == 1


async def test_iteration_walks_every_page_in_order() -> None:
    """Items of all pages are yielded in order; offsets advance by the items received."""
    session = FakeSession(
        page(runs(0, 2), 0, True), page(runs(2, 2), 2, True), page(runs(4, 1), 4, False)
    )
    ids = [run.id async for run in pager(session, page_size=2)]
    assert ids == [f"run_{i}" for i in range(5)]
    assert session.offsets == [0, 2, 4]


async def test_page_size_is_sent_as_limit_with_the_filters() -> None:
    """page_size becomes the limit query parameter; filters are sent on every page."""
    session = FakeSession(page(runs(0, 2), 0, True), page(runs(2, 1), 2, False))
    [run async for run in pager(session, params={"status": "failure"}, page_size=2)]
    assert [params for _, _, params in session.calls] == [
        {"status": "failure", "limit": 2, "offset": 0},
        {"status": "failure", "limit": 2, "offset": 2},
    ]
    assert {(method, path) for method, path, _ in session.calls} == {("GET", "/v1/runs")}


async def test_without_page_size_no_limit_is_sent() -> None:
    """Without page_size the server's default page size applies (limit is None, i.e. dropped)."""
    session = FakeSession(page(runs(0, 1), 0, False))
    await pager(session).first_page()
    assert session.calls[0][2]["limit"] is None


async def test_short_pages_advance_by_items_received() -> None:
    """A server returning fewer items than the limit loses nothing: offset += len(items)."""
    session = FakeSession(page(runs(0, 3), 0, True), page(runs(3, 2), 3, False))
    ids = [run.id async for run in pager(session, page_size=100)]
    assert len(ids) == 5
    assert session.offsets == [0, 3]


async def test_max_items_truncates_and_stops_fetching() -> None:
    """max_items caps the total; the page that reaches it is cut and no further page is fetched."""
    session = FakeSession(page(runs(0, 2), 0, True), page(runs(2, 2), 2, True))
    ids = [run.id async for run in pager(session, page_size=2, max_items=3)]
    assert ids == ["run_0", "run_1", "run_2"]
    assert len(session.calls) == 2


async def test_max_items_zero_makes_no_request() -> None:
    """max_items=0 yields nothing and sends nothing."""
    session = FakeSession()
    assert [run async for run in pager(session, max_items=0)] == []
    assert (await pager(session, max_items=0).first_page()).items == ()
    assert session.calls == []


async def test_first_page_returns_page_metadata() -> None:
    """first_page() returns items, limit, offset and has_more as the server reported them."""
    session = FakeSession(page(runs(0, 2), 0, True))
    first = await pager(session, page_size=2).first_page()
    assert isinstance(first, Page)
    assert [r.id for r in first.items] == ["run_0", "run_1"]
    assert (first.limit, first.offset, first.has_more) == (2, 0, True)
    assert len(session.calls) == 1


async def test_pages_yields_each_page() -> None:
    """pages() yields Page objects until hasMore is false."""
    session = FakeSession(page(runs(0, 2), 0, True), page(runs(2, 1), 2, False))
    pages = [p async for p in pager(session, page_size=2).pages()]
    assert [(p.offset, len(p.items), p.has_more) for p in pages] == [(0, 2, True), (2, 1, False)]


async def test_extra_keys_of_the_list_response_are_kept() -> None:
    """Other keys (currentVersion on version lists) are available raw on Page.extra."""
    session = FakeSession(page(runs(0, 1), 0, False, currentVersion=7))
    first = await pager(session).first_page()
    assert first.extra == {"currentVersion": 7}


async def test_iterating_twice_starts_over() -> None:
    """Each async for over the same pager starts from the first page."""
    session = FakeSession(page(runs(0, 1), 0, False), page(runs(0, 1), 0, False))
    p = pager(session)
    assert [r.id async for r in p] == [r.id async for r in p] == ["run_0"]
    assert session.offsets == [0, 0]


async def test_breaking_out_early_fetches_no_more() -> None:
    """Leaving the loop after the first item requests nothing else (and leaves nothing open)."""
    session = FakeSession(page(runs(0, 2), 0, True))
    async for run in pager(session, page_size=2):
        assert run.id == "run_0"
        break
    assert len(session.calls) == 1


# -- stop conditions ---------------------------------------------------------------------------


async def test_stops_when_has_more_is_missing() -> None:
    """A response without hasMore is the last page."""
    session = FakeSession({"items": runs(0, 2)})
    assert len([r async for r in pager(session)]) == 2
    assert len(session.calls) == 1


async def test_stops_on_an_empty_page_despite_has_more() -> None:
    """An empty page ends the iteration even if the server claims there is more."""
    session = FakeSession(page(runs(0, 2), 0, True), page([], 2, True))
    pages = [p async for p in pager(session).pages()]
    assert len(pages) == 1
    assert len(session.calls) == 2


async def test_empty_first_page_is_returned() -> None:
    """An empty list is one empty page, not an error."""
    session = FakeSession(page([], 0, False))
    assert (await pager(session).first_page()).items == ()


async def test_stops_when_the_server_repeats_the_same_offset(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A server that ignores offset (same offset again) cannot make iteration loop forever."""
    same = page(runs(0, 2), 0, True)
    session = FakeSession(*[same] * 10)
    with caplog.at_level(logging.WARNING, logger="b3os_async"):
        ids = [r.id async for r in pager(session, page_size=2)]
    assert ids == ["run_0", "run_1"]
    assert len(session.calls) == 2
    assert "offset 0" in caplog.text


async def test_stops_when_the_server_repeats_the_same_items() -> None:
    """Identical items on the next page (offset echoed but ignored) also stop the iteration."""
    session = FakeSession(page(runs(0, 2), 0, True), page(runs(0, 2), 2, True))
    assert len([r async for r in pager(session)]) == 2
    assert len(session.calls) == 2


async def test_bare_list_is_a_single_final_page() -> None:
    """The legacy bare-array data shape is one page with nothing more."""
    session = FakeSession(runs(0, 3))
    first = await pager(session).first_page()
    assert (len(first.items), first.has_more) == (3, False)


# -- decoding errors and arguments -------------------------------------------------------------


async def test_bad_item_names_its_index() -> None:
    """A malformed item raises ResponseValidationError with path items[i].field."""
    items = runs(0, 3)
    items[1]["status"] = None
    session = FakeSession(page(items, 0, False))
    with pytest.raises(ResponseValidationError) as info:
        await pager(session).first_page()
    assert info.value.path == "items[1].status"


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"items": [], "hasMore": "yes"}, "has_more"),
        ({"items": [], "offset": "0"}, "offset"),
        ({"items": {"a": 1}}, "items"),
        ("nope", None),
    ],
)
async def test_malformed_list_responses_are_rejected(data: Any, path: str | None) -> None:
    """A list response of the wrong shape raises ResponseValidationError naming the field."""
    with pytest.raises(ResponseValidationError) as info:
        await pager(FakeSession(data)).first_page()
    assert info.value.path == path


@pytest.mark.parametrize(
    "kwargs", [{"page_size": 0}, {"page_size": -1}, {"max_items": -1}, {"page_size": 2.5}]
)
def test_invalid_arguments_are_refused_at_once(kwargs: dict[str, Any]) -> None:
    """Bad page_size / max_items raise ConfigurationError before any request."""
    with pytest.raises(ConfigurationError):
        pager(FakeSession(), **kwargs)


async def test_legacy_success_envelope_pages_follow_has_more(api: Any) -> None:
    """Legacy ``{success, data: [...], hasMore: true}`` pages are followed to the last one."""
    mock, b3 = api
    first = {"success": True, "data": [{"id": "wf_1", "name": "a"}], "hasMore": True}
    last = {"success": True, "data": [{"id": "wf_2", "name": "b"}], "hasMore": False}
    mock.reply("GET", "/v1/workflows", body=first)
    mock.reply("GET", "/v1/workflows", body=last)
    assert [wf.id async for wf in b3.workflows.list(page_size=1)] == ["wf_1", "wf_2"]
    assert len(mock.calls) == 2
