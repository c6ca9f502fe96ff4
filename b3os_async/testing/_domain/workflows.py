"""Workflows: versions (with data derived once), the lifecycle state machine, and the book.

Theory of operation
-------------------
A workflow is a list of numbered *versions* (rows) plus three pointers: ``draft`` (the version
being edited, if any), ``live`` (the published one, if any, ``live_status`` ``active`` or
``paused``) and ``archived_version`` (set while archived; then ``draft`` and ``live`` are unset).

Lifecycle (each arrow is one endpoint and one method of :class:`Workflow`)::

    create            -> v1 is the draft                                   (status draft)
    update, changed   -> new version n+1 becomes the draft (old draft row superseded)
    update, identical -> nothing happens; the current version is returned
    rollback(t)       -> new version n+1 with version t's content becomes the draft
    publish           -> the draft becomes live and active; no draft left
    pause / resume    -> live_status paused / active (needs a live version)
    discard_draft     -> the draft row is dropped (refused if there is no live version)
    archive           -> no draft, no live; every row reads ``archived``
    unarchive         -> the latest version becomes the draft again

"The current version" (returned by ``GET /v1/workflows/{id}`` and listed) is the draft if there is
one, else the live version (while archived: the archived one). Each row's ``status`` is ``draft``
for the draft, ``active``/``paused`` for the live row, ``archived`` for any other row. Version
numbers are never reused.

A transition checks the change is legal (``ApiError`` otherwise), applies it and returns the
notification it causes (``None``: nothing changed); handlers call it through
:meth:`WorkflowBook.change`, which re-indexes the workflow and publishes the notification. What
list filters read is computed once per version (:class:`Derived`), never per list request.
"""

from __future__ import annotations

import copy
import itertools
from collections import Counter
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._collection import Shelves
from b3os_async.testing._common import (
    DRAFT_NOT_FOUND,
    INVALID_DEFINITION,
    LIVE_NOT_FOUND,
    VERSION_NOT_FOUND,
    WORKFLOW_NOT_FOUND,
    ApiError,
    check_version,
    not_found,
    now_iso,
    wrong_state,
)
from b3os_async.testing._graph import graph_errors, nodes_of, trigger_type

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._collection import Sorts
    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Principal

    Publish = Callable[..., object]
    """``publish(org_id, event_type, **fields)``: an activity notification (``Broker.notify``)."""

SORTS: Sorts[Workflow] = {
    "updatedAt:desc": (lambda w: (w.updated_at, w.index), True),
    "name:asc": (lambda w: (w.current().derived.name, w.index), False),
    "createdAt:desc": (lambda w: (w.created_at, w.index), True),
    "runs:desc": (lambda w: (w.run_count, w.index), True),
}
"""List orders: the key of a workflow in each, and whether the list reads it descending."""


@attrs.frozen
class Derived:
    """What the list filters and sorts read, computed once per version."""

    text: str  # name + "\n" + description, lower-cased (q)
    name: str  # lower-cased (sort=name:asc)
    node_types: frozenset[str]
    connector_types: frozenset[str]
    trigger_type: str | None

    @classmethod
    def of(cls, content: dict[str, Any]) -> Derived:
        """The derived data of version content (whose definition passed ``shape_error``)."""
        definition = content["definition"]
        nodes = nodes_of(definition).values()
        return cls(
            text=(content["name"] + "\n" + content["description"]).lower(),
            name=content["name"].lower(),
            node_types=frozenset(node["type"] for node in nodes),
            connector_types=frozenset(
                str(node["connector"].get("type"))
                for node in nodes
                if isinstance(node.get("connector"), dict)
            ),
            trigger_type=trigger_type(definition),
        )


@attrs.define
class Version:
    """One numbered row: ``content`` holds name, description, definition, cooldownMs, …"""

    number: int
    content: dict[str, Any]
    created_at: str
    created_by: str
    derived: Derived = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.derived = Derived.of(self.content)


@attrs.define
class Workflow:
    """A workflow: its versions, the draft/live/archived pointers and its transitions."""

    id: str
    org_id: str
    index: int  # creation number: unique, breaks ties in every list order
    created_at: str
    created_by: str
    trigger_secret: str
    updated_at: str
    updated_by: str
    versions: dict[int, Version] = attrs.field(factory=dict)
    next_version: int = 1
    draft: int | None = None
    live: int | None = None
    live_status: str = "active"
    archived_version: int | None = None
    visibility: str = "private"
    last_triggered_at: str | None = None
    run_count: int = 0  # runs ever started from it (sort=runs:desc), kept by the book
    # area public: the template it was created from, its public widget, its x402 price
    source_template_id: str | None = None
    widget: dict[str, Any] | None = None  # set by POST /v1/workflows/{id}/widget (not served yet)
    x402_config: dict[str, Any] | None = None  # Emulator.make_payable(): executions must be paid
    rendered: tuple[Any, str] | None = attrs.field(default=None, eq=False, repr=False)
    """The list item's JSON, cached by ``_render.workflow_list_json`` with what it shows."""

    # -- reading -----------------------------------------------------------------------------

    @property
    def archived(self) -> bool:
        """Whether the workflow is archived (soft-deleted)."""
        return self.archived_version is not None

    def current(self) -> Version:
        """The draft if any, else the live version (the archived one while archived)."""
        number = self.draft or self.live or self.archived_version
        assert number is not None  # every workflow has at least one of the three
        return self.versions[number]

    def status_of(self, number: int) -> str:
        """The ``status`` a given version row reads (see module docstring)."""
        if number == self.draft:
            return "draft"
        if number == self.live:
            return self.live_status
        return "archived"

    def lifecycle(self) -> set[str]:
        """Statuses the list filter matches: ``draft`` if a draft exists, the live status …"""
        if self.archived:
            return {"archived"}
        found = {"draft"} if self.draft is not None else set()
        if self.live is not None:
            found.add(self.live_status)
        return found

    def version(self, number: int) -> Version:
        """Version ``number`` or a 404."""
        if number not in self.versions:
            raise not_found(VERSION_NOT_FOUND, f"version {number}")
        return self.versions[number]

    def draft_version(self) -> Version:
        """The draft or a 404."""
        if self.draft is None:
            raise not_found(DRAFT_NOT_FOUND, "draft")
        return self.versions[self.draft]

    def live_version(self) -> Version:
        """The live version or a 404."""
        if self.live is None:
            raise not_found(LIVE_NOT_FOUND, "live version")
        return self.versions[self.live]

    def not_archived(self) -> Workflow:
        """The workflow itself, or a 409 when it is archived."""
        if self.archived:
            raise wrong_state(f"workflow {self.id!r} is archived; unarchive it first")
        return self

    def runnable(self, number: int | None) -> Version:
        """The version a run uses (``number``, else the current one); 409/404/400228 otherwise."""
        self.not_archived()
        version = self.version(number) if number is not None else self.current()
        errors = graph_errors(version.content["definition"])
        if errors:
            raise ApiError(400, INVALID_DEFINITION, "the workflow's definition is invalid", errors)
        return version

    # -- transitions (each returns the notification it causes, or None) ------------------------

    def add_version(self, content: dict[str, Any], by: str) -> str:
        """Append a version with ``content`` and make it the draft."""
        at = now_iso()
        version = Version(self.next_version, copy.deepcopy(content), at, by)
        self.versions[version.number] = version
        self.next_version += 1
        # A superseded draft row stays in the history (it then reads "archived").
        self.draft = version.number
        self._touch(by, at)
        return "workflow_updated"

    def update(self, updates: dict[str, Any], expected: int | None, by: str) -> str | None:
        """Changed content makes a new draft version; identical content changes nothing."""
        current = self.not_archived().current()
        check_version("expectedCurrentVersion", expected, current.number)
        merged = {**current.content, **updates}
        if merged == current.content:
            return None
        return self.add_version(merged, by)

    def rollback(self, target: int, expected: int | None, by: str) -> str:
        """A new draft version with version ``target``'s content."""
        source = self.not_archived().version(target)
        check_version("expectedCurrentVersion", expected, self.current().number)
        self.add_version(source.content, by)
        return "workflow_rolled_back"

    def publish(self, expected: int | None, by: str) -> str:
        """The draft becomes the live, active version (its graph must be able to run)."""
        if self.not_archived().draft is None:
            raise wrong_state(f"workflow {self.id!r} has no draft to publish")
        check_version("expectedVersion", expected, self.draft)
        errors = graph_errors(self.draft_version().content["definition"])
        if errors:
            raise ApiError(400, INVALID_DEFINITION, "the draft's definition is invalid", errors)
        self.live, self.draft, self.live_status = self.draft, None, "active"
        self._touch(by)
        return "workflow_published"

    def set_live_status(self, status: str, by: str) -> str | None:
        """Pause (``paused``) or resume (``active``) the live version; repeating is harmless."""
        if self.not_archived().live is None:
            raise wrong_state(f"workflow {self.id!r} has no live version; publish it first")
        if self.live_status == status:
            return None
        self.live_status = status
        self._touch(by)
        return "workflow_paused" if status == "paused" else "workflow_resumed"

    def discard_draft(self, by: str) -> str:
        """Drop the draft row (refused when it is the only version)."""
        draft = self.draft_version()
        if self.live is None:
            raise wrong_state(
                "the draft is the workflow's only version; archive the workflow instead"
            )
        del self.versions[draft.number]
        self.draft = None
        self._touch(by)
        return "workflow_draft_discarded"

    def archive(self, by: str) -> str | None:
        """Soft-delete: no draft, no live version; archiving twice is harmless."""
        if self.archived:
            return None
        self.archived_version = self.current().number
        self.draft = self.live = None
        self._touch(by)
        return "workflow_archived"

    def unarchive(self, by: str) -> str:
        """The latest version becomes the draft again."""
        if not self.archived:
            raise wrong_state(f"workflow {self.id!r} is not archived")
        self.draft, self.archived_version = self.archived_version, None
        self._touch(by)
        return "workflow_unarchived"

    def _touch(self, by: str, at: str | None = None) -> None:
        self.updated_at, self.updated_by = at or now_iso(), by


@attrs.frozen
class WorkflowQuery:
    """The filters and sort of ``GET /v1/workflows``."""

    status: str | None = None
    text: str = ""
    kind: str | None = None
    actions: frozenset[str] = frozenset()
    connectors: frozenset[str] = frozenset()
    owner: str | None = None
    made_by_me: bool = False
    user_id: str = ""
    sort: str = "updatedAt:desc"

    def matcher(self) -> Callable[[Workflow], bool] | None:
        """The filters' predicate; ``None`` when the list is a plain slice (no filter, or only
        ``status=archived`` / hide archived: archived workflows are a partition of their own)."""
        tests: list[Callable[[Workflow], bool]] = []
        status, text, kind = self.status, self.text.lower(), self.kind
        actions, connectors, user_id = self.actions, self.connectors, self.user_id
        if status is not None and status != "archived":
            tests.append(lambda w: status in w.lifecycle())
        if text:
            tests.append(lambda w: text in w.current().derived.text)
        if kind is not None:
            tests.append(lambda w: w.current().derived.trigger_type == kind)
        if actions:
            tests.append(lambda w: not actions.isdisjoint(w.current().derived.node_types))
        if connectors:
            tests.append(lambda w: not connectors.isdisjoint(w.current().derived.connector_types))
        if self.owner == "yours" or self.made_by_me:
            tests.append(lambda w: w.created_by == user_id)
        if self.owner == "public":
            tests.append(lambda w: w.visibility.startswith("public"))
        if not tests:
            return None
        return lambda w: all(test(w) for test in tests)


class WorkflowBook:
    """Every organization's workflows, indexed for listing; applies transitions (module doc)."""

    def __init__(self, ids: IdSource, publish: Publish) -> None:
        self._ids = ids
        self._publish = publish
        self._by_id: dict[str, Workflow] = {}
        # Archived workflows are a partition of their own: hiding them (the default) and
        # listing only them (status=archived) are both plain slices.
        self._shelves: Shelves[Workflow] = Shelves(
            SORTS, lambda w: "archived" if w.archived else "visible"
        )
        self._numbers = itertools.count()
        self._by_secret: dict[str, Workflow] = {}  # inbound webhooks find a workflow by it
        self.node_types: Counter[str] = Counter()
        """Node type -> non-archived workflows whose current version uses it (statistics)."""

    def __len__(self) -> int:
        return len(self._by_id)

    @staticmethod
    def _types(workflow: Workflow) -> frozenset[str]:
        return frozenset() if workflow.archived else workflow.current().derived.node_types

    def create(
        self, who: Principal, content: dict[str, Any], source_template_id: str | None = None
    ) -> Workflow:
        """A new workflow whose version 1 (``content``) is the draft."""
        at = now_iso()
        workflow = Workflow(
            id=self._ids.new("wf_"),
            org_id=who.org_id,
            index=next(self._numbers),
            created_at=at,
            created_by=who.user_id,
            trigger_secret=self._ids.new("wsec_", 32, stream="secret"),
            updated_at=at,
            updated_by=who.user_id,
            source_template_id=source_template_id,
        )
        workflow.add_version(content, who.user_id)
        self._by_id[workflow.id] = workflow
        self._by_secret[workflow.trigger_secret] = workflow
        self.node_types.update(self._types(workflow))
        self._shelves.place(workflow)
        self._notify("workflow_created", workflow)
        return workflow

    def get(self, org_id: str, workflow_id: str) -> Workflow:
        """The org's workflow ``workflow_id`` or a 404 (also for another org's workflow)."""
        found = self._by_id.get(workflow_id)
        if found is None or found.org_id != org_id:
            raise not_found(WORKFLOW_NOT_FOUND, f"workflow {workflow_id!r}")
        return found

    def find(self, workflow_id: str) -> Workflow | None:
        """The workflow ``workflow_id`` of any organization, if it exists."""
        return self._by_id.get(workflow_id)

    def find_by_secret(self, secret: str) -> Workflow | None:
        """The workflow whose ``triggerSecret`` is ``secret`` (inbound webhooks), if any."""
        return self._by_secret.get(secret)

    def change(
        self, org_id: str, workflow_id: str, transition: Callable[[Workflow], str | None]
    ) -> Workflow:
        """Apply ``transition`` to the org's workflow; re-index it and notify if it changed."""
        workflow = self.get(org_id, workflow_id)
        before = self._types(workflow)
        event = transition(workflow)
        if event is not None:
            after = self._types(workflow)
            self.node_types.subtract(before - after)
            self.node_types.update(after - before)
            self._shelves.place(workflow)
            self._notify(event, workflow)
        return workflow

    def run_added(self, workflow_id: str) -> None:
        """Count one more run of the workflow (ephemeral runs have no workflow)."""
        workflow = self._by_id.get(workflow_id)
        if workflow is not None:
            workflow.run_count += 1
            self._shelves.place(workflow)

    def page(
        self, org_id: str, query: WorkflowQuery, limit: int, offset: int
    ) -> tuple[list[Workflow], bool]:
        """One page of the org's workflows for ``query``, and whether more follow."""
        partition = "archived" if query.status == "archived" else "visible"
        return self._shelves.page(org_id, partition, query.sort, offset, limit, query.matcher())

    def _notify(self, event: str, workflow: Workflow) -> None:
        number = workflow.current().number
        self._publish(
            workflow.org_id,
            event,
            workflowId=workflow.id,
            version=number,
            status=workflow.status_of(number),
        )
