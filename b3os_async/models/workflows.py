"""Workflow models: workflows, list items, validation, versions (definitions: ``definitions``).

Models are frozen, slotted attrs classes with snake_case attributes; the private converter maps
them from and to the API's camelCase. Free-form JSON (node payloads, UI metadata, configs) stays a
plain ``dict``. Every field the server may omit defaults to ``None`` (or an empty tuple for lists).

No ``from __future__ import annotations`` here on purpose: attrs/cattrs then see real types (no
string resolution at decode time) and the annotations below are all valid at runtime on 3.10.
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._enums import PausedReason, WorkflowStatus, WorkflowVisibility
from b3os_async.models.definitions import WorkflowDefinition
from b3os_async.models.workflow_variables import VariableDef

__all__ = [
    "ValidationErrorItem",
    "ValidationResult",
    "Workflow",
    "WorkflowListItem",
    "WorkflowVersionCount",
    "WorkflowVisibilityUpdate",
]


@attrs.frozen(kw_only=True)
class Workflow:
    """A workflow (one version of it): metadata, lifecycle status and definition."""

    id: str
    organization_id: str | None = None
    name: str | None = None
    description: str | None = None
    status: WorkflowStatus | None = None
    type: str | None = None
    version: int | None = None
    definition: WorkflowDefinition | None = None
    ui_metadata: dict[str, Any] | None = None
    visibility: WorkflowVisibility | None = None
    max_runs: int | None = None
    remain_runs: int | None = None
    cooldown_ms: int | None = None
    last_triggered_at: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    version_created_by: str | None = None
    owner_user_id: str | None = None
    has_draft: bool | None = None
    has_live_version: bool | None = None
    paused_reason: PausedReason | None = None
    trigger_secret: str | None = attrs.field(default=None, repr=False)
    public_widget_config: dict[str, Any] | None = None
    public_run_cooldown_seconds: int | None = None
    public_run_daily_limit: int | None = None
    x402_config: dict[str, Any] | None = None
    fund_auto_swap_config: dict[str, Any] | None = None
    variable_defs: tuple[VariableDef, ...] = ()
    source_template_id: str | None = None
    conversation_id: str | None = None
    ai_name: str | None = None
    ai_description: str | None = None
    name_manually_set: bool | None = None
    desc_manually_set: bool | None = None


@attrs.frozen(kw_only=True)
class WorkflowListItem:
    """A workflow as listed by ``GET /v1/workflows``: no definition, plus pre-computed summaries."""

    id: str
    organization_id: str | None = None
    name: str | None = None
    description: str | None = None
    status: WorkflowStatus | None = None
    type: str | None = None
    version: int | None = None
    visibility: WorkflowVisibility | None = None
    max_runs: int | None = None
    remain_runs: int | None = None
    cooldown_ms: int | None = None
    last_triggered_at: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None
    owner_user_id: str | None = None
    has_draft: bool | None = None
    has_live_version: bool | None = None
    node_count: int | None = None
    input_count: int | None = None
    trigger_type: str | None = None
    trigger_name: str | None = None
    chain_ids: tuple[int, ...] = ()
    connectors: tuple[dict[str, Any], ...] = ()
    definition_summary: dict[str, Any] | None = None
    linked_workflow_ids: tuple[str, ...] = ()
    public_widget_enabled: bool | None = None


@attrs.frozen(kw_only=True)
class ValidationErrorItem:
    """One problem found by ``validate``; ``type`` is name, nodes, root, connectivity, ..."""

    type: str | None = None
    message: str | None = None
    code: str | None = None
    field: str | None = None
    node_id: str | None = None
    node_name: str | None = None


@attrs.frozen(kw_only=True)
class ValidationResult:
    """Result of ``POST /v1/workflows/validate`` (problems come back in a 200, not an error)."""

    valid: bool
    errors: tuple[ValidationErrorItem, ...] = ()


@attrs.frozen(kw_only=True)
class WorkflowVersionCount:
    """Number of stored versions of a workflow."""

    total: int


@attrs.frozen(kw_only=True)
class WorkflowVisibilityUpdate:
    """Result of ``set_visibility``: the workflow id and its new visibility."""

    id: str | None = None
    visibility: WorkflowVisibility | None = None
