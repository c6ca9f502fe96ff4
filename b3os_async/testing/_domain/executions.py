"""External executions: client-trackable, payment-aware sessions around a run (``/v1/executions``).

NOT runs and NOT node executions (see ``docs/architecture.md``, glossary).

Theory of operation
-------------------
Lifecycle (statuses are B3OS's ``ExternalExecutionStatus``)::

    create, workflow payable  -> awaiting_payment --(payment confirmed)--> payment_confirmed
    create, otherwise         -> workflow_queued                                   |
    workflow_queued -> (its run is launched at once) <-----------------------------'
    run_started -> workflow_running;  run_waiting -> workflow_waiting;  run_resumed -> running
    run_completed -> workflow_succeeded | workflow_partial;  run_failed -> workflow_failed;
    run_cancelled -> workflow_cancelled                                (the four terminal ones)

A workflow is *payable* when it carries an ``x402Config`` with a price (``Emulator.make_payable``);
the payment itself happens outside the API (a checkout), so ``Emulator.confirm_payment`` stands in
for the payment provider's callback.

The execution follows its run through the run channel's ``listeners`` (called synchronously with
each run event): every transition, and each ``node_completed`` / ``node_failed``, appends one
*record* to the execution's timeline (:meth:`ExecutionBook.record`). A record is at once

* an ``ExternalExecutionEvent`` of ``GET …/{id}`` and ``…/{id}/events`` (``id``, ``eventType``,
  ``level``, ``title``, ``message``, ``nodeId``, ``runId``, ``data``, ``createdAt``),
* an event of the execution's stream, whose ``seq`` (1, 2, 3 …) is its SSE id (replay with
  ``Last-Event-ID`` as for run streams; the stream ends after a terminal status),
* a notification of the organization's execution log (its own per-organization ``seq``; the
  org-wide stream ``GET /v1/executions/stream`` replays what it buffers, like activity).

Idempotency: an ``idempotencyKey`` already used in the organization returns the same execution
(and client token); the same key for another workflow is a 409 (409006). Public executions get a
``clientToken`` (a secret) that ``/v1/public/executions/{id}?token=`` must present (401004).
"""

from __future__ import annotations

import bisect
import hmac
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._collection import page_body
from b3os_async.testing._common import (
    BAD_CLIENT_TOKEN,
    EXECUTION_NOT_FOUND,
    IDEMPOTENCY_CONFLICT,
    ApiError,
    compact,
    iso,
    not_found,
    now,
    wrong_state,
)
from b3os_async.testing._domain.execution_stats import execution_stats
from b3os_async.testing._streams import NotificationLog, Subscription

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.runs import RunBook

__all__ = ["STATUSES", "TERMINAL", "Execution", "ExecutionBook"]

STATUSES = (
    "awaiting_payment",
    "payment_confirmed",
    "workflow_queued",
    "workflow_running",
    "workflow_waiting",
    "workflow_succeeded",
    "workflow_partial",
    "workflow_failed",
    "workflow_cancelled",
)
TERMINAL = frozenset(
    {"workflow_succeeded", "workflow_partial", "workflow_failed", "workflow_cancelled"}
)
_ENDINGS = {
    "run_completed": None,  # success or partial, from the event's status
    "run_failed": "workflow_failed",
    "run_cancelled": "workflow_cancelled",
}


def _nothing() -> None:
    pass


@attrs.define
class Execution:
    """One external execution: what the client sent, its status, run, and timeline."""

    id: str
    org_id: str
    workflow_id: str
    source_system: str
    source_entity_type: str
    source_entity_id: str | None
    external_ref: str | None
    idempotency_key: str | None
    request_payload: dict[str, Any] | None
    client_safe_metadata: dict[str, Any] | None
    initiated_by_id: str
    initiated_by_type: str  # "api_key" or "public"
    token: str = attrs.field(repr=False)
    created_ms: int  # creation time in Unix ms (stats windows)
    created_at: str
    status: str
    payment_status: str  # "not_required", "pending" or "paid"
    updated_at: str
    status_reason: str | None = None
    run_id: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    response_payload: dict[str, Any] | None = None
    events: list[dict[str, Any]] = attrs.field(factory=list)
    subscribers: set[Subscription] = attrs.field(factory=set)

    @property
    def terminal(self) -> bool:
        """Whether the execution has ended (its run ended)."""
        return self.status in TERMINAL

    def subscribe(self) -> Subscription:
        """A stream's subscription to the records appended from now on."""
        return Subscription([self.subscribers], _nothing)


class ExecutionBook:
    """Every external execution of one emulator, per organization (see the module docstring)."""

    def __init__(self, ids: IdSource, runs: RunBook, capacity: int = 1000) -> None:
        self._ids = ids
        self._runs = runs
        self._capacity = capacity
        self._by_id: dict[str, Execution] = {}
        self._by_key: dict[tuple[str, str], Execution] = {}
        self._orgs: dict[str, list[Execution]] = {}  # creation order (newest last)
        self._logs: dict[str, NotificationLog] = {}

    # -- reading ---------------------------------------------------------------------------------

    def get(self, org_id: str, execution_id: str) -> Execution:
        """The org's execution, or a 404 (404011), also for another organization's."""
        found = self._by_id.get(execution_id)
        if found is None or found.org_id != org_id:
            raise not_found(EXECUTION_NOT_FOUND, f"execution {execution_id!r}")
        return found

    def find(self, execution_id: str) -> Execution | None:
        """The execution ``execution_id`` of any organization, if it exists."""
        return self._by_id.get(execution_id)

    def with_token(self, execution_id: str, token: str | None) -> Execution:
        """A public execution whose client token is ``token`` (404011, then 401004)."""
        found = self._by_id.get(execution_id)
        if found is None:
            raise not_found(EXECUTION_NOT_FOUND, f"execution {execution_id!r}")
        if not token or not hmac.compare_digest(found.token.encode(), token.encode()):
            raise ApiError(401, BAD_CLIENT_TOKEN, "missing or invalid client token")
        return found

    def page(self, org_id: str, limit: int, offset: int, render: Callable[..., Any]) -> Any:
        """Newest first, ``{items, limit, offset, hasMore}`` (a slice of the creation order)."""
        order = self._orgs.get(org_id, [])
        end = len(order) - offset
        start = max(0, end - limit)
        items = list(reversed(order[start:end])) if end > 0 else []
        return page_body([render(item) for item in items], limit, offset, end > 0 and start > 0)

    def log(self, org_id: str) -> NotificationLog:
        """The organization's execution notifications (the org-wide stream)."""
        found = self._logs.get(org_id)
        if found is None:
            found = self._logs[org_id] = NotificationLog(self._capacity)
        return found

    # -- writing ---------------------------------------------------------------------------------

    def create(
        self,
        org_id: str,
        workflow_id: str,
        fields: dict[str, Any],
        *,
        payable: bool,
        initiated: tuple[str, str],
    ) -> tuple[Execution, bool]:
        """A new execution (``awaiting_payment`` or ``workflow_queued``), or the one the
        idempotency key already names: ``(execution, created)``."""
        key = fields.get("idempotencyKey")
        if key is not None:
            existing = self._by_key.get((org_id, key))
            if existing is not None:
                if existing.workflow_id != workflow_id:
                    raise ApiError(
                        409,
                        IDEMPOTENCY_CONFLICT,
                        "this idempotency key was already used for another workflow's execution",
                    )
                return existing, False
        moment = now()
        execution = Execution(
            id=self._ids.new("exe_"),
            org_id=org_id,
            workflow_id=workflow_id,
            source_system=fields["sourceSystem"],
            source_entity_type=fields["sourceEntityType"],
            source_entity_id=fields.get("sourceEntityId"),
            external_ref=fields.get("externalRef"),
            idempotency_key=key,
            request_payload=fields.get("requestPayload"),
            client_safe_metadata=fields.get("clientSafeMetadata"),
            initiated_by_id=initiated[0],
            initiated_by_type=initiated[1],
            token=self._ids.new("ect_", 32, stream="client-token"),
            created_ms=int(moment.timestamp() * 1000),
            created_at=iso(moment),
            status="awaiting_payment" if payable else "workflow_queued",
            payment_status="pending" if payable else "not_required",
            updated_at=iso(moment),
        )
        self._by_id[execution.id] = execution
        self._orgs.setdefault(org_id, []).append(execution)
        if key is not None:
            self._by_key[org_id, key] = execution
        if payable:
            self.record(
                execution,
                "awaiting_payment",
                title="Awaiting payment",
                message="the workflow is paid per execution",
            )
        else:
            self.record(execution, "workflow_queued", title="Workflow queued")
        return execution, True

    def confirm_payment(self, execution: Execution) -> None:
        """The payment arrived: ``payment_confirmed`` then ``workflow_queued`` (409004 else)."""
        if execution.status != "awaiting_payment":
            raise wrong_state(
                f"execution {execution.id!r} is {execution.status}, not awaiting payment"
            )
        execution.payment_status = "paid"
        self.record(execution, "payment_confirmed", title="Payment confirmed")
        self.record(execution, "workflow_queued", title="Workflow queued")

    def run_launched(self, execution: Execution, run_id: str) -> Callable[[dict[str, Any]], None]:
        """Tie ``execution`` to its run; returns the listener to add to the run's channel."""
        execution.run_id = run_id
        return lambda event: self._on_run_event(execution, event)

    def fail(self, execution: Execution, reason: str) -> None:
        """The run could not be started (the workflow changed meanwhile): ``workflow_failed``."""
        execution.status_reason = reason
        self.record(
            execution, "workflow_failed", level="error", title="Workflow failed", message=reason
        )

    def record(
        self,
        execution: Execution,
        event_type: str,
        *,
        level: str = "info",
        title: str,
        message: str = "",
        node_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append a record (a status change when ``event_type`` is a status) and publish it."""
        at = iso(now())
        if event_type in STATUSES:
            execution.status = event_type
            if event_type == "workflow_running" and execution.started_at is None:
                execution.started_at = at
            if event_type in TERMINAL:
                execution.finished_at = at
        execution.updated_at = at
        record = compact(
            {
                "seq": len(execution.events) + 1,
                "id": self._ids.new("exev_"),
                "eventType": event_type,
                "status": execution.status,
                "level": level,
                "title": title,
                "message": message,
                "nodeId": node_id,
                "runId": execution.run_id,
                "data": data,
                "createdAt": at,
            }
        )
        execution.events.append(record)
        for subscription in list(execution.subscribers):
            subscription.queue.put_nowait(record)
        fields = {key: value for key, value in record.items() if key not in ("seq", "createdAt")}
        fields["eventId"] = fields.pop("id")
        fields.pop("eventType")
        self.log(execution.org_id).publish(
            event_type, executionId=execution.id, workflowId=execution.workflow_id, **fields
        )
        return record

    def _on_run_event(self, execution: Execution, event: dict[str, Any]) -> None:
        kind, node = event["type"], event.get("nodeId")
        if execution.terminal:
            return
        if kind == "run_started":
            self.record(
                execution,
                "workflow_running",
                title="Workflow running",
                message=f"run {event['runId']} started",
            )
        elif kind == "node_completed":
            self.record(
                execution,
                "node_completed",
                title=f"Node {node} completed",
                node_id=node,
                data={"result": event.get("result")},
            )
        elif kind == "node_failed":
            error = event.get("error") or {}
            self.record(
                execution,
                "node_failed",
                level="error",
                title=f"Node {node} failed",
                message=str(error.get("message", "")),
                node_id=node,
                data={"error": error},
            )
        elif kind == "run_waiting":
            self.record(execution, "workflow_waiting", title="Workflow waiting", node_id=node)
        elif kind == "run_resumed":
            resumed = "workflow_running" if event.get("status") == "running" else "node_resumed"
            self.record(execution, resumed, title=f"Node {node} resumed", node_id=node)
        elif kind in _ENDINGS:
            self._ended(execution, event)

    def _ended(self, execution: Execution, event: dict[str, Any]) -> None:
        status = _ENDINGS[event["type"]] or (
            "workflow_partial" if event.get("status") == "partial" else "workflow_succeeded"
        )
        run = self._runs.get(event["runId"])
        if run is not None:
            execution.response_payload = {
                node_id: state.result
                for node_id, state in run.nodes.items()
                if state.status == "success" and node_id != run.trigger_node_id
            }
        error = event.get("error") or {}
        level = "error" if status in ("workflow_failed",) else "info"
        if status == "workflow_failed":
            execution.status_reason = str(error.get("message", "the run failed"))
        title = {
            "workflow_succeeded": "Workflow succeeded",
            "workflow_partial": "Workflow partially succeeded",
            "workflow_failed": "Workflow failed",
            "workflow_cancelled": "Workflow cancelled",
        }[status]
        self.record(
            execution, status, level=level, title=title, message=execution.status_reason or ""
        )

    def stats(self, org_id: str, start_ms: int, end_ms: int, granularity: str) -> dict[str, Any]:
        """``ExecutionStatsData`` of the executions created in ``[start_ms, end_ms]``."""
        order = self._orgs.get(org_id, [])
        first = bisect.bisect_left(order, start_ms, key=lambda e: e.created_ms)
        last = bisect.bisect_right(order, end_ms, key=lambda e: e.created_ms)
        return execution_stats(order[first:last], granularity)
