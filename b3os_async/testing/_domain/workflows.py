"""Workflows: versions (with data derived once) and the lifecycle state machine.

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
    revert_to(t)      -> the same, published at once (the releases' reverts)
    publish           -> the draft becomes live and active; no draft left
    pause / resume    -> live_status paused / active (needs a live version)
    discard_draft     -> the draft row is dropped (refused if there is no live version)
    archive           -> no draft, no live; every row reads ``archived``
    unarchive         -> the latest version becomes the draft again
    refill(n)         -> n automatic runs left; paused for running out -> active again
    (automatic run)   -> auto_ran: one run fewer left; at 0 paused (max_runs_exhausted)

"The current version" (returned by ``GET /v1/workflows/{id}`` and listed) is the draft if there is
one, else the live version (while archived: the archived one). Each row's ``status`` is ``draft``
for the draft, ``active``/``paused`` for the live row, ``archived`` for any other row. Version
numbers are never reused.

A transition method checks that the change is legal (``ApiError`` 409/404/400 otherwise),
applies it and returns the activity notification it causes (``None`` when nothing changed). The
handlers never call them directly but through ``WorkflowBook.change`` (``workflow_book.py``),
which keeps the list indexes current and publishes the notification. Timestamps come from the
emulator's clock (``Workflow.clock``, set by the book).

``maxRuns``/``remainRuns``: publishing a version whose ``maxRuns`` differs from the previous live
version's starts a new count (``remain_runs = maxRuns``); automatic runs count down, manual runs
do not. ``cooldownMs`` counts from the last automatic run.

What the list filters read (lower-cased name + description, node types, connector types, trigger
type) is computed once, when a version is written (:class:`Derived`), never per list request.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._common import (
    DRAFT_NOT_FOUND,
    INVALID_DEFINITION,
    LIVE_NOT_FOUND,
    VERSION_NOT_FOUND,
    ApiError,
    check_version,
    not_found,
    wrong_state,
)
from b3os_async.testing._domain.schedules import schedule_errors
from b3os_async.testing._graph import graph_errors, nodes_of, trigger_type

if TYPE_CHECKING:
    from datetime import datetime

    from b3os_async.testing._clock import Clock


@attrs.frozen
class Derived:
    """What the list filters and sorts read, computed once per version."""

    text: str  # name + "\n" + description, lower-cased (q)
    name: str  # lower-cased (sort=name:asc)
    node_types: frozenset[str]
    connector_types: frozenset[str]
    trigger_type: str | None
    links: frozenset[str]  # workflows its trigger-workflow nodes start (payload.workflowId)

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
            links=frozenset(
                node["payload"]["workflowId"]
                for node in nodes
                if node["type"] == "trigger-workflow"
                and isinstance(node.get("payload"), dict)
                and isinstance(node["payload"].get("workflowId"), str)
            ),
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
    remain_runs: int | None = None  # automatic runs left (None: no maxRuns)
    paused_reason: str | None = None  # why the platform paused it (max_runs_exhausted)
    last_auto_run_at: datetime | None = None  # the last automatic run (cooldown counts from it)
    extra: dict[str, Any] = attrs.field(factory=dict)
    """Workflow JSON fields set by the settings endpoints (``ownerUserId``, ``aiName`` …)."""
    clock: Clock | None = attrs.field(default=None, eq=False, repr=False)
    # area public: the template it was created from, its public widget, its x402 price
    source_template_id: str | None = None
    widget: dict[str, Any] | None = None  # POST / DELETE /v1/workflows/{id}/widget
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
        at = self._now()
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
        content = self.draft_version().content
        errors = graph_errors(content["definition"]) or schedule_errors(content["definition"])
        if errors:
            raise ApiError(400, INVALID_DEFINITION, "the draft's definition is invalid", errors)
        before = self.versions[self.live].content.get("maxRuns") if self.live else None
        if self.remain_runs is None or content.get("maxRuns") != before:
            self.remain_runs = content.get("maxRuns")  # a new maxRuns starts a new count
        self.live, self.draft, self.live_status = self.draft, None, "active"
        self.paused_reason = None
        self._touch(by)
        return "workflow_published"

    def revert_to(self, target: int, by: str) -> str:
        """Version ``target``'s content as a new version, published at once (releases)."""
        source = self.not_archived().version(target)
        self.add_version(source.content, by)
        return self.publish(None, by)

    def set_live_status(self, status: str, by: str) -> str | None:
        """Pause (``paused``) or resume (``active``) the live version; repeating is harmless."""
        if self.not_archived().live is None:
            raise wrong_state(f"workflow {self.id!r} has no live version; publish it first")
        if self.live_status == status:
            return None
        self.live_status, self.paused_reason = status, None
        self._touch(by)
        return "workflow_paused" if status == "paused" else "workflow_resumed"

    def refill(self, remain_runs: int, by: str) -> str:
        """Set the automatic runs left; a workflow paused for running out resumes."""
        self.not_archived().remain_runs = remain_runs
        self._touch(by)
        if self.live is not None and self.paused_reason == "max_runs_exhausted":
            self.live_status, self.paused_reason = "active", None
            return "workflow_resumed"
        return "workflow_updated"

    def cooling_down(self, at: datetime) -> bool:
        """Whether an automatic run at ``at`` falls inside the live version's ``cooldownMs``."""
        cooldown: int | None = self.live_version().content.get("cooldownMs")
        if not cooldown or self.last_auto_run_at is None:
            return False
        return (at - self.last_auto_run_at).total_seconds() * 1000 < cooldown

    def auto_ran(self, at: datetime) -> str | None:
        """Count an automatic run started at ``at``; out of runs, the workflow pauses itself."""
        self.last_auto_run_at = at
        if self.remain_runs is None:
            return None
        self.remain_runs = max(self.remain_runs - 1, 0)
        if self.remain_runs > 0:
            return None
        self.live_status, self.paused_reason = "paused", "max_runs_exhausted"
        return "workflow_paused"

    def set_extra(self, by: str, **fields: Any) -> str:
        """Set Workflow JSON fields of the settings endpoints (``None`` removes one)."""
        self.not_archived()
        for key, value in fields.items():
            if value is None:
                self.extra.pop(key, None)
            else:
                self.extra[key] = value
        self._touch(by)
        return "workflow_updated"

    def set_widget(self, config: dict[str, Any], by: str) -> str:
        """Enable, reconfigure or (``enabled: false``) disable the public widget."""
        self.not_archived().widget = config
        self._touch(by)
        return "workflow_updated"

    def set_ui_metadata(self, ui_metadata: dict[str, Any], expected: int | None) -> int:
        """Replace the current version's ``uiMetadata`` in place (no new version); its number."""
        current = self.not_archived().current()
        check_version("expectedCurrentVersion", expected, current.number)
        current.content["uiMetadata"] = ui_metadata  # not read by Derived nor list items
        return current.number

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
        self.updated_at, self.updated_by = at or self._now(), by

    def _now(self) -> str:
        assert self.clock is not None, "workflows are made by WorkflowBook.create"
        return self.clock.iso()
