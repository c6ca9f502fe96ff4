"""The private converter: camelCase mapping, timestamps, strictness, error paths, encoding."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b3os_async import ResponseValidationError
from b3os_async._convert import (
    format_datetime,
    parse_datetime,
    structure,
    structure_items,
    to_camel,
    unstructure,
)
from b3os_async._convert.leaves import parse_datetime_slow
from b3os_async.models import (
    ConnectorReference,
    ExecutionNode,
    ExecutionNodeStatus,
    Run,
    RunListItem,
    RunStatus,
    Workflow,
    WorkflowDefinition,
    WorkflowNode,
)

UTC = timezone.utc


def _node(**extra: Any) -> dict[str, Any]:
    return {"type": "echo", "status": "success", "result": {"v": 1}, **extra}


# -- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("run_id", "runId"),
        ("organization_id", "organizationId"),
        ("total_cu", "totalCu"),
        ("x402_config", "x402Config"),
        ("id", "id"),
    ],
)
def test_to_camel_maps_snake_case_to_the_api_key(name: str, key: str) -> None:
    """Attribute names map to the API's camelCase keys."""
    assert to_camel(name) == key


def test_metadata_json_key_overrides_the_generated_name() -> None:
    """An attribute with metadata={"json": ...} reads and writes that exact key."""

    @attrs.frozen(kw_only=True)
    class Odd:
        skip_ai_generation: bool | None = attrs.field(
            default=None, metadata={"json": "skipAIGeneration"}
        )

    assert structure({"skipAIGeneration": True}, Odd).skip_ai_generation is True
    assert unstructure(Odd(skip_ai_generation=False)) == {"skipAIGeneration": False}


def test_classes_with_validators_still_run_them() -> None:
    """The slot-filling fast path is skipped for classes whose __init__ does more (validators)."""

    @attrs.frozen(kw_only=True)
    class Positive:
        n: int = attrs.field(validator=attrs.validators.ge(0))

    assert structure({"n": 1}, Positive) == Positive(n=1)
    with pytest.raises(ResponseValidationError, match="must be >= 0"):
        structure({"n": -1}, Positive)


def test_classes_caching_their_hash_stay_hashable() -> None:
    """cache_hash classes go through __init__, so their hash cache is initialised."""

    @attrs.frozen(kw_only=True, cache_hash=True)
    class Cached:
        n: int = 0

    assert hash(structure({"n": 2}, Cached)) == hash(Cached(n=2))


# -- timestamps --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00.5Z", datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        (
            "2024-05-01T12:00:00+02:00",
            datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            "2024-05-01T05:30:00.25-04:30",
            datetime(2024, 5, 1, 5, 30, 0, 250000, tzinfo=timezone(-timedelta(hours=4.5))),
        ),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_parse_datetime_returns_aware_datetimes(text: str, expected: datetime) -> None:
    """RFC 3339 with Z, offsets and 1-9 fractional digits parses to an aware datetime."""
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01t10:00:00.1z", datetime(2024, 5, 1, 10, 0, 0, 100000, tzinfo=UTC)),
        ("2024-05-01 10:00:00.1234567+0100", datetime(2024, 5, 1, 9, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, 0, 0)),
    ],
)
def test_slow_path_handles_what_python_3_10_cannot(text: str, expected: datetime) -> None:
    """The 3.10 fallback normalises Z, 9 digits, +hhmm offsets and a lowercase t."""
    assert parse_datetime_slow(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2024-13-01T00:00:00Z", "2024-05-01T10:00:00+25:00"])
def test_parse_datetime_rejects_garbage(text: str) -> None:
    """A string that is not a timestamp raises ValueError."""
    with pytest.raises(ValueError):
        parse_datetime(text)


def test_format_datetime_is_rfc3339_utc_with_z() -> None:
    """Aware datetimes are sent in UTC with a Z suffix."""
    local = datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=timezone(timedelta(hours=2)))
    assert format_datetime(local) == "2024-05-01T10:00:00.500000Z"


def test_format_datetime_refuses_naive_datetimes() -> None:
    """A naive datetime is ambiguous and is refused."""
    with pytest.raises(ValueError, match="timezone-aware"):
        format_datetime(datetime(2024, 5, 1))


@pytest.mark.parametrize("value", [None, "", "0001-01-01T00:00:00Z"])
def test_unset_optional_timestamps_read_as_none(value: str | None) -> None:
    """null, an empty string and Go's zero time all mean "not set"."""
    assert structure(_node(finishedAt=value), ExecutionNode).finished_at is None


# -- leniency and strictness -------------------------------------------------------------------


def test_unknown_fields_are_ignored() -> None:
    """Keys the model does not know are skipped, at every level."""
    run = structure(
        {"id": "run_1", "status": "success", "brandNew": 1, "executionState": {"a": _node(x=2)}},
        Run,
    )
    assert run.id == "run_1"
    assert run.execution_state is not None
    assert run.execution_state["a"].status is ExecutionNodeStatus.SUCCESS


def test_null_lists_read_as_empty_tuples() -> None:
    """A null list (Go's nil slice) becomes an empty tuple, not an error."""
    node = structure({"type": "echo", "payload": {}, "children": None}, WorkflowNode)
    assert node.children == ()


def test_missing_optional_fields_default_to_none() -> None:
    """Optional fields the server omits are None."""
    workflow = structure({"id": "wf_1"}, Workflow)
    assert (workflow.name, workflow.status, workflow.definition) == (None, None, None)


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"id": 5, "status": "success"}, "id"),
        ({"id": "run_1", "status": "success", "isSimulation": "false"}, "is_simulation"),
        ({"id": "run_1", "status": "success", "workflowVersion": "3"}, "workflow_version"),
        ({"id": "run_1", "status": "success", "totalCu": "1.5"}, "total_cu"),
        ({"id": "run_1", "status": "success", "propValues": []}, "prop_values"),
    ],
)
def test_wrong_json_types_are_not_coerced(data: dict[str, Any], path: str) -> None:
    """A string where a bool/int/float is expected (or vice versa) is an error, not a cast."""
    with pytest.raises(ResponseValidationError) as info:
        structure(data, Run)
    assert info.value.path == path


def test_integral_floats_are_accepted_for_int_fields() -> None:
    """3.0 for an integer field decodes as 3 (some JSON encoders write integers that way)."""
    assert structure({"id": "run_1", "status": "success", "workflowVersion": 3.0}, Run) == Run(
        id="run_1", status=RunStatus.SUCCESS, workflow_version=3
    )


def test_string_body_for_an_all_optional_model_is_rejected() -> None:
    """A string is not silently read as an empty object."""
    with pytest.raises(ResponseValidationError, match="expected a JSON object, got str"):
        structure("type", ConnectorReference)


# -- error paths -------------------------------------------------------------------------------


def test_error_path_names_the_mapping_key_and_attribute() -> None:
    """A bad timestamp inside execution_state is reported as execution_state['fetch'].started_at."""
    data = {"id": "run_1", "status": "running", "executionState": {"fetch": _node(startedAt=7)}}
    with pytest.raises(ResponseValidationError) as info:
        structure(data, Run)
    assert info.value.path == "execution_state['fetch'].started_at"
    assert "execution_state['fetch'].started_at" in str(info.value)


def test_error_path_names_the_list_index() -> None:
    """A bad item in a list is reported as items[3].status."""
    items: list[dict[str, Any]] = [{"id": f"run_{i}", "status": "success"} for i in range(5)]
    items[3]["status"] = 42
    with pytest.raises(ResponseValidationError) as info:
        structure_items(items, RunListItem)
    assert info.value.path == "items[3].status"


def test_missing_required_field_is_named() -> None:
    """A missing required key is reported with its attribute path."""
    with pytest.raises(ResponseValidationError, match="required field is missing") as info:
        structure({"id": "run_1", "executionState": {"a": {"type": "echo"}}, "status": "x"}, Run)
    assert info.value.path == "execution_state['a'].status"


def test_error_message_counts_further_problems() -> None:
    """When several fields are wrong the first is named and the rest are counted."""
    with pytest.raises(ResponseValidationError, match=r"and 1 more problem\)"):
        structure({"id": 1, "status": 2}, Run)


def test_error_is_never_a_bare_cattrs_or_key_error() -> None:
    """A body of the wrong JSON type raises ResponseValidationError without a path."""
    with pytest.raises(ResponseValidationError) as info:
        structure(["not", "an", "object"], Run)
    assert info.value.path is None
    assert info.value.__cause__ is None


# -- encoding ----------------------------------------------------------------------------------


def test_unstructure_goes_back_to_camel_case_and_drops_unset_fields() -> None:
    """Request bodies use camelCase keys, lists, and omit None / empty optional fields."""
    definition = WorkflowDefinition(
        nodes={
            "root": WorkflowNode(type="manual", payload={}, children=("send",)),
            "send": WorkflowNode(
                type="send-erc20",
                payload={"to": "{{root.result.to}}"},
                connector=ConnectorReference(type="wallet", chain_id=8453),
            ),
        },
        trigger_node_ids=("root",),
    )
    assert unstructure(definition) == {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["send"]},
            "send": {
                "type": "send-erc20",
                "payload": {"to": "{{root.result.to}}"},
                "connector": {"type": "wallet", "chainId": 8453},
            },
        },
        "triggerNodeIds": ["root"],
    }


def test_unstructure_then_structure_round_trips_a_definition() -> None:
    """A definition encoded for a request decodes back to an equal model."""
    definition = WorkflowDefinition(
        nodes={"root": WorkflowNode(type="manual", payload={"a": [1, 2]}, branch="then")},
        trigger_node_ids=("root",),
    )
    assert structure(unstructure(definition), WorkflowDefinition) == definition


# -- property test -----------------------------------------------------------------------------

_KNOWN_RUN = [s.value for s in RunStatus]
_KNOWN_NODE = [s.value for s in ExecutionNodeStatus]
_RUN_KEYS = {f.name for f in attrs.fields(Run)}
_json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
_json = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
_extra = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in _RUN_KEYS), _json, max_size=4
)
_status = st.one_of(st.sampled_from(_KNOWN_RUN), st.text(max_size=12))
_node_status = st.one_of(st.sampled_from(_KNOWN_NODE), st.text(max_size=12))
_timestamp = st.one_of(
    st.none(),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.text(max_size=8),
)


@st.composite
def _run_dicts(draw: st.DrawFn) -> dict[str, Any]:
    nodes = draw(
        st.dictionaries(
            st.text(min_size=1, max_size=6),
            st.fixed_dictionaries(
                {"status": _node_status, "startedAt": _timestamp, "result": _json}
            ).flatmap(lambda node: _extra.map(lambda extra: {**extra, **node})),
            max_size=4,
        )
    )
    run = {"id": draw(st.text(max_size=8)), "status": draw(_status), "executionState": nodes}
    return {**draw(_extra), **run}


@pytest.mark.slow  # a property test: over a second of examples
@settings(max_examples=60, deadline=None)
@given(_run_dicts())
def test_run_shaped_dicts_structure_or_raise_only_response_validation_error(
    data: dict[str, Any],
) -> None:
    """Random extra keys and known/unknown enum strings never escape as other exceptions."""
    failure: ResponseValidationError | None = None
    try:
        run = structure(data, Run)
    except ResponseValidationError as exc:
        failure = exc
    if failure is not None:
        assert failure.path  # every failure here is in a field, so a path is named
        return
    assert run.status.value == data["status"]
    assert isinstance(run.status, RunStatus)
    assert run.execution_state is not None
    for key, node in run.execution_state.items():
        assert node.status.value == data["executionState"][key]["status"]
        assert node.started_at is None or node.started_at.tzinfo is not None


def test_absent_key_with_factory_default_takes_the_default() -> None:
    """A node without ``payload`` decodes to an empty payload, each instance its own dict."""
    first = structure({"type": "manual"}, WorkflowNode)
    second = structure({"type": "manual"}, WorkflowNode)
    assert first.payload == {}
    assert first.payload is not second.payload


def test_present_key_with_factory_default_is_still_type_checked() -> None:
    """A ``payload`` that is present but not an object is refused, naming the field."""
    with pytest.raises(ResponseValidationError) as info:
        structure({"type": "manual", "payload": [1]}, WorkflowNode)
    assert info.value.path == "payload"


# -- fast decoding paths -----------------------------------------------------------------------


def _list_item(index: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"run_{index}", "status": "success", "workflowVersion": index, **extra}


def test_decoded_objects_are_exact_frozen_model_instances() -> None:
    """Decoded objects are instances of the model class itself (not a helper) and stay frozen."""
    item = structure(_list_item(1, summary="s"), RunListItem)
    assert type(item) is RunListItem
    assert item == RunListItem(
        id="run_1", status=RunStatus.SUCCESS, workflow_version=1, summary="s"
    )
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        item.summary = "changed"  # type: ignore[misc]


def test_items_with_and_without_optional_keys_each_get_their_own_values() -> None:
    """Complete and sparse items interleaved (both key-fetch modes) decode to their own values."""
    every_key = {to_camel(a.name): None for a in attrs.fields(RunListItem)}
    data = [
        _list_item(i, totalCu=1.5) if i % 3 == 0 else {**every_key, **_list_item(i), "summary": "s"}
        for i in range(300)
    ]
    items = structure_items(data, RunListItem)
    assert [item.workflow_version for item in items] == list(range(300))
    assert [item.total_cu for item in items] == [1.5 if i % 3 == 0 else None for i in range(300)]
    assert [item.summary for item in items] == [None if i % 3 == 0 else "s" for i in range(300)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01t10:00:00z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("0999-01-01T00:00:00Z", datetime(999, 1, 1, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
    ],
)
def test_timestamps_in_models_match_the_timestamp_rules(
    text: str, expected: datetime | None
) -> None:
    """The inline timestamp path gives what the rules say (aware, UTC if naive, zero -> None)."""
    item = structure(_list_item(1, startedAt=text), RunListItem)
    assert item.started_at == expected
    assert item.started_at is None or item.started_at.tzinfo is not None


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ({"startedAt": 5}, "items[1].started_at"),
        ({"startedAt": "yesterday"}, "items[1].started_at"),
        ({"status": ["success"]}, "items[1].status"),
        ({"workflowVersion": 1.5}, "items[1].workflow_version"),
    ],
)
def test_bad_values_in_list_items_are_reported_with_their_path(
    extra: dict[str, Any], path: str
) -> None:
    """A wrong value in a later item fails with that item's field path."""
    with pytest.raises(ResponseValidationError) as info:
        structure_items([_list_item(0), _list_item(1, **extra)], RunListItem)
    assert info.value.path == path


def test_non_string_in_a_string_list_is_reported_with_its_index() -> None:
    """A number among a node's children ids is an error at children[1]."""
    with pytest.raises(ResponseValidationError) as info:
        structure({"type": "x", "children": ["a", 5]}, WorkflowNode)
    assert info.value.path == "children[1]"


@attrs.frozen(kw_only=True)
class _Finalized:
    """A model whose ``__del__`` would see a half-built object: no builder subclass for it."""

    name: str
    count: int = 0

    def __del__(self) -> None:
        pass


class _Registering:
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)


@attrs.frozen(kw_only=True)
class _Hooked(_Registering):
    """A model whose base reacts to subclassing: no builder subclass for it either."""

    name: str
    count: int = 0


@pytest.mark.parametrize("cls", [_Finalized, _Hooked])
def test_classes_unsafe_for_the_builder_still_decode_through_slot_setters(cls: type) -> None:
    """Models that could observe a builder subclass decode exactly, with no subclass created."""
    item = structure({"name": "a", "count": 2, "extra": True}, cls)
    assert type(item) is cls
    assert item == cls(name="a", count=2)
    assert cls.__subclasses__() == []
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        item.name = "b"  # type: ignore[attr-defined]
    with pytest.raises(ResponseValidationError) as info:
        structure({"name": "a", "count": "2"}, cls)
    assert info.value.path == "count"


def test_ordinary_models_get_a_private_builder_subclass() -> None:
    """A plain frozen model is assembled through its one private builder subclass."""
    structure({"id": "run_1", "status": "success"}, RunListItem)
    builders = RunListItem.__subclasses__()
    assert [b.__name__ for b in builders] == ["_BuildRunListItem"]
