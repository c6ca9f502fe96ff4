"""``b3.runs``: list, inspect, cancel, retry and create runs; resume waiting nodes; count runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import format_datetime
from b3os_async._errors import ConfigurationError
from b3os_async._transport.paths import path
from b3os_async.models.runs import (
    NodeResumeResult,
    Run,
    RunCreated,
    RunListItem,
    RunStatusCounts,
)
from b3os_async.resources._base import Resource, compact, definition_json, json_object
from b3os_async.resources._streaming import RunStreamMethods

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from b3os_async.models._enums import RunStatus
    from b3os_async.models.definitions import WorkflowDefinition
    from b3os_async.pagination import AsyncPager

__all__ = ["Runs"]


class Runs(RunStreamMethods, Resource):
    """Run endpoints (``/v1/runs``). Get it as ``b3.runs``."""

    def list(
        self,
        *,
        status: RunStatus | str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[RunListItem]:
        """List the organization's runs, newest first, lazily.

        ``async for run in b3.runs.list(status="failure"): ...``

        Args:
            status: ``running``, ``waiting``, ``success``, ``partial``, ``failure``, ``cancelled``.
            page_size: items per request (``limit``); max_items: stop after this many items.
        """
        return self._pager(
            RunListItem,
            "/v1/runs",
            params={"status": status},
            page_size=page_size,
            max_items=max_items,
        )

    async def get(
        self,
        run_id: str,
        *,
        summary: bool | None = None,
        node_ids: Sequence[str] | None = None,
    ) -> Run:
        """Get a run with its per-node execution state.

        Args:
            summary: ``True`` omits ``execution_state`` and the definition snapshot.
            node_ids: only include these nodes in ``execution_state``.
        """
        if isinstance(node_ids, str):
            raise ConfigurationError("node_ids must be a list of node ids, not one string")
        params = {
            "summary": summary,
            "nodeIds": ",".join(node_ids) if node_ids is not None else None,
        }
        return await self._call(Run, "GET", path("/v1/runs/{}", run_id), params=params)

    async def cancel(self, run_id: str) -> Run:
        """Cancel a running or waiting run (``ConflictError`` if it already ended)."""
        return await self._call(Run, "POST", path("/v1/runs/{}/cancel", run_id))

    async def retry(self, run_id: str) -> Run:
        """Retry a failed or cancelled run from its failure point; returns the new run."""
        return await self._call(Run, "POST", path("/v1/runs/{}/retry", run_id))

    async def create(
        self,
        definition: WorkflowDefinition | Mapping[str, Any],
        *,
        payload: Mapping[str, Any] | None = None,
        prop_values: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> RunCreated:
        """Run an inline definition once (an ephemeral run: nothing is saved; manual trigger only).

        The run id is generated here (``run_`` + random) unless given, so the request can be
        retried safely and the run's stream can be opened before the run starts.

        Args:
            payload: merged into the trigger's result (``{{root.result.x}}``).
            prop_values: template prop values (``{{$props.x}}``).
            run_id: your own run id (must start with ``run_``; checked before sending).
        """
        body = compact(
            definition=definition_json(definition),
            payload=json_object(payload, "payload"),
            propValues=json_object(prop_values, "prop_values"),
        )
        return await self._create_run("/v1/runs", body, run_id)

    async def resume_node(
        self,
        run_id: str,
        node_id: str,
        *,
        data: Mapping[str, Any] | None = None,
        for_each_context: Mapping[str, Any] | None = None,
        secret: str | None = None,
    ) -> NodeResumeResult:
        """Resume a node that is waiting (a ``wait`` node), handing it ``data``.

        Args:
            data: the value the waiting node resumes with (default ``{}``).
            for_each_context: which for-each iteration to resume (``{"stack": [...]}``), as sent
                by the API.
            secret: the workflow's trigger secret, for callers without an API key; sent as the
                ``secret`` query parameter only when given.
        """
        body = compact(
            data=json_object(data, "data") or {},
            forEachContext=json_object(for_each_context, "for_each_context"),
        )
        return await self._call(
            NodeResumeResult,
            "POST",
            path("/v1/runs/{}/nodes/{}/resume", run_id, node_id),
            params={"secret": secret},
            json=body,
        )

    async def status_counts(self, *, since: datetime | None = None) -> RunStatusCounts:
        """Count the organization's runs by status, optionally only runs started since ``since``.

        Args:
            since: a timezone-aware ``datetime`` (sent as RFC 3339); naive ones are refused.
        """
        params = {"since": _rfc3339(since, "since") if since is not None else None}
        return await self._call(RunStatusCounts, "GET", "/v1/runs/status-counts", params=params)


def _rfc3339(value: datetime, name: str) -> str:
    try:
        return format_datetime(value)
    except (ValueError, AttributeError, TypeError):
        raise ConfigurationError(
            f"{name} must be a timezone-aware datetime, e.g. datetime.now(timezone.utc), "
            f"got {value!r}"
        ) from None
