"""``b3.search`` and ``b3.tags`` against the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.models import SearchHit, Tag

if TYPE_CHECKING:
    from b3os_async import B3OS


async def test_query_returns_typed_hits_best_first(b3: B3OS) -> None:
    """query() returns SearchHit models ordered by score."""
    found = await b3.search.query("swap tokens", types=["action"])
    assert all(isinstance(hit, SearchHit) for hit in found.results)
    assert found.results[0].id == "swap-tokens"
    scores = [hit.score or 0 for hit in found.results]
    assert scores == sorted(scores, reverse=True)


async def test_query_finds_workflows_by_name(b3: B3OS) -> None:
    """A workflow of the organization is a hit of type workflow."""
    definition = {"nodes": {"root": {"type": "manual", "payload": {}}}}
    wf = await b3.workflows.create(
        name="Treasury rebalance", description="d", definition=definition
    )
    found = await b3.search.query("treasury", types=["workflow"])
    assert [(h.id, h.type, h.workflow_type) for h in found.results] == [
        (wf.id, "workflow", "manual")
    ]


async def test_similar_excludes_the_entry_itself(b3: B3OS) -> None:
    """similar() returns other entries of the same kind."""
    found = await b3.search.similar("trigger", "erc20-receive", limit=3)
    ids = [hit.id for hit in found.results]
    assert "erc20-receive" not in ids
    assert ids[0] == "erc20-send"


async def test_tags_page_and_count_by_scope(b3: B3OS) -> None:
    """tags.list() pages typed tags; counts follow the scope."""
    tags = [t async for t in b3.tags.list(scope="triggers", sort_by_count=True, page_size=5)]
    assert all(isinstance(tag, Tag) for tag in tags)
    assert len(tags) == 25
    assert tags[0].count == max(tag.count or 0 for tag in tags)


async def test_tag_categories_are_strings(b3: B3OS) -> None:
    """tags.categories() is a list of category names."""
    assert await b3.tags.categories() == ["App", "blockchain", "core", "data", "finance", "social"]
