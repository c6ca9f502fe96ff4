"""``b3.executions``: external executions -- client-trackable, payment-aware sessions around a run.

NOT runs (``b3.runs``) and NOT node executions (``Run.execution_state``): an outside system
(a shop, a bot, a checkout) creates one for a workflow with its own references, and follows it
by its status (``ExternalExecutionStatus``), timeline and streams.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure_items
from b3os_async._errors import ConfigurationError
from b3os_async._streams.executions import ExecutionEventStream
from b3os_async._transport.paths import path
from b3os_async.models.executions import (
    ExecutionCreated,
    ExecutionDetail,
    ExecutionEventRecord,
    ExecutionStats,
    ExternalExecution,
)
from b3os_async.resources._args import compact, json_object
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async.pagination import AsyncPager

__all__ = ["Executions", "execution_body", "new_idempotency_key"]


def new_idempotency_key() -> str:
    """A fresh idempotency key for an execution: ``idem_`` followed by 24 random hex characters."""
    return "idem_" + os.urandom(12).hex()


def execution_body(
    *,
    source_system: str,
    source_entity_type: str,
    source_entity_id: str | None,
    external_ref: str | None,
    idempotency_key: str | None,
    request_payload: Mapping[str, Any] | None,
    client_safe_metadata: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The body of a create-execution request; the idempotency key is generated when not given.

    The key makes the POST safe to resend: the API answers a repeated key with the execution it
    already created (and its client token), so a retry never creates a second one.
    """
    checked: tuple[tuple[str, object], ...] = (
        ("source_system", source_system),
        ("source_entity_type", source_entity_type),
        ("idempotency_key", idempotency_key or "unset"),
    )  # callers may pass anything: check at runtime
    for name, value in checked:
        if not isinstance(value, str) or not value:
            raise ConfigurationError(f"{name} must be a non-empty string, got {value!r}")
    key = new_idempotency_key() if idempotency_key is None else idempotency_key
    return compact(
        sourceSystem=source_system,
        sourceEntityType=source_entity_type,
        sourceEntityId=source_entity_id,
        externalRef=external_ref,
        idempotencyKey=key,
        requestPayload=json_object(request_payload, "request_payload"),
        clientSafeMetadata=json_object(client_safe_metadata, "client_safe_metadata"),
    )


def _epoch_ms(value: datetime, name: str) -> int:
    checked: object = value  # callers may pass anything: check at runtime
    if not isinstance(checked, datetime) or checked.tzinfo is None:
        raise ConfigurationError(
            f"{name} must be a timezone-aware datetime, e.g. datetime.now(timezone.utc)"
        )
    return int(value.timestamp() * 1000)


class Executions(Resource):
    """External executions (``/v1/executions``). Get it as ``b3.executions``."""

    __slots__ = ()

    async def create(
        self,
        workflow_id: str,
        *,
        source_system: str,
        source_entity_type: str,
        source_entity_id: str | None = None,
        external_ref: str | None = None,
        idempotency_key: str | None = None,
        request_payload: Mapping[str, Any] | None = None,
        client_safe_metadata: Mapping[str, Any] | None = None,
    ) -> ExecutionCreated:
        """Create an external execution of a workflow; returns it with its client token.

        It starts ``awaiting_payment`` when the workflow is paid per execution, else its run is
        queued at once. Safe to retry: the idempotency key (generated here unless given) makes
        the API return the same execution for a resent request.

        Args:
            workflow_id: the workflow to run.
            source_system: who asks, in your terms (``"shopify"``).
            source_entity_type: what it is about (``"order"``).
            source_entity_id: which one (``"1042"``).
            external_ref: your reference, kept with the execution.
            idempotency_key: makes a resent request return the same execution (generated when
                not given).
            request_payload: the run's trigger payload.
            client_safe_metadata: shown to whoever holds the client token.
        """
        body = execution_body(
            source_system=source_system,
            source_entity_type=source_entity_type,
            source_entity_id=source_entity_id,
            external_ref=external_ref,
            idempotency_key=idempotency_key,
            request_payload=request_payload,
            client_safe_metadata=client_safe_metadata,
        )
        body = {"workflowId": workflow_id, **body}
        return await self._post(ExecutionCreated, "/v1/executions", json=body, idempotent=True)

    def list(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[ExternalExecution]:
        """List the organization's external executions, newest first, lazily."""
        return self._list(
            ExternalExecution, "/v1/executions", page_size=page_size, max_items=max_items
        )

    async def get(self, execution_id: str) -> ExecutionDetail:
        """Get an execution with its timeline."""
        return await self._get(ExecutionDetail, "/v1/executions/{}", execution_id)

    async def events(self, execution_id: str) -> tuple[ExecutionEventRecord, ...]:
        """Get an execution's timeline, oldest first."""
        data = await self._data("GET", "/v1/executions/{}/events", execution_id)
        return structure_items(data or [], ExecutionEventRecord, path="")

    async def stats(
        self, *, start: datetime, end: datetime, granularity: str = "daily"
    ) -> ExecutionStats:
        """Summarise the executions created between ``start`` and ``end`` (aware datetimes).

        Args:
            start: the window's start (a timezone-aware datetime; sent as Unix milliseconds).
            end: the window's end (likewise).
            granularity: ``hourly`` or ``daily`` buckets of the time series.
        """
        if granularity not in ("hourly", "daily"):
            raise ConfigurationError(
                f"granularity must be 'hourly' or 'daily', not {granularity!r}"
            )
        return await self._get(
            ExecutionStats,
            "/v1/executions/stats",
            params={
                "from": _epoch_ms(start, "start"),
                "to": _epoch_ms(end, "end"),
                "granularity": granularity,
            },
        )

    def stream(
        self,
        execution_id: str | None = None,
        *,
        last_event_id: str | None = None,
        history: bool = True,
    ) -> ExecutionEventStream:
        """Follow one execution until it ends, or (no id) every execution of the organization.

        ``async with b3.executions.stream(execution_id) as events: async for event in events:``.
        One execution's stream yields its whole timeline first (``history=False``: from now),
        then live events, exactly once across reconnects, and stops after the terminal status.
        The organization's stream never ends on its own: close it when done.
        """
        if execution_id is None:
            return ExecutionEventStream(
                self._req, "/v1/executions/stream", last_event_id=last_event_id
            )

        async def timeline() -> list[Any]:
            data = await self._req.request("GET", path("/v1/executions/{}/events", execution_id))
            return data if isinstance(data, list) else []

        return ExecutionEventStream(
            self._req,
            path("/v1/executions/{}/stream", execution_id),
            execution_id=execution_id,
            timeline=timeline,
            last_event_id=last_event_id,
            history=history,
        )
