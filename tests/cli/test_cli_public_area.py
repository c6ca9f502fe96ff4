"""``b3os templates``, ``b3os executions watch`` and ``b3os x402 probe`` against an emulator."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest

from b3os_async import B3OS, RetryPolicy
from b3os_async.cli import main
from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

DEFINITION: dict[str, Any] = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["hi"]},
        "hi": {"type": "echo", "payload": {"who": "{{$props.who}}"}},
    },
}
PROPS = [{"key": "who", "type": "string", "required": True}]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """A local emulator for one test."""
    async with Emulator(seed=4, retry_ms=10) as emulator:
        yield emulator


@pytest.fixture
async def b3(emu: Emulator) -> AsyncIterator[B3OS]:
    """An SDK client for setting up state on the emulator."""
    async with B3OS(emu.api_key, base_url=emu.url, retry=RetryPolicy.no_wait()) as client:
        yield client


async def _main(emu: Emulator, *argv: str, key: bool = True) -> int:
    args = [*argv, "--base-url", emu.url, *(["--api-key", emu.api_key] if key else [])]
    return await asyncio.to_thread(main, args)


async def test_templates_list_shows_the_builtins(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``templates list --category promoted`` prints the built-in templates in a table."""
    assert await _main(emu, "templates", "list", "--category", "promoted") == 0
    out = capsys.readouterr().out
    assert "NAME" in out
    assert "Greeter" in out
    assert "Price alert" in out


async def test_templates_get_json_lists_the_props(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``templates get ID --json`` prints the template with its props in camelCase."""
    template = await b3.templates.create(
        name="Hi",
        description="",
        definition=DEFINITION,
        tags=[],
        visibility="org",
        template_props=PROPS,
    )
    assert await _main(emu, "templates", "get", template.id, "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["templateProps"][0]["key"] == "who"


async def test_templates_use_creates_a_workflow_with_props(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``templates use ID --prop who=ana`` creates a workflow recording the template."""
    template = await b3.templates.create(
        name="Hi",
        description="",
        definition=DEFINITION,
        tags=[],
        visibility="org",
        template_props=PROPS,
    )
    assert await _main(emu, "templates", "use", template.id, "--prop", "who=ana", "--json") == 0
    made = json.loads(capsys.readouterr().out)
    assert made["sourceTemplateId"] == template.id
    run = await b3.workflows.run(made["id"])
    state = (await emu.wait_for_run(run.run_id))["executionState"]
    assert state["hi"]["result"] == {"who": "ana"}


async def test_templates_use_without_a_required_prop_fails_with_a_usage_error(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing required prop is one ``error:`` line and exit code 2."""
    template = await b3.templates.create(
        name="Hi",
        description="",
        definition=DEFINITION,
        tags=[],
        visibility="org",
        template_props=PROPS,
    )
    assert await _main(emu, "templates", "use", template.id) == 2
    assert "error: template" in capsys.readouterr().err


async def test_executions_watch_follows_an_execution_to_its_end(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """``executions watch ID`` prints each event and exits 0 after workflow_succeeded."""
    wf = await b3.workflows.create(name="w", description="", definition=DEFINITION)
    created = await b3.executions.create(wf.id, source_system="cli", source_entity_type="t")
    assert await _main(emu, "executions", "watch", created.execution.id) == 0
    out = capsys.readouterr().out
    assert "workflow_queued" in out
    assert "finished: workflow_succeeded" in out


async def test_executions_watch_with_a_token_needs_no_key(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--token`` follows a public execution without an API key and never prints the token."""
    monkeypatch.delenv("B3OS_API_KEY", raising=False)
    wf = await b3.workflows.create(name="w", description="", definition=DEFINITION)
    await b3.workflows.set_visibility(wf.id, "public_execute")
    created = await b3.public.create_execution(wf.id, source_system="w", source_entity_type="t")
    token = created.client_token
    assert token is not None
    argv = ["executions", "watch", created.execution.id, "--token", token, "--json"]
    assert await _main(emu, *argv, key=False) == 0
    captured = capsys.readouterr()
    events = [json.loads(line) for line in captured.out.splitlines()]
    assert events[-1]["type"] == "workflow_succeeded"
    assert token not in captured.out + captured.err


async def test_executions_watch_exits_1_when_the_execution_fails(
    emu: Emulator, b3: B3OS, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failed execution ends the watch with exit code 1 and one error line."""
    failing = {"nodes": {"root": {"type": "manual", "children": ["x"]}, "x": {"type": "fail"}}}
    wf = await b3.workflows.create(name="w", description="", definition=failing)
    created = await b3.executions.create(wf.id, source_system="cli", source_entity_type="t")
    assert await _main(emu, "executions", "watch", created.execution.id) == 1
    assert "ended with status workflow_failed" in capsys.readouterr().err


async def test_x402_probe_prints_the_price(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """``x402 probe URL`` prints the price, token and network of the demo resource."""
    assert await _main(emu, "x402", "probe", emu.x402.resource_url()) == 0
    out = capsys.readouterr().out
    assert "price: 1000 base units of USDC on base-sepolia" in out


async def test_x402_probe_of_an_unpaid_url_exits_1(
    emu: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A URL that asks no payment is an error line and exit code 1."""
    assert await _main(emu, "x402", "probe", emu.url + "/v1/x402-demo/none", "--method", "GET") == 1
    assert "asks for no x402 payment" in capsys.readouterr().err
