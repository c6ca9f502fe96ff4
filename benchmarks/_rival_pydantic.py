"""pydantic v2 models of the same shape as ``b3os_async.models.runs.Run``.

See ``benchmarks/_rival_models.py``. No ``from __future__ import annotations`` here: pydantic
and msgspec read these annotations at runtime.
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from benchmarks._rival_models import ExecutionNodeStatus, RunStatus

_CONFIG = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")


class ConnectorReference(BaseModel):
    """pydantic twin of ``ConnectorReference``."""

    model_config = _CONFIG
    type: str | None = None
    id: str | None = None
    chain_id: int | None = None
    wallet_address: str | None = None


class WorkflowNode(BaseModel):
    """pydantic twin of ``WorkflowNode``."""

    model_config = _CONFIG
    type: str
    payload: dict[str, Any]
    children: tuple[str, ...] = ()
    branch: str | None = None
    loop_body: tuple[str, ...] = ()
    connector: ConnectorReference | None = None
    description: str | None = None
    title_override: str | None = None
    result_schema: dict[str, Any] | None = None
    block_context: dict[str, Any] | None = None


class WorkflowInput(BaseModel):
    """pydantic twin of ``WorkflowInput``."""

    model_config = _CONFIG
    key: str | None = None
    type: str | None = None
    description: str | None = None
    required: bool | None = None


class WorkflowDefinition(BaseModel):
    """pydantic twin of ``WorkflowDefinition``."""

    model_config = _CONFIG
    nodes: dict[str, WorkflowNode]
    trigger_node_ids: tuple[str, ...] = ()
    input_schema: tuple[WorkflowInput, ...] = ()
    variable_defs: tuple[dict[str, Any], ...] = ()
    block_expansions: dict[str, Any] | None = None
    sensitive_prop_keys: tuple[str, ...] = ()


class ExecutionNode(BaseModel):
    """pydantic twin of ``ExecutionNode``."""

    model_config = _CONFIG
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


class Run(BaseModel):
    """pydantic twin of ``Run``."""

    model_config = _CONFIG
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
