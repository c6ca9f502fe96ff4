"""``b3.runs``: list, inspect, cancel, retry and create runs (also synchronously); follow their
events; count runs; attribute transactions; see variable writes."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure, structure_items
from b3os_async._errors import BadRequestError, ConfigurationError
from b3os_async._retry import Timeout
from b3os_async._streams.handle import RunHandle
from b3os_async._streams.runs import RunEventStream
from b3os_async._transport.paths import check_run_id, new_run_id
from b3os_async.models.runs import Run, RunCreated, RunListItem
from b3os_async.resources._args import (
    compact,
    definition_json,
    id_list,
    json_object,
    rfc3339,
    str_list,
)
from b3os_async.resources._base import Resource

# The result models of the rarer calls (models/run_results.py) are imported in the methods that
# return them: listing and streaming runs, the common path, then never builds their classes.

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from b3os_async._transport.session import Requester
    from b3os_async.models._enums import RunStatus
    from b3os_async.models.definitions import WorkflowDefinition
    from b3os_async.models.run_results import (
        NodeResumeResult,
        RunStatusCounts,
        RunTxAttribution,
        SyncRunResult,
        WorkflowRunStatusCounts,
    )
    from b3os_async.models.workflow_variables import VariableWrite
    from b3os_async.pagination import AsyncPager

__all__ = ["DUPLICATE_RUN_ID", "MAX_TX_HASHES", "SYNC_RUN_TIMEOUT", "Runs", "create_run"]

#: API error code for "duplicate run ID" (400): the run id was already used.
DUPLICATE_RUN_ID = 400079
#: Seconds ``run_sync`` waits at least: the server holds a synchronous run up to 60 s.
SYNC_RUN_TIMEOUT = 75.0
#: ``tx_attribution`` takes at most this many hashes.
MAX_TX_HASHES = 200


def sync_timeout(current: Timeout) -> Timeout:
    """The client's timeout stretched to outlast the server's 60 s hold (None stays None)."""

    def stretch(value: float | None) -> float | None:
        return None if value is None else max(value, SYNC_RUN_TIMEOUT)

    return Timeout(
        total=stretch(current.total), connect=current.connect, read=stretch(current.read)
    )


async def create_run(
    requester: Requester, path: str, body: dict[str, Any], run_id: str | None
) -> RunCreated:
    """POST a run-creating request with a client-generated ``runId``, safely retried.

    The run id makes the POST idempotent: a resend cannot start a second run, the API answers it
    with 400 "duplicate run ID" (code 400079). Such an answer to a *retried* attempt means an
    earlier attempt got through, so it counts as success. On the first attempt it is a genuine
    reuse of the id and is raised.
    """
    run_id = new_run_id() if run_id is None else check_run_id(run_id)
    try:
        data = await requester.request(
            "POST", path, json={**body, "runId": run_id}, idempotent=True
        )
    except BadRequestError as exc:
        if str(exc.code) == str(DUPLICATE_RUN_ID) and exc.attempts > 1:
            return RunCreated(run_id=run_id)
        raise
    if isinstance(data, dict) and "runId" in data:
        return structure(data, RunCreated)
    # The run was accepted and its id is ours; an answer without it loses nothing.
    return RunCreated(run_id=run_id)


class Runs(Resource):
    """Run endpoints (``/v1/runs``). Get it as ``b3.runs``.

    Two ways to start a run of an inline definition: :meth:`create` when you only need its id
    (fire and forget), :meth:`start` when you want its events (the stream is subscribed first).
    """

    __slots__ = ()

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
            page_size: items per request (``limit``).
            max_items: stop after this many items.
        """
        params = {"status": status}
        return self._list(
            RunListItem, "/v1/runs", params=params, page_size=page_size, max_items=max_items
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
            run_id: the run (``run_…``).
            summary: ``True`` omits ``execution_state`` and the definition snapshot.
            node_ids: only include these nodes in ``execution_state``.
        """
        params = {"summary": summary, "nodeIds": id_list(node_ids, "node_ids")}
        return await self._get(Run, "/v1/runs/{}", run_id, params=params)

    async def cancel(self, run_id: str) -> Run:
        """Cancel a running or waiting run (``ConflictError`` if it already ended)."""
        return await self._post(Run, "/v1/runs/{}/cancel", run_id)

    async def retry(self, run_id: str) -> Run:
        """Retry a failed or cancelled run from its failure point; returns the new run."""
        return await self._post(Run, "/v1/runs/{}/retry", run_id)

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
            definition: the workflow definition to run (a dict or a ``WorkflowDefinition``);
                its trigger must be ``manual``.
            payload: merged into the trigger's result (``{{root.result.x}}``).
            prop_values: template prop values (``{{$props.x}}``).
            run_id: your own run id (must start with ``run_``; checked before sending).
        """
        body = compact(
            definition=definition_json(definition),
            payload=json_object(payload, "payload"),
            propValues=json_object(prop_values, "prop_values"),
        )
        return await create_run(self._req, "/v1/runs", body, run_id)

    def start(
        self,
        definition: WorkflowDefinition | Mapping[str, Any],
        *,
        payload: Mapping[str, Any] | None = None,
        prop_values: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> RunHandle:
        """Start an ephemeral run of ``definition`` with its event stream opened first.

        ``async with b3.runs.start(definition, payload={...}) as run:`` (or ``await`` it, or
        iterate it: ``async for event in b3.runs.start(...)``). The stream is subscribed before
        ``POST /v1/runs`` is sent, so no event is missed; see :class:`RunHandle`. Arguments are
        those of :meth:`create`.
        """
        run_id = new_run_id() if run_id is None else check_run_id(run_id)

        async def trigger(rid: str) -> RunCreated:
            return await self.create(
                definition, payload=payload, prop_values=prop_values, run_id=rid
            )

        return RunHandle(self._req, run_id, trigger)

    def stream(
        self, run_id: str, *, last_event_id: str | None = None, history: bool = True
    ) -> RunEventStream:
        """Follow a run's events (``GET /v1/runs/{id}/stream``) until its terminal event.

        ``async with b3.runs.stream(run_id) as stream: async for event in stream: ...``

        By default the stream yields the whole run first (replayed by the server, or rebuilt from
        the run's state as ``synthetic=True`` events by a server that cannot replay), then live
        events. Stream settings (timeouts, reconnect budget, ``on_reconnect``) come from the
        client or ``b3.with_options(...)``.

        Args:
            run_id: the run (``run_…``; refused before any request otherwise).
            last_event_id: resume after this event id (``stream.last_event_id`` of an earlier
                stream) instead of from the start.
            history: ``False`` follows from now on only (what already happened is skipped).
        """
        return RunEventStream(self._req, run_id, last_event_id=last_event_id, history=history)

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
            run_id: the waiting run.
            node_id: the waiting node (a ``wait`` node of the run's definition).
            data: the value the waiting node resumes with (default ``{}``).
            for_each_context: which for-each iteration to resume (``{"stack": [...]}``), as sent
                by the API.
            secret: the workflow's trigger secret, for callers without an API key; sent as the
                ``secret`` query parameter only when given.
        """
        from b3os_async.models.run_results import NodeResumeResult

        body = compact(
            data=json_object(data, "data") or {},
            forEachContext=json_object(for_each_context, "for_each_context"),
        )
        return await self._post(
            NodeResumeResult,
            "/v1/runs/{}/nodes/{}/resume",
            run_id,
            node_id,
            params={"secret": secret},
            json=body,
        )

    async def status_counts(self, *, since: datetime | None = None) -> RunStatusCounts:
        """Count the organization's runs by status, optionally only runs started since ``since``.

        Args:
            since: a timezone-aware ``datetime`` (sent as RFC 3339); naive ones are refused.
        """
        from b3os_async.models.run_results import RunStatusCounts

        params = {"since": rfc3339(since, "since")}
        return await self._get(RunStatusCounts, "/v1/runs/status-counts", params=params)

    # -- synchronous runs, per-workflow counts, transactions, variable writes ----------------

    async def run_sync(
        self,
        definition: WorkflowDefinition | Mapping[str, Any],
        *,
        payload: Mapping[str, Any] | None = None,
        prop_values: Mapping[str, Any] | None = None,
    ) -> SyncRunResult:
        """Run an inline definition and wait for its result (at most 20 nodes, 60 s, no ``wait``
        or for-each nodes). Never retried: it runs the definition again (its side effects too).

        The server holds the request until the run ends, so this call's timeout is stretched to
        at least 75 s whatever the client's timeout is (``with_options(timeout=...)`` can make it
        longer, not shorter).
        """
        from b3os_async.models.run_results import SyncRunResult

        body = compact(
            definition=definition_json(definition),
            payload=json_object(payload, "payload"),
            propValues=json_object(prop_values, "prop_values"),
        )
        requester = self._req.with_options(timeout=sync_timeout(self._req.options.timeout))
        data = await requester.request("POST", "/v1/runs/sync", json=body, idempotent=False)
        return structure(data, SyncRunResult)

    async def status_counts_by_workflow(
        self, *, since: datetime | None = None
    ) -> builtins.list[WorkflowRunStatusCounts]:
        """Run counts by status for each workflow, most runs first (only runs since ``since``).

        Args:
            since: a timezone-aware ``datetime`` (sent as RFC 3339); naive ones are refused.
        """
        from b3os_async.models.run_results import WorkflowRunStatusCounts

        params = {"since": rfc3339(since, "since")}
        data = await self._data("GET", "/v1/runs/status-counts/by-workflow", params=params)
        return builtins.list(structure_items(data or [], WorkflowRunStatusCounts))

    async def tx_attribution(self, tx_hashes: Sequence[str]) -> dict[str, RunTxAttribution]:
        """Which runs executed these transactions (hashes not attributed are left out).

        Read-only, so retried like a GET. At most 200 hashes.
        """
        from b3os_async.models.run_results import RunTxAttribution

        hashes = builtins.list(dict.fromkeys(str_list(tx_hashes, "tx_hashes") or ()))
        if not 1 <= len(hashes) <= MAX_TX_HASHES:
            raise ConfigurationError(f"give 1 to {MAX_TX_HASHES} hashes, got {len(hashes)}")
        data = await self._data(
            "POST", "/v1/runs/tx-attribution", json={"txHashes": hashes}, idempotent=True
        )
        return structure(data, dict[str, RunTxAttribution])

    def variable_writes(
        self, run_id: str, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[VariableWrite]:
        """The workflow variable writes a run made, in order, lazily."""
        # Imported here: most programs never list variable writes, and building the variable
        # models would cost every `b3.runs` user import time.
        from b3os_async.models.workflow_variables import VariableWrite

        return self._list(
            VariableWrite,
            "/v1/runs/{}/variable-writes",
            run_id,
            page_size=page_size,
            max_items=max_items,
        )
