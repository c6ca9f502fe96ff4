"""Conventions every model keeps, checked for every model, and every model against its schema.

Every attrs class in ``b3os_async.models`` (its export table) is frozen, slotted, keyword-only,
has snake_case attributes, and defaults its optional (``X | None``) fields to None and its tuple
fields to ``()``. Each model that mirrors an OpenAPI component schema is listed in
:data:`SCHEMAS`: every documented property has a field, every field is a documented property,
a property the schema does not require has a default, and a payload of only the required
properties decodes through the SDK's converter. Exceptions are allowlisted below, one reason
each; an entry that is no longer needed fails the suite.

Adding a model: add it to ``b3os_async.models._EXPORTS`` and its schema name to
:data:`SCHEMAS` (or its reason to :data:`NO_SCHEMA`).
"""

from __future__ import annotations

import enum
import re
import types
import typing
from datetime import datetime
from typing import Any

import attrs
import pytest
from support.openapi import document

import b3os_async.models as models
from b3os_async._convert import structure
from b3os_async._convert.gen import json_key  # the converter's one naming rule

PREFIX = "github_com_b3-fun_b3-mono_services_b3os-workflow_"
ENTITY = PREFIX + "internal_pkg_entity."

SCHEMAS: dict[str, str] = {
    "ConnectorReference": ENTITY + "ConnectorReference",
    "WorkflowDefinition": ENTITY + "WorkflowDefinition",
    "WorkflowInput": ENTITY + "WorkflowInput",
    "WorkflowNode": ENTITY + "WorkflowNode",
    "ExecutionNode": ENTITY + "ExecutionNode",
    "Run": ENTITY + "Run",
    "RunListItem": ENTITY + "RunListItem",
    "RunCreated": "RunResponse",
    "NodeResumeResult": PREFIX + "internal_app_api_service_run.ResumeResult",
    "WorkflowRunCounts": "WorkflowRunCount",
    "RunStatusCounts": "WorkflowRunCount",
    "Workflow": ENTITY + "Workflow",
    "WorkflowListItem": "WorkflowListItem",
    "ValidationErrorItem": "ValidationErrorItem",
    "ValidationResult": "ValidationResult",
    "WorkflowVersionCount": "WorkflowVersionCount",
    "WorkflowVisibilityUpdate": "UpdateVisibilityData",
    # workflows and runs, the rest (issue 17)
    "VariableDef": ENTITY + "VariableDef",
    "WorkflowVariable": ENTITY + "VariableValueWithMeta",
    "VariableWrite": ENTITY + "VariableWrite",
    "WorkflowSchedule": "internal_app_api_http_v1_workflow.WorkflowScheduleResponse",
    "TriggerAggregate": "WorkflowTriggerAggregate",
    "TriggerAggregates": "WorkflowTriggerAggregates",
    "RemainingRuns": "RefillWorkflowData",
    "WorkflowCounts": "WorkflowStatusCounts",
    "WorkflowOwnerCounts": "WorkflowOwnerCounts",
    "WorkflowMeta": "WorkflowMetaItem",
    "RecentRunItem": "RecentRunItem",
    "WorkflowStats": "WorkflowStatsSummary",
    "IncomingLinks": "WorkflowIncomingLinks",
    "WorkflowOrganization": "ResolveWorkflowResponse",
    "FundBalance": "AnalyzeFundsBalance",
    "FundRequirement": "AnalyzeFundsRequirement",
    "FundAnalysis": "AnalyzeFundsResponse",
    "OwnershipTransfer": "TransferWorkflowOwnershipData",
    "FundAutoSwapSource": ENTITY + "OrgAutoSwapSource",
    "FundAutoSwapConfig": ENTITY + "WorkflowFundAutoSwapConfig",
    "UiMetadataUpdate": "UpdateWorkflowUIMetadataResponseData",
    "GeneratedDescriptions": "RegenerateDescriptionsData",
    "FailureRate": ENTITY + "FailureRateStats",
    "RunsTimeSeriesPoint": ENTITY + "RunsTimeSeriesPoint",
    "RunsTimeSeries": "RunsTimeSeriesData",
    "TopError": ENTITY + "TopError",
    "RecentRun": ENTITY + "RecentRun",
    "MetricsSummary": "MetricsSummaryData",
    "WorkflowRunStatusCounts": "WorkflowRunCountByWorkflow",
    "SyncRunResult": "SyncRunResponse",
    "RunTxAttribution": "RunTransactionAttribution",
    # -- organizations, API keys & service accounts (issue 14) --
    "ApiKey": ENTITY + "APIKey",
    "CreatedApiKey": "CreateAPIKeyData",
    "ApiRequestAudit": ENTITY + "APIRequestAudit",
    "ServiceAccount": ENTITY + "ServiceAccount",
    "Organization": ENTITY + "Organization",
    "OrganizationMember": ENTITY + "OrganizationMember",
    "OrganizationInvite": ENTITY + "OrganizationInvite",
    "InviteWithOrgName": ENTITY + "InviteWithOrgName",
    "Tier": "TierResponse",
    "PlanOption": "PlanOption",
    "PlanOptions": "GetPlanOptionsResponse",
    "UsageTotals": ENTITY + "CUUsageSummaryTotals",
    "AICreditUsage": ENTITY + "AICreditUsageSummaryPublic",
    "AutoSwapSettings": "UpdateAutoSwapSettingsParams",
    "AutoSwapSource": "AutoSwapSourceParams",
    "CUBalance": ENTITY + "CUGetBalanceResult",
    "CUThresholdUpdate": ENTITY + "CUUpdateThresholdResult",
    "CUUsage": ENTITY + "CUUsageSummary",
    "CUDailyUsage": ENTITY + "CUDailyUsage",
    "CUUsageBreakdown": ENTITY + "CUUsageBreakdown",
    "CUUsageByWorkflow": ENTITY + "CUUsageByWorkflowResult",
    "CUWorkflowUsage": ENTITY + "CUWorkflowUsageItem",
    "CURunItem": ENTITY + "CURunItem",
    "Wallet": "WalletResponse",
    "OrganizationWallet": ENTITY + "OrganizationWallet",
    "WalletAccount": "WalletAccountParams",
    "WalletArchived": PREFIX + "internal_app_api_service_wallet.ArchiveWalletResponse",
    "WithdrawResult": "WithdrawWalletResponse",
    "PolymarketDepositWallet": "SetupDepositWalletResponse",
    "SessionInstall": "SessionInstall",
    "WalletSession": "SessionItem",
    "WalletSessionGroup": "CreateSessionSuccessResponse",
    "WalletSessionInstall": "CreateSessionInstallResponse",
    "WalletSessionRevoked": "RevokeSessionSuccessResponse",
    "TableInfo": "TableInfo",
    "ColumnInfo": "ColumnInfo",
    "QueryResult": "QueryResponse",
    "CaddieMemory": "CaddieMemoryItem",
    # Caddie (area 9)
    "ChatMessage": ENTITY + "ChatMessage",
    "ChatSession": "ChatSession",
    "ChatPreflight": "PreflightChatResponse",
    "ConversationSnapshot": "ConversationSnapshot",
    "AgentArtifact": "AgentArtifactItem",
    "AgentRun": "AgentRunData",
    "AgentRunEvent": PREFIX + "internal_pkg_client_deepagent.RunEvent",
    "AgentRunStarted": "StartAgentRunResponse",
    "AgentRunState": PREFIX + "internal_pkg_client_deepagent.RunState",
    "AgentRunUsage": PREFIX + "internal_pkg_client_deepagent.RunUsage",
    "AgentType": "AgentTypeInfo",
    "AgentTypeList": "ListAgentTypesResponse",
    # triggers, actions, connectors, search, tags
    "TriggerDefinition": ENTITY + "TriggerDefinition",
    "TriggerInfo": "TriggerInfoResponse",
    "OrgWebhookSecret": "GetOrgWebhookSecretSuccessResponse",
    "WebhookEvent": ENTITY + "WebhookEvent",
    "IntegrationResult": PREFIX + "internal_app_api_service_integration.IntegrationResult",
    "BlockCursor": "internal_app_api_http_v1_blockcursor.BlockCursorResponse",
    "CexAssets": PREFIX + "internal_app_api_types.StorkAvailableAssetsResponse",
    "CexPrices": PREFIX + "internal_app_api_types.StorkLatestPricesResponse",
    "SituationTicker": "SituationUniverseTicker",
    "ConnectorRequirement": ENTITY + "ConnectorRequirement",
    "ConnectorOutput": ENTITY + "ConnectorOutput",
    "ActionTestConfig": ENTITY + "TestConfig",
    "ActionDefinition": ENTITY + "ActionDefinition",
    "ActionTestError": "ActionTestError",
    "ActionTestResult": "TestActionData",
    "ActionRunResult": "RunActionResponse",
    "ActionProxyResult": "ActionProxyData",
    "CuCostItem": ENTITY + "CUCostItem",
    "CuCostsByCategory": ENTITY + "CUCostActionsByCategory",
    "CuCostDefaults": ENTITY + "CUCostDefaults",
    "CuCosts": ENTITY + "CUCostsResult",
    "FaucetClaim": "ClaimFaucetResult",
    "NodeStatistics": ENTITY + "NodeStatistics",
    "LatencyPoint": ENTITY + "LatencyTimeSeriesPoint",
    "LatencySeries": "LatencyTimeSeriesData",
    "UsagePoint": ENTITY + "UsageTimeSeriesPoint",
    "UsageSeries": "UsageTimeSeriesData",
    "Connector": ENTITY + "Connector",
    "ConnectorType": ENTITY + "ConnectorDefinition",
    "McpConnector": PREFIX + "internal_app_api_service_mcp.McpConnectorView",
    "SearchHit": "SearchHit",
    "SearchResults": "SearchResponse",
    "Tag": ENTITY + "Tag",
    # execution hooks
    "ExecutionHookEndpoint": ENTITY + "ExecutionWebhookEndpoint",
    "ExecutionHookSecret": "CreateExecutionWebhookData",
    "ExecutionHookDelivery": ENTITY + "ExecutionWebhookDelivery",
    "OutboundWebhookDelivery": ENTITY + "OutboundWebhookDelivery",
}
"""Model -> the component schema (in ``components.schemas``) it decodes."""

# area public: templates, public routes, external executions, x402
SCHEMAS |= {
    "ExternalExecution": ENTITY + "ExternalExecution",
    "ExecutionCreated": "CreateExecutionData",
    "ExecutionDetail": "GetExecutionData",
    "ExecutionEventRecord": ENTITY + "ExternalExecutionEvent",
    "ExecutionStats": "ExecutionStatsData",
    "ExecutionStatsSummary": ENTITY + "ExecutionStatsSummary",
    "ExecutionStatusCount": ENTITY + "ExecutionStatusCount",
    "ExecutionSourceSystemStat": ENTITY + "ExecutionSourceSystemStat",
    "ExecutionTimeSeriesPoint": ENTITY + "ExecutionTimeSeriesPoint",
    "RecentExecutionFailure": ENTITY + "RecentExecutionFailure",
    "PublicExecution": "PublicExecutionData",
    "PublicExecutionEvent": "PublicExecutionEvent",
    "PublicRun": "GetPublicRunByTxResponse",
    "PublicNodeState": "PublicNodeState",
    "PublicWorkflowNode": "PublicWorkflowNode",
    "PublicRunListItem": "PublicRunListItem",
    "PublicWidget": "GetPublicWidgetResponse",
    "PublicWidgetConfig": "PublicWidgetData",
    "PublicWorkflow": "GetPublicWorkflowData",
    "PublicWorkflowMeta": "GetPublicMetaResponse",
    "Template": ENTITY + "Template",
    "TemplateProp": ENTITY + "TemplateProp",
    "TemplateTag": ENTITY + "Tag",
    "TemplateVersionCount": "TemplateVersionCount",
    "X402Endpoint": ENTITY + "X402Endpoint",
    "X402PaymentRequirement": ENTITY + "X402PaymentOption",
    "X402ProbeResult": ENTITY + "X402EndpointProbeResult",
    "X402CallResult": "TestX402EndpointData",
    "X402PaymentDetails": "TestX402PaymentDetails",
    "X402EndpointCheck": "CheckX402EndpointData",
    "X402ImportResult": "ImportX402EndpointData",
    "X402Metadata": "GenerateX402MetadataData",
}

NO_SCHEMA: dict[str, str] = {
    "CaddieMemorySettings": "the two toggles of ListCaddieMemoryResponse (enabled, orgEnabled)",
    "RunEvent": "stream event payloads are not documented (notes.md §3.3): our assumption",
    "ActivityEvent": "stream event payloads are not documented (notes.md §3.3): our assumption",
    "ExecutionEvent": "stream event payloads are not documented (notes.md §3.3): our assumption",
    # Caddie (area 9): the chat stream's payloads are typed by B3OS's MCP client (notes.md §3.2)
    "ChatEvent": "chat events are typed by B3OS's MCP client, not the OpenAPI (notes.md §3.2)",
    "ChatResult": "the chat stream's done event (MCP client's CaddieDoneEvent), no component",
    "ChatUsage": "part of the done event (MCP client), no component",
    "ChatValidationError": "part of the done event (MCP client), no component",
    "ToolUtilization": "part of the done event (MCP client), no component",
    "CaddieSession": "the v3 answer is declared as a map of strings, not a component",
    "HookEvent": "execution-hook payloads are not documented (notes.md §4): our assumption",
}

UNDOCUMENTED_FIELDS: dict[tuple[str, str], str] = {
    ("ExecutionNode", "error"): "failed nodes carry {message, code}; the schema omits it",
    ("WorkflowRunCounts", "cancelled"): "cancelled runs are counted by the server, not in schema",
    ("RunStatusCounts", "cancelled"): "cancelled runs are counted by the server, not in schema",
    ("WorkflowRunStatusCounts", "cancelled"): "cancelled runs are counted, as in WorkflowRunCounts",
}
"""Fields a model has beyond its schema: ``(model, attribute)`` -> why."""

NOT_MODELLED: dict[tuple[str, str], str] = {}
"""Documented properties a model deliberately lacks: ``(model, json key)`` -> why."""

REQUIRED_HERE: dict[tuple[str, str], str] = {
    ("Workflow", "id"): "every later call names the workflow by it",
    ("WorkflowListItem", "id"): "every later call names the workflow by it",
    ("Run", "id"): "every later call names the run by it",
    ("Run", "status"): "a run's state is the point of fetching it",
    ("RunListItem", "id"): "every later call names the run by it",
    ("RunListItem", "status"): "a run's state is the point of listing it",
    ("ExecutionNode", "status"): "a node's state is the point of execution_state",
    ("ValidationResult", "valid"): "the one answer validate() exists for",
    ("WorkflowVersionCount", "total"): "the one number versions_count() exists for",
    ("RunCreated", "run_id"): "decoded only when the answer has runId (else our own id is used)",
    # -- organizations, API keys & service accounts (issue 14) --
    ("ApiKey", "id"): "get and revoke name the key by it",
    ("CreatedApiKey", "id"): "get and revoke name the key by it",
    ("CreatedApiKey", "key"): "the key itself is the one thing create() exists for",
    ("ServiceAccount", "id"): "every later call names the account by it",
    ("Organization", "id"): "every org-scoped call names the organization by it",
    ("OrganizationMember", "id"): "a member without an id cannot be told apart",
    ("OrganizationInvite", "id"): "an invite without an id cannot be told apart",
    ("InviteWithOrgName", "id"): "an invite without an id cannot be told apart",
    ("Tier", "name"): "a tier is chosen by its name",
    ("CUBalance", "balance"): "the one number balance() exists for",
    ("CURunItem", "run_id"): "names the run the cost belongs to",
    ("CUWorkflowUsage", "workflow_id"): "names the workflow the usage belongs to",
    ("Wallet", "id"): "every later wallet call names the wallet by it",
    ("OrganizationWallet", "id"): "every later wallet call names the wallet by it",
    ("WalletSession", "id"): "revoke() names the session by it",
    ("WalletSessionInstall", "id"): "revoke() names the session by it",
    ("TableInfo", "name"): "table() names the table by it",
    ("ColumnInfo", "name"): "a column is its name",
    ("CaddieMemory", "scope"): "update() and delete() name the memory by scope and key",
    ("CaddieMemory", "key"): "update() and delete() name the memory by scope and key",
    # area public
    ("ExternalExecution", "id"): "every later call names the execution by it",
    ("ExecutionCreated", "execution"): "the one thing create() exists for",
    ("ExecutionDetail", "execution"): "the one thing get() exists for",
    ("PublicExecution", "id"): "it names the execution the token follows",
    ("PublicRunListItem", "id"): "public.run() names the run by it",
    ("PublicWorkflow", "id"): "it names the workflow shown",
    ("Template", "id"): "every later call names the template by it",
    ("TemplateProp", "key"): "the {{$props.key}} name: a prop without one cannot be given",
    ("TemplateVersionCount", "total"): "the one number versions_count() exists for",
    ("X402Endpoint", "id"): "every later call names the endpoint by it",
    ("X402ImportResult", "endpoint"): "the one thing import_() exists for",
    ("ChatMessage", "id"): "history pages by it (beforeId): a message without one cannot page",
    ("AgentRunEvent", "seq"): "follow() hands rows out once, in order, by seq",
    ("AgentRunStarted", "run_id"): "every later call names the run by it",
    ("AgentType", "agent_type"): "the one value start() takes",
    ("TriggerDefinition", "type"): "the catalog names a trigger by it",
    ("ActionDefinition", "type"): "the catalog names an action by it",
    ("ConnectorType", "type"): "connectors and nodes name their type by it",
    ("WebhookEvent", "id"): "replay_event() names the event by it",
    ("Connector", "id"): "every later call names the connector by it",
    ("ExecutionHookEndpoint", "id"): "every later call names the endpoint by it",
    ("ExecutionHookSecret", "signing_secret"): "the one thing create/regenerate_secret are for",
    ("ExecutionHookDelivery", "id"): "retry and replay name the delivery by it",
    ("OutboundWebhookDelivery", "id"): "retry and replay name the delivery by it",
}
"""Properties the schema leaves optional but a model requires (decoding fails without them):
``(model, attribute)`` -> why the SDK refuses an answer without it."""

MODELS = {
    name: getattr(models, name) for name in models._EXPORTS if attrs.has(getattr(models, name))
}
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_optional(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in (
        typing.get_args(tp)
    )


def _default(field: attrs.Attribute[Any]) -> Any:
    default = field.default
    return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]


def _schema(model: str) -> dict[str, Any]:
    schema: dict[str, Any] = document()["components"]["schemas"][SCHEMAS[model]]
    return schema


# -- conventions of every model ------------------------------------------------------------------


def test_the_model_table_is_not_empty() -> None:
    """The export table yields the models (so the parametrised tests below are not empty)."""
    assert {"Workflow", "Run", "RunEvent", "WorkflowDefinition"} <= set(MODELS)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_is_frozen(name: str) -> None:
    """Assigning to any attribute of the model raises FrozenInstanceError."""
    cls = MODELS[name]
    instance = object.__new__(cls)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(instance, attrs.fields(cls)[0].name, None)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_is_slotted(name: str) -> None:
    """The model uses __slots__: its instances have no __dict__."""
    cls = MODELS[name]
    assert "__slots__" in vars(cls)
    assert not hasattr(object.__new__(cls), "__dict__")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_is_keyword_only(name: str) -> None:
    """Every attribute is keyword-only (adding a field never shifts positional arguments)."""
    assert [f.name for f in attrs.fields(MODELS[name]) if not f.kw_only] == []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_attribute_names_are_snake_case(name: str) -> None:
    """Attribute names are snake_case (the converter maps them to camelCase JSON keys)."""
    assert [f.name for f in attrs.fields(MODELS[name]) if not SNAKE.fullmatch(f.name)] == []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_optional_fields_default_to_none(name: str) -> None:
    """Every ``X | None`` field defaults to None (a missing field reads as None)."""
    cls = MODELS[name]
    hints = _hints(cls)
    wrong = [
        f.name
        for f in attrs.fields(cls)
        if _is_optional(hints[f.name]) and (f.default is attrs.NOTHING or _default(f) is not None)
    ]
    assert wrong == []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_tuple_fields_default_to_empty(name: str) -> None:
    """Every tuple field defaults to () (a missing list reads as empty, never None)."""
    cls = MODELS[name]
    hints = _hints(cls)
    wrong = [
        f.name
        for f in attrs.fields(cls)
        if typing.get_origin(hints[f.name]) is tuple
        and (f.default is attrs.NOTHING or _default(f) != ())
    ]
    assert wrong == []


# -- every model against its schema --------------------------------------------------------------


def test_every_model_has_a_schema_or_a_reason() -> None:
    """Each model maps to a component schema, or says why it has none."""
    assert sorted(set(MODELS) - set(SCHEMAS) - set(NO_SCHEMA)) == []
    assert sorted((set(SCHEMAS) | set(NO_SCHEMA)) - set(MODELS)) == []
    schemas = document()["components"]["schemas"]
    assert sorted(name for name in SCHEMAS.values() if name not in schemas) == []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_documented_property_has_a_field(name: str) -> None:
    """Each property of the model's schema is decoded into a field of the model."""
    keys = {json_key(f) for f in attrs.fields(MODELS[name])}
    missing = [
        prop
        for prop in _schema(name).get("properties", {})
        if prop not in keys and (name, prop) not in NOT_MODELLED
    ]
    assert missing == []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_field_is_a_documented_property(name: str) -> None:
    """Each field's JSON key is a property of the schema (a misspelt key would never fill)."""
    properties = _schema(name).get("properties", {})
    extra = [
        f.name
        for f in attrs.fields(MODELS[name])
        if json_key(f) not in properties and (name, f.name) not in UNDOCUMENTED_FIELDS
    ]
    assert extra == []


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_optional_properties_have_defaults(name: str) -> None:
    """A property the schema does not require has a default (its absence never raises)."""
    schema = _schema(name)
    required = set(schema.get("required", []))
    wrong = [
        f.name
        for f in attrs.fields(MODELS[name])
        if f.default is attrs.NOTHING
        and json_key(f) not in required
        and (name, f.name) not in REQUIRED_HERE
    ]
    assert wrong == []


def _sample(tp: Any) -> Any:
    """A minimal JSON value that decodes into ``tp``."""
    if _is_optional(tp):
        return _sample(next(arg for arg in typing.get_args(tp) if arg is not type(None)))
    origin = typing.get_origin(tp)
    if origin in (tuple, list):
        return []
    if origin is dict or tp is Any:
        return {}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return next(iter(tp)).value
    if attrs.has(tp):
        return _minimal(tp)
    samples = {str: "x", bool: True, int: 1, float: 1.5, datetime: "2024-05-01T10:00:00Z"}
    return samples[tp]


def _minimal(cls: type[Any]) -> dict[str, Any]:
    """The JSON of ``cls`` with only its required properties (schema) and required fields."""
    name = cls.__name__
    required = set(_schema(name).get("required", [])) if name in SCHEMAS else set()
    hints = _hints(cls)
    return {
        json_key(f): _sample(hints[f.name])
        for f in attrs.fields(cls)
        if json_key(f) in required or f.default is attrs.NOTHING
    }


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_only_the_required_properties_decode(name: str) -> None:
    """A payload with only the required properties decodes; every other field is its default."""
    cls = MODELS[name]
    payload = _minimal(cls)
    decoded = structure(payload, cls)
    defaults = {
        f.name: (getattr(decoded, f.name), _default(f))
        for f in attrs.fields(cls)
        if json_key(f) not in payload
    }
    assert {field: got for field, (got, _) in defaults.items()} == {
        field: default for field, (_, default) in defaults.items()
    }


def _still_needed(model: str, name: str) -> bool:
    """Whether an allowlist entry still excuses something."""
    fields = {f.name: f for f in attrs.fields(MODELS[model])}
    keys = {json_key(f) for f in fields.values()}
    if (model, name) in NOT_MODELLED:
        return name not in keys
    if name not in fields:
        return False
    if (model, name) in UNDOCUMENTED_FIELDS:
        return json_key(fields[name]) not in _schema(model).get("properties", {})
    return fields[name].default is attrs.NOTHING  # REQUIRED_HERE


def test_allowlists_have_no_stale_entries() -> None:
    """Every allowlisted exception names a model field or property that still needs it."""
    entries = [*UNDOCUMENTED_FIELDS, *REQUIRED_HERE, *NOT_MODELLED]
    assert [entry for entry in entries if not _still_needed(*entry)] == []
