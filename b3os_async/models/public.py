"""Models of the public routes (``b3.public``; no API key needed): what anyone may see of a
``public_view`` / ``public_execute`` workflow, its runs and its public executions.

Public views carry no secrets and fewer fields than their private counterparts (a public run
shows node types and statuses, not node inputs or results).
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import ExternalExecutionStatus
from b3os_async.models._enums import WorkflowVisibility
from b3os_async.models.definitions import WorkflowDefinition

__all__ = [
    "PublicExecution",
    "PublicExecutionEvent",
    "PublicNodeState",
    "PublicRun",
    "PublicRunListItem",
    "PublicWidget",
    "PublicWidgetConfig",
    "PublicWorkflow",
    "PublicWorkflowMeta",
    "PublicWorkflowNode",
]


@attrs.frozen(kw_only=True)
class PublicWorkflow:
    """A public workflow (one version): name, description, definition, status, visibility."""

    id: str
    name: str | None = None
    description: str | None = None
    definition: WorkflowDefinition | None = None
    status: str | None = None
    type: str | None = None
    version: int | None = None
    visibility: WorkflowVisibility | None = None
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class PublicWorkflowMeta:
    """A workflow's public name and description (for link previews)."""

    workflow_id: str | None = None
    name: str | None = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class PublicWidgetConfig:
    """The public widget of a workflow: texts, amounts (base units, as text) and where the
    chain, recipient and token come from (the trigger's configuration)."""

    enabled: bool | None = None
    title: str | None = None
    description: str | None = None
    button_label: str | None = None
    min_amount: str | None = None
    max_amount: str | None = None
    chain_id: int | None = None
    recipient_address: str | None = None
    token_address: str | None = None


@attrs.frozen(kw_only=True)
class PublicWidget:
    """``b3.public.widget()``: the workflow's id and name and its widget configuration."""

    workflow_id: str | None = None
    workflow_name: str | None = None
    widget: PublicWidgetConfig | None = None


@attrs.frozen(kw_only=True)
class PublicNodeState:
    """A node's state in a public run: type, status and timing (no input, no result)."""

    type: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@attrs.frozen(kw_only=True)
class PublicWorkflowNode:
    """A node's shape in a public run: type and children."""

    type: str | None = None
    children: tuple[str, ...] = ()
    loop_body: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class PublicRun:
    """A run of a public workflow, as anyone may see it (``status`` is the raw run status)."""

    run_id: str | None = None
    workflow_id: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    execution_state: dict[str, PublicNodeState] | None = None
    nodes: dict[str, PublicWorkflowNode] | None = None


@attrs.frozen(kw_only=True)
class PublicRunListItem:
    """A run in a public workflow's run list: id, status and timing only."""

    id: str
    workflow_id: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@attrs.frozen(kw_only=True)
class PublicExecutionEvent:
    """One entry of a public execution's timeline (no free-form data)."""

    id: str | None = None
    event_type: str | None = None
    level: str | None = None
    title: str | None = None
    message: str | None = None
    node_id: str | None = None
    run_id: str | None = None
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class PublicExecution:
    """A public execution's status and timeline (``b3.public.execution(id, token)``)."""

    id: str
    status: ExternalExecutionStatus | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    payment_status: str | None = None
    order_id: str | None = None
    checkout_session_id: str | None = None
    client_safe_metadata: dict[str, Any] | None = None
    message: str | None = None
    events: tuple[PublicExecutionEvent, ...] = ()
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
