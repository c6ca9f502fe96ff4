"""Workflow definition models: the graph of nodes a workflow (and a run's snapshot) is made of.

Kept apart from :mod:`b3os_async.models.workflows` so that run models, which embed a definition
snapshot, load without the workflow models (import time is measured: see benchmarks/).

No ``from __future__ import annotations`` here on purpose: attrs/cattrs then see real types (no
string resolution at decode time) and the annotations below are all valid at runtime on 3.10.
"""

from typing import Any

import attrs

__all__ = ["ConnectorReference", "WorkflowDefinition", "WorkflowInput", "WorkflowNode"]


@attrs.frozen(kw_only=True)
class ConnectorReference:
    """The connector (credential, wallet, ...) a node uses."""

    type: str | None = None
    id: str | None = None
    chain_id: int | None = None
    wallet_address: str | None = None


@attrs.frozen(kw_only=True)
class WorkflowNode:
    """One node of a definition: a trigger or an action, its config and its children.

    ``payload`` is the node's configuration and may contain ``{{…}}`` expressions. The API
    requires it; a node that arrives without one reads as an empty payload rather than failing.
    """

    type: str
    payload: dict[str, Any] = attrs.field(factory=dict, metadata={"always_send": True})
    children: tuple[str, ...] = ()
    branch: str | None = None
    loop_body: tuple[str, ...] = ()
    connector: ConnectorReference | None = None
    description: str | None = None
    title_override: str | None = None
    result_schema: dict[str, Any] | None = None
    block_context: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class WorkflowInput:
    """One declared input of a workflow (``{{$inputs.key}}``)."""

    key: str | None = None
    type: str | None = None
    description: str | None = None
    required: bool | None = None


@attrs.frozen(kw_only=True)
class WorkflowDefinition:
    """A workflow graph: nodes by id; ``trigger_node_ids`` names the triggers (usually ``root``)."""

    nodes: dict[str, WorkflowNode]
    trigger_node_ids: tuple[str, ...] = ()
    input_schema: tuple[WorkflowInput, ...] = ()
    variable_defs: tuple[dict[str, Any], ...] = ()
    block_expansions: dict[str, Any] | None = None
    sensitive_prop_keys: tuple[str, ...] = ()
