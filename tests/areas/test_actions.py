"""``b3.actions`` against the emulator: catalog, test/run, the proxy, costs, faucet, statistics."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from area_helpers import sent

from b3os_async import (
    B3OS,
    BadRequestError,
    ConfigurationError,
    InsufficientCreditsError,
    InternalServerError,
    NotFoundError,
)
from b3os_async.models import (
    ActionDefinition,
    ActionTestError,
    ConnectorReference,
    NodeStatistics,
)
from b3os_async.testing import Emulator, Fault

NOW = datetime.now(timezone.utc)
TG = {"chatId": "42", "text": "hi"}


async def test_list_filters_by_every_tag(b3: B3OS) -> None:
    """list(tags=[...]) returns typed definitions carrying all the tags."""
    found = await b3.actions.list(tags=["defi", "blockchain"])
    assert all(isinstance(a, ActionDefinition) for a in found)
    assert {"swap-tokens", "bridge-tokens"} <= {a.type for a in found}
    assert all({"defi", "blockchain"} <= set(a.tags) for a in found)


async def test_get_keeps_the_schemas_as_data(b3: B3OS) -> None:
    """get() decodes the connector requirement and keeps payload_schema a dict."""
    action = await b3.actions.get("send-erc20-token")
    assert action.connector is not None
    assert action.connector.type == "wallet"
    assert action.payload_schema is not None
    assert action.payload_schema["required"] == ["chainId", "tokenAddress", "to", "amount"]
    assert action.test is not None
    assert action.test.enabled is False


async def test_get_of_an_unknown_type_is_not_found(b3: B3OS) -> None:
    """An unknown action type raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.actions.get("teleport")


async def test_logic_lists_the_logic_actions(b3: B3OS) -> None:
    """logic() returns the built-in logic actions."""
    assert sorted(a.type for a in await b3.actions.logic()) == ["delay", "if", "transform", "wait"]


async def test_test_reports_result_cost_and_time(b3: B3OS) -> None:
    """test() of echo succeeds with the inputs as result and its CU cost."""
    result = await b3.actions.test("echo", inputs={"v": [1, 2]})
    assert (result.success, result.result, result.cu_cost) == (True, {"v": [1, 2]}, 2)
    assert result.execution_time_ms is not None


async def test_a_failing_test_carries_its_error(b3: B3OS) -> None:
    """test() of a failing action returns success False and a typed error."""
    result = await b3.actions.test("fail", inputs={"message": "nope"})
    assert result.success is False
    assert result.error == ActionTestError(code="fail_action", message="nope")


async def test_inputs_that_fail_the_schema_raise_bad_request_with_details(b3: B3OS) -> None:
    """Missing inputs raise BadRequestError whose details name the fields."""
    with pytest.raises(BadRequestError) as caught:
        await b3.actions.test("slack-send-message", inputs={"channel": "C1"})
    assert caught.value.details == [{"field": "inputs.text", "message": "inputs.text is required"}]


async def test_unknown_action_test_is_not_found(b3: B3OS) -> None:
    """test() of an unknown type raises NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.actions.test("teleport", inputs={})


async def test_a_short_balance_raises_insufficient_credits_with_the_balance(
    emu: Emulator, b3: B3OS
) -> None:
    """With 1 CU left, test() raises InsufficientCreditsError whose details carry the balance."""
    emu.set_compute_units(emu.org_id, 1)
    with pytest.raises(InsufficientCreditsError) as caught:
        await b3.actions.test("echo", inputs={})
    assert caught.value.status == 402
    assert caught.value.details == [{"required": 2.0, "balance": 1.0}]


async def test_test_uses_the_given_connector(b3: B3OS) -> None:
    """A ConnectorReference of the right type lets a connector action be tested."""
    bot = await b3.connectors.create(
        name="bot", type="telegram-bot", data={"botToken": "123:" + "x" * 30}
    )
    ref = ConnectorReference(type="telegram-bot", id=bot.id)
    result = await b3.actions.test("send-telegram-message", inputs=TG, connector=ref)
    assert result.result == {"messageId": 4711, "chatId": "42"}


async def test_run_returns_the_result_and_duration(b3: B3OS) -> None:
    """run() of delay returns its result and a duration of at least the delay."""
    ran = await b3.actions.run("delay", inputs={"ms": 20})
    assert ran.result == {"ms": 20}
    assert ran.duration_ms is not None
    assert ran.duration_ms >= 20


async def test_a_failing_run_raises_with_the_actions_error(emu: Emulator, b3: B3OS) -> None:
    """run() of a failing action raises InternalServerError (502), sent once, never retried."""
    with pytest.raises(InternalServerError) as caught:
        await b3.actions.run("fail", inputs={"message": "x"})
    assert caught.value.status == 502
    assert caught.value.details == [{"code": "fail_action", "message": "x"}]
    assert sent(emu, "POST", "/v1/actions/fail/run") == 1


async def test_execute_is_never_retried(emu: Emulator, b3: B3OS) -> None:
    """execute() meeting a 503 raises at once: the proxy is asked exactly once."""
    path = "/v1/action-proxy/echo/execute"
    emu.faults.add(Fault.status(503), path=path, times=1)
    with pytest.raises(InternalServerError):
        await b3.actions.execute("echo", payload={}, wallet_id="w_1")
    assert sent(emu, "POST", path) == 1


async def test_query_is_retried_like_a_read(emu: Emulator, b3: B3OS) -> None:
    """query() meeting a 503 is retried and succeeds, without charging CU."""
    emu.set_compute_units(emu.org_id, 0)
    path = "/v1/action-proxy/echo/query"
    emu.faults.add(Fault.status(503), path=path, times=1)
    answer = await b3.actions.query("echo", payload={"q": 1})
    assert (answer.success, answer.result) == (True, {"q": 1})
    assert sent(emu, "POST", path) == 2


async def test_execute_charges_compute_units(emu: Emulator, b3: B3OS) -> None:
    """execute() of a 2-CU action with 3 CU passes once, then raises InsufficientCreditsError."""
    emu.set_compute_units(emu.org_id, 3)
    await b3.actions.execute("echo", payload={}, wallet_id="w_1")
    with pytest.raises(InsufficientCreditsError):
        await b3.actions.execute("echo", payload={}, wallet_id="w_1")


async def test_costs_look_up_a_type(b3: B3OS) -> None:
    """costs().cost(type) is the listed cost: an override, a default, a trigger."""
    costs = await b3.actions.costs()
    assert (costs.cost("http-request"), costs.cost("echo"), costs.cost("cronjob")) == (3, 2, 1)
    assert costs.cost("teleport") is None


async def test_claim_faucet_succeeds(b3: B3OS) -> None:
    """claim_faucet() returns success."""
    claim = await b3.actions.claim_faucet(tokens=["ETH"])
    assert claim.success is True


async def test_statistics_are_typed_by_node_type(b3: B3OS) -> None:
    """statistics() maps every node type to NodeStatistics, counting what ran."""
    await b3.actions.test("echo", inputs={})
    stats = await b3.actions.statistics()
    assert isinstance(stats["echo"], NodeStatistics)
    assert (stats["echo"].total_executions, stats["echo"].success_rate) == (1, 1.0)


async def test_usage_and_latency_series_cover_the_window(b3: B3OS) -> None:
    """usage() and latency() over the last hour see the executions just made."""
    for _ in range(3):
        await b3.actions.test("echo", inputs={})
    window = {"start": NOW - timedelta(hours=1), "end": NOW + timedelta(hours=1)}
    usage = await b3.actions.usage("action", "echo", **window)
    latency = await b3.actions.latency("echo", **window)
    assert sum(point.usage_count or 0 for point in usage.data) == 3
    assert latency.data
    assert latency.data[0].bucket_start is not None


async def test_naive_datetimes_are_refused_before_sending(emu: Emulator, b3: B3OS) -> None:
    """A window given as naive datetimes raises ConfigurationError; nothing is sent."""
    with pytest.raises(ConfigurationError):
        await b3.actions.usage("action", "echo", start=datetime(2025, 1, 1), end=NOW)
    assert sent(emu, "GET", "/v1/statistics/action/echo/usage") == 0
