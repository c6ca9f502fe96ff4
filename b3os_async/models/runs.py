"""Run models: runs, list items, per-node execution state and run creation.

The results of the rarer run calls (counts, synchronous runs, transaction attribution, node
resumes) live in :mod:`b3os_async.models.run_results`, so that a first ``runs.list()`` or
``runs.stream()`` does not pay for building their classes.

Node results, inputs and for-each iterations are free-form JSON and stay plain Python values.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._enums import ExecutionNodeStatus, RunStatus
from b3os_async.models.definitions import WorkflowDefinition

__all__ = [
    "ExecutionNode",
    "Run",
    "RunCreated",
    "RunListItem",
]


@attrs.frozen(kw_only=True)
class ExecutionNode:
    """The execution state of one node in a run (``Run.execution_state[node_id]``)."""

    status: ExecutionNodeStatus
    type: str | None = None
    input: dict[str, Any] | None = None
    result: Any = None
    error: Any = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    connector: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    iterations: tuple[Any, ...] = ()
    secret_keys: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Run:
    """One execution of a workflow (or of an inline definition: ``workflow_id == ""``).

    ``execution_state`` maps node ids to their state; it is ``None`` when the run was fetched with
    ``summary=True``. ``workflow_definition`` is the definition snapshot the run executed.
    """

    id: str
    status: RunStatus
    organization_id: str | None = None
    workflow_id: str | None = None
    workflow_version: int | None = None
    workflow_owner_user_id: str | None = None
    execution_state: dict[str, ExecutionNode] | None = None
    workflow_definition: WorkflowDefinition | None = None
    trigger_source: str | None = None
    triggered_by: str | None = None
    trigger_node_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    summary: str | None = None
    total_cu: float | None = None
    prop_values: dict[str, Any] | None = None
    is_simulation: bool | None = None
    simulation_mode: str | None = None
    simulation_forks: tuple[dict[str, Any], ...] = ()
    is_dust_test: bool | None = None
    source_run_id: str | None = None


@attrs.frozen(kw_only=True)
class RunListItem:
    """A run as listed by ``GET /v1/runs``: no execution state, plus the workflow's name."""

    id: str
    status: RunStatus
    workflow_id: str | None = None
    workflow_name: str | None = None
    workflow_version: int | None = None
    trigger_source: str | None = None
    triggered_by: str | None = None
    trigger_node_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    summary: str | None = None
    total_cu: float | None = None
    is_simulation: bool | None = None
    is_dust_test: bool | None = None
    source_run_id: str | None = None


@attrs.frozen(kw_only=True)
class RunCreated:
    """The id of a run that was just started (by ``workflows.run`` or ``runs.create``)."""

    run_id: str
