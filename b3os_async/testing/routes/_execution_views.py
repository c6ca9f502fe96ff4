"""What the ``executions`` and ``public`` route modules share about external executions: the
JSON views, request-body parsing, launching an execution's run, and its event stream.

The stream of one execution follows the run-stream rules (``docs/architecture.md``, "Stream
contract"): ``id:`` = the record's ``seq``; ``Last-Event-ID: N`` replays ``seq > N`` then goes on
live; without it, live only (an execution that already ended sends its last record); the stream
ends after a terminal status. The public view of an event leaves out ``data``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async.testing import _sse
from b3os_async.testing._common import ApiError, compact
from b3os_async.testing._domain.organizations import Principal
from b3os_async.testing._server import optional, require
from b3os_async.testing._streams import SHUTDOWN

if TYPE_CHECKING:
    from aiohttp import web

    from b3os_async.testing._domain.executions import Execution
    from b3os_async.testing._domain.workflows import Workflow
    from b3os_async.testing._server import Context

__all__ = [
    "event_json",
    "execution_json",
    "launch",
    "parse_create",
    "public_execution_json",
    "serve_stream",
]

_MESSAGES = {
    "awaiting_payment": "Waiting for payment",
    "payment_confirmed": "Payment confirmed",
    "workflow_queued": "Queued",
    "workflow_running": "Running",
    "workflow_waiting": "Waiting",
    "workflow_succeeded": "Succeeded",
    "workflow_partial": "Partially succeeded",
    "workflow_failed": "Failed",
    "workflow_cancelled": "Cancelled",
}


def execution_json(execution: Execution) -> dict[str, Any]:
    """An ``ExternalExecution`` (the client token is never part of it)."""
    return compact(
        {
            "id": execution.id,
            "organizationId": execution.org_id,
            "workflowId": execution.workflow_id,
            "runId": execution.run_id,
            "status": execution.status,
            "statusReason": execution.status_reason,
            "sourceSystem": execution.source_system,
            "sourceEntityType": execution.source_entity_type,
            "sourceEntityId": execution.source_entity_id,
            "externalRef": execution.external_ref,
            "idempotencyKey": execution.idempotency_key,
            "requestPayload": execution.request_payload,
            "responsePayload": execution.response_payload,
            "clientSafeMetadata": execution.client_safe_metadata,
            "paymentStatus": execution.payment_status,
            "initiatedById": execution.initiated_by_id,
            "initiatedByType": execution.initiated_by_type,
            "createdAt": execution.created_at,
            "startedAt": execution.started_at,
            "finishedAt": execution.finished_at,
            "updatedAt": execution.updated_at,
        }
    )


def event_json(execution: Execution, record: dict[str, Any], *, public: bool = False) -> Any:
    """A record as ``ExternalExecutionEvent`` (or the public ``PublicExecutionEvent``)."""
    keys = ("id", "eventType", "level", "title", "message", "nodeId", "runId", "createdAt")
    body = {key: record[key] for key in keys if key in record}
    if not public:
        body.update(
            compact(
                {
                    "executionId": execution.id,
                    "organizationId": execution.org_id,
                    "workflowId": execution.workflow_id,
                    "data": record.get("data"),
                }
            )
        )
    return body


def public_execution_json(execution: Execution) -> dict[str, Any]:
    """``PublicExecutionData``: status and the public timeline."""
    return compact(
        {
            "id": execution.id,
            "workflowId": execution.workflow_id,
            "runId": execution.run_id,
            "status": execution.status,
            "paymentStatus": execution.payment_status,
            "clientSafeMetadata": execution.client_safe_metadata,
            "createdAt": execution.created_at,
            "startedAt": execution.started_at,
            "finishedAt": execution.finished_at,
            "message": _MESSAGES.get(execution.status),
            "events": [event_json(execution, r, public=True) for r in execution.events],
        }
    )


def stream_event(execution: Execution, record: dict[str, Any], *, public: bool) -> dict[str, Any]:
    """A record as a stream event: ``{type, executionId, seq, status, eventId, …, timestamp}``."""
    body = {
        "type": record["eventType"],
        "executionId": execution.id,
        "workflowId": execution.workflow_id,
        "seq": record["seq"],
        "status": record["status"],
        "eventId": record["id"],
        "timestamp": record["createdAt"],
    }
    for key in ("level", "title", "message", "nodeId", "runId"):
        if key in record:
            body[key] = record[key]
    if not public and "data" in record:
        body["data"] = record["data"]
    return body


def parse_create(body: dict[str, Any]) -> dict[str, Any]:
    """The fields of a create-execution body (``sourceSystem``, ``sourceEntityType`` required)."""
    fields: dict[str, Any] = {
        "sourceSystem": require(body, "sourceSystem", str, "a string"),
        "sourceEntityType": require(body, "sourceEntityType", str, "a string"),
    }
    for name, kind, what in (
        ("sourceEntityId", str, "a string"),
        ("externalRef", str, "a string"),
        ("idempotencyKey", str, "a string"),
        ("requestPayload", dict, "an object"),
        ("clientSafeMetadata", dict, "an object"),
    ):
        value = optional(body, name, kind, what)
        if value is not None:
            fields[name] = value
    return fields


def is_payable(workflow: Workflow) -> bool:
    """Whether the workflow is paid per execution: an ``x402Config`` with a non-zero price."""
    config = workflow.x402_config or {}
    return str(config.get("price") or "0").strip("0") != ""


def launch(ctx: Context, execution: Execution, workflow: Workflow) -> None:
    """Start the run of a queued execution; it follows the run from its first event.

    A public execution runs the live version when there is one (else the current version, as
    ``POST /v1/workflows/{id}/run`` does). A workflow that can no longer run fails the execution.
    """
    store = ctx.store
    org = store.orgs[execution.org_id]
    key_id = "public" if execution.initiated_by_type == "public" else execution.initiated_by_id
    who = Principal(execution.org_id, "read-write", key_id, org.user_id)
    number = workflow.live if execution.initiated_by_type == "public" else None
    try:
        run = store.runs.for_workflow(
            who,
            workflow,
            run_id=None,
            number=number,
            trigger=None,
            payload=execution.request_payload or {},
            simulate=False,
            dust=False,
        )
    except ApiError as error:
        store.executions.fail(execution, error.message)
        return
    channel = ctx.broker.run_channel(run.id)
    channel.listeners.append(store.executions.run_launched(execution, run.id))
    ctx.engine.launch(run)


async def serve_stream(
    request: web.Request, execution: Execution, *, public: bool
) -> web.StreamResponse:
    """The event stream of one execution (see the module docstring)."""
    subscription = execution.subscribe()
    seen_at_subscription = len(execution.events)

    async def prepare(connection: _sse.Connection) -> None:
        events = execution.events
        last_id = connection.last_event_id()
        if last_id is not None:
            last_id = min(last_id, len(events))  # an id from the future: resume "now"
        last_sent = seen_at_subscription if last_id is None else last_id
        if last_id is not None:
            backlog = events[last_id:]
        elif execution.terminal and seen_at_subscription == len(events):
            backlog = events[-1:]  # ended before we came: just the last record
        else:
            backlog = []
        for record in backlog:
            if connection.finished:
                return
            await connection.send(stream_event(execution, record, public=public))
            last_sent = record["seq"]
        if execution.terminal and last_sent >= len(events):
            return
        while not connection.finished:
            item = await connection.next_item(subscription)
            if item is SHUTDOWN:
                return
            if not isinstance(item, dict) or item["seq"] <= last_sent:
                continue
            await connection.send(stream_event(execution, item, public=public))
            last_sent = item["seq"]
            if item["status"] in TERMINAL_STATUSES and item["eventType"] == item["status"]:
                return

    return await _sse.serve(request, subscription, prepare)


TERMINAL_STATUSES = frozenset(
    {"workflow_succeeded", "workflow_partial", "workflow_failed", "workflow_cancelled"}
)
