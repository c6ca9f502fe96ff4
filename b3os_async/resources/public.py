"""``b3.public``: the routes that need no API key (``/v1/public/*``).

Available on every client as ``b3.public``, and on a keyless client made by
``B3OS.public(base_url=...)``, which can call these routes (and read public templates) only.
What they show depends on a workflow's visibility: ``public_view`` workflows can be read with
their runs, ``public_execute`` ones can also be run and get executions; any other workflow does
not exist publicly (``NotFoundError``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._streams.executions import ExecutionEventStream
from b3os_async._transport.paths import path
from b3os_async.models.executions import ExecutionCreated
from b3os_async.models.public import (
    PublicExecution,
    PublicRun,
    PublicRunListItem,
    PublicWidget,
    PublicWorkflow,
    PublicWorkflowMeta,
)
from b3os_async.models.runs import RunCreated
from b3os_async.resources._args import json_object
from b3os_async.resources._base import Resource
from b3os_async.resources.executions import execution_body

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async.pagination import AsyncPager

__all__ = ["Public"]


class Public(Resource):
    """Public, unauthenticated routes (``/v1/public``). Get it as ``b3.public``."""

    __slots__ = ()

    async def workflow(self, workflow_id: str, *, version: int | None = None) -> PublicWorkflow:
        """A public workflow (its live version, or ``version``)."""
        params = {"v": version}
        return await self._get(
            PublicWorkflow, "/v1/public/workflows/{}", workflow_id, params=params
        )

    async def workflow_meta(self, workflow_id: str) -> PublicWorkflowMeta:
        """A public workflow's name and description only."""
        return await self._get(PublicWorkflowMeta, "/v1/public/workflows/{}/meta", workflow_id)

    async def widget(self, workflow_id: str) -> PublicWidget:
        """A public workflow's widget configuration."""
        return await self._get(PublicWidget, "/v1/public/workflows/{}/widget", workflow_id)

    async def run_workflow(
        self, workflow_id: str, *, payload: Mapping[str, Any] | None = None
    ) -> RunCreated | None:
        """Run a ``public_execute`` workflow once with ``payload`` as its trigger payload.

        Not retried automatically (each request starts a run). Returns the new run's id when
        the API sends it (its answer is not published; ``None`` otherwise).
        """
        body = json_object(payload, "payload") or {}
        data = await self._data("POST", "/v1/public/workflows/{}/run", workflow_id, json=body)
        if isinstance(data, dict) and isinstance(data.get("runId"), str):
            return RunCreated(run_id=data["runId"])
        return None

    def runs(
        self, workflow_id: str, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[PublicRunListItem]:
        """A public workflow's runs, newest first, lazily (id, status and times only)."""
        return self._list(
            PublicRunListItem,
            "/v1/public/workflows/{}/runs",
            workflow_id,
            page_size=page_size,
            max_items=max_items,
        )

    async def run(self, run_id: str) -> PublicRun:
        """A run of a public workflow: its status and node states (no inputs or results)."""
        return await self._get(PublicRun, "/v1/public/runs/{}", run_id)

    async def run_by_tx(self, tx_hash: str) -> PublicRun:
        """The public run that a transaction triggered (``NotFoundError`` when none)."""
        return await self._get(PublicRun, "/v1/public/runs/by-tx/{}", tx_hash)

    async def create_execution(
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
        """Create a client-trackable execution of a ``public_execute`` workflow.

        Returns the execution and its client token (a secret) for :meth:`execution` and
        :meth:`stream_execution`. Safe to retry: the idempotency key (generated here unless
        given) makes the API return the same execution for a resent request. Arguments are
        those of ``b3.executions.create``.
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
        return await self._post(
            ExecutionCreated,
            "/v1/public/workflows/{}/executions",
            workflow_id,
            json=body,
            idempotent=True,
        )

    async def execution(self, execution_id: str, token: str) -> PublicExecution:
        """A public execution's status and timeline, read with its client token."""
        return await self._get(
            PublicExecution, "/v1/public/executions/{}", execution_id, params={"token": token}
        )

    def stream_execution(
        self,
        execution_id: str,
        token: str,
        *,
        last_event_id: str | None = None,
        history: bool = True,
    ) -> ExecutionEventStream:
        """Follow a public execution with its client token until it ends.

        The same guarantees as ``b3.executions.stream(execution_id)``: its whole timeline first
        (``history=False``: from now), then live events, exactly once across reconnects. The
        token travels in the query string; it never appears in ``repr()``, errors or logs.
        """
        params = {"token": token}

        async def timeline() -> list[Any]:
            data = await self._req.request(
                "GET", path("/v1/public/executions/{}", execution_id), params=params
            )
            events = data.get("events") if isinstance(data, dict) else None
            return events if isinstance(events, list) else []

        return ExecutionEventStream(
            self._req,
            path("/v1/public/executions/{}/stream", execution_id),
            execution_id=execution_id,
            timeline=timeline,
            params=params,
            last_event_id=last_event_id,
            history=history,
        )
