"""External execution models (``b3.executions``): NOT runs, NOT node executions.

An *external execution* is a client-trackable, payment-aware session around one run of a
workflow, created by an outside system (a shop, a bot, a browser) with its own references
(``source_system``, ``external_ref``, an idempotency key). Its status follows the run
(``ExternalExecutionStatus``); its timeline is a list of :class:`ExecutionEventRecord`; its two
streams deliver :class:`ExecutionEvent` s. Payloads and event data are free-form JSON.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import ExternalExecutionStatus

__all__ = [
    "ExecutionCreated",
    "ExecutionDetail",
    "ExecutionEvent",
    "ExecutionEventRecord",
    "ExecutionSourceSystemStat",
    "ExecutionStats",
    "ExecutionStatsSummary",
    "ExecutionStatusCount",
    "ExecutionTimeSeriesPoint",
    "ExternalExecution",
    "RecentExecutionFailure",
]


@attrs.frozen(kw_only=True)
class ExternalExecution:
    """One external execution: who asked (source system / entity), its run and its status."""

    id: str
    status: ExternalExecutionStatus | None = None
    organization_id: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    status_reason: str | None = None
    source_system: str | None = None
    source_entity_type: str | None = None
    source_entity_id: str | None = None
    external_ref: str | None = None
    idempotency_key: str | None = None
    request_payload: dict[str, Any] | None = None
    response_payload: dict[str, Any] | None = None
    client_safe_metadata: dict[str, Any] | None = None
    payment_status: str | None = None
    order_id: str | None = None
    checkout_session_id: str | None = None
    initiated_by_id: str | None = None
    initiated_by_type: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ExecutionCreated:
    """A created (or, for a repeated idempotency key, the existing) execution and its token.

    ``client_token`` lets a browser follow the execution without an API key
    (``B3OS.public().public.execution(id, token)``). It is a secret: hidden from ``repr()``.
    """

    execution: ExternalExecution
    client_token: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class ExecutionEventRecord:
    """One entry of an execution's timeline (``event_type`` is a status or e.g.
    ``node_completed``; ``level`` ``info`` or ``error``; ``data`` free-form)."""

    id: str | None = None
    event_type: str | None = None
    level: str | None = None
    title: str | None = None
    message: str | None = None
    node_id: str | None = None
    run_id: str | None = None
    execution_id: str | None = None
    workflow_id: str | None = None
    organization_id: str | None = None
    request_id: str | None = None
    data: dict[str, Any] | None = None
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ExecutionDetail:
    """``b3.executions.get()``: the execution, its timeline and a status message."""

    execution: ExternalExecution
    events: tuple[ExecutionEventRecord, ...] = ()
    message: str | None = None


@attrs.frozen(kw_only=True)
class ExecutionEvent:
    """One event of an execution stream (``b3.executions.stream()``, the public stream).

    * ``type``: the timeline entry's type -- a status (``workflow_running`` ...) when the
      execution changed status, else e.g. ``node_completed``, ``node_failed``; unknown types
      are kept. From the SSE ``event:`` field, else the JSON ``type``.
    * ``id`` / ``seq``: the SSE id and the sequence number (per execution on one execution's
      stream, per organization on the org-wide one).
    * ``status``: the execution's status after this event (an open enum).
    * ``level``, ``title``, ``message``, ``node_id``, ``run_id``, ``execution_id``,
      ``workflow_id``, ``event_id`` (the timeline entry's id), ``timestamp``.
    * ``data``: the entry's free-form data (not sent on public streams); ``raw``: the whole
      decoded JSON payload (or the text when it was not JSON).
    * ``synthetic``: ``True`` when the SDK rebuilt the event from the execution's timeline
      because the server could not replay what a dropped connection missed.

    A field whose JSON value has another type than declared is ``None`` (the value stays in
    ``raw``); the event is delivered, never an error.
    """

    type: str
    id: str | None = None
    seq: int | None = None
    status: ExternalExecutionStatus | None = None
    execution_id: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    node_id: str | None = None
    event_id: str | None = None
    level: str | None = None
    title: str | None = None
    message: str | None = None
    data: Any = None
    timestamp: datetime | None = None
    raw: Any = None
    synthetic: bool = False

    @property
    def is_terminal(self) -> bool:
        """``True`` for the event that ended the execution (a terminal status of its own)."""
        status = self.status
        return status is not None and status.is_terminal and self.type == status.value


@attrs.frozen(kw_only=True)
class ExecutionStatsSummary:
    """Totals of ``ExecutionStats``: counts per outcome, success rate, average duration."""

    total: int = 0
    succeeded: int = 0
    failed: int = 0
    partial: int = 0
    cancelled: int = 0
    in_progress: int = 0
    terminal: int = 0
    success_rate: float | None = None
    average_duration_ms: float | None = None


@attrs.frozen(kw_only=True)
class ExecutionStatusCount:
    """How many executions of the window have one status."""

    status: ExternalExecutionStatus | None = None
    count: int = 0


@attrs.frozen(kw_only=True)
class ExecutionSourceSystemStat:
    """Outcomes of the executions of one source system."""

    source_system: str | None = None
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    partial: int = 0
    cancelled: int = 0


@attrs.frozen(kw_only=True)
class ExecutionTimeSeriesPoint:
    """Outcomes of the executions created in one bucket (an hour or a day)."""

    bucket_start: datetime | None = None
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    partial: int = 0
    cancelled: int = 0


@attrs.frozen(kw_only=True)
class RecentExecutionFailure:
    """One recent failed execution of the window."""

    execution_id: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    status: ExternalExecutionStatus | None = None
    status_reason: str | None = None
    source_system: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ExecutionStats:
    """``b3.executions.stats()``: the executions created in a time window, summarised."""

    granularity: str | None = None
    summary: ExecutionStatsSummary | None = None
    statuses: tuple[ExecutionStatusCount, ...] = ()
    source_systems: tuple[ExecutionSourceSystemStat, ...] = ()
    time_series: tuple[ExecutionTimeSeriesPoint, ...] = ()
    recent_failures: tuple[RecentExecutionFailure, ...] = ()
