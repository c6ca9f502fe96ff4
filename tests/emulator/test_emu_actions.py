"""The emulator's action area over raw HTTP: catalog, test/run, the action proxy, CU, faucet."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
from emu_helpers import Api, linear

if TYPE_CHECKING:
    import aiohttp

    from b3os_async.testing import Emulator

TG_INPUTS = {"chatId": "42", "text": "hi"}


async def _create_connector(api: Api, kind: str, data: dict[str, Any]) -> str:
    body = {"name": kind, "type": kind, "data": data}
    created: dict[str, Any] = await api.data("POST", "/v1/connectors", json=body)
    return str(created["id"])


async def test_tag_filter_keeps_actions_with_every_tag(api: Api) -> None:
    """?tags=a&tags=b lists only actions carrying both tags (AND), fewer than with one."""
    pairs = [("tags", "social"), ("tags", "notifications")]
    both = await api.data("GET", "/v1/actions", params=pairs)
    social = await api.data("GET", "/v1/actions", params={"tags": "social"})
    assert 0 < len(both) < len(social)
    assert all({"social", "notifications"} <= set(action["tags"]) for action in both)


async def test_comma_separated_tags_filter_like_repeated_ones(api: Api) -> None:
    """?tags=a,b answers the same actions as ?tags=a&tags=b."""
    joined = await api.data("GET", "/v1/actions", params={"tags": "defi,trading"})
    repeated = await api.data("GET", "/v1/actions", params=[("tags", "defi"), ("tags", "trading")])
    assert [a["type"] for a in joined] == [a["type"] for a in repeated] == ["swap-tokens"]


async def test_the_catalog_answers_without_a_token(
    emu: Emulator, session: aiohttp.ClientSession
) -> None:
    """GET /v1/actions/{type} is public: no Authorization header is needed."""
    async with session.get("/v1/actions/echo", headers={"Authorization": ""}) as response:
        assert response.status == 200
        assert (await response.json())["data"]["type"] == "echo"


async def test_a_wrong_token_on_a_public_route_is_still_refused(api: Api) -> None:
    """A token that is sent is checked, public route or not (401002)."""
    body = await api.call(
        "GET", "/v1/actions", expect=401, headers={"Authorization": "Bearer b3sk_wrong"}
    )
    assert body["code"] == 401002


async def test_unknown_action_type_is_404(api: Api) -> None:
    """GET /v1/actions/{unknown} answers 404 with code 404013."""
    body = await api.call("GET", "/v1/actions/teleport", expect=404)
    assert body["code"] == 404013


async def test_logic_actions_are_the_logic_entries(api: Api) -> None:
    """GET /v1/logic-actions lists if, wait, delay and transform, nothing else."""
    logic = await api.data("GET", "/v1/logic-actions")
    assert sorted(action["type"] for action in logic) == ["delay", "if", "transform", "wait"]


async def test_testing_echo_returns_its_inputs_and_cost(api: Api) -> None:
    """Testing echo succeeds with the inputs as result and reports the CU it cost."""
    data = await api.data("POST", "/v1/actions/echo/test", json={"inputs": {"n": 1}})
    assert (data["success"], data["result"], data["cuCost"]) == (True, {"n": 1}, 2)
    assert data["actionType"] == "echo"


async def test_each_test_draws_its_cost_until_the_balance_is_short(api: Api) -> None:
    """With 5 CU, two echo tests (2 CU each) pass and the third is a 402 showing 1 CU left."""
    api.emu.set_compute_units(api.emu.org_id, 5)
    for _ in range(2):
        await api.data("POST", "/v1/actions/echo/test", json={"inputs": {}})
    body = await api.call("POST", "/v1/actions/echo/test", json={"inputs": {}}, expect=402)
    assert body["code"] == 402001
    assert body["details"] == [{"required": 2.0, "balance": 1.0}]


async def test_a_402_runs_nothing(api: Api) -> None:
    """An action refused for want of CU is not executed (its statistics do not move)."""
    api.emu.set_compute_units(api.emu.org_id, 0)
    await api.call("POST", "/v1/actions/echo/test", json={"inputs": {}}, expect=402)
    stats = await api.data("GET", "/v1/statistics")
    assert stats["echo"]["totalExecutions"] == 0


async def test_missing_required_input_is_400_with_field_details(api: Api) -> None:
    """Inputs missing a required field answer 400008 naming every missing field."""
    body = await api.call(
        "POST", "/v1/actions/send-telegram-message/test", json={"inputs": {}}, expect=400
    )
    assert body["code"] == 400008
    assert [d["field"] for d in body["details"]] == ["inputs.chatId", "inputs.text"]


async def test_inputs_rejected_by_the_schema_cost_nothing(api: Api) -> None:
    """A 400 for bad inputs draws no CU (a balance of exactly one test still passes after)."""
    api.emu.set_compute_units(api.emu.org_id, 2)
    await api.call("POST", "/v1/actions/delay/test", json={"inputs": {"ms": "x"}}, expect=400)
    await api.data("POST", "/v1/actions/echo/test", json={"inputs": {}})


async def test_a_failing_action_tests_as_unsuccessful(api: Api) -> None:
    """Testing fail answers 200 with success false and the action's error."""
    data = await api.data("POST", "/v1/actions/fail/test", json={"inputs": {"message": "no"}})
    assert data["success"] is False
    assert data["error"] == {"code": "fail_action", "message": "no"}
    assert "result" not in data


@pytest.mark.slow
async def test_actions_that_move_funds_cannot_be_tested(api: Api) -> None:
    """Testing send-erc20-token is refused with its disabled reason (400002)."""
    body = await api.call(
        "POST", "/v1/actions/send-erc20-token/test", json={"inputs": {}}, expect=400
    )
    assert body["code"] == 400002
    assert "moves funds" in body["message"]


async def test_an_action_needing_a_connector_refuses_to_run_without(api: Api) -> None:
    """send-telegram-message without a connector is a 400 naming the connector type."""
    body = await api.call(
        "POST", "/v1/actions/send-telegram-message/test", json={"inputs": TG_INPUTS}, expect=400
    )
    assert "needs a 'telegram-bot' connector" in body["message"]


async def test_a_connector_of_another_type_is_refused(api: Api) -> None:
    """Testing with a slack connector where telegram-bot is needed is a 400."""
    slack = await _create_connector(api, "slack", {"botToken": "xoxb-1234567890"})
    body = {"inputs": TG_INPUTS, "connector": {"type": "slack", "id": slack}}
    refused = await api.call(
        "POST", "/v1/actions/send-telegram-message/test", json=body, expect=400
    )
    assert "is a 'slack' connector" in refused["message"]


async def test_an_unknown_connector_is_refused(api: Api) -> None:
    """Testing with a connector id the organization does not have is a 400."""
    body = {"inputs": TG_INPUTS, "connector": {"type": "telegram-bot", "id": "conn_nope"}}
    refused = await api.call(
        "POST", "/v1/actions/send-telegram-message/test", json=body, expect=400
    )
    assert "not found" in refused["message"]


async def test_a_simulated_action_answers_its_example_with_the_inputs(api: Api) -> None:
    """A catalog-only action answers its exampleOutput, fields it was given taken from inputs."""
    bot = await _create_connector(api, "telegram-bot", {"botToken": "123:" + "a" * 30})
    body = {"inputs": {"chatId": "777", "text": "x"}, "connector": {"id": bot}}
    data = await api.data("POST", "/v1/actions/send-telegram-message/test", json=body)
    assert data["result"] == {"messageId": 4711, "chatId": "777"}


async def test_run_answers_result_and_duration_bare(api: Api) -> None:
    """POST …/run answers {result, durationMs} without envelope."""
    body = await api.call("POST", "/v1/actions/delay/run", json={"inputs": {"ms": 30}})
    assert body["result"] == {"ms": 30}
    assert body["durationMs"] >= 30


async def test_run_of_a_failing_action_is_a_502(api: Api) -> None:
    """A failing action run is a 502 (502001) carrying the action's error in details."""
    body = await api.call("POST", "/v1/actions/fail/run", json={"inputs": {}}, expect=502)
    assert body["code"] == 502001
    assert body["details"] == [{"code": "fail_action", "message": "failed on purpose"}]


async def test_run_calls_loopback_for_real(api: Api) -> None:
    """http-request run against the emulator itself answers the real response."""
    inputs = {"url": f"{api.emu.url}/v1/cu/costs"}
    body = await api.call("POST", "/v1/actions/http-request/run", json={"inputs": inputs})
    assert body["result"]["status"] == 200
    assert body["result"]["body"]["data"]["defaults"]["builtIn"] == 2


async def test_wait_cannot_run_on_its_own(api: Api) -> None:
    """Running a wait node outside a run is a 502 saying it needs a run."""
    body = await api.call("POST", "/v1/actions/wait/run", json={"inputs": {}}, expect=502)
    assert body["details"][0]["code"] == "no_run"


async def test_execute_needs_a_wallet(api: Api) -> None:
    """The proxy's execute refuses a body without walletId (400002)."""
    body = await api.call("POST", "/v1/action-proxy/echo/execute", json={"payload": {}}, expect=400)
    assert body["code"] == 400002


async def test_execute_charges_and_query_does_not(api: Api) -> None:
    """With 2 CU, one query then one execute of a 2-CU action both pass; a second execute 402s."""
    api.emu.set_compute_units(api.emu.org_id, 2)
    payload = {"coinId": "bitcoin"}
    query = await api.data(
        "POST", "/v1/action-proxy/coingecko-get-token-price/query", json={"payload": payload}
    )
    assert query == {"success": True, "result": {**query["result"], "coinId": "bitcoin"}}
    body = {"payload": payload, "walletId": "w_1"}
    path = "/v1/action-proxy/coingecko-get-token-price/execute"
    await api.data("POST", path, json=body)
    await api.call("POST", path, json=body, expect=402)


async def test_query_refuses_actions_that_write(api: Api) -> None:
    """The proxy's query refuses an action that is not read-only."""
    body = await api.call(
        "POST", "/v1/action-proxy/swap-tokens/query", json={"payload": {}}, expect=400
    )
    assert "not read-only" in body["message"]


async def test_a_failed_proxy_execution_is_unsuccessful(api: Api) -> None:
    """A failing action through the proxy answers success false with the error as result."""
    body = {"payload": {"message": "stop"}, "walletId": "w_1"}
    data = await api.data("POST", "/v1/action-proxy/fail/execute", json=body)
    assert data == {
        "success": False,
        "result": {"error": {"code": "fail_action", "message": "stop"}},
    }


async def test_cost_table_matches_what_is_charged(api: Api) -> None:
    """The CU cost GET /v1/cu/costs lists for http-request is what testing it reports."""
    costs = await api.data("GET", "/v1/cu/costs")
    listed = {item["type"]: item for item in costs["actions"]["builtIn"]}["http-request"]
    inputs = {"url": f"{api.emu.url}/v1/cu/costs"}
    tested = await api.data("POST", "/v1/actions/http-request/test", json={"inputs": inputs})
    assert listed == {"type": "http-request", "cost": tested["cuCost"], "source": "override"}


async def test_faucet_claim_succeeds_bare(api: Api) -> None:
    """POST /v1/faucet/claim answers a bare {success: true}."""
    body = await api.call("POST", "/v1/faucet/claim", json={"tokens": ["ETH", "USDC"]})
    assert body == {"success": True}


async def test_faucet_refuses_unknown_tokens(api: Api) -> None:
    """A token the faucet does not send is a 400 listing it."""
    body = await api.call("POST", "/v1/faucet/claim", json={"tokens": ["DOGE"]}, expect=400)
    assert body["details"] == ["DOGE"]


async def test_workflow_runs_count_in_statistics(api: Api) -> None:
    """A run of root -> echo counts one manual trigger and one echo execution."""
    await api.run(linear(("say", "echo", {"x": 1})))
    stats = await api.data("GET", "/v1/statistics")
    assert stats["echo"]["totalExecutions"] == 1
    assert stats["manual"] == {
        "nodeId": "manual",
        "nodeType": "trigger",
        "totalExecutions": 1,
        "workflowsCount": 0,
    }


async def test_workflows_count_follows_the_current_versions(api: Api) -> None:
    """workflowsCount counts workflows using a type; archiving one takes it out."""
    kept = await api.create(linear(("a", "transform", {})))
    gone = await api.create(linear(("b", "transform", {})))
    await api.data("DELETE", f"/v1/workflows/{gone['id']}")
    stats = await api.data("GET", "/v1/statistics")
    assert kept["id"] != gone["id"]
    assert stats["transform"]["workflowsCount"] == 1


async def test_a_simulated_action_in_a_run_checks_its_payload(api: Api) -> None:
    """A catalog-only node whose payload misses a required field fails with invalid_payload."""
    run = await api.run(linear(("send", "send-email", {"to": "a@b.c"})))
    assert run["executionState"]["send"]["error"]["code"] == "invalid_payload"


async def test_latency_series_has_a_bucket_per_period_with_executions(api: Api) -> None:
    """After two echo tests, the hourly latency series has one bucket; usage counts 2."""
    for _ in range(2):
        await api.data("POST", "/v1/actions/echo/test", json={"inputs": {}})
    now_ms = int(time.time() * 1000)
    window = {"from": str(now_ms - 86_400_000), "to": str(now_ms + 1000), "granularity": "daily"}
    latency = await api.data("GET", "/v1/statistics/action/echo/latency", params=window)
    usage = await api.data("GET", "/v1/statistics/action/echo/usage", params=window)
    assert [len(latency["data"]), usage["data"][0]["usageCount"]] == [1, 2]


async def test_statistics_windows_are_validated(api: Api) -> None:
    """A window whose from is after its to is a 400."""
    params = {"from": "2000", "to": "1000", "granularity": "hourly"}
    body = await api.call("GET", "/v1/statistics/action/echo/latency", params=params, expect=400)
    assert body["code"] == 400004


async def test_every_engine_node_type_validates(api: Api) -> None:
    """send-webhook (served by the hooks worker) is a known type for validation too."""
    definition = linear(("hook", "send-webhook", {"url": "http://127.0.0.1:9/x"}))
    answer = await api.data("POST", "/v1/workflows/validate", json={"definition": definition})
    assert answer == {"valid": True, "errors": []}
