"""Request shapes of every ``b3.workflows`` method (aioresponses), and what they return."""

from __future__ import annotations

import pytest
from mock_api import DEFINITION, DEFINITION_JSON, KEY, WORKFLOW, Api

from b3os_async._errors import ConfigurationError
from b3os_async.models import (
    RunCreated,
    RunStatus,
    ValidationResult,
    Workflow,
    WorkflowRunCounts,
    WorkflowStatus,
    WorkflowVersionCount,
    WorkflowVisibility,
    WorkflowVisibilityUpdate,
)

# -- listing -----------------------------------------------------------------------------------


async def test_list_sends_filters_and_paging(api: Api) -> None:
    """list() sends every filter (lists repeated) plus limit/offset, and yields list items."""
    mock, b3 = api
    mock.reply("GET", "/v1/workflows", {"items": [WORKFLOW], "hasMore": False})
    pager = b3.workflows.list(
        q="alert",
        status=WorkflowStatus.ACTIVE,
        type="cronjob",
        actions=["echo", "delay"],
        connectors=["wallet"],
        sort="name:asc",
        owner="org",
        made_by_me=True,
        page_size=10,
    )
    assert mock.calls == []  # lazy
    items = [item async for item in pager]
    assert [i.id for i in items] == ["wf_1"]
    assert mock.last.method == "GET"
    assert mock.last.path == "/v1/workflows"
    # (aioresponses sorts the query pairs it records, so repeated values show up sorted)
    assert mock.last.query == {
        "q": ["alert"],
        "status": ["active"],
        "type": ["cronjob"],
        "actions": ["delay", "echo"],
        "connectors": ["wallet"],
        "sort": ["name:asc"],
        "owner": ["org"],
        "madeByMe": ["true"],
        "limit": ["10"],
        "offset": ["0"],
    }
    assert mock.last.headers["Authorization"] == f"Bearer {KEY}"


async def test_list_without_filters_sends_only_the_offset(api: Api) -> None:
    """Unset filters are not sent at all."""
    mock, b3 = api
    mock.reply("GET", "/v1/workflows", {"items": [], "hasMore": False})
    await b3.workflows.list().first_page()
    assert mock.last.query == {"offset": ["0"]}


# -- create / read / update / archive ----------------------------------------------------------


async def test_create_sends_a_camel_case_body(api: Api) -> None:
    """create() POSTs name, description, the encoded definition and the optional settings."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows", WORKFLOW)
    workflow = await b3.workflows.create(
        name="Alert",
        description="d",
        definition=DEFINITION,
        cooldown_ms=500,
        max_runs=3,
        ui_metadata={"nodePositions": {}},
        template_id="tpl_1",
    )
    assert isinstance(workflow, Workflow)
    assert workflow.status is WorkflowStatus.DRAFT
    assert (mock.last.method, mock.last.path) == ("POST", "/v1/workflows")
    assert mock.last.body == {
        "name": "Alert",
        "description": "d",
        "definition": DEFINITION_JSON,
        "cooldownMs": 500,
        "maxRuns": 3,
        "uiMetadata": {"nodePositions": {}},
        "templateId": "tpl_1",
    }
    assert mock.last.headers["Content-Type"] == "application/json"


async def test_create_accepts_a_plain_dict_definition(api: Api) -> None:
    """A dict definition is sent unchanged; unset options are omitted."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows", WORKFLOW)
    await b3.workflows.create(name="n", description="d", definition=DEFINITION_JSON)
    assert mock.last.body == {"name": "n", "description": "d", "definition": DEFINITION_JSON}


async def test_create_rejects_a_definition_of_the_wrong_type(api: Api) -> None:
    """A definition that is neither a model nor a dict is refused before any request."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="definition"):
        await b3.workflows.create(name="n", description="d", definition="nodes")  # type: ignore[arg-type]
    assert mock.calls == []


async def test_get_encodes_the_id_as_one_segment(api: Api) -> None:
    """get() GETs /v1/workflows/{id} with the id percent-encoded."""
    mock, b3 = api
    mock.reply("GET", "/v1/workflows/wf%2F..%2Fadmin", WORKFLOW)
    workflow = await b3.workflows.get("wf/../admin")
    assert workflow.id == "wf_1"
    assert (mock.last.method, mock.last.path, mock.last.body) == (
        "GET",
        "/v1/workflows/wf%2F..%2Fadmin",
        None,
    )


async def test_update_sends_only_given_fields_and_the_version_lock(api: Api) -> None:
    """update() PUTs the changed fields plus expectedCurrentVersion."""
    mock, b3 = api
    mock.reply("PUT", "/v1/workflows/wf_1", {**WORKFLOW, "version": 3})
    workflow = await b3.workflows.update(
        "wf_1", description="new", definition=DEFINITION, expected_current_version=2
    )
    assert workflow.version == 3
    assert (mock.last.method, mock.last.path) == ("PUT", "/v1/workflows/wf_1")
    assert mock.last.body == {
        "description": "new",
        "definition": DEFINITION_JSON,
        "expectedCurrentVersion": 2,
    }


async def test_archive_is_a_delete(api: Api) -> None:
    """archive() sends DELETE /v1/workflows/{id} without a body."""
    mock, b3 = api
    mock.reply("DELETE", "/v1/workflows/wf_1", {**WORKFLOW, "status": "archived"})
    workflow = await b3.workflows.archive("wf_1")
    assert workflow is not None
    assert workflow.status is WorkflowStatus.ARCHIVED
    assert (mock.last.method, mock.last.path, mock.last.body) == (
        "DELETE",
        "/v1/workflows/wf_1",
        None,
    )


async def test_archive_without_data_returns_none(api: Api) -> None:
    """An answer without a workflow (the documented untyped success) gives None."""
    mock, b3 = api
    mock.reply("DELETE", "/v1/workflows/wf_1", body={"code": 200, "message": "archived"})
    assert await b3.workflows.archive("wf_1") is None


@pytest.mark.parametrize(
    ("method_name", "path"),
    [
        ("unarchive", "/v1/workflows/wf_1/unarchive"),
        ("pause", "/v1/workflows/wf_1/pause"),
        ("resume", "/v1/workflows/wf_1/resume"),
    ],
)
async def test_lifecycle_posts_send_an_empty_object(api: Api, method_name: str, path: str) -> None:
    """unarchive/pause/resume POST {} and return the workflow when the API sends it."""
    mock, b3 = api
    mock.reply("POST", path, WORKFLOW)
    workflow = await getattr(b3.workflows, method_name)("wf_1")
    assert isinstance(workflow, Workflow)
    assert (mock.last.method, mock.last.path, mock.last.body) == ("POST", path, {})


async def test_validate_posts_definition_and_name(api: Api) -> None:
    """validate() POSTs {definition, name} and returns the result (problems are not raised)."""
    mock, b3 = api
    mock.reply(
        "POST",
        "/v1/workflows/validate",
        {"valid": False, "errors": [{"type": "root", "message": "no trigger"}]},
    )
    result = await b3.workflows.validate(DEFINITION)
    assert isinstance(result, ValidationResult)
    assert not result.valid
    assert result.errors[0].message == "no trigger"
    assert mock.last.body == {"definition": DEFINITION_JSON, "name": "Untitled"}


# -- lifecycle ---------------------------------------------------------------------------------


async def test_publish_sends_the_expected_version(api: Api) -> None:
    """publish() POSTs {expectedVersion} when given."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/publish", {**WORKFLOW, "status": "active"})
    workflow = await b3.workflows.publish("wf_1", expected_version=2)
    assert workflow is not None
    assert workflow.status is WorkflowStatus.ACTIVE
    assert mock.last.body == {"expectedVersion": 2}


async def test_publish_without_lock_sends_an_empty_object(api: Api) -> None:
    """publish() without expected_version POSTs {}."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/publish", None)
    assert await b3.workflows.publish("wf_1") is None
    assert mock.last.body == {}


async def test_rollback_sends_target_and_lock(api: Api) -> None:
    """rollback() POSTs targetVersion and expectedCurrentVersion."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/rollback", {**WORKFLOW, "version": 5})
    workflow = await b3.workflows.rollback("wf_1", target_version=1, expected_current_version=4)
    assert workflow.version == 5
    assert mock.last.body == {"targetVersion": 1, "expectedCurrentVersion": 4}


async def test_rollback_without_lock_sends_only_the_target(api: Api) -> None:
    """rollback() omits expectedCurrentVersion when not given."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/rollback", WORKFLOW)
    await b3.workflows.rollback("wf_1", target_version=1)
    assert mock.last.body == {"targetVersion": 1}


async def test_discard_draft_deletes_the_draft(api: Api) -> None:
    """discard_draft() sends DELETE /v1/workflows/{id}/draft."""
    mock, b3 = api
    mock.reply("DELETE", "/v1/workflows/wf_1/draft", WORKFLOW)
    await b3.workflows.discard_draft("wf_1")
    assert (mock.last.method, mock.last.path, mock.last.body) == (
        "DELETE",
        "/v1/workflows/wf_1/draft",
        None,
    )


@pytest.mark.parametrize(
    ("method_name", "path"),
    [("get_draft", "/v1/workflows/wf_1/draft"), ("get_live", "/v1/workflows/wf_1/live")],
)
async def test_get_draft_and_live(api: Api, method_name: str, path: str) -> None:
    """get_draft()/get_live() GET their sub-resource and decode a Workflow."""
    mock, b3 = api
    mock.reply("GET", path, WORKFLOW)
    workflow = await getattr(b3.workflows, method_name)("wf_1")
    assert workflow.id == "wf_1"
    assert (mock.last.method, mock.last.path) == ("GET", path)


async def test_set_visibility_puts_the_value(api: Api) -> None:
    """set_visibility() PUTs {visibility} and returns {id, visibility}."""
    mock, b3 = api
    mock.reply("PUT", "/v1/workflows/wf_1/visibility", {"id": "wf_1", "visibility": "org"})
    result = await b3.workflows.set_visibility("wf_1", WorkflowVisibility.ORG)
    assert result == WorkflowVisibilityUpdate(id="wf_1", visibility=WorkflowVisibility.ORG)
    assert (mock.last.method, mock.last.body) == ("PUT", {"visibility": "org"})


# -- running -----------------------------------------------------------------------------------


async def test_run_generates_and_sends_a_run_id(api: Api) -> None:
    """run() sends a client-generated run_ id with the options and returns it."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/run", None)
    created = await b3.workflows.run(
        "wf_1", payload={"x": 1}, version=2, simulate=True, trigger_node_id="root"
    )
    body = mock.last.body
    assert body["runId"].startswith("run_")
    assert created == RunCreated(run_id=body["runId"])
    assert body == {
        "runId": body["runId"],
        "payload": {"x": 1},
        "version": 2,
        "simulate": True,
        "triggerNodeId": "root",
    }


async def test_run_with_own_id_and_dust_test(api: Api) -> None:
    """A given run id is sent as is; the server's runId is returned."""
    mock, b3 = api
    mock.reply("POST", "/v1/workflows/wf_1/run", {"runId": "run_mine"})
    created = await b3.workflows.run("wf_1", run_id="run_mine", dust_test=True)
    assert created.run_id == "run_mine"
    assert mock.last.body == {"runId": "run_mine", "dustTest": True}


async def test_run_rejects_an_invalid_run_id_before_sending(api: Api) -> None:
    """A run id without the run_ prefix is refused with no request made."""
    mock, b3 = api
    with pytest.raises(ConfigurationError, match="run_"):
        await b3.workflows.run("wf_1", run_id="abc")
    assert mock.calls == []


async def test_runs_pages_with_status_filter(api: Api) -> None:
    """runs() lists a workflow's runs with the status filter, lazily."""
    mock, b3 = api
    mock.reply(
        "GET",
        "/v1/workflows/wf_1/runs",
        {"items": [{"id": "run_1", "status": "failure"}], "hasMore": False},
    )
    pager = b3.workflows.runs("wf_1", status=RunStatus.FAILURE, page_size=5, max_items=1)
    assert mock.calls == []
    assert [r.status async for r in pager] == [RunStatus.FAILURE]
    assert mock.last.query == {"status": ["failure"], "limit": ["5"], "offset": ["0"]}


async def test_run_counts(api: Api) -> None:
    """run_counts() GETs /runs/count and decodes WorkflowRunCounts."""
    mock, b3 = api
    mock.reply("GET", "/v1/workflows/wf_1/runs/count", {"total": 4, "success": 4})
    counts = await b3.workflows.run_counts("wf_1")
    assert counts == WorkflowRunCounts(total=4, success=4)
    assert (mock.last.method, mock.last.path) == ("GET", "/v1/workflows/wf_1/runs/count")


# -- versions ----------------------------------------------------------------------------------


async def test_versions_pages_and_keeps_current_version(api: Api) -> None:
    """versions() is a pager of Workflow; currentVersion is on page.extra."""
    mock, b3 = api
    mock.reply(
        "GET",
        "/v1/workflows/wf_1/versions",
        {"items": [WORKFLOW], "limit": 1, "offset": 0, "hasMore": False, "currentVersion": 2},
    )
    first = await b3.workflows.versions("wf_1", page_size=1).first_page()
    assert [w.version for w in first.items] == [2]
    assert first.extra["currentVersion"] == 2
    assert mock.last.query == {"limit": ["1"], "offset": ["0"]}


async def test_versions_count(api: Api) -> None:
    """versions_count() GETs /versions/count."""
    mock, b3 = api
    mock.reply("GET", "/v1/workflows/wf_1/versions/count", {"total": 3})
    assert await b3.workflows.versions_count("wf_1") == WorkflowVersionCount(total=3)


async def test_get_version_puts_the_number_in_the_path(api: Api) -> None:
    """get_version() GETs /versions/{n}."""
    mock, b3 = api
    mock.reply("GET", "/v1/workflows/wf_1/versions/1", {**WORKFLOW, "version": 1})
    assert (await b3.workflows.get_version("wf_1", 1)).version == 1
    assert mock.last.path == "/v1/workflows/wf_1/versions/1"
