"""Area ``tags``: the tags of the catalog (with counts per scope) and their categories.

Counts of the catalog are static; template scopes (and ``all``) count the templates the scope
names, read when asked (O(templates)).

Both answers are untyped in the OpenAPI; the emulator sends a page of ``Tag`` objects and a
list of category names (documented in ``docs/emulator.md``).
"""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from b3os_async.testing import _catalog
from b3os_async.testing._common import BAD_PAGING, ApiError
from b3os_async.testing._server import (
    bool_param,
    choice_param,
    context,
    int_param,
    ok,
    page,
    principal,
)

ROUTES = web.RouteTableDef()

MAX_TAGS = 1000
TEMPLATE_CATEGORY = {
    "all": "public",
    "templates_public": "public",
    "templates_promoted": "promoted",
    "templates_org": "org",
}
"""Which templates each scope counts (``all``: the public ones, besides the catalog)."""


def _template_counts(request: web.Request, org_id: str, scope: str) -> Counter[str]:
    category = TEMPLATE_CATEGORY.get(scope)
    if category is None:
        return Counter()
    store = context(request).store
    templates, _ = store.templates.page(org_id, category, frozenset(), 1 << 30, 0)
    return Counter(tag for template in templates for tag in set(template.tags))


@ROUTES.get("/v1/tags")
async def list_tags(request: web.Request) -> web.Response:
    """``GET /v1/tags``: ``category``, ``search``, ``scope``, ``sortByCount``; limit up to 1000."""
    who = principal(request)
    limit = int_param(request, "limit", 20, BAD_PAGING)
    offset = int_param(request, "offset", 0, BAD_PAGING)
    if not 1 <= limit <= MAX_TAGS or offset < 0:
        raise ApiError(400, BAD_PAGING, f"limit must be 1 to {MAX_TAGS}, offset at least 0")
    scope = choice_param(request, "scope", _catalog.TAG_SCOPES) or "all"
    category = (request.query.get("category") or "").strip().lower()
    text = (request.query.get("search") or "").strip().lower()
    rows = _catalog.tags(scope, _template_counts(request, who.org_id, scope))
    if category:
        rows = [row for row in rows if category in (c.lower() for c in row["categories"])]
    if text:
        rows = [
            row for row in rows if text in row["name"].lower() or text in row["description"].lower()
        ]
    if bool_param(request, "sortByCount"):
        rows.sort(key=lambda row: (-row["count"], -row["weight"], row["slug"]))
    return ok(request, page(rows, limit, offset))


@ROUTES.get("/v1/tags/categories")
async def tag_categories(request: web.Request) -> web.Response:
    """``GET /v1/tags/categories``: every category of the tags, sorted."""
    principal(request)
    return ok(request, _catalog.tag_categories())
