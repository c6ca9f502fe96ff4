"""Behaviour of ``b3.runs`` beyond request shapes: refusals before I/O, errors, and idempotent
run creation with client-generated run ids (shapes: ``tests/rows/runs.py``)."""

from __future__ import annotations

from datetime import datetime

import pytest
from support.mock_api import DEFINITION, DEFINITION_JSON, Api

from b3os_async import BadRequestError, ConfigurationError, ConflictError, Run, RunStatus
from b3os_async.models import RunCreated

DUPLICATE = {"code": 400079, "message": "duplicate run ID", "requestId": "r2"}
UNAVAILABLE = {"code": 503, "message": "try again", "requestId": "r1"}


async def test_get_refuses_a_single_string_as_node_ids(api: Api) -> None:
    """node_ids="abc" would become "a,b,c"; it is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="node_ids"):
        await b3.runs.get("run_1", node_ids="fetch")
    assert mock.calls == []


async def test_cancel_decodes_the_cancelled_run(api: Api) -> None:
    """cancel() returns the run the API answers, as a Run."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs/run_1/cancel", {"id": "run_1", "status": "cancelled"})
    run = await b3.runs.cancel("run_1")
    assert isinstance(run, Run)
    assert run.status is RunStatus.CANCELLED


async def test_cancel_conflict_is_raised(api: Api) -> None:
    """A 409 (run already ended) surfaces as ConflictError."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs/run_1/cancel", status=409, body={"code": 409, "message": "done"})
    with pytest.raises(ConflictError):
        await b3.runs.cancel("run_1")


async def test_create_generates_the_run_id_it_returns(api: Api) -> None:
    """Without run_id, create() sends a generated run_ id and returns it (an empty answer)."""
    mock, b3 = api
    mock.reply("POST", "/v1/runs", None)
    created = await b3.runs.create(DEFINITION)
    run_id = mock.last.body["runId"]
    assert run_id.startswith("run_")
    assert len(run_id) > len("run_")
    assert created == RunCreated(run_id=run_id)


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


async def test_status_counts_refuses_a_naive_datetime(api: Api) -> None:
    """A naive since is ambiguous and is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        await b3.runs.status_counts(since=datetime(2024, 5, 1))
    assert mock.calls == []
