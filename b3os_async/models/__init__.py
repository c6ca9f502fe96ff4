"""Typed response and request models (frozen attrs classes) and the enums they use.

One module per API area (``runs``, ``workflows`` ...), plus ``definitions`` (workflow definitions,
sent and received), ``events`` (stream events) and ``_enums`` (open enums: unknown values kept).
Models import only attrs and the standard library; decoding lives in :mod:`b3os_async._convert`.

:data:`_EXPORTS` is the ONE list of model names: it drives ``__all__`` and the lazy loading (each
name is imported from its module on first use, so loading the run models does not also build every
workflow model: attrs class creation is most of this package's import time). The
``TYPE_CHECKING`` imports repeat it for type checkers; a test checks that both agree and that every
model class defined in these modules is listed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Caddie (area 9): chat, sessions, history; agent runs
    from b3os_async.models._area_enums import AgentRunPhase as AgentRunPhase
    from b3os_async.models._area_enums import ChatEventType as ChatEventType
    from b3os_async.models._area_enums import ChatMode as ChatMode
    from b3os_async.models._area_enums import ChatResultType as ChatResultType
    from b3os_async.models._area_enums import DeliveryStatus as DeliveryStatus

    # area public: templates, public routes, external executions, x402
    from b3os_async.models._area_enums import ExternalExecutionStatus as ExternalExecutionStatus
    from b3os_async.models._area_enums import HookEndpointStatus as HookEndpointStatus
    from b3os_async.models._area_enums import HookEventType as HookEventType
    from b3os_async.models._area_enums import TemplateVisibility as TemplateVisibility

    # workflows and runs, the rest (issue 17)
    from b3os_async.models._area_enums import VariableLifetime as VariableLifetime
    from b3os_async.models._area_enums import VariableOp as VariableOp
    from b3os_async.models._area_enums import VariableScope as VariableScope
    from b3os_async.models._area_enums import VariableType as VariableType
    from b3os_async.models._area_enums import WebhookEventAction as WebhookEventAction
    from b3os_async.models._area_enums import WebhookEventStatus as WebhookEventStatus
    from b3os_async.models._enums import ExecutionNodeStatus as ExecutionNodeStatus
    from b3os_async.models._enums import OpenEnum as OpenEnum
    from b3os_async.models._enums import PausedReason as PausedReason
    from b3os_async.models._enums import RunStatus as RunStatus
    from b3os_async.models._enums import WorkflowStatus as WorkflowStatus
    from b3os_async.models._enums import WorkflowVisibility as WorkflowVisibility
    from b3os_async.models.actions import ActionDefinition as ActionDefinition
    from b3os_async.models.actions import ActionProxyResult as ActionProxyResult
    from b3os_async.models.actions import ActionRunResult as ActionRunResult
    from b3os_async.models.actions import ActionTestConfig as ActionTestConfig
    from b3os_async.models.actions import ActionTestError as ActionTestError
    from b3os_async.models.actions import ActionTestResult as ActionTestResult
    from b3os_async.models.actions import ConnectorOutput as ConnectorOutput
    from b3os_async.models.actions import ConnectorRequirement as ConnectorRequirement
    from b3os_async.models.actions import CuCostDefaults as CuCostDefaults
    from b3os_async.models.actions import CuCostItem as CuCostItem
    from b3os_async.models.actions import CuCosts as CuCosts
    from b3os_async.models.actions import CuCostsByCategory as CuCostsByCategory
    from b3os_async.models.actions import FaucetClaim as FaucetClaim
    from b3os_async.models.actions import LatencyPoint as LatencyPoint
    from b3os_async.models.actions import LatencySeries as LatencySeries
    from b3os_async.models.actions import NodeStatistics as NodeStatistics
    from b3os_async.models.actions import UsagePoint as UsagePoint
    from b3os_async.models.actions import UsageSeries as UsageSeries
    from b3os_async.models.agent_runs import AgentArtifact as AgentArtifact
    from b3os_async.models.agent_runs import AgentRun as AgentRun
    from b3os_async.models.agent_runs import AgentRunEvent as AgentRunEvent
    from b3os_async.models.agent_runs import AgentRunStarted as AgentRunStarted
    from b3os_async.models.agent_runs import AgentRunState as AgentRunState
    from b3os_async.models.agent_runs import AgentRunUsage as AgentRunUsage
    from b3os_async.models.agent_runs import AgentType as AgentType
    from b3os_async.models.agent_runs import AgentTypeList as AgentTypeList
    from b3os_async.models.caddie import CaddieSession as CaddieSession
    from b3os_async.models.caddie import ChatEvent as ChatEvent
    from b3os_async.models.caddie import ChatMessage as ChatMessage
    from b3os_async.models.caddie import ChatPreflight as ChatPreflight
    from b3os_async.models.caddie import ChatResult as ChatResult
    from b3os_async.models.caddie import ChatSession as ChatSession
    from b3os_async.models.caddie import ChatUsage as ChatUsage
    from b3os_async.models.caddie import ChatValidationError as ChatValidationError
    from b3os_async.models.caddie import ConversationSnapshot as ConversationSnapshot
    from b3os_async.models.caddie import ToolUtilization as ToolUtilization
    from b3os_async.models.connectors import Connector as Connector
    from b3os_async.models.connectors import ConnectorType as ConnectorType
    from b3os_async.models.connectors import McpConnector as McpConnector
    from b3os_async.models.definitions import ConnectorReference as ConnectorReference
    from b3os_async.models.definitions import WorkflowDefinition as WorkflowDefinition
    from b3os_async.models.definitions import WorkflowInput as WorkflowInput
    from b3os_async.models.definitions import WorkflowNode as WorkflowNode
    from b3os_async.models.events import ActivityEvent as ActivityEvent
    from b3os_async.models.events import RunEvent as RunEvent
    from b3os_async.models.execution_hooks import ExecutionHookDelivery as ExecutionHookDelivery
    from b3os_async.models.execution_hooks import ExecutionHookEndpoint as ExecutionHookEndpoint
    from b3os_async.models.execution_hooks import ExecutionHookSecret as ExecutionHookSecret
    from b3os_async.models.execution_hooks import HookEvent as HookEvent
    from b3os_async.models.executions import ExecutionCreated as ExecutionCreated
    from b3os_async.models.executions import ExecutionDetail as ExecutionDetail
    from b3os_async.models.executions import ExecutionEvent as ExecutionEvent
    from b3os_async.models.executions import ExecutionEventRecord as ExecutionEventRecord
    from b3os_async.models.executions import ExecutionSourceSystemStat as ExecutionSourceSystemStat
    from b3os_async.models.executions import ExecutionStats as ExecutionStats
    from b3os_async.models.executions import ExecutionStatsSummary as ExecutionStatsSummary
    from b3os_async.models.executions import ExecutionStatusCount as ExecutionStatusCount
    from b3os_async.models.executions import ExecutionTimeSeriesPoint as ExecutionTimeSeriesPoint
    from b3os_async.models.executions import ExternalExecution as ExternalExecution
    from b3os_async.models.executions import RecentExecutionFailure as RecentExecutionFailure
    from b3os_async.models.metrics import FailureRate as FailureRate
    from b3os_async.models.metrics import MetricsSummary as MetricsSummary
    from b3os_async.models.metrics import RecentRun as RecentRun
    from b3os_async.models.metrics import RunsTimeSeries as RunsTimeSeries
    from b3os_async.models.metrics import RunsTimeSeriesPoint as RunsTimeSeriesPoint
    from b3os_async.models.metrics import TopError as TopError
    from b3os_async.models.outbound_webhooks import (
        OutboundWebhookDelivery as OutboundWebhookDelivery,
    )
    from b3os_async.models.public import PublicExecution as PublicExecution
    from b3os_async.models.public import PublicExecutionEvent as PublicExecutionEvent
    from b3os_async.models.public import PublicNodeState as PublicNodeState
    from b3os_async.models.public import PublicRun as PublicRun
    from b3os_async.models.public import PublicRunListItem as PublicRunListItem
    from b3os_async.models.public import PublicWidget as PublicWidget
    from b3os_async.models.public import PublicWidgetConfig as PublicWidgetConfig
    from b3os_async.models.public import PublicWorkflow as PublicWorkflow
    from b3os_async.models.public import PublicWorkflowMeta as PublicWorkflowMeta
    from b3os_async.models.public import PublicWorkflowNode as PublicWorkflowNode
    from b3os_async.models.run_results import NodeResumeResult as NodeResumeResult
    from b3os_async.models.run_results import RunStatusCounts as RunStatusCounts
    from b3os_async.models.run_results import RunTxAttribution as RunTxAttribution
    from b3os_async.models.run_results import SyncRunResult as SyncRunResult
    from b3os_async.models.run_results import WorkflowRunCounts as WorkflowRunCounts
    from b3os_async.models.run_results import WorkflowRunStatusCounts as WorkflowRunStatusCounts
    from b3os_async.models.runs import ExecutionNode as ExecutionNode
    from b3os_async.models.runs import Run as Run
    from b3os_async.models.runs import RunCreated as RunCreated
    from b3os_async.models.runs import RunListItem as RunListItem
    from b3os_async.models.search import SearchHit as SearchHit
    from b3os_async.models.search import SearchResults as SearchResults
    from b3os_async.models.tags import Tag as Tag
    from b3os_async.models.templates import Template as Template
    from b3os_async.models.templates import TemplateProp as TemplateProp
    from b3os_async.models.templates import TemplateTag as TemplateTag
    from b3os_async.models.templates import TemplateVersionCount as TemplateVersionCount
    from b3os_async.models.triggers import BlockCursor as BlockCursor
    from b3os_async.models.triggers import CexAssets as CexAssets
    from b3os_async.models.triggers import CexPrices as CexPrices
    from b3os_async.models.triggers import IntegrationResult as IntegrationResult
    from b3os_async.models.triggers import OrgWebhookSecret as OrgWebhookSecret
    from b3os_async.models.triggers import SituationTicker as SituationTicker
    from b3os_async.models.triggers import TriggerDefinition as TriggerDefinition
    from b3os_async.models.triggers import TriggerInfo as TriggerInfo
    from b3os_async.models.triggers import WebhookEvent as WebhookEvent
    from b3os_async.models.workflow_insights import FundAnalysis as FundAnalysis
    from b3os_async.models.workflow_insights import FundBalance as FundBalance
    from b3os_async.models.workflow_insights import FundRequirement as FundRequirement
    from b3os_async.models.workflow_insights import IncomingLinks as IncomingLinks
    from b3os_async.models.workflow_insights import RecentRunItem as RecentRunItem
    from b3os_async.models.workflow_insights import WorkflowCounts as WorkflowCounts
    from b3os_async.models.workflow_insights import WorkflowMeta as WorkflowMeta
    from b3os_async.models.workflow_insights import WorkflowOrganization as WorkflowOrganization
    from b3os_async.models.workflow_insights import WorkflowOwnerCounts as WorkflowOwnerCounts
    from b3os_async.models.workflow_insights import WorkflowStats as WorkflowStats
    from b3os_async.models.workflow_schedules import RemainingRuns as RemainingRuns
    from b3os_async.models.workflow_schedules import TriggerAggregate as TriggerAggregate
    from b3os_async.models.workflow_schedules import TriggerAggregates as TriggerAggregates
    from b3os_async.models.workflow_schedules import WorkflowSchedule as WorkflowSchedule
    from b3os_async.models.workflow_settings import FundAutoSwapConfig as FundAutoSwapConfig
    from b3os_async.models.workflow_settings import FundAutoSwapSource as FundAutoSwapSource
    from b3os_async.models.workflow_settings import GeneratedDescriptions as GeneratedDescriptions
    from b3os_async.models.workflow_settings import OwnershipTransfer as OwnershipTransfer
    from b3os_async.models.workflow_settings import UiMetadataUpdate as UiMetadataUpdate
    from b3os_async.models.workflow_variables import VariableDef as VariableDef
    from b3os_async.models.workflow_variables import VariableWrite as VariableWrite
    from b3os_async.models.workflow_variables import WorkflowVariable as WorkflowVariable
    from b3os_async.models.workflows import ValidationErrorItem as ValidationErrorItem
    from b3os_async.models.workflows import ValidationResult as ValidationResult
    from b3os_async.models.workflows import Workflow as Workflow
    from b3os_async.models.workflows import WorkflowListItem as WorkflowListItem
    from b3os_async.models.workflows import WorkflowVersionCount as WorkflowVersionCount
    from b3os_async.models.workflows import WorkflowVisibilityUpdate as WorkflowVisibilityUpdate
    from b3os_async.models.x402 import X402CallResult as X402CallResult
    from b3os_async.models.x402 import X402Endpoint as X402Endpoint
    from b3os_async.models.x402 import X402EndpointCheck as X402EndpointCheck
    from b3os_async.models.x402 import X402ImportResult as X402ImportResult
    from b3os_async.models.x402 import X402Metadata as X402Metadata
    from b3os_async.models.x402 import X402PaymentDetails as X402PaymentDetails
    from b3os_async.models.x402 import X402PaymentRequirement as X402PaymentRequirement
    from b3os_async.models.x402 import X402ProbeResult as X402ProbeResult


if TYPE_CHECKING:  # -- organizations, API keys & service accounts (issue 14) --
    from b3os_async.models.api_keys import ApiKey as ApiKey
    from b3os_async.models.api_keys import ApiKeyScope as ApiKeyScope
    from b3os_async.models.api_keys import ApiRequestAudit as ApiRequestAudit
    from b3os_async.models.api_keys import CreatedApiKey as CreatedApiKey
    from b3os_async.models.caddie_memory import CaddieMemory as CaddieMemory
    from b3os_async.models.caddie_memory import CaddieMemorySettings as CaddieMemorySettings
    from b3os_async.models.compute_units import CUBalance as CUBalance
    from b3os_async.models.compute_units import CUDailyUsage as CUDailyUsage
    from b3os_async.models.compute_units import CURunItem as CURunItem
    from b3os_async.models.compute_units import CUThresholdUpdate as CUThresholdUpdate
    from b3os_async.models.compute_units import CUUsage as CUUsage
    from b3os_async.models.compute_units import CUUsageBreakdown as CUUsageBreakdown
    from b3os_async.models.compute_units import CUUsageByWorkflow as CUUsageByWorkflow
    from b3os_async.models.compute_units import CUWorkflowUsage as CUWorkflowUsage
    from b3os_async.models.database import ColumnInfo as ColumnInfo
    from b3os_async.models.database import QueryResult as QueryResult
    from b3os_async.models.database import TableInfo as TableInfo
    from b3os_async.models.organizations import AICreditUsage as AICreditUsage
    from b3os_async.models.organizations import AutoSwapSettings as AutoSwapSettings
    from b3os_async.models.organizations import AutoSwapSource as AutoSwapSource
    from b3os_async.models.organizations import InviteStatus as InviteStatus
    from b3os_async.models.organizations import InviteWithOrgName as InviteWithOrgName
    from b3os_async.models.organizations import Organization as Organization
    from b3os_async.models.organizations import OrganizationInvite as OrganizationInvite
    from b3os_async.models.organizations import OrganizationMember as OrganizationMember
    from b3os_async.models.organizations import OrganizationRole as OrganizationRole
    from b3os_async.models.organizations import PlanOption as PlanOption
    from b3os_async.models.organizations import PlanOptionAction as PlanOptionAction
    from b3os_async.models.organizations import PlanOptions as PlanOptions
    from b3os_async.models.organizations import Tier as Tier
    from b3os_async.models.organizations import UsageTotals as UsageTotals
    from b3os_async.models.service_accounts import Permission as Permission
    from b3os_async.models.service_accounts import ServiceAccount as ServiceAccount
    from b3os_async.models.service_accounts import ServiceAccountStatus as ServiceAccountStatus
    from b3os_async.models.wallet_sessions import SessionInstall as SessionInstall
    from b3os_async.models.wallet_sessions import WalletSession as WalletSession
    from b3os_async.models.wallet_sessions import WalletSessionGroup as WalletSessionGroup
    from b3os_async.models.wallet_sessions import WalletSessionInstall as WalletSessionInstall
    from b3os_async.models.wallet_sessions import WalletSessionRevoked as WalletSessionRevoked
    from b3os_async.models.wallets import OrganizationWallet as OrganizationWallet
    from b3os_async.models.wallets import PolymarketDepositWallet as PolymarketDepositWallet
    from b3os_async.models.wallets import Wallet as Wallet
    from b3os_async.models.wallets import WalletAccount as WalletAccount
    from b3os_async.models.wallets import WalletArchived as WalletArchived
    from b3os_async.models.wallets import WithdrawResult as WithdrawResult

#: Module (under b3os_async.models) -> the model names it defines.
# fmt: off
_MODULES: dict[str, tuple[str, ...]] = {
    "_enums": (
        "OpenEnum", "ExecutionNodeStatus", "PausedReason", "RunStatus", "WorkflowStatus",
        "WorkflowVisibility"
    ),
    "_area_enums": (
        "ExternalExecutionStatus", "TemplateVisibility", "AgentRunPhase", "ChatEventType",
        "ChatMode", "ChatResultType", "WebhookEventAction", "WebhookEventStatus", "DeliveryStatus",
        "HookEndpointStatus", "HookEventType", "VariableLifetime", "VariableOp", "VariableScope",
        "VariableType"
    ),
    "definitions": ("ConnectorReference", "WorkflowDefinition", "WorkflowInput", "WorkflowNode"),
    "events": ("ActivityEvent", "RunEvent"),
    "runs": ("ExecutionNode", "Run", "RunCreated", "RunListItem"),
    "run_results": (
        "NodeResumeResult", "RunStatusCounts", "RunTxAttribution", "SyncRunResult",
        "WorkflowRunCounts", "WorkflowRunStatusCounts"
    ),
    "workflows": (
        "ValidationErrorItem", "ValidationResult", "Workflow", "WorkflowListItem",
        "WorkflowVersionCount", "WorkflowVisibilityUpdate"
    ),
    # workflows and runs, the rest (issue 17)
    "metrics": (
        "FailureRate", "MetricsSummary", "RecentRun", "RunsTimeSeries", "RunsTimeSeriesPoint",
        "TopError"
    ),
    "workflow_insights": (
        "FundAnalysis", "FundBalance", "FundRequirement", "IncomingLinks", "RecentRunItem",
        "WorkflowCounts", "WorkflowMeta", "WorkflowOrganization", "WorkflowOwnerCounts",
        "WorkflowStats"
    ),
    "workflow_schedules": (
        "RemainingRuns", "TriggerAggregate", "TriggerAggregates", "WorkflowSchedule"
    ),
    "workflow_settings": (
        "FundAutoSwapConfig", "FundAutoSwapSource", "GeneratedDescriptions", "OwnershipTransfer",
        "UiMetadataUpdate"
    ),
    "workflow_variables": ("VariableDef", "VariableWrite", "WorkflowVariable"),
    "api_keys": ("ApiKey", "ApiKeyScope", "ApiRequestAudit", "CreatedApiKey"),
    "service_accounts": ("Permission", "ServiceAccount", "ServiceAccountStatus"),
    "organizations": (
        "AICreditUsage", "AutoSwapSettings", "AutoSwapSource", "InviteStatus", "InviteWithOrgName",
        "Organization", "OrganizationInvite", "OrganizationMember", "OrganizationRole",
        "PlanOption", "PlanOptionAction", "PlanOptions", "Tier", "UsageTotals"
    ),
    "compute_units": (
        "CUBalance", "CUDailyUsage", "CURunItem", "CUThresholdUpdate", "CUUsage",
        "CUUsageBreakdown", "CUUsageByWorkflow", "CUWorkflowUsage"
    ),
    "wallets": (
        "OrganizationWallet", "PolymarketDepositWallet", "Wallet", "WalletAccount",
        "WalletArchived", "WithdrawResult"
    ),
    "wallet_sessions": (
        "SessionInstall", "WalletSession", "WalletSessionGroup", "WalletSessionInstall",
        "WalletSessionRevoked"
    ),
    "database": ("ColumnInfo", "QueryResult", "TableInfo"),
    "caddie_memory": ("CaddieMemory", "CaddieMemorySettings"),
    "executions": (
        "ExecutionCreated", "ExecutionDetail", "ExecutionEvent", "ExecutionEventRecord",
        "ExecutionSourceSystemStat", "ExecutionStats", "ExecutionStatsSummary",
        "ExecutionStatusCount", "ExecutionTimeSeriesPoint", "ExternalExecution",
        "RecentExecutionFailure"
    ),
    "public": (
        "PublicExecution", "PublicExecutionEvent", "PublicNodeState", "PublicRun",
        "PublicRunListItem", "PublicWidget", "PublicWidgetConfig", "PublicWorkflow",
        "PublicWorkflowMeta", "PublicWorkflowNode"
    ),
    "templates": ("Template", "TemplateProp", "TemplateTag", "TemplateVersionCount"),
    "x402": (
        "X402CallResult", "X402Endpoint", "X402EndpointCheck", "X402ImportResult", "X402Metadata",
        "X402PaymentDetails", "X402PaymentRequirement", "X402ProbeResult"
    ),
    "agent_runs": (
        "AgentArtifact", "AgentRun", "AgentRunEvent", "AgentRunStarted", "AgentRunState",
        "AgentRunUsage", "AgentType", "AgentTypeList"
    ),
    "caddie": (
        "CaddieSession", "ChatEvent", "ChatMessage", "ChatPreflight", "ChatResult", "ChatSession",
        "ChatUsage", "ChatValidationError", "ConversationSnapshot", "ToolUtilization"
    ),
    "actions": (
        "ActionDefinition", "ActionProxyResult", "ActionRunResult", "ActionTestConfig",
        "ActionTestError", "ActionTestResult", "ConnectorOutput", "ConnectorRequirement",
        "CuCostDefaults", "CuCostItem", "CuCosts", "CuCostsByCategory", "FaucetClaim",
        "LatencyPoint", "LatencySeries", "NodeStatistics", "UsagePoint", "UsageSeries"
    ),
    "connectors": ("Connector", "ConnectorType", "McpConnector"),
    "search": ("SearchHit", "SearchResults"),
    "tags": ("Tag",),
    "triggers": (
        "BlockCursor", "CexAssets", "CexPrices", "IntegrationResult", "OrgWebhookSecret",
        "SituationTicker", "TriggerDefinition", "TriggerInfo", "WebhookEvent"
    ),
    "execution_hooks": (
        "ExecutionHookDelivery", "ExecutionHookEndpoint", "ExecutionHookSecret", "HookEvent"
    ),
    "outbound_webhooks": ("OutboundWebhookDelivery",),
}
# fmt: on

#: Model name -> the module that defines it (derived from _MODULES).
_EXPORTS: dict[str, str] = {
    name: f"b3os_async.models.{module}" for module, names in _MODULES.items() for name in names
}


__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'b3os_async.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
