"""Workflow templates: versions, visibility, instantiation (props), stats and recommendations.

Theory of operation
-------------------
A template is a list of numbered versions (``content``: name, description, definition, tags,
visibility, category, cooldownMs, maxRuns, templateProps, tableSchemas, uiMetadata, slug) and a
pointer to the current one. ``PATCH`` with changed content adds version n+1 (identical content
changes nothing); ``rollback`` adds version n+1 with an older version's content. Only the owning
organization may change a template (403005); built-in templates (``org_id`` None, seeded at
start-up: :data:`BUILT_INS`) belong to nobody.

Visibility: ``org`` templates are seen by their organization only, ``public`` ones by everyone
(also without an API key, ``GET /v1/templates/{id}``). A template another caller cannot see is a
404 (404009), never a 403.

Instantiation (``POST /v1/workflows`` with ``templateId``): :meth:`Template.resolve_props` checks
the ``propValues`` against ``templateProps`` -- unknown keys and missing required props are
400002, defaults fill what was not given -- and the workflow stores the result; its runs see it
as ``{{$props.x}}``. :meth:`TemplateBook.instantiated` counts the fork and remembers the
workflow, which ``stats`` reads (runs are counted by the run book's counters, not here).

Lists (``category`` ``org`` | ``public`` | ``promoted`` | ``all``) are sorted indexes, newest
change first, so a page is a slice; ``all`` merges the organization's templates with the public
ones of others lazily and stops once the page is full; ``tags`` filters scan and stop early.
Recommendations read a tag index (tag -> templates), not every template.
"""

from __future__ import annotations

import copy
import heapq
import itertools
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._collection import SortedIndex, scan_page
from b3os_async.testing._common import (
    NOT_TEMPLATE_OWNER,
    TEMPLATE_NOT_FOUND,
    TEMPLATE_VERSION_NOT_FOUND,
    ApiError,
    bad_field,
    not_found,
    now_iso,
)
from b3os_async.testing._domain.template_builtins import BUILT_INS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Principal

__all__ = ["BUILT_INS", "CATEGORIES", "STRATEGIES", "Template", "TemplateBook"]

CATEGORIES = ("promoted", "public", "org", "all")
STRATEGIES = ("strong_match", "interest_based", "popular_with_interest")
_PROP_TYPES = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict, list),
}


@attrs.define
class TemplateVersion:
    """One numbered version of a template."""

    number: int
    content: dict[str, Any]
    created_at: str
    created_by: str


@attrs.define
class Template:
    """A template: its versions, owner, counters and the workflows made from it."""

    id: str
    org_id: str | None
    index: int
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    source_workflow_id: str | None = None
    versions: dict[int, TemplateVersion] = attrs.field(factory=dict)
    current: int = 0
    promoted_order: int | None = None  # built-ins only (promoting is an admin route)
    fork_count: int = 0
    workflow_ids: list[str] = attrs.field(factory=list)
    stamp: int = 0  # changes with every write: the list order (newest change first)

    @property
    def content(self) -> dict[str, Any]:
        """The current version's content."""
        return self.versions[self.current].content

    @property
    def public(self) -> bool:
        """Whether everyone may see it."""
        return self.content.get("visibility") == "public"

    @property
    def tags(self) -> list[str]:
        """The current version's tags (lower-cased names)."""
        return [str(tag).lower() for tag in self.content.get("tags") or []]

    def visible_to(self, org_id: str | None) -> bool:
        """Whether a caller of ``org_id`` (None: anonymous) may see the template."""
        return self.public or (org_id is not None and org_id == self.org_id)

    def version(self, number: int) -> TemplateVersion:
        """Version ``number`` or a 404 (404010)."""
        if number not in self.versions:
            raise not_found(TEMPLATE_VERSION_NOT_FOUND, f"template version {number}")
        return self.versions[number]

    def add_version(self, content: dict[str, Any], by: str) -> None:
        """Append a version with ``content`` and make it current."""
        at = now_iso()
        number = max(self.versions, default=0) + 1
        self.versions[number] = TemplateVersion(number, copy.deepcopy(content), at, by)
        self.current, self.updated_at, self.updated_by = number, at, by

    def update(self, changes: dict[str, Any], by: str) -> bool:
        """A new version when ``changes`` alter the content; ``False`` when nothing changed."""
        merged = {**self.content, **changes}
        if merged == self.content:
            return False
        self.add_version(merged, by)
        return True

    def resolve_props(self, given: dict[str, Any]) -> dict[str, Any]:
        """The prop values a workflow made from this template runs with (see module doc)."""
        props = [p for p in self.content.get("templateProps") or [] if isinstance(p, dict)]
        declared = {str(prop.get("key")): prop for prop in props}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise bad_field(f"'propValues' has keys the template does not declare: {unknown}")
        resolved: dict[str, Any] = {}
        missing = []
        for key, prop in declared.items():
            if key in given:
                value = given[key]
                kinds = _PROP_TYPES.get(str(prop.get("type")))
                wrong_bool = isinstance(value, bool) and bool not in (kinds or ())
                if kinds is not None and (not isinstance(value, kinds) or wrong_bool):
                    raise bad_field(f"prop {key!r} must be of type {prop.get('type')}")
                resolved[key] = copy.deepcopy(value)
            elif "default" in prop:
                resolved[key] = copy.deepcopy(prop["default"])
            elif prop.get("required"):
                missing.append(key)
        if missing:
            raise bad_field(f"'propValues' lacks required props: {missing}")
        return resolved


def _tagged(template: Template, tags: frozenset[str]) -> bool:
    """Whether the template has any of ``tags`` (no tags: every template)."""
    return not tags or not tags.isdisjoint(template.tags)


class TemplateBook:
    """Every template of one emulator, indexed for the list categories (module doc)."""

    def __init__(self, ids: IdSource) -> None:
        self._ids = ids
        self._by_id: dict[str, Template] = {}
        self._by_source: dict[str, str] = {}  # source workflow id -> template id
        self._owned: dict[str, SortedIndex[Template]] = {}  # org id -> its templates
        self._public: SortedIndex[Template] = SortedIndex()
        self._promoted: SortedIndex[Template] = SortedIndex()
        self._by_tag: dict[str, set[str]] = {}
        self._used_by: dict[str, set[str]] = {}  # org id -> templates it made workflows from
        self._placed: dict[str, tuple[tuple[Any, ...], bool, frozenset[str]]] = {}
        self._stamps = itertools.count(1)
        self._numbers = itertools.count()
        for order, content in enumerate(BUILT_INS, start=1):
            self._add(None, "b3os", {**content, "visibility": "public"}, None, promoted=order)

    def __len__(self) -> int:
        return len(self._by_id)

    # -- reading ---------------------------------------------------------------------------------

    def get(self, org_id: str | None, template_id: str) -> Template:
        """A template the caller may see, or a 404 (404009)."""
        found = self._by_id.get(template_id)
        if found is None or not found.visible_to(org_id):
            raise not_found(TEMPLATE_NOT_FOUND, f"template {template_id!r}")
        return found

    def owned(self, org_id: str, template_id: str) -> Template:
        """A template the caller may change: 404 if unseen, 403005 if someone else's."""
        found = self.get(org_id, template_id)
        if found.org_id != org_id:
            raise ApiError(
                403, NOT_TEMPLATE_OWNER, "only the template's organization may change it"
            )
        return found

    def by_source(self, org_id: str, workflow_id: str) -> Template | None:
        """The visible template made from workflow ``workflow_id``, if any."""
        found = self._by_id.get(self._by_source.get(workflow_id, ""))
        return found if found is not None and found.visible_to(org_id) else None

    def page(
        self, org_id: str, category: str, tags: frozenset[str], limit: int, offset: int
    ) -> tuple[list[Template], bool]:
        """One page of a category, newest change first; ``tags``: any of them."""
        if category == "all":  # the org's own and others' public ones, merged by recency
            others = (t for t in self._iterate(self._public) if t.org_id != org_id)
            candidates: Iterator[Template] = heapq.merge(
                self._iterate(self._owned.get(org_id)), others, key=lambda t: -t.stamp
            )
            return scan_page(candidates, lambda t: _tagged(t, tags), offset, limit)
        index = {"org": self._owned.get(org_id), "public": self._public}.get(
            category, self._promoted
        )
        if index is None:
            return [], False
        newest_first = category != "promoted"  # promoted templates keep their promoted order
        if not tags:
            return index.page(offset, limit, descending=newest_first)
        candidates = index.iterate(descending=newest_first)
        return scan_page(candidates, lambda t: _tagged(t, tags), offset, limit)

    def public_of(self, org_id: str, limit: int, offset: int) -> tuple[list[Template], bool]:
        """One page of an organization's public templates, newest change first (for anyone:
        ``GET /v1/organizations/{orgId}/templates/public``, organizations area)."""
        return scan_page(self._iterate(self._owned.get(org_id)), _is_public, offset, limit)

    def recommend(self, org_id: str, category: str, limit: int, strategy: str) -> list[Template]:
        """Templates of ``category`` sharing tags with what the organization made or used.

        Interests are the tags of the organization's own templates and of the templates it made
        workflows from. ``strong_match`` ranks by shared tags (at least two), ``interest_based``
        by shared tags (at least one), ``popular_with_interest`` by forks among those sharing
        one. With no interests yet, the most forked templates of the category are suggested.
        Templates the organization owns or already used are left out.
        """
        interests: dict[str, int] = {}
        used = set(self._used_by.get(org_id, ()))
        for template in [*self._iterate(self._owned.get(org_id)), *map(self._by_id.get, used)]:
            assert template is not None
            used.add(template.id)
            for tag in template.tags:
                interests[tag] = interests.get(tag, 0) + 1
        in_category = self._in_category(org_id, category)
        if interests:
            candidate_ids = set().union(*(self._by_tag.get(tag, set()) for tag in interests))
        else:
            candidate_ids = {t.id for t in self._iterate(self._public)}
        scored = []
        for template_id in candidate_ids - used:
            template = self._by_id[template_id]
            if not in_category(template):
                continue
            shared = sum(1 for tag in template.tags if tag in interests)
            if strategy == "strong_match" and interests and shared < 2:
                continue
            if strategy == "popular_with_interest":
                rank = (template.fork_count, shared, template.stamp)
            else:
                rank = (shared, template.fork_count, template.stamp)
            scored.append((rank, template))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return [template for _, template in scored[:limit]]

    # -- writing ---------------------------------------------------------------------------------

    def create(
        self, who: Principal, content: dict[str, Any], source_workflow_id: str | None
    ) -> Template:
        """A new template of the caller's organization; version 1 is ``content``."""
        return self._add(who.org_id, who.user_id, content, source_workflow_id)

    def update(self, template: Template, changes: dict[str, Any], by: str) -> Template:
        """Apply a PATCH (a new version when something changed) and re-index."""
        if template.update(changes, by):
            self._place(template)
        return template

    def rollback(self, template: Template, target: int, by: str) -> Template:
        """A new version with version ``target``'s content."""
        template.add_version(template.version(target).content, by)
        self._place(template)
        return template

    def instantiated(self, template: Template, org_id: str, workflow_id: str) -> None:
        """A workflow was made from ``template`` by ``org_id``: count the fork."""
        template.fork_count += 1
        template.workflow_ids.append(workflow_id)
        self._used_by.setdefault(org_id, set()).add(template.id)

    # -- internals -------------------------------------------------------------------------------

    def _add(
        self,
        org_id: str | None,
        by: str,
        content: dict[str, Any],
        source_workflow_id: str | None,
        promoted: int | None = None,
    ) -> Template:
        at = now_iso()
        template = Template(
            id=self._ids.new("tpl_"),
            org_id=org_id,
            index=next(self._numbers),
            created_at=at,
            created_by=by,
            updated_at=at,
            updated_by=by,
            source_workflow_id=source_workflow_id,
            promoted_order=promoted,
        )
        template.add_version(content, by)
        self._by_id[template.id] = template
        if source_workflow_id is not None:
            self._by_source[source_workflow_id] = template.id
        self._place(template)
        return template

    def _place(self, template: Template) -> None:
        """File the template under its current key, visibility and tags (moving it if needed)."""
        old = self._placed.get(template.id)
        if old is not None:
            key, public, tags = old
            if template.org_id is not None:
                self._owned[template.org_id].remove(key)
            if public:
                self._public.remove(key)
            for tag in tags:
                self._by_tag[tag].discard(template.id)
        template.stamp = next(self._stamps)
        key = (template.stamp,)
        if template.org_id is not None:
            self._owned.setdefault(template.org_id, SortedIndex()).add(key, template)
        if template.public:
            self._public.add(key, template)
        tags = frozenset(template.tags)
        for tag in tags:
            self._by_tag.setdefault(tag, set()).add(template.id)
        if template.promoted_order is not None and old is None:
            self._promoted.add((template.promoted_order, template.index), template)
        self._placed[template.id] = (key, template.public, tags)

    @staticmethod
    def _iterate(index: SortedIndex[Template] | None) -> Iterator[Template]:
        return iter(()) if index is None else index.iterate(descending=True)

    def _in_category(self, org_id: str, category: str) -> Any:
        if category == "org":
            return lambda t: t.org_id == org_id
        if category == "public":
            return lambda t: t.public
        if category == "promoted":
            return lambda t: t.promoted_order is not None
        return lambda t: t.visible_to(org_id)


def _is_public(template: Template) -> bool:
    return template.public
