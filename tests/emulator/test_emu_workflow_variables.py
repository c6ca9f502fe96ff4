"""Workflow variables in the emulator: definitions, lifetimes across runs, writes recorded."""

from __future__ import annotations

from typing import Any

from emu_helpers import Api, linear

V = "/v1/workflows/{}/variables"


async def workflow(api: Api, *steps: tuple[str, str, dict[str, Any]]) -> str:
    """A manual workflow running ``steps``; its id."""
    return str((await api.create(linear(*steps)))["id"])


async def define(api: Api, wf_id: str, name: str, **body: Any) -> dict[str, Any]:
    """PUT a variable definition and return the bare VariableDef."""
    async with api.session.put(V.format(wf_id) + f"/{name}", json=body) as response:
        assert response.status == 200, await response.text()
        return dict(await response.json())


async def variables(api: Api, wf_id: str) -> dict[str, dict[str, Any]]:
    """The bare list of variables, by name."""
    async with api.session.get(V.format(wf_id)) as response:
        assert response.status == 200
        return {item["def"]["name"]: item for item in (await response.json())["items"]}


async def run(api: Api, wf_id: str) -> dict[str, Any]:
    """Run the workflow and return the finished run."""
    started = await api.data("POST", f"/v1/workflows/{wf_id}/run", json={})
    return await api.emu.wait_for_run(started["runId"])


COUNT = ("count", "set-variable", {"name": "n", "increment": 1})


async def test_upsert_answers_the_bare_definition(api: Api) -> None:
    """PUT …/variables/{name} answers the VariableDef, no envelope."""
    wf_id = await workflow(api)
    body = {"type": "number", "lifetime": "persist", "default": 1, "description": "d"}
    defined = await define(api, wf_id, "n", **body)
    assert defined == {"name": "n", **body}


async def test_a_new_variable_has_no_value_yet(api: Api) -> None:
    """Listed before any write: hasValue false, version 0."""
    wf_id = await workflow(api)
    await define(api, wf_id, "n", type="number", lifetime="persist", default=0)
    item = (await variables(api, wf_id))["n"]
    assert (item["hasValue"], item["version"], "value" in item) == (False, 0, False)


async def test_a_persist_variable_carries_over_between_runs(api: Api) -> None:
    """Three runs incrementing a persist counter leave it at 3."""
    wf_id = await workflow(api, COUNT)
    await define(api, wf_id, "n", type="number", lifetime="persist", default=0)
    for _ in range(3):
        await run(api, wf_id)
    assert (await variables(api, wf_id))["n"]["value"] == 3


async def test_a_reset_variable_starts_each_run_at_its_default(api: Api) -> None:
    """Three runs incrementing a reset counter leave it at 1: each starts from 0."""
    wf_id = await workflow(api, COUNT)
    await define(api, wf_id, "n", type="number", lifetime="reset", default=0)
    for _ in range(3):
        last = await run(api, wf_id)
    assert last["executionState"]["count"]["result"] == {"name": "n", "value": 1, "previous": 0}
    assert (await variables(api, wf_id))["n"]["value"] == 1


async def test_nodes_read_variables_with_vars(api: Api) -> None:
    """{{$vars.greeting}} resolves to the variable's value (its default before any write)."""
    wf_id = await workflow(api, ("say", "echo", {"text": "{{$vars.greeting}}"}))
    await define(api, wf_id, "greeting", type="text", lifetime="persist", default="gm")
    done = await run(api, wf_id)
    assert done["executionState"]["say"]["result"] == {"text": "gm"}


async def test_a_value_of_the_wrong_type_fails_the_node(api: Api) -> None:
    """Writing text to a number variable fails the node with invalid_variable_value."""
    wf_id = await workflow(api, ("bad", "set-variable", {"name": "n", "value": "x"}))
    await define(api, wf_id, "n", type="number", lifetime="persist")
    done = await run(api, wf_id)
    assert done["executionState"]["bad"]["error"]["code"] == "invalid_variable_value"


async def test_an_undeclared_variable_fails_the_node(api: Api) -> None:
    """set-variable on a name never defined fails with unknown_variable."""
    wf_id = await workflow(api, ("bad", "set-variable", {"name": "nope", "value": 1}))
    done = await run(api, wf_id)
    assert done["executionState"]["bad"]["error"]["code"] == "unknown_variable"


async def test_append_adds_to_a_list_variable(api: Api) -> None:
    """append on a list variable adds the item at the end."""
    step = ("add", "set-variable", {"name": "seen", "append": "{{root.result.x}}"})
    wf_id = await workflow(api, step)
    await define(api, wf_id, "seen", type="list", lifetime="persist", default=[])
    for x in ("a", "b"):
        started = await api.data("POST", f"/v1/workflows/{wf_id}/run", json={"payload": {"x": x}})
        await api.emu.wait_for_run(started["runId"])
    assert (await variables(api, wf_id))["seen"]["value"] == ["a", "b"]


async def test_every_node_write_is_recorded_with_run_and_node(api: Api) -> None:
    """History (newest first) names the run, the node, old and new value, op set."""
    wf_id = await workflow(api, COUNT)
    await define(api, wf_id, "n", type="number", lifetime="persist", default=0)
    first, second = await run(api, wf_id), await run(api, wf_id)
    page = await api.data("GET", V.format(wf_id) + "/n/history")
    assert [(w["runId"], w["oldValue"], w["newValue"]) for w in page["items"]] == [
        (second["id"], 1, 2),
        (first["id"], 0, 1),
    ]
    assert {(w["op"], w["scope"], w["writtenByNode"]) for w in page["items"]} == {
        ("set", "workflow", "count")
    }


async def test_writes_of_a_reset_variable_have_run_scope(api: Api) -> None:
    """A node's write of a reset variable lasts for the run: scope run."""
    wf_id = await workflow(api, COUNT)
    await define(api, wf_id, "n", type="number", lifetime="reset", default=0)
    done = await run(api, wf_id)
    page = await api.data("GET", f"/v1/runs/{done['id']}/variable-writes")
    assert [w["scope"] for w in page["items"]] == ["run"]


async def test_run_variable_writes_are_in_the_order_they_happened(api: Api) -> None:
    """GET /v1/runs/{id}/variable-writes lists one run's writes oldest first."""
    steps = [COUNT, ("again", "set-variable", {"name": "n", "increment": 10})]
    wf_id = await workflow(api, *steps)
    await define(api, wf_id, "n", type="number", lifetime="persist", default=0)
    done = await run(api, wf_id)
    page = await api.data("GET", f"/v1/runs/{done['id']}/variable-writes")
    assert [(w["writtenByNode"], w["newValue"]) for w in page["items"]] == [
        ("count", 1),
        ("again", 11),
    ]


async def test_manual_set_and_reset_are_recorded(api: Api) -> None:
    """POST …/value and …/reset write manual_set and manual_reset (scope workflow)."""
    wf_id = await workflow(api)
    await define(api, wf_id, "n", type="number", lifetime="persist", default=5)
    await api.data("POST", V.format(wf_id) + "/n/value", json={"value": 9})
    reset = await api.data("POST", V.format(wf_id) + "/n/reset")
    assert reset["hasValue"] is False
    page = await api.data("GET", V.format(wf_id) + "/n/history")
    assert [(w["op"], w["newValue"]) for w in page["items"]] == [
        ("manual_reset", 5),
        ("manual_set", 9),
    ]


async def test_manual_set_checks_the_type(api: Api) -> None:
    """A value that does not fit the variable's type is a 400002."""
    wf_id = await workflow(api)
    await define(api, wf_id, "n", type="boolean", lifetime="persist")
    body = await api.call("POST", V.format(wf_id) + "/n/value", json={"value": 1}, expect=400)
    assert body["code"] == 400002


async def test_a_default_must_fit_the_type(api: Api) -> None:
    """PUT with a default of another type is refused (400002)."""
    wf_id = await workflow(api)
    body = {"type": "list", "lifetime": "persist", "default": {}}
    answer = await api.call("PUT", V.format(wf_id) + "/x", json=body, expect=400)
    assert answer["code"] == 400002


async def test_unknown_variables_are_404017(api: Api) -> None:
    """History, value, reset and delete of an unknown variable answer 404017."""
    wf_id = await workflow(api)
    for method, suffix in (("GET", "/x/history"), ("POST", "/x/reset"), ("DELETE", "/x")):
        body = await api.call(method, V.format(wf_id) + suffix, expect=404)
        assert body["code"] == 404017


async def test_deleting_drops_the_variable_from_the_workflow(api: Api) -> None:
    """After DELETE the variable is gone from the list and from variableDefs."""
    wf_id = await workflow(api)
    await define(api, wf_id, "n", type="number", lifetime="persist")
    assert [
        d["name"] for d in (await api.data("GET", f"/v1/workflows/{wf_id}"))["variableDefs"]
    ] == ["n"]
    await api.data("DELETE", V.format(wf_id) + "/n")
    assert await variables(api, wf_id) == {}
    assert "variableDefs" not in await api.data("GET", f"/v1/workflows/{wf_id}")


async def test_another_orgs_workflow_variables_are_404(api: Api) -> None:
    """Variables of another organization's workflow: 404002."""
    wf_id = await workflow(api)
    _, other = api.emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    body = await api.call("GET", V.format(wf_id), headers=headers, expect=404)
    assert body["code"] == 404002


async def test_variables_of_an_archived_workflow_cannot_change(api: Api) -> None:
    """Defining a variable on an archived workflow is a 409004."""
    wf_id = await workflow(api)
    await api.data("DELETE", f"/v1/workflows/{wf_id}")
    body = {"type": "number", "lifetime": "persist"}
    answer = await api.call("PUT", V.format(wf_id) + "/n", json=body, expect=409)
    assert answer["code"] == 409004


async def test_runs_of_inline_definitions_have_no_variables(api: Api) -> None:
    """An ephemeral run's set-variable node fails with no_variables."""
    done = await api.run(linear(("v", "set-variable", {"name": "n", "value": 1})))
    assert done["executionState"]["v"]["error"]["code"] == "no_variables"
