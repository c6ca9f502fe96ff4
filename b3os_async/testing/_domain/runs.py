"""Runs: what a run is, how one is built (from a workflow, inline, as a retry), and the book.

Theory of operation
-------------------
A :class:`Run` keeps a snapshot of the definition it runs; the engine (``_engine.py``) mutates its
``status`` and per-node :class:`NodeState` while it executes. Runs are built here, fully, before
the engine sees them: every node reachable from the firing trigger is ``pending`` from the start.
The ways to build one check, in this order, what the API checks:

* :meth:`RunBook.for_workflow` - the workflow is not archived, the version exists and its graph
  can run (400228), the trigger is valid, the client's run id is free (400079);
* :meth:`RunBook.ephemeral` - an inline definition whose graph can run, fired by its first
  trigger, which must be ``manual`` (400229 otherwise);
* :meth:`RunBook.retry` - only ``failure``/``partial``/``cancelled`` runs (409003); successful
  nodes are kept as they were, the rest start over;
* :meth:`RunBook.automatic` - a time trigger of a live workflow fired (the scheduler decided it
  is due; cooldown and ``maxRuns`` are the workflow's rules).

:class:`RunBook` stores every run and keeps, per organization, per workflow and per trigger node,
a :class:`~b3os_async.testing._domain.run_lists.RunList` (creation order, status indexes,
counters). ``Run.status`` is a property: every status change, whoever makes it (the engine),
moves the run between those indexes at once. Timestamps come from the emulator's clock. The book
also remembers which run's node reported which transaction hash (``txHash`` in a node's result),
for ``POST /v1/runs/tx-attribution``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._common import (
    BAD_FIELD,
    DUPLICATE_RUN_ID,
    INVALID_DEFINITION,
    NON_MANUAL_TRIGGER,
    NOT_RETRYABLE,
    RUN_NOT_FOUND,
    ApiError,
    copy_json,
    not_found,
)
from b3os_async.testing._domain.organizations import Principal
from b3os_async.testing._domain.run_lists import NO_RUNS, RunList
from b3os_async.testing._graph import graph_errors, nodes_of, reachable, trigger_ids

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from b3os_async.testing._clock import Clock
    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.workflows import Workflow

TERMINAL = frozenset({"success", "partial", "failure", "cancelled"})
"""Run statuses after which nothing changes any more."""
RETRYABLE = frozenset({"failure", "partial", "cancelled"})


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
    _status: str = "running"
    finished_at: str | None = None
    summary: str | None = None
    nodes: dict[str, NodeState] = attrs.field(factory=dict)
    _book: RunBook | None = attrs.field(default=None, init=False, repr=False, eq=False)
    rendered: tuple[Any, str] | None = attrs.field(default=None, init=False, repr=False, eq=False)
    """The list item's JSON, cached by ``_render.run_list_json`` with what it shows."""

    @property
    def status(self) -> str:
        """``running``, ``waiting`` or a terminal status; setting it re-indexes the run."""
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        old, self._status = self._status, value
        if self._book is not None and old != value:
            self._book._moved(self, old, value)

    @property
    def terminal(self) -> bool:
        """Whether the run has finished (success, partial, failure or cancelled)."""
        return self._status in TERMINAL


def pick_trigger(definition: dict[str, Any], requested: str | None) -> str:
    """The firing trigger: ``requested`` if given, else the first ``manual`` trigger, else first."""
    declared = trigger_ids(definition)
    nodes = nodes_of(definition)
    if requested is not None:
        if requested not in declared or requested not in nodes:
            raise ApiError(400, BAD_FIELD, f"'triggerNodeId' {requested!r} is not a trigger node")
        return requested
    manual = [node_id for node_id in declared if nodes[node_id]["type"] == "manual"]
    return (manual or declared)[0]


def ephemeral_trigger(definition: Any) -> str:
    """The trigger of an inline definition; 400228 if it cannot run, 400229 if not manual."""
    if definition is None:
        raise ApiError(400, INVALID_DEFINITION, "invalid definition: 'definition' is required")
    errors = graph_errors(definition)
    if errors:
        raise ApiError(400, INVALID_DEFINITION, "invalid definition", errors)
    trigger = trigger_ids(definition)[0]
    if nodes_of(definition)[trigger]["type"] != "manual":
        raise ApiError(
            400, NON_MANUAL_TRIGGER, "ephemeral runs need a 'manual' trigger node", [trigger]
        )
    return trigger


class RunBook:
    """Every run of the emulator, indexed per organization and per workflow (module doc)."""

    def __init__(self, ids: IdSource, on_added: Callable[[Run], None], clock: Clock) -> None:
        self._ids = ids
        self._on_added = on_added
        self.clock = clock
        self._by_id: dict[str, Run] = {}
        self._orgs: dict[str, RunList] = {}
        self._workflows: dict[str, RunList] = {}
        self._triggers: dict[tuple[str, str], RunList] = {}
        self._org_workflows: dict[str, dict[str, RunList]] = {}
        self._txs: dict[str, tuple[Run, str]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._by_id

    def get(self, run_id: str) -> Run | None:
        """The run ``run_id`` of any organization, if it exists."""
        return self._by_id.get(run_id)

    def find(self, org_id: str, run_id: str) -> Run:
        """The org's run ``run_id`` or a 404 (also for another org's run)."""
        found = self._by_id.get(run_id)
        if found is None or found.org_id != org_id:
            raise not_found(RUN_NOT_FOUND, f"run {run_id!r}")
        return found

    def of_org(self, org_id: str) -> RunList:
        """The organization's runs."""
        return self._orgs.get(org_id, NO_RUNS)

    def of_workflow(self, workflow_id: str) -> RunList:
        """The workflow's runs."""
        return self._workflows.get(workflow_id, NO_RUNS)

    def of_trigger(self, workflow_id: str, node_id: str) -> RunList:
        """The runs a workflow's trigger node ``node_id`` started."""
        return self._triggers.get((workflow_id, node_id), NO_RUNS)

    def workflows_of(self, org_id: str) -> Iterator[tuple[str, RunList]]:
        """``(workflow_id, runs)`` of every workflow of the organization that has runs."""
        return iter(self._org_workflows.get(org_id, {}).items())

    def record_tx(self, run: Run, node_id: str, result: Any) -> None:
        """Remember a transaction hash a node reported (``txHash`` in its result)."""
        tx_hash = result.get("txHash") if isinstance(result, dict) else None
        if isinstance(tx_hash, str) and tx_hash:
            self._txs[tx_hash.lower()] = (run, node_id)

    def tx(self, tx_hash: str) -> tuple[Run, str] | None:
        """The run and node that reported ``tx_hash`` (any case), if any."""
        return self._txs.get(tx_hash.lower())

    def add(self, run: Run) -> None:
        """Store a new run (the engine does, when it launches it) and index it."""
        if run.id in self._by_id:
            raise ValueError(f"run {run.id!r} is already stored")
        self._by_id[run.id] = run
        for found in self._lists(run, create=True):
            found.add(run)
        run._book = self
        self._on_added(run)

    def _moved(self, run: Run, old: str, new: str) -> None:
        for found in self._lists(run, create=False):
            found.moved(run, old, new)

    def _lists(self, run: Run, *, create: bool) -> list[RunList]:
        """The lists ``run`` is in: its organization's, and its workflow's and trigger's."""
        if create:
            self._orgs.setdefault(run.org_id, RunList())
            if run.workflow_id:
                runs = self._workflows.setdefault(run.workflow_id, RunList())
                self._org_workflows.setdefault(run.org_id, {})[run.workflow_id] = runs
                self._triggers.setdefault((run.workflow_id, run.trigger_node_id), RunList())
        if not run.workflow_id:
            return [self._orgs[run.org_id]]
        return [
            self._orgs[run.org_id],
            self._workflows[run.workflow_id],
            self._triggers[run.workflow_id, run.trigger_node_id],
        ]

    # -- building runs (not stored until the engine launches them) -----------------------------

    def check_new_id(self, run_id: str | None) -> None:
        """400079 when a client-chosen run id is already taken (in any organization)."""
        if run_id is not None and run_id in self._by_id:
            raise ApiError(400, DUPLICATE_RUN_ID, f"duplicate run ID {run_id!r}")

    def for_workflow(
        self,
        who: Principal,
        workflow: Workflow,
        *,
        run_id: str | None,
        number: int | None,
        trigger: str | None,
        payload: dict[str, Any],
        simulate: bool,
        dust: bool,
    ) -> Run:
        """A manual run of ``workflow``: version ``number``, else the draft, else the live one."""
        version = workflow.runnable(number)
        definition = version.content["definition"]
        fired = pick_trigger(definition, trigger)
        self.check_new_id(run_id)
        # A workflow made from a template runs with the prop values it was created with.
        props = version.content.get("propValues") or {}
        run = self._new(who, run_id, workflow, version.number, definition, fired, payload, props)
        run.trigger_source, run.is_simulation, run.is_dust_test = "manual", simulate, dust
        workflow.last_triggered_at = run.started_at
        return run

    def ephemeral(
        self,
        who: Principal,
        *,
        run_id: str | None,
        definition: dict[str, Any],
        trigger: str,
        payload: dict[str, Any],
        prop_values: dict[str, Any],
    ) -> Run:
        """A run of an inline definition (``trigger`` from :func:`ephemeral_trigger`)."""
        self.check_new_id(run_id)
        run = self._new(who, run_id, None, None, definition, trigger, payload, prop_values)
        run.trigger_source = "api"
        return run

    def automatic(self, workflow: Workflow, trigger: str) -> Run:
        """A run of the live version fired by its time trigger ``trigger`` (``schedule``)."""
        version = workflow.live_version()
        who = Principal(workflow.org_id, "read-write", "scheduler", workflow.created_by)
        definition = version.content["definition"]
        run = self._new(who, None, workflow, version.number, definition, trigger, {}, {})
        run.trigger_source = "schedule"
        workflow.last_triggered_at = run.started_at
        return run

    def retry(self, who: Principal, source: Run) -> tuple[Run, frozenset[str]]:
        """A new run from ``source``'s failure point, and the (successful) nodes it keeps."""
        if source.status not in RETRYABLE:
            raise ApiError(
                409, NOT_RETRYABLE, f"run {source.id!r} is {source.status}; only failed runs retry"
            )
        kept = frozenset(
            node_id for node_id, state in source.nodes.items() if state.status == "success"
        )
        run = Run(
            id=self._ids.new("run_"),
            org_id=source.org_id,
            workflow_id=source.workflow_id,
            workflow_version=source.workflow_version,
            workflow_name=source.workflow_name,
            owner_user_id=source.owner_user_id,
            definition=copy.deepcopy(source.definition),
            trigger_node_id=source.trigger_node_id,
            trigger_source="retry",
            triggered_by=who.key_id,
            trigger_result=copy.deepcopy(source.trigger_result),
            prop_values=copy.deepcopy(source.prop_values),
            started_at=self.clock.iso(),
            is_simulation=source.is_simulation,
            is_dust_test=source.is_dust_test,
            source_run_id=source.id,
            nodes={
                node_id: copy.deepcopy(state) if node_id in kept else NodeState(state.type)
                for node_id, state in source.nodes.items()
            },
        )
        return run, kept

    def _new(
        self,
        who: Principal,
        run_id: str | None,
        workflow: Workflow | None,
        version: int | None,
        definition: dict[str, Any],
        trigger: str,
        payload: dict[str, Any],
        prop_values: dict[str, Any],
    ) -> Run:
        """A fresh run: every node reachable from ``trigger`` is ``pending``."""
        snapshot = copy_json(definition, "'definition'")
        at = self.clock.iso()
        nodes = nodes_of(snapshot)
        return Run(
            id=run_id or self._ids.new("run_"),
            org_id=who.org_id,
            workflow_id=workflow.id if workflow is not None else "",
            workflow_version=version,
            workflow_name=workflow.current().content["name"] if workflow is not None else "",
            owner_user_id=workflow.created_by if workflow is not None else who.user_id,
            definition=snapshot,
            trigger_node_id=trigger,
            trigger_source="",
            triggered_by=who.key_id,
            trigger_result={**copy_json(payload, "'payload'"), "triggeredAt": at},
            prop_values=copy_json(prop_values, "'propValues'"),
            started_at=at,
            nodes={
                node_id: NodeState(nodes[node_id]["type"])
                for node_id in reachable(snapshot, trigger)
            },
        )
