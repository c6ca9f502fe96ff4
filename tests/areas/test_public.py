"""``b3.public`` and ``B3OS.public()`` against the emulator: keyless access and visibility."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from area_helpers import DEFINITION, public_workflow
from support.scripted import Reply, ScriptedServer

from b3os_async import (
    B3OS,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
)
from b3os_async.models import ExternalExecutionStatus

if TYPE_CHECKING:
    from b3os_async.testing import Emulator


async def test_a_keyless_client_reads_a_public_run(b3: B3OS, anon: B3OS, emu: Emulator) -> None:
    """B3OS.public() reads a public workflow's run: node types and statuses, no results."""
    wf_id = await public_workflow(b3, "public_view")
    created = await b3.workflows.run(wf_id, payload={"n": 2})
    await emu.wait_for_run(created.run_id)
    run = await anon.public.run(created.run_id)
    assert (run.run_id, run.workflow_id, run.status) == (created.run_id, wf_id, "success")
    assert run.execution_state is not None
    assert run.execution_state["greet"].status == "success"
    assert run.nodes is not None
    assert run.nodes["root"].children == ("greet",)


@pytest.mark.parametrize("visibility", ["private", "org"])
async def test_a_non_public_workflow_does_not_exist_publicly(
    b3: B3OS, anon: B3OS, visibility: str
) -> None:
    """private and org workflows are NotFoundError on every public route."""
    wf_id = await public_workflow(b3, visibility)
    with pytest.raises(NotFoundError):
        await anon.public.workflow(wf_id)
    with pytest.raises(NotFoundError):
        await anon.public.workflow_meta(wf_id)


async def test_a_public_view_workflow_cannot_be_run(b3: B3OS, anon: B3OS) -> None:
    """Running a public_view workflow publicly is a PermissionDeniedError."""
    wf_id = await public_workflow(b3, "public_view")
    with pytest.raises(PermissionDeniedError):
        await anon.public.run_workflow(wf_id, payload={})


async def test_run_workflow_starts_a_run_listed_with_public_fields(
    b3: B3OS, anon: B3OS, emu: Emulator
) -> None:
    """A public run of a public_execute workflow appears in the public run list."""
    wf_id = await public_workflow(b3)
    created = await anon.public.run_workflow(wf_id, payload={"n": 5})
    assert created is not None
    await emu.wait_for_run(created.run_id)
    listed = [item async for item in anon.public.runs(wf_id)]
    assert [(item.id, item.status) for item in listed] == [(created.run_id, "success")]


async def test_run_by_tx_finds_the_run_its_transaction_triggered(
    b3: B3OS, anon: B3OS, emu: Emulator
) -> None:
    """The trigger payload's txHash finds the run (any case)."""
    wf_id = await public_workflow(b3, "public_view")
    created = await b3.workflows.run(wf_id, payload={"txHash": "0xAbC1"})
    await emu.wait_for_run(created.run_id)
    assert (await anon.public.run_by_tx("0xabc1")).run_id == created.run_id
    with pytest.raises(NotFoundError):
        await anon.public.run_by_tx("0xdead")


async def test_public_workflow_meta_and_version(b3: B3OS, anon: B3OS) -> None:
    """workflow() shows the live version (or version=), meta() only name and description."""
    wf_id = await public_workflow(b3)
    await b3.workflows.update(wf_id, description="draft text")
    live = await anon.public.workflow(wf_id)
    assert (live.version, live.description) == (1, "d")
    assert (await anon.public.workflow(wf_id, version=2)).description == "draft text"
    meta = await anon.public.workflow_meta(wf_id)
    assert (meta.workflow_id, meta.name) == (wf_id, "pub")


async def test_widget_is_found_only_when_enabled(b3: B3OS, anon: B3OS, emu: Emulator) -> None:
    """No widget is a NotFoundError; an enabled one is returned with the trigger's chain."""
    definition: dict[str, Any] = {
        "nodes": {"root": {"type": "manual", "payload": {"chainId": 8453}}},
    }
    wf_id = await public_workflow(b3, definition=definition)
    with pytest.raises(NotFoundError):
        await anon.public.widget(wf_id)
    workflow = emu._ctx.store.workflows.find(wf_id)  # the widget route belongs to another area
    assert workflow is not None
    workflow.widget = {"enabled": True, "title": "Tip", "minAmount": "1000"}
    widget = await anon.public.widget(wf_id)
    assert widget.widget is not None
    assert (widget.widget.title, widget.widget.min_amount, widget.widget.chain_id) == (
        "Tip",
        "1000",
        8453,
    )


async def test_b3_public_works_on_a_client_with_a_key(b3: B3OS) -> None:
    """b3.public is available on every client, not only keyless ones."""
    wf_id = await public_workflow(b3)
    assert (await b3.public.workflow_meta(wf_id)).name == "pub"


async def test_a_keyless_client_refuses_private_routes_before_any_request(
    anon: B3OS, emu: Emulator
) -> None:
    """Requests, pagers and streams of private routes raise ConfigurationError, sending nothing."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match="needs an API key"):
        await anon.workflows.get("wf_x")
    with pytest.raises(ConfigurationError, match="needs an API key"):
        await anon.runs.list().first_page()
    with pytest.raises(ConfigurationError, match="needs an API key"):
        await anon.templates.recommended()
    async with anon.executions.stream("exe_x") as stream:
        with pytest.raises(ConfigurationError, match="needs an API key"):
            await stream.__anext__()
    assert list(emu.requests) == []


async def test_keyless_client_sends_no_authorization_and_ignores_the_env(
    monkeypatch: pytest.MonkeyPatch, scripted: ScriptedServer
) -> None:
    """B3OS.public() ignores B3OS_API_KEY and sends no Authorization header."""
    meta = {"code": 200, "data": {"workflowId": "wf_1"}, "requestId": "r"}
    scripted.script("/v1/public/workflows/{id}/meta", Reply(200, meta), method="GET")
    monkeypatch.setenv("B3OS_API_KEY", "b3sk_from_the_environment_0000")
    async with B3OS.public(base_url=scripted.url) as anon:
        assert repr(anon).endswith("api_key='<none>', public=True)")
        await anon.public.workflow_meta("wf_1")
    assert [seen.headers.get("Authorization") for seen in scripted.requests] == [None]


async def test_public_execution_token_reads_status_and_timeline(
    b3: B3OS, anon: B3OS, emu: Emulator
) -> None:
    """A public execution is read with its client token; a wrong token is AuthenticationError."""
    wf_id = await public_workflow(b3)
    created = await anon.public.create_execution(
        wf_id, source_system="shop", source_entity_type="order", request_payload={"n": 3}
    )
    assert created.client_token is not None
    assert created.client_token not in repr(created)
    assert created.execution.run_id is not None
    await emu.wait_for_run(created.execution.run_id)
    execution = await anon.public.execution(created.execution.id, created.client_token)
    assert execution.status is ExternalExecutionStatus.WORKFLOW_SUCCEEDED
    assert [e.event_type for e in execution.events][:2] == ["workflow_queued", "workflow_running"]
    with pytest.raises(AuthenticationError):
        await anon.public.execution(created.execution.id, "ect_wrong")


async def test_the_client_token_never_shows_in_reprs_errors_or_logs(
    b3: B3OS, anon: B3OS, caplog: pytest.LogCaptureFixture
) -> None:
    """The token in ?token= is redacted in the stream's repr, its errors and the debug log."""
    wf_id = await public_workflow(b3)
    created = await anon.public.create_execution(
        wf_id, source_system="shop", source_entity_type="order"
    )
    secret = "ect_not_the_right_token_but_a_secret_all_the_same"
    caplog.set_level(logging.DEBUG, logger="b3os_async")
    stream = anon.public.stream_execution(created.execution.id, secret)
    async with stream:
        with pytest.raises(AuthenticationError) as caught:
            await stream.__anext__()
        shown = [repr(stream), str(caught.value), repr(caught.value), caplog.text]
    with pytest.raises(AuthenticationError) as again:
        await anon.public.execution(created.execution.id, secret)
    shown += [str(again.value), repr(again.value), caplog.text]
    assert "token=" in caplog.text  # the URLs were logged ...
    assert all(secret not in text for text in shown)  # ... without the token


async def test_public_run_of_an_unknown_workflow_is_not_found(anon: B3OS) -> None:
    """A workflow id that does not exist is NotFoundError, like a private one."""
    with pytest.raises(NotFoundError):
        await anon.public.run_workflow("wf_nope")


async def test_definition_is_public_for_public_view(b3: B3OS, anon: B3OS) -> None:
    """A public_view workflow shows its definition (node types and payloads)."""
    wf_id = await public_workflow(b3, "public_view")
    workflow = await anon.public.workflow(wf_id)
    assert workflow.definition is not None
    assert set(workflow.definition.nodes) == set(DEFINITION["nodes"])
