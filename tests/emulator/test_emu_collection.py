"""The generic org-scoped collection helper and the ordered indexes every list pages through."""

from __future__ import annotations

import attrs
import pytest

from b3os_async.testing._collection import Collection, Shelves, SortedIndex, scan_page
from b3os_async.testing._common import ApiError, IdSource
from b3os_async.testing._store import Store

NOT_FOUND = 404099


@attrs.define
class Thing:
    """A toy item of a toy area."""

    id: str
    org_id: str
    name: str


THINGS = Collection[Thing]("things", "thing", NOT_FOUND, "thg_")
RECENT = Collection[Thing]("recent-things", "thing", NOT_FOUND, "thg_", order="updated")


def _store(seed: int = 0) -> Store:
    return Store(IdSource(seed), lambda *args, **kwargs: None)


def _fill(store: Store, collection: Collection[Thing], count: int, org: str = "org_a") -> list[str]:
    items = collection.of(store)
    return [items.add(Thing(items.new_id(), org, f"n{i}")).id for i in range(count)]


def _ids(body: dict[str, object]) -> list[str]:
    items = body["items"]
    assert isinstance(items, list)
    return [item["id"] for item in items]


def test_pages_are_newest_first_with_has_more() -> None:
    """page() lists the org's items newest first in {items, limit, offset, hasMore} pages."""
    store = _store()
    ids = _fill(store, THINGS, 5)
    items = THINGS.of(store)
    first = items.page("org_a", 2, 0, attrs.asdict)
    last = items.page("org_a", 2, 4, attrs.asdict)
    assert _ids(first) == [ids[4], ids[3]]
    assert (first["limit"], first["offset"], first["hasMore"]) == (2, 0, True)
    assert (_ids(last), last["hasMore"]) == ([ids[0]], False)
    assert items.page("org_a", 2, 9, attrs.asdict)["items"] == []


def test_get_of_another_orgs_item_is_the_areas_404() -> None:
    """get() of a missing or another org's item raises a 404 with the collection's code."""
    store = _store()
    (theirs,) = _fill(store, THINGS, 1, org="org_b")
    with pytest.raises(ApiError) as caught:
        THINGS.of(store).get("org_a", theirs)
    assert (caught.value.status, caught.value.code) == (404, NOT_FOUND)
    assert caught.value.message == f"thing {theirs!r} not found"
    assert THINGS.of(store).page("org_a", 10, 0, attrs.asdict)["items"] == []


def test_update_sets_fields_and_moves_only_updated_order_lists() -> None:
    """update() sets attributes; order="updated" moves the item first, "created" keeps order."""
    store = _store()
    kept, moved = _fill(store, THINGS, 2), _fill(store, RECENT, 2)
    assert THINGS.of(store).update("org_a", kept[0], name="x").name == "x"
    RECENT.of(store).update("org_a", moved[0], name="y")
    assert _ids(THINGS.of(store).page("org_a", 5, 0, attrs.asdict)) == [kept[1], kept[0]]
    assert _ids(RECENT.of(store).page("org_a", 5, 0, attrs.asdict)) == [moved[0], moved[1]]
    with pytest.raises(AttributeError):
        THINGS.of(store).update("org_a", kept[0], colour="red")


def test_delete_removes_the_item_everywhere() -> None:
    """delete() returns the item; it is then gone from get, page and count."""
    store = _store()
    ids = _fill(store, THINGS, 3)
    items = THINGS.of(store)
    assert items.delete("org_a", ids[1]).id == ids[1]
    assert items.count("org_a") == 2
    assert _ids(items.page("org_a", 5, 0, attrs.asdict)) == [ids[2], ids[0]]
    with pytest.raises(ApiError):
        items.delete("org_a", ids[1])


def test_ids_are_seeded_and_duplicates_refused() -> None:
    """new_id() uses the prefix and the seed; add() refuses an id that exists."""
    first, again = _fill(_store(3), THINGS, 2), _fill(_store(3), THINGS, 2)
    assert first == again
    assert all(item_id.startswith("thg_") for item_id in first)
    store = _store()
    (existing,) = _fill(store, THINGS, 1)
    with pytest.raises(ValueError):
        THINGS.of(store).add(Thing(existing, "org_a", "dup"))


def test_one_collection_per_name_per_store() -> None:
    """of() gives the same items for the same store; a clashing name is refused."""
    store = _store()
    assert THINGS.of(store) is THINGS.of(store)
    assert THINGS.of(_store()) is not THINGS.of(store)
    with pytest.raises(RuntimeError):
        Collection[Thing]("things", "other", 404098, "oth_").of(store)


def test_an_unfiltered_page_renders_only_its_items() -> None:
    """An unfiltered page touches only the items it returns (render called once per item)."""
    store = _store()
    _fill(store, THINGS, 500)
    rendered: list[str] = []
    THINGS.of(store).page("org_a", 10, 200, lambda thing: rendered.append(thing.id))
    assert len(rendered) == 10


def test_a_filtered_page_stops_after_one_match_past_the_page() -> None:
    """A filtered scan tests items only until offset + limit + 1 matches are found."""
    tested: list[int] = []

    def keep(n: int) -> bool:
        tested.append(n)
        return n % 2 == 0

    found, more = scan_page(range(1000), keep, offset=4, limit=3)
    assert (found, more) == ([8, 10, 12], True)
    assert tested == list(range(15))  # 0..14: the 8th match (14) proves hasMore
    assert scan_page(range(10), keep, offset=4, limit=3) == ([8], False)


def test_sorted_index_pages_both_ways() -> None:
    """SortedIndex keeps keys sorted; pages slice from the front or, descending, the back."""
    index: SortedIndex[str] = SortedIndex()
    for key in (3, 1, 2, 5, 4):
        index.add((key,), f"i{key}")
    assert index.page(1, 2, descending=False) == (["i2", "i3"], True)
    assert index.page(1, 2, descending=True) == (["i4", "i3"], True)
    assert index.page(3, 5, descending=True) == (["i2", "i1"], False)
    index.remove((3,))
    assert list(index.iterate(descending=False)) == ["i1", "i2", "i4", "i5"]
    with pytest.raises(ValueError):
        index.add((1,), "again")


def test_shelves_move_items_between_orders_and_partitions() -> None:
    """place() re-files a changed item in every order and moves it between partitions."""
    shelves: Shelves[Thing] = Shelves(
        {"name:asc": (lambda t: (t.name, t.id), False)},
        lambda t: "hidden" if t.name.startswith("_") else "shown",
    )
    things = [Thing(f"t{i}", "org_a", name) for i, name in enumerate(("b", "c", "a"))]
    for thing in things:
        shelves.place(thing)
    assert [t.id for t in shelves.page("org_a", "shown", "name:asc", 0, 9)[0]] == ["t2", "t0", "t1"]
    things[1].name = "_c"
    shelves.place(things[1])
    assert [t.id for t in shelves.page("org_a", "shown", "name:asc", 0, 9)[0]] == ["t2", "t0"]
    assert [t.id for t in shelves.page("org_a", "hidden", "name:asc", 0, 9)[0]] == ["t1"]
    assert shelves.count("org_a", "shown") == 2
    assert shelves.page("org_b", "shown", "name:asc", 0, 9) == ([], False)
