"""Action models: definitions (with their JSON schemas kept as data), single-action results,
CU costs, the faucet and execution statistics.

JSON schemas (``payload_schema``, ``result_schema``), example inputs and outputs, and action
results are free-form JSON and stay plain Python values. (No ``from __future__ import
annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "ActionDefinition",
    "ActionProxyResult",
    "ActionRunResult",
    "ActionTestConfig",
    "ActionTestError",
    "ActionTestResult",
    "ConnectorOutput",
    "ConnectorRequirement",
    "CuCostDefaults",
    "CuCostItem",
    "CuCosts",
    "CuCostsByCategory",
    "FaucetClaim",
    "LatencyPoint",
    "LatencySeries",
    "NodeStatistics",
    "UsagePoint",
    "UsageSeries",
]


@attrs.frozen(kw_only=True)
class ConnectorRequirement:
    """The connector an action or trigger needs (``type``, e.g. ``slack`` or ``wallet``)."""

    type: str | None = None
    account_type: str | None = None
    wallet_support: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ConnectorOutput:
    """How an action's result is saved as a connector (``field_mapping``: result -> data)."""

    type: str | None = None
    name_template: str | None = None
    field_mapping: dict[str, str] | None = None


@attrs.frozen(kw_only=True)
class ActionTestConfig:
    """Whether an action can be tested (``enabled`` false: see ``disabled_reason``)."""

    enabled: bool | None = None
    disabled_reason: str | None = None


@attrs.frozen(kw_only=True)
class ActionDefinition:
    """An action of the catalog: what it does, its input and result JSON schemas, what it needs.

    ``payload_schema`` describes a node's ``payload`` (the inputs of :meth:`Actions.test`);
    ``connector`` says which connector a node must name; ``requires_gas`` marks on-chain writes.
    """

    type: str
    name: str | None = None
    description: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    platform: str | None = None
    payload_schema: dict[str, Any] | None = None
    result_schema: dict[str, Any] | None = None
    example_input: Any = None
    example_output: Any = None
    connector: ConnectorRequirement | None = None
    connector_output: ConnectorOutput | None = None
    requires_gas: bool | None = None
    gas_chain_id: int | None = None
    gas_chain_field: str | None = None
    funds_movement: tuple[int, ...] = ()
    required_tokens: tuple[int, ...] = ()
    direct_executable: bool | None = None
    test: ActionTestConfig | None = None
    logo_url: str | None = None
    documentation_url: str | None = None
    created_by: str | None = None
    weight: int | None = None


@attrs.frozen(kw_only=True)
class ActionTestError:
    """Why a tested action failed: a string ``code`` and a ``message``."""

    code: str | None = None
    message: str | None = None


@attrs.frozen(kw_only=True)
class ActionTestResult:
    """The outcome of :meth:`Actions.test`: ``success`` and ``result``, or ``error``; its cost."""

    success: bool | None = None
    result: dict[str, Any] | None = None
    error: ActionTestError | None = None
    cu_cost: int | None = None
    execution_time_ms: int | None = None
    requires_gas: bool | None = None
    action_type: str | None = None


@attrs.frozen(kw_only=True)
class ActionRunResult:
    """The outcome of :meth:`Actions.run`: the action's ``result`` and how long it took."""

    result: dict[str, Any] | None = None
    duration_ms: int | None = None


@attrs.frozen(kw_only=True)
class ActionProxyResult:
    """The outcome of the action proxy (:meth:`Actions.execute` / :meth:`Actions.query`)."""

    success: bool | None = None
    result: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class CuCostItem:
    """What one action or trigger costs; ``source`` is ``default`` or ``override``."""

    type: str | None = None
    cost: float | None = None
    source: str | None = None


@attrs.frozen(kw_only=True)
class CuCostsByCategory:
    """Action costs by class: built-in, dynamic (app integrations) and logic actions."""

    built_in: tuple[CuCostItem, ...] = ()
    dynamic: tuple[CuCostItem, ...] = ()
    logic: tuple[CuCostItem, ...] = ()


@attrs.frozen(kw_only=True)
class CuCostDefaults:
    """The default cost of each class (applies unless an item overrides it)."""

    built_in: float | None = None
    dynamic: float | None = None
    logic: float | None = None
    trigger: float | None = None


@attrs.frozen(kw_only=True)
class CuCosts:
    """The CU price list (``GET /v1/cu/costs``); :meth:`cost` looks one type up."""

    actions: CuCostsByCategory | None = None
    defaults: CuCostDefaults | None = None
    triggers: tuple[CuCostItem, ...] = ()

    def cost(self, node_type: str) -> float | None:
        """The listed cost of an action or trigger type (None when it is not listed)."""
        groups: list[tuple[CuCostItem, ...]] = [self.triggers]
        if self.actions is not None:
            groups += [self.actions.built_in, self.actions.dynamic, self.actions.logic]
        for items in groups:
            for item in items:
                if item.type == node_type:
                    return item.cost
        return None


@attrs.frozen(kw_only=True)
class FaucetClaim:
    """The answer of :meth:`Actions.claim_faucet`."""

    success: bool | None = None


@attrs.frozen(kw_only=True)
class NodeStatistics:
    """Cumulative statistics of one action or trigger type (``node_type``: action or trigger).

    ``success_rate`` (0..1) and ``average_latency_ms`` are for actions only.
    """

    node_id: str | None = None
    node_type: str | None = None
    total_executions: int | None = None
    workflows_count: int | None = None
    success_rate: float | None = None
    average_latency_ms: float | None = None


@attrs.frozen(kw_only=True)
class LatencyPoint:
    """Latency of an action in one time bucket (hourly or daily)."""

    bucket_start: datetime | None = None
    avg_latency_ms: float | None = None
    p50_latency_ms: float | None = None
    p95_latency_ms: float | None = None


@attrs.frozen(kw_only=True)
class LatencySeries:
    """Latency time series of an action (:meth:`Actions.latency`)."""

    action_id: str | None = None
    granularity: str | None = None
    data: tuple[LatencyPoint, ...] = ()


@attrs.frozen(kw_only=True)
class UsagePoint:
    """Executions of a node type in one time bucket."""

    bucket_start: datetime | None = None
    usage_count: int | None = None


@attrs.frozen(kw_only=True)
class UsageSeries:
    """Usage time series of an action or trigger type (:meth:`Actions.usage`)."""

    node_id: str | None = None
    node_type: str | None = None
    granularity: str | None = None
    data: tuple[UsagePoint, ...] = ()
