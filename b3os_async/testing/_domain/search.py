"""Search over the catalog and the organization's workflows, and "similar" catalog entries.

Theory of operation
-------------------
B3OS runs a hybrid (keyword + semantic) search; the emulator's stands in for it with a
deterministic keyword score, so tests can rely on the order:

* the query is split into lower-case words; each word scores 3 when it is a word of the name
  (or the id), 2 when it is a tag, 1 when it is a word of the description or category, and 0.5
  when it only prefixes a word (3+ letters) or is a listed synonym of one (the "semantic" part:
  ``message`` finds ``send``, ``price`` finds ``quote`` …). The hit's ``score`` is the sum over
  the query's words divided by 3 per word (1.0: every word is in the name);
* hits are ordered by score, then the entry's ``weight`` (catalog prominence), then id;
  ``limit``/``offset`` apply per resource type (as B3OS documents), then the pages of the types
  are merged in score order; ``totalHits`` counts every match before paging;
* types: ``action``, ``trigger``, ``connector_def`` (the catalog, indexed once), ``workflow``
  (the caller's workflows, not archived) and ``template`` (the templates the caller may see);
  workflows and templates are read when searched: O(their number).

:func:`similar` ranks entries of the same kind by shared tags (60 %), same category (20 %) and
shared words of name and description (20 %); templates are compared with the templates the
caller may see.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing import _catalog
from b3os_async.testing._common import BAD_QUERY, CATALOG_NOT_FOUND, ApiError, compact
from b3os_async.testing._domain.workflow_query import WorkflowQuery

if TYPE_CHECKING:
    from collections.abc import Iterable

    from b3os_async.testing._store import Store

__all__ = ["SEARCH_TYPES", "SIMILAR_TYPES", "kinds", "search", "similar"]

SEARCH_TYPES = ("template", "action", "trigger", "connector_def", "workflow")
SIMILAR_TYPES = ("action", "template", "trigger", "connector_def")
_CATALOG_KIND = {"action": "action", "trigger": "trigger", "connector_def": "connector_type"}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "message": ("send", "post", "chat"),
    "notify": ("message", "notifications", "alert", "send"),
    "alert": ("notifications", "message"),
    "price": ("prices", "quote", "market"),
    "transfer": ("send",),
    "pay": ("payment", "payments", "send"),
    "swap": ("exchange", "trade", "trading"),
    "mail": ("email", "gmail"),
    "tweet": ("x", "post"),
    "schedule": ("cron", "cronjob", "rrule"),
    "llm": ("ai",),
    "sheet": ("spreadsheets", "sheets"),
}

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


@attrs.frozen
class _Doc:
    kind: str  # a SearchHit type
    id: str
    name: str
    description: str
    category: str | None
    tags: tuple[str, ...]
    weight: int
    status: str | None = None
    workflow_type: str | None = None
    name_words: frozenset[str] = attrs.field(init=False)
    tag_words: frozenset[str] = attrs.field(init=False)
    text_words: frozenset[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        setter = object.__setattr__  # a frozen class filling its derived fields
        setter(self, "name_words", _words(f"{self.name} {self.id}"))
        setter(self, "tag_words", frozenset(self.tags) | _words(" ".join(self.tags)))
        setter(self, "text_words", _words(f"{self.description} {self.category or ''}"))

    def hit(self, score: float) -> dict[str, Any]:
        return compact(
            {
                "id": self.id,
                "type": self.kind,
                "name": self.name,
                "description": self.description,
                "category": self.category,
                "tags": list(self.tags),
                "score": score,
                "status": self.status,
                "workflowType": self.workflow_type,
            }
        )


def _catalog_docs(kind: str) -> list[_Doc]:
    docs = []
    for entry in _catalog.entries(_CATALOG_KIND[kind]):
        definition = entry.definition
        category = definition.get("category") or (definition.get("categories") or [None])[0]
        docs.append(
            _Doc(
                kind,
                entry.type,
                entry.name,
                str(definition.get("description", "")),
                category,
                entry.tags,
                int(definition.get("weight") or 50),
            )
        )
    return docs


_DOCS: dict[str, list[_Doc]] = {kind: _catalog_docs(kind) for kind in _CATALOG_KIND}


def kinds(raw: Iterable[str], allowed: tuple[str, ...]) -> list[str]:
    """Resource types from a query or path (singular or plural), validated (400004)."""
    found: list[str] = []
    for value in raw:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                continue
            singular = name[:-1] if name.endswith("s") and name[:-1] in allowed else name
            if singular not in allowed:
                raise ApiError(
                    400, BAD_QUERY, f"unknown resource type {part!r}: use {', '.join(allowed)}"
                )
            if singular not in found:
                found.append(singular)
    return found


def _score(doc: _Doc, terms: list[str]) -> float:
    total = 0.0
    every = doc.name_words | doc.tag_words | doc.text_words
    for term in terms:
        if term in doc.name_words:
            total += 3
        elif term in doc.tag_words:
            total += 2
        elif term in doc.text_words:
            total += 1
        elif (len(term) >= 3 and any(word.startswith(term) for word in every)) or any(
            synonym in every for synonym in SYNONYMS.get(term, ())
        ):
            total += 0.5
    return round(total / (3 * len(terms)), 4)


def _workflow_docs(store: Store, org_id: str) -> list[_Doc]:
    workflows, _ = store.workflows.page(org_id, WorkflowQuery(), 1 << 30, 0)
    docs = []
    for workflow in workflows:
        version = workflow.current()
        docs.append(
            _Doc(
                "workflow",
                workflow.id,
                str(version.content["name"]),
                str(version.content.get("description", "")),
                None,
                (),
                50,
                status=workflow.status_of(version.number),
                workflow_type=version.derived.trigger_type,
            )
        )
    return docs


def _template_docs(store: Store, org_id: str) -> list[_Doc]:
    templates, _ = store.templates.page(org_id, "all", frozenset(), 1 << 30, 0)
    return [
        _Doc(
            "template",
            template.id,
            str(template.content.get("name", "")),
            str(template.content.get("description", "")),
            template.content.get("category"),
            tuple(template.tags),
            50,
        )
        for template in templates
    ]


def _docs(store: Store, org_id: str, kind: str) -> list[_Doc]:
    """The searchable documents of one resource type."""
    if kind == "workflow":
        return _workflow_docs(store, org_id)
    if kind == "template":
        return _template_docs(store, org_id)
    return _DOCS.get(kind, [])


def _ranked(docs: Iterable[_Doc], terms: list[str]) -> list[tuple[float, _Doc]]:
    scored = [(score, doc) for doc in docs if (score := _score(doc, terms)) > 0]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].weight, pair[1].id))
    return scored


def search(
    store: Store, org_id: str, query: str, types: list[str], limit: int, offset: int
) -> dict[str, Any]:
    """``GET /v1/search``: ``{query, results, totalHits, processingTimeMs}``."""
    started = time.perf_counter()
    terms = list(dict.fromkeys(_WORD.findall(query.lower())))
    if not terms:
        raise ApiError(400, BAD_QUERY, "query parameter 'q' must contain a word")
    total = 0
    page: list[tuple[float, _Doc]] = []
    for kind in types or list(SEARCH_TYPES):
        ranked = _ranked(_docs(store, org_id, kind), terms)
        total += len(ranked)
        page.extend(ranked[offset : offset + limit])
    page.sort(key=lambda pair: (-pair[0], -pair[1].weight, pair[1].id))
    return {
        "query": query,
        "results": [doc.hit(score) for score, doc in page],
        "totalHits": total,
        "processingTimeMs": round((time.perf_counter() - started) * 1000),
    }


def _similarity(a: _Doc, b: _Doc) -> float:
    tags_a, tags_b = set(a.tags), set(b.tags)
    words_a, words_b = a.name_words | a.text_words, b.name_words | b.text_words
    tags = len(tags_a & tags_b) / len(tags_a | tags_b) if tags_a | tags_b else 0.0
    words = len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0
    category = 1.0 if a.category is not None and a.category == b.category else 0.0
    return round(0.6 * tags + 0.2 * category + 0.2 * words, 4)


def similar(store: Store, org_id: str, kind: str, item_id: str, limit: int) -> dict[str, Any]:
    """``GET /v1/search/similar/{type}/{id}``: entries of the same kind most like ``item_id``."""
    started = time.perf_counter()
    docs = _docs(store, org_id, kind)
    target = next((doc for doc in docs if doc.id == item_id), None)
    if target is None:
        raise ApiError(404, CATALOG_NOT_FOUND, f"{kind} {item_id!r} not found")
    scored = [
        (score, doc)
        for doc in docs
        if doc.id != item_id and (score := _similarity(target, doc)) > 0
    ]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].weight, pair[1].id))
    return {
        "query": item_id,
        "results": [doc.hit(score) for score, doc in scored[:limit]],
        "totalHits": len(scored),
        "processingTimeMs": round((time.perf_counter() - started) * 1000),
    }
