"""Behaviour of ``b3.workflows`` beyond request shapes: refusals before I/O, generated run ids,
and what the methods return (shapes: ``tests/rows/workflows.py``)."""

from __future__ import annotations

import pytest
from support.mock_api import WORKFLOW, Api

from b3os_async import ConfigurationError, Workflow, WorkflowStatus
from b3os_async.models import RunCreated, ValidationResult


async def test_create_rejects_a_definition_of_the_wrong_type(api: Api) -> None:
    """A definition that is neither a model nor a dict is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="definition"):
        await b3.workflows.create(name="n", description="d", definition="nodes")  # type: ignore[arg-type]
    assert mock.calls == []


async def test_create_rejects_ui_metadata_that_is_not_a_dict(api: Api) -> None:
    """ui_metadata must be a dict; anything else is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="ui_metadata"):
        await b3.workflows.create(
            name="n",
            description="d",
            definition={"nodes": {}},
            ui_metadata=["positions"],  # type: ignore[arg-type]
        )
    assert mock.calls == []


@pytest.mark.parametrize("method_name", ["archive", "unarchive", "publish", "pause", "resume"])
async def test_lifecycle_answer_with_a_workflow_is_decoded(api: Api, method_name: str) -> None:
    """When the API answers a lifecycle call with the workflow, it is returned as a Workflow."""
    mock, b3 = api
    method = {"archive": "DELETE"}.get(method_name, "POST")
    path = "/v1/workflows/wf_1" + ("" if method_name == "archive" else f"/{method_name}")
    mock.reply(method, path, {**WORKFLOW, "status": "paused"})
    workflow = await getattr(b3.workflows, method_name)("wf_1")
    assert isinstance(workflow, Workflow)
    assert workflow.status is WorkflowStatus.PAUSED


async def test_archive_without_data_returns_none(api: Api) -> None:
    """An answer without a workflow (the documented untyped success) gives None."""
    mock, b3 = api
    mock.reply("DELETE", "/v1/workflows/wf_1", body={"code": 200, "message": "archived"})
    assert await b3.workflows.archive("wf_1") is None


async def test_validate_returns_problems_instead_of_raising(api: Api) -> None:
    """validate() reports an invalid definition in its result; nothing is raised."""
    mock, b3 = api
    mock.reply(
        "POST",
        "/v1/workflows/validate",
        {"valid": False, "errors": [{"type": "root", "message": "no trigger"}]},
    )
    result = await b3.workflows.validate({"nodes": {}})
    assert isinstance(result, ValidationResult)
    assert not result.valid
    assert result.errors[0].message == "no trigger"


async def test_run_generates_the_run_id_it_returns(api: Api) -> None:
    """Without run_id, run() sends a generated run_ id and returns it (an empty answer)."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/run", None)
    created = await b3.workflows.run("wf_1", payload={"x": 1})
    run_id = mock.last.body["runId"]
    assert run_id.startswith("run_")
    assert created == RunCreated(run_id=run_id)


async def test_run_rejects_an_invalid_run_id_before_sending(api: Api) -> None:
    """A run id without the run_ prefix is refused with no request made."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="run_"):
        await b3.workflows.run("wf_1", run_id="abc")
    assert mock.calls == []


async def test_run_rejects_a_payload_that_is_not_a_dict(api: Api) -> None:
    """payload must be a dict; a list is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="payload"):
        await b3.workflows.run("wf_1", payload=[1, 2])  # type: ignore[arg-type]
    assert mock.calls == []


async def test_versions_keeps_the_current_version_on_the_page(api: Api) -> None:
    """versions() pages Workflow items; the list's currentVersion is on page.extra."""
    mock, b3 = api
    mock.reply(
        "GET",
        "/v1/workflows/wf_1/versions",
        {"items": [WORKFLOW], "limit": 1, "offset": 0, "hasMore": False, "currentVersion": 2},
    )
    first = await b3.workflows.versions("wf_1", page_size=1).first_page()
    assert [w.version for w in first.items] == [2]
    assert first.extra["currentVersion"] == 2


@pytest.mark.parametrize("ids", [[], "wf_1", ["wf_1", "a,b"]])
async def test_stream_runs_many_refuses_bad_ids_before_connecting(
    api: Api, ids: list[str] | str
) -> None:
    """No ids, a single string, or an id with a comma is refused before any connection."""
    mock, b3 = api
    with pytest.raises(ConfigurationError):
        b3.workflows.stream_runs_many(ids)  # type: ignore[arg-type]
    assert mock.calls == []


async def test_start_refuses_an_invalid_run_id_before_connecting(api: Api) -> None:
    """workflows.start() with a bad run id raises at once; no stream is opened."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="run_"):
        b3.workflows.start("wf_1", run_id="nope")
    assert mock.calls == []
