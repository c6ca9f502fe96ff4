"""The emulator's catalog data and its schema checker (no server)."""

from __future__ import annotations

import re

import pytest
from support.openapi import document

from b3os_async.testing import _catalog
from b3os_async.testing._catalog.tags import tag_rows
from b3os_async.testing._schema import problems

ENTITY = "github_com_b3-fun_b3-mono_services_b3os-workflow_internal_pkg_entity."
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
ACTIONS = _catalog.entries("action")


def test_the_catalog_holds_a_few_dozen_actions() -> None:
    """There are at least 30 actions, 15 triggers and 10 connector types."""
    counts = [len(_catalog.entries(kind)) for kind in _catalog.KINDS]
    assert counts[0] >= 30
    assert counts[1] >= 15
    assert counts[2] >= 10


def test_action_types_are_lowercase_slugs() -> None:
    """Every action type matches ^[a-z0-9][a-z0-9-]*$ (the API's pattern)."""
    assert [e.type for e in ACTIONS if not SLUG.fullmatch(e.type)] == []


def test_trigger_types_are_workflow_types_of_the_openapi() -> None:
    """Every trigger type is a value of the OpenAPI's WorkflowType enum."""
    allowed = set(document()["components"]["schemas"][ENTITY + "WorkflowType"]["enum"])
    assert [e.type for e in _catalog.entries("trigger") if e.type not in allowed] == []


def test_every_tag_used_is_in_the_tag_table() -> None:
    """Tags carried by entries are exactly the tags listed."""
    used = {
        tag for kind in _catalog.KINDS for entry in _catalog.entries(kind) for tag in entry.tags
    }
    assert used == {row["slug"] for row in tag_rows()}


@pytest.mark.parametrize("entry", ACTIONS, ids=[e.type for e in ACTIONS])
def test_example_input_satisfies_the_payload_schema(entry: _catalog.Entry) -> None:
    """Each action's exampleInput is valid for its own payloadSchema."""
    definition = entry.definition
    assert problems(definition["payloadSchema"], definition["exampleInput"]) == []


def test_required_connector_types_exist() -> None:
    """Every connector an action or trigger requires is a connector type of the catalog."""
    needed = {
        (entry.definition.get("connector") or {}).get("type")
        for kind in ("action", "trigger")
        for entry in _catalog.entries(kind)
    } - {None}
    assert needed <= {entry.type for entry in _catalog.entries("connector_type")}


def test_only_engine_actions_are_executable() -> None:
    """The executable actions are exactly those the engine runs itself."""
    executable = {entry.type for entry in ACTIONS if entry.executable}
    assert executable == {
        "echo", "transform", "if", "delay", "wait", "fail", "http-request", "send-webhook",
        "set-variable",  # an extra action of the engine (testing/_variable_action.py)
    }  # fmt: skip


def test_lookup_finds_by_kind_and_type() -> None:
    """lookup() finds an entry of the right kind only."""
    entry = _catalog.lookup("action", "swap-tokens")
    assert entry is not None
    assert entry.kind == "action"
    assert _catalog.lookup("trigger", "swap-tokens") is None


def test_accessors_hand_out_copies() -> None:
    """Changing what actions() returned does not change the catalog."""
    first = _catalog.actions()
    first[0]["name"] = "changed"
    assert _catalog.actions()[0]["name"] != "changed"


def test_cost_table_lists_each_action_once_at_its_charge() -> None:
    """Every action appears once in the cost table, at the cost cu_cost() charges."""
    table = _catalog.cost_table()["actions"]
    items = [item for group in table.values() for item in group]
    assert sorted(item["type"] for item in items) == sorted(e.type for e in ACTIONS)
    assert all(item["cost"] == _catalog.cu_cost("action", item["type"]) for item in items)


def test_simulation_takes_matching_fields_from_the_payload() -> None:
    """A simulated result keeps the example's fields, replaced by payload fields of same type."""
    entry = _catalog.lookup("action", "coingecko-get-token-price")
    assert entry is not None
    result = _catalog.simulate(entry, {"coinId": "bitcoin", "price": "not a number"})
    assert (result["coinId"], result["price"]) == ("bitcoin", 3512.41)


def test_schema_problems_name_missing_fields() -> None:
    """A missing required field is reported with its path."""
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    assert problems(schema, {}, "inputs") == [
        {"field": "inputs.a", "message": "inputs.a is required"}
    ]


def test_schema_problems_never_quote_the_value() -> None:
    """A value failing its pattern is not repeated in the message."""
    schema = {"type": "object", "properties": {"key": {"type": "string", "pattern": "^sk-"}}}
    [problem] = problems(schema, {"key": "hunter2-secret"})
    assert "hunter2" not in problem["message"]


def test_schema_booleans_are_not_integers() -> None:
    """true is not an integer for the checker (as in JSON Schema)."""
    assert problems({"type": "integer"}, True) == [
        {"field": "<value>", "message": "value must be an integer"}
    ]


def test_schema_checks_array_items_with_their_index() -> None:
    """A bad array item is reported with its index."""
    schema = {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
    assert problems(schema, ["a", "z"], "tokens") == [
        {"field": "tokens[1]", "message": "tokens[1] must be one of a, b"}
    ]
