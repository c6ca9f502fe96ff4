"""The book of workflows: every organization's workflows, their list indexes and notifications.

Theory of operation
-------------------
:class:`WorkflowBook` stores the workflows and applies their transitions (``workflows.py``):
:meth:`WorkflowBook.change` runs one, and if something changed re-files the workflow in its list
orders (:data:`SORTS`, archived workflows in a partition of their own), updates the reverse index
of ``trigger-workflow`` links (``GET …/incoming-links``), publishes the activity notification and
tells the listeners (the scheduler re-arms the workflow's time triggers).
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import TYPE_CHECKING, Any

from b3os_async.testing._collection import Shelves
from b3os_async.testing._common import WORKFLOW_NOT_FOUND, not_found
from b3os_async.testing._domain.workflows import Workflow

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._clock import Clock
    from b3os_async.testing._collection import Sorts
    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Principal
    from b3os_async.testing._domain.workflow_query import WorkflowQuery

    Publish = Callable[..., object]
    """``publish(org_id, event_type, **fields)``: an activity notification (``Broker.notify``)."""

__all__ = ["SORTS", "WorkflowBook"]

SORTS: Sorts[Workflow] = {
    "updatedAt:desc": (lambda w: (w.updated_at, w.index), True),
    "name:asc": (lambda w: (w.current().derived.name, w.index), False),
    "createdAt:desc": (lambda w: (w.created_at, w.index), True),
    "runs:desc": (lambda w: (w.run_count, w.index), True),
}
"""List orders: the key of a workflow in each, and whether the list reads it descending."""


class WorkflowBook:
    """Every organization's workflows, indexed for listing; applies transitions (module doc)."""

    def __init__(self, ids: IdSource, publish: Publish, clock: Clock) -> None:
        self._ids = ids
        self._publish = publish
        self.clock = clock
        self.listeners: list[Callable[[Workflow], None]] = []
        """Called with a workflow after every change (the scheduler re-arms its triggers)."""
        self._by_id: dict[str, Workflow] = {}
        self._links: dict[str, frozenset[str]] = {}  # workflow -> the workflows it starts
        self._incoming: dict[str, set[str]] = {}  # workflow -> the workflows that start it
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
        at = self.clock.iso()
        workflow = Workflow(
            id=self._ids.new("wf_"),
            org_id=who.org_id,
            index=next(self._numbers),
            created_at=at,
            created_by=who.user_id,
            trigger_secret=self._ids.new("wsec_", 32, stream="secret"),
            updated_at=at,
            updated_by=who.user_id,
            clock=self.clock,
            source_template_id=source_template_id,
        )
        workflow.add_version(content, who.user_id)
        self._by_id[workflow.id] = workflow
        self._by_secret[workflow.trigger_secret] = workflow
        self.node_types.update(self._types(workflow))
        self._placed(workflow, "workflow_created")
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
            self._placed(workflow, event)
        return workflow

    def changed(self, workflow: Workflow, event: str | None) -> None:
        """Re-index and notify after a change the platform made (an automatic pause)."""
        if event is not None:
            self._placed(workflow, event)

    def incoming(self, workflow_id: str) -> list[str]:
        """Ids of the workflows whose current version starts ``workflow_id`` (sorted)."""
        return sorted(self._incoming.get(workflow_id, ()))

    def iterate(self, org_id: str, *, archived: bool) -> list[Workflow]:
        """Every workflow of the organization (archived ones, or the others), newest first."""
        partition = "archived" if archived else "visible"
        found, _ = self._shelves.page(org_id, partition, "createdAt:desc", 0, len(self._by_id))
        return found

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

    def _placed(self, workflow: Workflow, event: str) -> None:
        self._shelves.place(workflow)
        links = frozenset() if workflow.archived else workflow.current().derived.links
        old = self._links.get(workflow.id, frozenset())
        for target in old - links:
            self._incoming[target].discard(workflow.id)
        for target in links - old:
            self._incoming.setdefault(target, set()).add(workflow.id)
        self._links[workflow.id] = links
        self._notify(event, workflow)
        for listener in self.listeners:
            listener(workflow)

    def _notify(self, event: str, workflow: Workflow) -> None:
        number = workflow.current().number
        self._publish(
            workflow.org_id,
            event,
            workflowId=workflow.id,
            version=number,
            status=workflow.status_of(number),
        )
