"""JSON views of stored objects, shaped like the OpenAPI schemas (field names, types).

Optional fields are left out rather than sent as ``null``: the schemas type them (string,
object …) and never allow null.

List items are also kept as encoded JSON (:func:`workflow_list_json`, :func:`run_list_json`):
a page of 100 items is then 100 strings joined, not 100 objects walked and encoded, whatever
the size of the store. Each cached text is stored with the tuple of every mutable field the item
shows and is re-encoded when that tuple differs, so no code path has to remember to invalidate it
(version content is never changed in place: a change is a new version number).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import compact, dumps
from b3os_async.testing._graph import nodes_of, trigger_type

if TYPE_CHECKING:
    from collections.abc import Collection

    from b3os_async.testing._domain.organizations import Org
    from b3os_async.testing._domain.runs import NodeState, Run
    from b3os_async.testing._domain.workflows import Version, Workflow


def workflow_json(workflow: Workflow, version: Version | None = None) -> dict[str, Any]:
    """A ``Workflow`` object for one version row (default: the current version)."""
    row = version or workflow.current()
    content = row.content
    max_runs = content.get("maxRuns")
    remain_runs = workflow.remain_runs if workflow.remain_runs is not None else max_runs
    body = compact(
        {
            "id": workflow.id,
            "organizationId": workflow.org_id,
            "name": content["name"],
            "description": content["description"],
            "status": workflow.status_of(row.number),
            "type": trigger_type(content["definition"]),
            "version": row.number,
            "definition": content["definition"],
            "uiMetadata": content.get("uiMetadata"),
            "visibility": workflow.visibility,
            "maxRuns": max_runs,
            "remainRuns": remain_runs,
            "cooldownMs": content.get("cooldownMs"),
            "lastTriggeredAt": workflow.last_triggered_at,
            "createdAt": workflow.created_at,
            "createdBy": workflow.created_by,
            "updatedAt": workflow.updated_at,
            "updatedBy": workflow.updated_by,
            "versionCreatedBy": row.created_by,
            "ownerUserId": workflow.created_by,
            "hasDraft": workflow.draft is not None,
            "hasLiveVersion": workflow.live is not None,
            "pausedReason": workflow.paused_reason,
            "triggerSecret": workflow.trigger_secret,
            "sourceTemplateId": workflow.source_template_id,
            "x402Config": workflow.x402_config,
            "publicWidgetConfig": workflow.widget,
        }
    )
    body.update(workflow.extra)  # set by the settings endpoints (ownerUserId, aiName …)
    return body


_NOT_LISTED = (
    "uiMetadata",
    "triggerSecret",
    "updatedBy",
    "versionCreatedBy",
    "pausedReason",
    "publicWidgetConfig",
    "fundAutoSwapConfig",
    "aiName",
    "aiDescription",
    "variableDefs",
    "sourceTemplateId",
    "x402Config",
)
"""Workflow fields a ``WorkflowListItem`` does not have."""


def workflow_list_item(workflow: Workflow) -> dict[str, Any]:
    """A ``WorkflowListItem`` for the workflow's current version."""
    full = workflow_json(workflow)
    definition = full.pop("definition")
    for private in _NOT_LISTED:
        full.pop(private, None)
    nodes = nodes_of(definition)
    connector_types = sorted(
        {
            node["connector"]["type"]
            for node in nodes.values()
            if isinstance(node.get("connector"), dict)
            and isinstance(node["connector"].get("type"), str)
        }
    )
    summary = {
        node_id: compact(
            {
                "type": node["type"],
                "children": list(node.get("children") or []),
                "branch": node.get("branch"),
            }
        )
        for node_id, node in nodes.items()
    }
    inputs = definition.get("inputSchema")
    full.update(
        {
            "nodeCount": len(nodes),
            "inputCount": len(inputs) if isinstance(inputs, list) else 0,
            "chainIds": [],
            "connectors": [{"type": kind} for kind in connector_types],
            "definitionSummary": {"nodes": summary},
            "linkedWorkflowIds": sorted(workflow.current().derived.links),
            "publicWidgetEnabled": bool(workflow.widget and workflow.widget.get("enabled")),
        }
    )
    if full.get("type") is not None:
        full["triggerType"] = full["type"]
    return full


def workflow_list_json(workflow: Workflow) -> str:
    """:func:`workflow_list_item` as JSON text (cached; see the module docstring)."""
    key = (
        workflow.current().number,
        workflow.draft,
        workflow.live,
        workflow.live_status,
        workflow.visibility,
        workflow.last_triggered_at,
        workflow.updated_at,
        workflow.updated_by,
        workflow.remain_runs,
        workflow.paused_reason,
        bool(workflow.widget and workflow.widget.get("enabled")),
    )
    cached = workflow.rendered
    if cached is None or cached[0] != key:
        cached = workflow.rendered = (key, dumps(workflow_list_item(workflow)))
    return cached[1]


def node_json(state: NodeState) -> dict[str, Any]:
    """An ``ExecutionNode`` (plus ``error`` for failed nodes, an emulator addition)."""
    return compact(
        {
            "type": state.type,
            "status": state.status,
            "input": state.input,
            "result": state.result,
            "error": state.error,
            "startedAt": state.started_at,
            "finishedAt": state.finished_at,
        }
    )


def run_list_item(run: Run) -> dict[str, Any]:
    """A ``RunListItem``."""
    return compact(
        {
            "id": run.id,
            "workflowId": run.workflow_id,
            "workflowName": run.workflow_name,
            "workflowVersion": run.workflow_version,
            "status": run.status,
            "triggerSource": run.trigger_source,
            "triggeredBy": run.triggered_by,
            "triggerNodeId": run.trigger_node_id,
            "startedAt": run.started_at,
            "finishedAt": run.finished_at,
            "summary": run.summary,
            "totalCu": 0,
            "isSimulation": run.is_simulation,
            "isDustTest": run.is_dust_test,
            "sourceRunId": run.source_run_id,
        }
    )


def run_list_json(run: Run) -> str:
    """:func:`run_list_item` as JSON text (cached; see the module docstring)."""
    key = (run.status, run.finished_at, run.summary)
    cached = run.rendered
    if cached is None or cached[0] != key:
        cached = run.rendered = (key, dumps(run_list_item(run)))
    return cached[1]


def run_json(
    run: Run, *, summary: bool = False, node_ids: Collection[str] | None = None
) -> dict[str, Any]:
    """A ``Run``; ``summary`` drops state and definition, ``node_ids`` filters the state."""
    body = run_list_item(run)
    body.pop("workflowName")
    body.update(
        compact(
            {
                "organizationId": run.org_id,
                "workflowOwnerUserId": run.owner_user_id,
                "propValues": run.prop_values,
                "simulationMode": "simulate" if run.is_simulation else None,
            }
        )
    )
    if not summary:
        body["executionState"] = {
            node_id: node_json(state)
            for node_id, state in run.nodes.items()
            if node_ids is None or node_id in node_ids
        }
        body["workflowDefinition"] = run.definition
    return body


def org_json(org: Org) -> dict[str, Any]:
    """An ``Organization``."""
    return {
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "description": "",
        "tier": "free",
        "createdAt": org.created_at,
        "createdBy": org.user_id,
        "updatedAt": org.created_at,
    }
