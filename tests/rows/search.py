"""Request shapes of ``b3.search`` and ``b3.tags`` (see ``tests/test_request_shapes.py``)."""

from __future__ import annotations

from support.table import Bare, Req, Row

HITS = {"query": "slack", "results": [{"id": "slack-send-message", "type": "action"}]}

ROWS = [
    Row(
        "search.query",
        lambda b3: b3.search.query("slack", types=["action", "trigger"], limit=5, offset=5),
        Req(
            "GET",
            "/v1/search",
            {"q": ["slack"], "types": ["action", "trigger"], "limit": ["5"], "offset": ["5"]},
        ),
        Bare({**HITS, "totalHits": 1}),
    ),
    Row(
        "search.query",
        lambda b3: b3.search.query("send message"),
        Req("GET", "/v1/search", {"q": ["send message"]}),
        Bare(HITS),
        note="defaults",
    ),
    Row(
        "search.similar",
        lambda b3: b3.search.similar("action", "slack-send-message", limit=3),
        Req("GET", "/v1/search/similar/action/slack-send-message", {"limit": ["3"]}),
        Bare(HITS),
    ),
    Row(
        "tags.list",
        lambda b3: b3.tags.list(
            category="finance", search="de", scope="actions", sort_by_count=True, page_size=50
        ),
        Req(
            "GET",
            "/v1/tags",
            {
                "category": ["finance"],
                "search": ["de"],
                "scope": ["actions"],
                "sortByCount": ["true"],
                "limit": ["50"],
                "offset": ["0"],
            },
        ),
        {"items": [{"id": "tag_defi", "slug": "defi", "count": 5}], "hasMore": False},
    ),
    Row(
        "tags.categories",
        lambda b3: b3.tags.categories(),
        Req("GET", "/v1/tags/categories"),
        ["blockchain", "finance"],
    ),
]
