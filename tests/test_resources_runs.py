"""Request shapes of every ``b3.runs`` method, and idempotent run creation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from aioresponses import aioresponses
from mock_api import (  # the recording aioresponses wrapper, shared
    API,
    DEFINITION,
    DEFINITION_JSON,
    KEY,
    Api,
    MockAPI,
)

from b3os_async._client import B3OS
from b3os_async._errors import BadRequestError, ConfigurationError, ConflictError
from b3os_async._retry import RetryPolicy
from b3os_async.models import NodeResumeResult, Run, RunCreated, RunStatus, RunStatusCounts

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

RUN = {
    "id": "run_1",
    "status": "success",
    "executionState": {"root": {"type": "manual", "status": "success", "result": {}}},
}
DUPLICATE = {"code": 400079, "message": "duplicate run ID", "requestId": "r2"}
UNAVAILABLE = {"code": 503, "message": "try again", "requestId": "r1"}


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    """A real B3OS client on https://api.b3os.org whose network is aioresponses."""
    with aioresponses() as mock:
        async with B3OS(api_key=KEY, base_url=API, retry=RetryPolicy.no_wait()) as b3:
            yield MockAPI(mock), b3


async def test_list_sends_status_and_paging(api: Api) -> None:
    """list() is lazy and sends status, limit and offset."""
    mock, b3 = api
    mock.reply(
        "GET", "/v1/runs", {"items": [{"id": "run_1", "status": "failure"}], "hasMore": False}
    )
    pager = b3.runs.list(status="failure", page_size=20)
    assert mock.calls == []
    assert [r.id async for r in pager] == ["run_1"]
    assert (mock.last.method, mock.last.path) == ("GET", "/v1/runs")
    assert mock.last.query == {"status": ["failure"], "limit": ["20"], "offset": ["0"]}
    assert mock.last.headers["Authorization"] == f"Bearer {KEY}"


async def test_get_sends_summary_and_node_ids(api: Api) -> None:
    """get() sends summary=true and nodeIds as one comma-separated value."""
    mock, b3 = api
    mock.reply("GET", "/v1/runs/run_1", RUN)
    run = await b3.runs.get("run_1", summary=True, node_ids=["fetch", "send"])
    assert isinstance(run, Run)
    assert run.status is RunStatus.SUCCESS
    assert mock.last.query == {"summary": ["true"], "nodeIds": ["fetch,send"]}


async def test_get_without_options_sends_no_query(api: Api) -> None:
    """get() with no options has no query string, and the id is encoded as one segment."""
    mock, b3 = api
    mock.reply("GET", "/v1/runs/run%2F1", RUN)
    await b3.runs.get("run/1")
    assert (mock.last.path, mock.last.query) == ("/v1/runs/run%2F1", {})


async def test_get_refuses_a_single_string_as_node_ids(api: Api) -> None:
    """node_ids="abc" would become "a,b,c"; it is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="node_ids"):
        await b3.runs.get("run_1", node_ids="fetch")
    assert mock.calls == []


@pytest.mark.parametrize("action", ["cancel", "retry"])
async def test_cancel_and_retry_post_without_body(api: Api, action: str) -> None:
    """cancel()/retry() POST to their sub-path with no body and decode the returned Run."""
    mock, b3 = api
    mock.reply("POST", f"/v1/runs/run_1/{action}", {**RUN, "status": "cancelled"})
    run = await getattr(b3.runs, action)("run_1")
    assert run.status is RunStatus.CANCELLED
    assert (mock.last.method, mock.last.path, mock.last.body) == (
        "POST",
        f"/v1/runs/run_1/{action}",
        None,
    )


async def test_cancel_conflict_is_raised(api: Api) -> None:
    """A 409 (run already ended) surfaces as ConflictError."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs/run_1/cancel", status=409, body={"code": 409, "message": "done"})
    with pytest.raises(ConflictError):
        await b3.runs.cancel("run_1")


async def test_create_sends_definition_payload_props_and_generated_run_id(api: Api) -> None:
    """create() POSTs the inline definition with a client-generated run_ id."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs", None)
    created = await b3.runs.create(DEFINITION, payload={"x": 1}, prop_values={"p": "v"})
    body = mock.last.body
    assert body["runId"].startswith("run_")
    assert len(body["runId"]) > len("run_")
    assert created == RunCreated(run_id=body["runId"])
    assert body == {
        "runId": body["runId"],
        "definition": DEFINITION_JSON,
        "payload": {"x": 1},
        "propValues": {"p": "v"},
    }


async def test_create_generates_a_new_id_per_call(api: Api) -> None:
    """Two runs get two different run ids."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs", None)
    mock.reply("POST", "/v1/runs", None)
    first = await b3.runs.create(DEFINITION_JSON)
    second = await b3.runs.create(DEFINITION_JSON)
    assert first.run_id != second.run_id


@pytest.mark.parametrize("bad", ["abc", "RUN_1", "run_", "run_a/b"])
async def test_invalid_run_id_is_rejected_without_a_request(api: Api, bad: str) -> None:
    """A run id that is not run_ + safe characters raises ConfigurationError; nothing is sent."""
    mock, b3 = api
    with pytest.raises(ConfigurationError):
        await b3.runs.create(DEFINITION, run_id=bad)
    assert mock.calls == []


async def test_duplicate_on_a_retried_post_counts_as_success(api: Api) -> None:
    """503 then 400079: the first attempt created the run, so its id is returned."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs", status=503, body=UNAVAILABLE)
    mock.reply("POST", "/v1/runs", status=400, body=DUPLICATE)
    created = await b3.runs.create(DEFINITION, run_id="run_mine")
    assert created == RunCreated(run_id="run_mine")
    assert [call.body["runId"] for call in mock.calls] == ["run_mine", "run_mine"]


async def test_duplicate_on_a_retried_workflow_run_counts_as_success(api: Api) -> None:
    """The same rule holds for workflows.run(), with the generated id."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/run", status=503, body=UNAVAILABLE)
    mock.reply("POST", "/v1/workflows/wf_1/run", status=400, body=DUPLICATE)
    created = await b3.workflows.run("wf_1")
    first, second = (call.body["runId"] for call in mock.calls)
    assert first == second == created.run_id


async def test_duplicate_on_the_first_attempt_is_raised(api: Api) -> None:
    """400079 on the first attempt is a real reuse of the id and raises BadRequestError."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs", status=400, body=DUPLICATE)
    with pytest.raises(BadRequestError) as info:
        await b3.runs.create(DEFINITION, run_id="run_mine")
    assert (info.value.code, info.value.attempts) == (400079, 1)
    assert len(mock.calls) == 1


async def test_other_bad_request_after_retry_is_raised(api: Api) -> None:
    """A retried POST answered with a different 400 (invalid definition) is still an error."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs", status=503, body=UNAVAILABLE)
    mock.reply("POST", "/v1/runs", status=400, body={"code": 400228, "message": "bad def"})
    with pytest.raises(BadRequestError) as info:
        await b3.runs.create(DEFINITION)
    assert info.value.code == 400228


async def test_resume_node_sends_data_context_and_secret(api: Api) -> None:
    """resume_node() POSTs {data, forEachContext} with ?secret= when given."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs/run_1/nodes/wait%201/resume", {"action": "resumed"})
    context: dict[str, Any] = {"stack": [{"parentNodeId": "loop", "index": 1, "total": 3}]}
    result = await b3.runs.resume_node(
        "run_1", "wait 1", data={"approved": True}, for_each_context=context, secret="s3cr3t"
    )
    assert result == NodeResumeResult(action="resumed")
    assert mock.last.path == "/v1/runs/run_1/nodes/wait%201/resume"
    assert mock.last.query == {"secret": ["s3cr3t"]}
    assert mock.last.body == {"data": {"approved": True}, "forEachContext": context}


async def test_resume_node_without_secret_sends_no_query(api: Api) -> None:
    """Without secret there is no query string; data defaults to {}."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs/run_1/nodes/approve/resume", {"action": "skipped"})
    result = await b3.runs.resume_node("run_1", "approve")
    assert result.action == "skipped"
    assert (mock.last.query, mock.last.body) == ({}, {"data": {}})
    assert mock.last.headers["Authorization"] == f"Bearer {KEY}"


async def test_status_counts_sends_since_as_rfc3339(api: Api) -> None:
    """status_counts(since=...) sends the instant in UTC with a Z suffix."""
    mock, b3 = api
    mock.reply("GET", "/v1/runs/status-counts", {"total": 2, "failure": 2})
    since = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    counts = await b3.runs.status_counts(since=since)
    assert counts == RunStatusCounts(total=2, failure=2)
    assert mock.last.query == {"since": ["2024-05-01T10:00:00Z"]}


async def test_status_counts_without_since(api: Api) -> None:
    """Without since no query is sent."""
    mock, b3 = api
    mock.reply("GET", "/v1/runs/status-counts", {"total": 0})
    assert (await b3.runs.status_counts()).total == 0
    assert mock.last.query == {}


async def test_status_counts_refuses_a_naive_datetime(api: Api) -> None:
    """A naive since is ambiguous and is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        await b3.runs.status_counts(since=datetime(2024, 5, 1))
    assert mock.calls == []
