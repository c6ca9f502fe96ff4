"""The emulator's in-memory state: organizations, API keys, workflows (with versions) and runs.

Theory of operation
-------------------
Everything lives in one :class:`Store`, per emulator, in plain dicts; nothing is persisted.
Every object belongs to one organization; lookups take the caller's org id and treat an object of
another organization exactly like a missing one (404).

A workflow is a list of numbered *versions* (rows) plus three pointers:

* ``draft`` - the version being edited, if any;
* ``live`` - the published version, if any, with ``live_status`` ``active`` or ``paused``;
* ``archived_version`` - set while the workflow is archived (then ``draft`` and ``live`` are unset).

Lifecycle (each arrow is one endpoint)::

    create            -> v1 is the draft                                   (status draft)
    PUT, changed      -> new version n+1 becomes the draft (old draft row superseded)
    PUT, identical    -> nothing happens; the current version is returned
    rollback(t)       -> new version n+1 with version t's content becomes the draft
    publish           -> the draft becomes live and active; no draft left
    pause / resume    -> live_status paused / active (needs a live version)
    DELETE draft      -> the draft row is dropped (refused if there is no live version)
    DELETE            -> archived: no draft, no live; every row reads ``archived``
    unarchive         -> the latest version becomes the draft again

"The current version" (returned by ``GET /v1/workflows/{id}`` and listed by the list endpoint) is
the draft if there is one, else the live version (while archived: the archived one). Each row's
``status`` is ``draft`` for the draft, ``active``/``paused`` for the live row, ``archived`` for
any other row (superseded drafts, old published versions, everything while archived). Version
numbers are never reused.

Runs keep a snapshot of the definition they ran; the engine (``_engine.py``) mutates their
``status`` and per-node :class:`NodeState` while they execute.
"""

from __future__ import annotations

import copy
from typing import Any

import attrs

from b3os_async.testing._common import (
    DRAFT_NOT_FOUND,
    LIVE_NOT_FOUND,
    RUN_NOT_FOUND,
    VERSION_NOT_FOUND,
    WORKFLOW_NOT_FOUND,
    WRONG_STATE,
    ApiError,
    not_found,
)

CONTENT_FIELDS = ("name", "description", "definition", "cooldownMs", "maxRuns", "uiMetadata")
"""Version content: a PUT that changes any of these makes a new draft version."""

TERMINAL = frozenset({"success", "partial", "failure", "cancelled"})
"""Run statuses after which nothing changes any more."""


@attrs.define
class Org:
    """An organization; ``user_id`` is the one user every API key of the org acts as."""

    id: str
    name: str
    slug: str
    user_id: str
    created_at: str


@attrs.define
class ApiKey:
    """An API key (``b3sk_…``) bound to one organization, scope ``read`` or ``read-write``."""

    secret: str
    id: str
    org_id: str
    scope: str


@attrs.define
class Version:
    """One numbered row of a workflow; ``content`` holds the :data:`CONTENT_FIELDS` set."""

    number: int
    content: dict[str, Any]
    created_at: str
    created_by: str


@attrs.define
class Workflow:
    """A workflow: its versions and the draft/live/archived pointers (see module docstring)."""

    id: str
    org_id: str
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

    def add_version(self, content: dict[str, Any], by: str, at: str) -> Version:
        """Append a version with ``content`` and make it the draft."""
        version = Version(self.next_version, copy.deepcopy(content), at, by)
        self.versions[version.number] = version
        self.next_version += 1
        # A superseded draft row stays in the history (it then reads "archived").
        self.draft = version.number
        self.updated_at, self.updated_by = at, by
        return version

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


@attrs.define
class NodeState:
    """One node's entry in a run's ``executionState``; ``branch`` is internal (chosen branch)."""

    type: str
    status: str = "pending"
    input: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    started_at: str | None = None
    finished_at: str | None = None
    branch: str | None = None


@attrs.define
class Run:
    """A run: identity, the definition snapshot, status and per-node state."""

    id: str
    org_id: str
    workflow_id: str
    workflow_version: int | None
    workflow_name: str
    owner_user_id: str
    definition: dict[str, Any]
    trigger_node_id: str
    trigger_source: str
    triggered_by: str
    trigger_result: dict[str, Any]
    prop_values: dict[str, Any]
    started_at: str
    is_simulation: bool = False
    is_dust_test: bool = False
    source_run_id: str | None = None
    status: str = "running"
    finished_at: str | None = None
    summary: str | None = None
    nodes: dict[str, NodeState] = attrs.field(factory=dict)

    @property
    def terminal(self) -> bool:
        """Whether the run has finished (success, partial, failure or cancelled)."""
        return self.status in TERMINAL


class Store:
    """All organizations, keys, workflows and runs of one emulator."""

    def __init__(self) -> None:
        self.orgs: dict[str, Org] = {}
        self.keys: dict[str, ApiKey] = {}
        self.workflows: dict[str, Workflow] = {}
        self.runs: dict[str, Run] = {}

    def workflow(self, org_id: str, workflow_id: str) -> Workflow:
        """The org's workflow ``workflow_id`` or a 404 (also for another org's workflow)."""
        found = self.workflows.get(workflow_id)
        if found is None or found.org_id != org_id:
            raise not_found(WORKFLOW_NOT_FOUND, f"workflow {workflow_id!r}")
        return found

    def run(self, org_id: str, run_id: str) -> Run:
        """The org's run ``run_id`` or a 404 (also for another org's run)."""
        found = self.runs.get(run_id)
        if found is None or found.org_id != org_id:
            raise not_found(RUN_NOT_FOUND, f"run {run_id!r}")
        return found


def wrong_state(message: str) -> ApiError:
    """A 409 for an operation the workflow's lifecycle state does not allow."""
    return ApiError(409, WRONG_STATE, message)
