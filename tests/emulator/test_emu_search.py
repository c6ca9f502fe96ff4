"""The emulator's search, "similar" and tags over raw HTTP."""

from __future__ import annotations

from emu_helpers import Api, linear

from b3os_async.testing import _catalog


async def test_search_ranks_name_matches_first(api: Api) -> None:
    """q=slack answers the slack actions (name matches) before anything else."""
    found = await api.call("GET", "/v1/search", params={"q": "slack", "types": "action"})
    ids = [hit["id"] for hit in found["results"]]
    assert ids[:2] == ["slack-send-message", "slack-list-channels"]
    assert found["results"][0]["score"] == 1.0


async def test_search_counts_every_match_but_pages_per_type(api: Api) -> None:
    """limit applies per type; totalHits counts every match."""
    params = {"q": "token", "types": "action,trigger", "limit": "1"}
    found = await api.call("GET", "/v1/search", params=params)
    assert sorted(hit["type"] for hit in found["results"]) == ["action", "trigger"]
    assert found["totalHits"] > 2


async def test_search_finds_synonyms(api: Api) -> None:
    """q=notify finds messaging actions whose text never says 'notify'."""
    found = await api.call("GET", "/v1/search", params={"q": "notify", "types": "actions"})
    assert "send-telegram-message" in [hit["id"] for hit in found["results"]]


async def test_search_finds_the_organizations_workflows(api: Api) -> None:
    """A workflow is found by its name, with its status and trigger type."""
    wf = await api.create(linear(), name="Nightly invoice sweep")
    found = await api.call("GET", "/v1/search", params={"q": "invoice", "types": "workflow"})
    assert found["results"] == [
        {
            "id": wf["id"],
            "type": "workflow",
            "name": "Nightly invoice sweep",
            "description": "Nightly invoice sweep description",
            "tags": [],
            "score": 1.0,
            "status": "draft",
            "workflowType": "manual",
        }
    ]


async def test_search_leaves_out_other_organizations_workflows(api: Api) -> None:
    """Another organization's search does not find this one's workflow."""
    await api.create(linear(), name="Secret plan")
    _, key = api.emu.create_org("Other")
    params = {"q": "secret plan", "types": "workflow"}
    found = await api.call(
        "GET", "/v1/search", params=params, headers={"Authorization": f"Bearer {key}"}
    )
    assert found["totalHits"] == 0


async def test_search_refuses_unknown_types(api: Api) -> None:
    """types=planets is a 400 (400004)."""
    body = await api.call("GET", "/v1/search", params={"q": "x", "types": "planets"}, expect=400)
    assert body["code"] == 400004


async def test_search_needs_a_query(api: Api) -> None:
    """No q is a 400."""
    await api.call("GET", "/v1/search", expect=400)


async def test_similar_ranks_by_shared_tags_and_leaves_out_itself(api: Api) -> None:
    """Actions similar to slack-send-message are other messaging actions, best first."""
    found = await api.call(
        "GET", "/v1/search/similar/action/slack-send-message", params={"limit": "2"}
    )
    ids = [hit["id"] for hit in found["results"]]
    assert ids == ["discord-send-message", "send-telegram-message"]
    assert found["results"][0]["score"] >= found["results"][1]["score"]


async def test_similar_of_an_unknown_entry_is_404(api: Api) -> None:
    """An id the catalog does not have is a 404 (404013)."""
    body = await api.call("GET", "/v1/search/similar/trigger/nope", expect=404)
    assert body["code"] == 404013


async def test_similar_limit_is_at_most_20(api: Api) -> None:
    """limit=21 is a 400."""
    params = {"limit": "21"}
    await api.call("GET", "/v1/search/similar/action/echo", params=params, expect=400)


async def test_tag_counts_follow_the_scope(api: Api) -> None:
    """A tag's count is the number of catalog actions carrying it, with scope=actions."""
    page = await api.data("GET", "/v1/tags", params={"scope": "actions", "limit": "100"})
    counts = {tag["slug"]: tag["count"] for tag in page["items"]}
    expected = sum("messaging" in entry.tags for entry in _catalog.entries("action"))
    assert counts["messaging"] == expected


async def test_tags_filter_by_category(api: Api) -> None:
    """category=finance keeps only tags of that category."""
    page = await api.data("GET", "/v1/tags", params={"category": "finance", "limit": "100"})
    assert page["items"]
    assert all("finance" in tag["categories"] for tag in page["items"])


async def test_tags_sorted_by_count_put_the_most_used_first(api: Api) -> None:
    """sortByCount=true orders tags by count, descending."""
    page = await api.data("GET", "/v1/tags", params={"sortByCount": "true", "limit": "1000"})
    counts = [tag["count"] for tag in page["items"]]
    assert counts == sorted(counts, reverse=True)


async def test_tags_accept_a_limit_up_to_1000(api: Api) -> None:
    """limit=1000 is accepted and 1001 refused (400003)."""
    await api.data("GET", "/v1/tags", params={"limit": "1000"})
    body = await api.call("GET", "/v1/tags", params={"limit": "1001"}, expect=400)
    assert body["code"] == 400003


async def test_tag_categories_are_sorted_and_unique(api: Api) -> None:
    """GET /v1/tags/categories lists each category once, sorted."""
    categories = await api.data("GET", "/v1/tags/categories")
    assert categories == sorted(set(categories))
    assert "blockchain" in categories


async def test_search_finds_visible_templates(api: Api) -> None:
    """q=price alert finds the built-in public template, typed template."""
    found = await api.call("GET", "/v1/search", params={"q": "price alert", "types": "template"})
    assert [(hit["type"], hit["name"]) for hit in found["results"]] == [("template", "Price alert")]


async def test_template_scopes_count_templates(api: Api) -> None:
    """scope=templates_public counts the public templates carrying a tag (a built-in: defi)."""
    page = await api.data(
        "GET", "/v1/tags", params={"scope": "templates_public", "search": "lending"}
    )
    assert [(tag["slug"], tag["count"]) for tag in page["items"]] == [("defi", 1)]
