"""KeysetPager: the AsyncPager interface over a keyset list (chat history's before/beforeId)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from b3os_async.models import ChatMessage
from b3os_async.pagination import KeysetPager
from b3os_async.resources.caddie import _newest_first, _older_than

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pytest


class FakeSession:
    """Answers GETs from a scripted list of unwrapped responses and records the params."""

    def __init__(self, *responses: Any) -> None:
        self.responses = list(responses)
        self.calls: list[dict[str, Any]] = []

    async def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None
    ) -> Any:
        self.calls.append(dict(params or {}))
        return self.responses.pop(0)


def messages(*numbers: int) -> list[dict[str, Any]]:
    """History items ``msg_N`` created at second N, oldest first (as the API sends a page)."""
    return [{"id": f"msg_{n:02d}", "createdAt": f"2025-01-01T00:00:{n:02d}.000Z"} for n in numbers]


def history(session: FakeSession, **kwargs: Any) -> KeysetPager[ChatMessage]:
    return KeysetPager(
        session,
        "/v1/ai/workflow/chat/history",
        ChatMessage,
        cursor=_older_than,
        arrange=_newest_first,
        params={"conversationId": "c1"},
        **kwargs,
    )


async def test_pages_walk_back_in_time_with_the_oldest_item_as_keyset() -> None:
    """Each next page asks for items before the previous page's oldest (createdAt, id)."""
    session = FakeSession(messages(5, 6), messages(3, 4), messages(2))
    got = [m.id async for m in history(session, page_size=2)]
    assert got == ["msg_06", "msg_05", "msg_04", "msg_03", "msg_02"]
    assert session.calls[0] == {"conversationId": "c1", "limit": 2}
    assert session.calls[1]["before"] == "2025-01-01T00:00:05.000Z"
    assert session.calls[1]["beforeId"] == "msg_05"
    assert session.calls[2]["before"] == "2025-01-01T00:00:03.000Z"
    assert len(session.calls) == 3  # the short last page ended it


async def test_keyset_timestamp_is_sent_exactly_as_the_server_wrote_it() -> None:
    """The cursor is the raw createdAt text (nanoseconds and offsets kept, never re-formatted)."""
    item = {"id": "m1", "createdAt": "2025-01-01T00:00:05.123456789+02:00"}
    session = FakeSession([item], [])
    _ = [m async for m in history(session, page_size=1)]
    assert session.calls[1]["before"] == "2025-01-01T00:00:05.123456789+02:00"


async def test_an_empty_page_ends_iteration_when_no_page_size_is_known() -> None:
    """Without page_size, iteration continues until the server answers an empty page."""
    session = FakeSession(messages(3, 4), [])
    assert [m.id async for m in history(session)] == ["msg_04", "msg_03"]
    assert len(session.calls) == 2
    assert session.calls[0]["limit"] is None  # None is dropped from the query string


async def test_max_items_caps_the_total_and_stops_requesting() -> None:
    """max_items truncates the last page and sends no further request."""
    session = FakeSession(messages(5, 6), messages(3, 4))
    assert [m.id async for m in history(session, page_size=2, max_items=3)] == [
        "msg_06",
        "msg_05",
        "msg_04",
    ]
    assert len(session.calls) == 2


async def test_a_server_that_ignores_the_keyset_stops_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The same page twice (keyset ignored) ends iteration after the first, with a warning."""
    session = FakeSession(messages(5, 6), messages(5, 6))
    with caplog.at_level(logging.WARNING, logger="b3os_async"):
        got = [m.id async for m in history(session, page_size=2)]
    assert got == ["msg_06", "msg_05"]
    assert "same page again" in caplog.text


async def test_has_more_false_in_an_object_page_ends_iteration() -> None:
    """An {items, hasMore: false} answer is the last page even when it is full."""
    session = FakeSession({"items": messages(5, 6), "hasMore": False})
    assert [m.id async for m in history(session, page_size=2)] == ["msg_06", "msg_05"]
    assert len(session.calls) == 1


async def test_items_without_a_timestamp_end_the_walk() -> None:
    """A page whose oldest item has no createdAt gives no keyset: iteration ends there."""
    session = FakeSession([{"id": "a"}, {"id": "b"}])
    assert len([m async for m in history(session, page_size=2)]) == 2
    assert len(session.calls) == 1


async def test_first_page_returns_the_newest_page_newest_first() -> None:
    """first_page() fetches one page, its items newest first, has_more when it was full."""
    session = FakeSession(messages(7, 8))
    page = await history(session, page_size=2).first_page()
    assert [m.id for m in page.items] == ["msg_08", "msg_07"]
    assert page.has_more is True


def test_ties_are_ordered_by_id_within_a_page() -> None:
    """Two messages with the same createdAt keep a stable order: the higher id first."""
    same = "2025-01-01T00:00:01.000Z"
    items = [{"id": "b", "createdAt": same}, {"id": "a", "createdAt": same}, {"id": "c"}]
    assert [i["id"] for i in _newest_first(items)] == ["b", "a", "c"]
