"""Type-checked usage of the public API (``mypy --strict b3os_async tests/typing`` in CI).

Nothing here runs in the test suite; it exists so that a change which breaks the types users see
(a method that starts returning ``Any``, a renamed keyword, a model field that changes type) fails
type checking. ``assert_type`` pins what each call returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from typing_extensions import assert_type

from b3os_async import (
    B3OS,
    AgentRunFollower,
    AsyncPager,
    CaddieError,
    ChatEvent,
    ChatResult,
    ChatStream,
    KeysetPager,
    NotFoundError,
    Page,
    RateLimitError,
    RawEventStream,
    RawResponse,
    ReconnectInfo,
    RetryPolicy,
    Run,
    RunEvent,
    RunEventStream,
    RunHandle,
    RunStatus,
    ServerSentEvent,
    SSEDecoder,
    StreamTimeouts,
    Timeout,
    Workflow,
    WorkflowDefinition,
)
from b3os_async.models import (
    AgentArtifact,
    AgentRun,
    AgentRunEvent,
    AgentRunStarted,
    AgentRunState,
    AgentType,
    CaddieSession,
    ChatMessage,
    ChatSession,
    ConversationSnapshot,
    FundAnalysis,
    MetricsSummary,
    RemainingRuns,
    RunCreated,
    RunListItem,
    RunTxAttribution,
    SyncRunResult,
    TopError,
    ValidationResult,
    VariableDef,
    VariableWrite,
    WorkflowListItem,
    WorkflowMeta,
    WorkflowSchedule,
    WorkflowVariable,
)

DEFINITION = {"nodes": {"root": {"type": "manual", "payload": {}, "children": []}}}


def on_reconnect(info: ReconnectInfo) -> None:
    assert_type(info.attempt, int)
    assert_type(info.delay, float)


async def workflows(b3: B3OS) -> None:
    wf = await b3.workflows.create(name="n", description="d", definition=DEFINITION)
    assert_type(wf, Workflow)
    assert_type(wf.id, str)
    assert_type(wf.version, int | None)
    published = await b3.workflows.publish(wf.id, expected_version=1)
    assert_type(published, Workflow | None)
    check = await b3.workflows.validate(definition=DEFINITION)
    assert_type(check, ValidationResult)
    assert_type(check.valid, bool)
    pager = b3.workflows.list(q="alert", page_size=50, max_items=100)
    assert_type(pager, AsyncPager[WorkflowListItem])
    page = await pager.first_page()
    assert_type(page, Page[WorkflowListItem])
    async for item in pager:
        assert_type(item, WorkflowListItem)
    created = await b3.workflows.run(wf.id, payload={"x": 1})
    assert_type(created, RunCreated)
    assert_type(created.run_id, str)


async def runs(b3: B3OS) -> None:
    async for item in b3.runs.list(status=RunStatus.FAILURE):
        assert_type(item, RunListItem)
    run = await b3.runs.get("run_abc", summary=True)
    assert_type(run, Run)
    assert_type(run.status, RunStatus)
    assert_type(run.started_at, datetime | None)
    raw = await b3.with_raw_response(b3.runs.get("run_abc"))
    assert_type(raw, RawResponse[Run])
    assert_type(raw.meta.status, int)
    try:
        await b3.runs.cancel("run_abc")
    except NotFoundError as err:
        assert_type(err.status, int)
    except RateLimitError as err:
        assert_type(err.retry_after, float | None)


async def streams(b3: B3OS) -> None:
    tuned = b3.with_options(
        stream_timeouts=StreamTimeouts(idle=30.0),
        reconnect=RetryPolicy(max_attempts=5),
        on_reconnect=on_reconnect,
    )
    assert_type(tuned, B3OS)
    stream = tuned.runs.stream("run_abc", history=False)
    assert_type(stream, RunEventStream)
    async with stream:
        async for event in stream:
            assert_type(event, RunEvent)
            assert_type(event.type, str)
            assert_type(event.synthetic, bool)
    final = await b3.runs.stream("run_abc").until_complete()
    assert_type(final, Run)
    handle = b3.workflows.start("wf_1", payload={})
    _: RunHandle = assert_type(handle, RunHandle)
    async with handle as run:
        async for event in run.events():
            assert_type(event, RunEvent)
        assert_type(await run.wait(), Run)


async def escape_hatch(b3: B3OS) -> None:
    data = await b3.request("GET", "/v1/workflows/{}/schedule", "wf_1")
    assert_type(data, Any)
    raw = b3.stream("/v1/activity/stream")
    assert_type(raw, RawEventStream)
    async for sse in raw:
        assert_type(sse, ServerSentEvent)


def decoder() -> None:
    dec = SSEDecoder(last_event_id="7", max_event_size=1024)
    events = dec.feed(b"data: x\n\n")
    assert_type(events, list[ServerSentEvent])
    assert_type(events[0].retry, int | None)


def configuration() -> B3OS:
    return B3OS(
        api_key="b3sk_typing",
        base_url="http://127.0.0.1:8080",
        org_id="org_1",
        timeout=Timeout(total=30.0, connect=5.0),
        retry=RetryPolicy.no_wait(),
        max_connections=10,
        user_agent="typing/1.0",
    )


async def workflows_and_runs_the_rest(b3: B3OS) -> None:
    defined = await b3.workflows.variables.define("wf_1", "n", type="number", lifetime="persist")
    assert_type(defined, VariableDef)
    assert_type(await b3.workflows.variables.list("wf_1"), list[WorkflowVariable])
    assert_type(b3.workflows.variables.history("wf_1", "n"), AsyncPager[VariableWrite])
    assert_type(b3.runs.variable_writes("run_1"), AsyncPager[VariableWrite])
    assert_type(await b3.workflows.releases.create("wf_1"), dict[str, Any])
    assert_type(b3.workflows.releases.list("wf_1"), AsyncPager[dict[str, Any]])
    assert_type(await b3.workflows.schedule("wf_1"), WorkflowSchedule)
    assert_type(await b3.workflows.refill("wf_1", 5), RemainingRuns)
    assert_type(await b3.workflows.batch_meta(["wf_1"]), dict[str, WorkflowMeta])
    assert_type(await b3.workflows.analyze_funds("wf_1", version=2), FundAnalysis)
    start = datetime.now(timezone.utc) - timedelta(days=7)
    summary = await b3.metrics.summary(start=start, granularity="hourly")
    assert_type(summary, MetricsSummary)
    assert_type(await b3.metrics.top_errors(start=start, limit=5), list[TopError])
    assert_type(await b3.runs.run_sync(DEFINITION, payload={"a": 1}), SyncRunResult)
    assert_type(await b3.runs.tx_attribution(["0x1"]), dict[str, RunTxAttribution])


# -- area public: templates, public routes, external executions, x402 ---------------------------


async def public_area(b3: B3OS) -> None:
    from b3os_async.models import (
        ExecutionCreated,
        ExecutionEvent,
        ExternalExecutionStatus,
        PublicRun,
        Template,
        X402CallResult,
        X402ProbeResult,
    )
    from b3os_async.streams import ExecutionEventStream

    anon = B3OS.public(base_url="http://127.0.0.1:8080")
    assert_type(anon, B3OS)
    assert_type(await anon.public.run("run_1"), PublicRun)
    assert_type(await b3.templates.get("tpl_1"), Template)
    assert_type(b3.templates.list(tags=["defi"]), AsyncPager[Template])
    assert_type(await b3.templates.use("tpl_1", prop_values={"who": "ana"}), Workflow)
    assert_type(await b3.templates.by_source_workflow("wf_1"), Template | None)
    created = await b3.executions.create("wf_1", source_system="s", source_entity_type="e")
    assert_type(created, ExecutionCreated)
    assert_type(created.client_token, str | None)
    stream = b3.executions.stream(created.execution.id)
    assert_type(stream, ExecutionEventStream)
    async for event in stream:
        assert_type(event, ExecutionEvent)
        assert_type(event.status, ExternalExecutionStatus | None)
    assert_type(await b3.x402.probe("http://127.0.0.1/x"), X402ProbeResult)
    assert_type(await b3.x402.execute("http://127.0.0.1/x", "header"), X402CallResult)


async def caddie(b3: B3OS) -> None:
    async with b3.caddie.chat("every hour fetch the ETH price", mode="building") as chat:
        assert_type(chat, ChatStream)
        async for event in chat:
            assert_type(event, ChatEvent)
            assert_type(event.index, int | None)
            assert_type(event.text, str | None)
        result = await chat.result()
    assert_type(result, ChatResult)
    assert_type(result.definition, WorkflowDefinition | None)
    assert_type(result.incomplete_fields, tuple[str, ...])
    history = b3.caddie.history(conversation_id=chat.conversation_id, page_size=50)
    assert_type(history, KeysetPager[ChatMessage])
    async for message in history:
        assert_type(message.created_at, datetime | None)
    assert_type(b3.caddie.sessions(), AsyncPager[ChatSession])
    assert_type((await b3.caddie.preflight()).allowed, bool | None)
    assert_type(await b3.caddie.snapshot("c"), ConversationSnapshot)
    assert_type(await b3.caddie.issue_session("hi"), CaddieSession)
    assert_type(await b3.caddie.pulse(demo=True), Any)
    try:
        await b3.caddie.chat("x").result()
    except CaddieError as err:
        assert_type(err.request_id, str | None)


async def agent_runs(b3: B3OS) -> None:
    started = await b3.agent_runs.start("app-builder", "an app", payload={"k": 1})
    assert_type(started, AgentRunStarted)
    async with b3.agent_runs.follow(started.run_id, since=0) as follower:
        assert_type(follower, AgentRunFollower)
        async for row in follower:
            assert_type(row, AgentRunEvent)
            assert_type(row.seq, int)
    assert_type(follower.state, AgentRunState | None)
    assert_type(await b3.agent_runs.get(started.run_id, since=2), AgentRun)
    assert_type(await b3.agent_runs.agents(), tuple[AgentType, ...])
    assert_type(b3.agent_runs.artifacts("c"), AsyncPager[AgentArtifact])


async def catalog_areas(b3: B3OS) -> None:
    """Triggers, actions, connectors, search and tags."""
    from b3os_async.models import (
        ActionDefinition,
        ActionProxyResult,
        ActionTestResult,
        Connector,
        ConnectorType,
        CuCosts,
        NodeStatistics,
        OrgWebhookSecret,
        SearchResults,
        Tag,
        TriggerDefinition,
        WebhookEvent,
    )

    actions = await b3.actions.list(tags=["defi"])
    assert_type(actions, list[ActionDefinition])
    assert_type(actions[0].payload_schema, dict[str, Any] | None)
    tested = await b3.actions.test("echo", inputs={"a": 1})
    assert_type(tested, ActionTestResult)
    assert_type(tested.cu_cost, int | None)
    proxied = await b3.actions.execute("swap-tokens", payload={}, wallet_id="w_1")
    assert_type(proxied, ActionProxyResult)
    costs = await b3.actions.costs()
    assert_type(costs, CuCosts)
    assert_type(costs.cost("echo"), float | None)
    stats = await b3.actions.statistics()
    assert_type(stats, dict[str, NodeStatistics])
    triggers = await b3.triggers.list()
    assert_type(triggers, list[TriggerDefinition])
    secret = await b3.triggers.webhook_secret("org_1")
    assert_type(secret, OrgWebhookSecret)
    assert_type(b3.triggers.events(), AsyncPager[WebhookEvent])
    created = await b3.connectors.create(name="n", type="slack", data={"botToken": "x"})
    assert_type(created, Connector)
    assert_type(await b3.connectors.type("slack"), ConnectorType)
    assert_type(await b3.connectors.delete(created.id), None)
    assert_type(b3.connectors.mcp_servers(), AsyncPager[dict[str, Any]])
    assert_type(await b3.search.query("slack"), SearchResults)
    assert_type(b3.tags.list(), AsyncPager[Tag])
    assert_type(await b3.tags.categories(), list[str])
