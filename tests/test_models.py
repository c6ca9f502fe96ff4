"""Models: open enums, secrets kept out of reprs, and decoding each model from API-shaped data.

The conventions every model keeps (frozen, slotted, keyword-only, defaults) and each model
against its OpenAPI schema: ``tests/test_model_conventions.py``.
"""

from __future__ import annotations

import pickle
from datetime import datetime, timezone
from typing import Any

import pytest

from b3os_async._convert import structure
from b3os_async.models import (
    ConnectorReference,
    ExecutionNodeStatus,
    NodeResumeResult,
    PausedReason,
    Run,
    RunCreated,
    RunListItem,
    RunStatus,
    RunStatusCounts,
    ValidationResult,
    Workflow,
    WorkflowListItem,
    WorkflowRunCounts,
    WorkflowStatus,
    WorkflowVersionCount,
    WorkflowVisibility,
    WorkflowVisibilityUpdate,
)

UTC = timezone.utc

DEFINITION = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["check"]},
        "check": {
            "type": "if",
            "payload": {"condition": {"$and": [{"$gt": ["{{root.result.n}}", 1]}]}},
            "children": ["send"],
            "description": "Checks n",
        },
        "send": {
            "type": "send-erc20-token",
            "payload": {"amount": "1000"},
            "branch": "then",
            "connector": {"type": "wallet", "id": "c1", "chainId": 8453, "walletAddress": "0x1"},
        },
    },
    "triggerNodeIds": ["root"],
    "inputSchema": [{"key": "n", "type": "number", "required": True}],
}


# -- open enums --------------------------------------------------------------------------------


def test_unknown_enum_value_is_kept_as_a_member_of_the_enum() -> None:
    """An unknown status becomes a RunStatus whose value is the raw string."""
    status = RunStatus("paused_for_review")
    assert isinstance(status, RunStatus)
    assert status.value == "paused_for_review"
    assert status == "paused_for_review"
    assert not status.is_known
    assert RunStatus.RUNNING.is_known


def test_unknown_enum_values_are_cached_and_hidden_from_iteration() -> None:
    """The same unknown value gives the same object, and iterating the enum lists known ones."""
    assert RunStatus("later_status") is RunStatus("later_status")
    assert [s.value for s in RunStatus] == [
        "running",
        "waiting",
        "success",
        "partial",
        "failure",
        "cancelled",
    ]


def test_unknown_enum_values_pickle_by_value() -> None:
    """A pseudo-member survives pickling (errors and results cross process pools)."""
    status = ExecutionNodeStatus("thinking")
    assert pickle.loads(pickle.dumps(status)) is status


def test_non_string_enum_value_is_an_error() -> None:
    """Only strings can become pseudo-members; a number is invalid."""
    with pytest.raises(ValueError):
        RunStatus(3)


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        ("running", False),
        ("waiting", False),
        ("success", True),
        ("partial", True),
        ("failure", True),
        ("cancelled", True),
        ("some_future_state", False),
    ],
)
def test_is_terminal(status: str, terminal: bool) -> None:
    """success, partial, failure and cancelled end a run; unknown statuses do not."""
    assert RunStatus(status).is_terminal is terminal


def test_enum_str_is_the_raw_value() -> None:
    """str() and f-strings of a status give the API value (handy for query parameters)."""
    assert str(WorkflowVisibility.PUBLIC_VIEW) == "public_view"
    assert f"{RunStatus('new_one')}" == "new_one"


# -- model properties --------------------------------------------------------------------------


def test_trigger_secret_is_not_in_the_repr() -> None:
    """A workflow's trigger secret never appears in its repr."""
    workflow = structure({"id": "wf_1", "triggerSecret": "wsec_supersecret"}, Workflow)
    assert workflow.trigger_secret == "wsec_supersecret"
    assert "wsec_supersecret" not in repr(workflow)


# -- decoding each model -----------------------------------------------------------------------


def test_workflow_decodes_with_its_definition() -> None:
    """A full Workflow body decodes, including nested definition, enums and timestamps."""
    data = {
        "id": "wf_1",
        "organizationId": "org_1",
        "name": "Alert",
        "description": "d",
        "status": "paused",
        "type": "manual",
        "version": 4,
        "definition": DEFINITION,
        "visibility": "org",
        "pausedReason": "max_runs_exhausted",
        "maxRuns": 10,
        "remainRuns": 0,
        "createdAt": "2024-05-01T10:00:00.123456789Z",
        "hasDraft": True,
        "uiMetadata": {"nodePositions": {"root": {"x": 1, "y": 2}}},
        "variableDefs": None,
    }
    workflow = structure(data, Workflow)
    assert workflow.status is WorkflowStatus.PAUSED
    assert workflow.visibility is WorkflowVisibility.ORG
    assert workflow.paused_reason is PausedReason.MAX_RUNS_EXHAUSTED
    assert workflow.created_at == datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert workflow.definition is not None
    send = workflow.definition.nodes["send"]
    assert send.connector == ConnectorReference(
        type="wallet", id="c1", chain_id=8453, wallet_address="0x1"
    )
    assert send.branch == "then"
    assert workflow.definition.nodes["root"].children == ("check",)
    assert workflow.definition.input_schema[0].required is True
    assert workflow.ui_metadata == {"nodePositions": {"root": {"x": 1, "y": 2}}}
    assert workflow.variable_defs == ()


def test_workflow_list_item_decodes() -> None:
    """A WorkflowListItem decodes its summary fields."""
    item = structure(
        {
            "id": "wf_1",
            "name": "n",
            "status": "active",
            "nodeCount": 3,
            "chainIds": [1, 8453],
            "connectors": [{"type": "wallet"}],
            "linkedWorkflowIds": ["wf_2"],
            "triggerType": "cronjob",
            "updatedAt": "2024-05-01T10:00:00+02:00",
        },
        WorkflowListItem,
    )
    assert item.chain_ids == (1, 8453)
    assert item.connectors == ({"type": "wallet"},)
    assert item.updated_at == datetime(2024, 5, 1, 8, tzinfo=UTC)


def test_validation_result_decodes_its_errors() -> None:
    """Validation problems come back as typed error items."""
    result = structure(
        {
            "valid": False,
            "errors": [
                {"type": "connectivity", "message": "node x unreachable", "nodeId": "x"},
                {"type": "variable", "message": "bad", "code": "pure_variable_type_mismatch"},
            ],
        },
        ValidationResult,
    )
    assert not result.valid
    assert [e.node_id for e in result.errors] == ["x", None]
    assert result.errors[1].code == "pure_variable_type_mismatch"


def _run_body(**extra: Any) -> dict[str, Any]:
    return {
        "id": "run_1",
        "organizationId": "org_1",
        "workflowId": "",
        "workflowVersion": 2,
        "status": "waiting",
        "executionState": {
            "root": {
                "type": "manual",
                "status": "success",
                "result": {"n": 2, "triggeredAt": "2024-05-01T10:00:00Z"},
                "startedAt": "2024-05-01T10:00:00Z",
                "finishedAt": "2024-05-01T10:00:00.5Z",
            },
            "approve": {"type": "wait", "status": "waiting", "input": {"timeout": 60}},
            "later": {"type": "echo", "status": "auto_swapping_v2"},
        },
        "workflowDefinition": DEFINITION,
        "startedAt": "2024-05-01T10:00:00Z",
        "totalCu": 0.25,
        "simulationForks": [{"chainId": 1, "forkId": "f", "rpcUrl": "http://x"}],
        **extra,
    }


def test_run_decodes_its_execution_state() -> None:
    """A Run decodes per-node state; unknown node statuses are kept; results stay raw."""
    run = structure(_run_body(), Run)
    assert run.status is RunStatus.WAITING
    assert run.workflow_id == ""
    assert run.execution_state is not None
    root = run.execution_state["root"]
    assert root.status is ExecutionNodeStatus.SUCCESS
    assert root.result == {"n": 2, "triggeredAt": "2024-05-01T10:00:00Z"}
    assert root.finished_at == datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    later = run.execution_state["later"].status
    assert (later.value, later.is_known) == ("auto_swapping_v2", False)
    assert run.total_cu == 0.25
    assert run.simulation_forks[0]["forkId"] == "f"
    assert run.workflow_definition is not None


def test_run_summary_has_no_execution_state() -> None:
    """A summary run (no executionState key) has execution_state None, not {}."""
    run = structure({"id": "run_1", "status": "success", "summary": "2 success"}, Run)
    assert run.execution_state is None
    assert run.summary == "2 success"


def test_run_list_item_decodes() -> None:
    """A RunListItem decodes, including the workflow name."""
    item = structure(
        {"id": "run_1", "status": "partial", "workflowName": "Alert", "isSimulation": True},
        RunListItem,
    )
    assert (item.status, item.workflow_name, item.is_simulation) == (
        RunStatus.PARTIAL,
        "Alert",
        True,
    )


@pytest.mark.parametrize("model", [WorkflowRunCounts, RunStatusCounts])
def test_run_counts_decode_and_default_to_zero(
    model: type[WorkflowRunCounts] | type[RunStatusCounts],
) -> None:
    """Counts decode; statuses the server omits count as 0; cancelled is kept when sent."""
    counts = structure({"total": 5, "success": 3, "failure": 2, "cancelled": 0}, model)
    assert (counts.total, counts.success, counts.failure, counts.running) == (5, 3, 2, 0)
    assert counts.cancelled == 0
    assert structure({"total": 1}, model).cancelled is None


@pytest.mark.parametrize(
    ("data", "model", "expected"),
    [
        ({"runId": "run_abc"}, RunCreated, RunCreated(run_id="run_abc")),
        ({"total": 3}, WorkflowVersionCount, WorkflowVersionCount(total=3)),
        (
            {"id": "wf_1", "visibility": "public_execute"},
            WorkflowVisibilityUpdate,
            WorkflowVisibilityUpdate(id="wf_1", visibility=WorkflowVisibility.PUBLIC_EXECUTE),
        ),
        (
            {"action": "skipped", "reason": "node is not waiting"},
            NodeResumeResult,
            NodeResumeResult(action="skipped", reason="node is not waiting"),
        ),
    ],
)
def test_small_models_decode(data: dict[str, Any], model: type[Any], expected: Any) -> None:
    """The small result models decode from their documented shapes."""
    assert structure(data, model) == expected
