"""The streaming methods of ``b3.runs`` and ``b3.workflows``, as mixins of those resources.

Each method only builds a stream or a run handle (no I/O happens until it is iterated, awaited or
entered); the behaviour lives in :mod:`b3os_async.streams` and :mod:`b3os_async._streams.handle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from b3os_async._errors import ConfigurationError
from b3os_async._streams.handle import RunHandle
from b3os_async._streams.merge import MergedEventStream
from b3os_async._transport.paths import check_run_id, new_run_id, path
from b3os_async.streams import RunEventStream, RunNotificationStream

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from b3os_async._retry import RetryPolicy
    from b3os_async._streams.config import ReconnectCallback, StreamTimeouts
    from b3os_async._transport.session import SessionManager
    from b3os_async.models.definitions import WorkflowDefinition
    from b3os_async.models.events import RunEvent
    from b3os_async.models.runs import RunCreated

__all__ = ["MAX_WORKFLOWS_PER_STREAM", "RunStreamMethods", "WorkflowStreamMethods"]

#: ``GET /v1/workflow-runs/stream`` accepts at most this many workflow ids.
MAX_WORKFLOWS_PER_STREAM = 24


class _CreatesRuns(Protocol):
    _session: SessionManager

    async def create(
        self,
        definition: WorkflowDefinition | Mapping[str, Any],
        *,
        payload: Mapping[str, Any] | None = None,
        prop_values: Mapping[str, Any] | None = None,
        run_id: str | None = None,
    ) -> RunCreated: ...


class _RunsWorkflows(Protocol):
    _session: SessionManager

    async def run(
        self,
        workflow_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        version: int | None = None,
        simulate: bool | None = None,
        dust_test: bool | None = None,
        trigger_node_id: str | None = None,
    ) -> RunCreated: ...


class RunStreamMethods:
    """``b3.runs.stream()``, ``b3.runs.start()`` and ``b3.runs.create_and_stream()``."""

    __slots__ = ()
    _session: SessionManager

    def stream(
        self,
        run_id: str,
        *,
        last_event_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> RunEventStream:
        """Follow a run's events (``GET /v1/runs/{id}/stream``) until its terminal event.

        ``async with b3.runs.stream(run_id) as stream: async for event in stream: ...``

        Args:
            last_event_id: resume after this event id (e.g. ``stream.last_event_id`` of an
                earlier stream; ``"0"`` asks a server that replays for the whole history).
                Without it the server sends what happens from now on.
            timeouts: connect / first byte / idle / deadline limits (:class:`StreamTimeouts`).
            reconnect: the budget and backoff of reconnects (a ``RetryPolicy``; default
                ``DEFAULT_RECONNECT``: 10 consecutive failures within 5 minutes).
            on_reconnect: called with a :class:`ReconnectInfo` before each reconnect wait.
        """
        return RunEventStream(
            self._session,
            run_id,
            last_event_id=last_event_id,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )

    def start(
        self: _CreatesRuns,
        definition: WorkflowDefinition | Mapping[str, Any],
        *,
        payload: Mapping[str, Any] | None = None,
        prop_values: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> RunHandle:
        """Start an ephemeral run of ``definition`` with its event stream opened first.

        ``async with b3.runs.start(definition, payload={...}) as run: ...`` (or ``await`` it).
        The stream is subscribed before ``POST /v1/runs`` is sent, so no event is missed; see
        :class:`RunHandle`. Arguments are those of :meth:`create` and :meth:`stream`.
        """
        run_id = new_run_id() if run_id is None else check_run_id(run_id)

        async def trigger(rid: str) -> RunCreated:
            return await self.create(
                definition, payload=payload, prop_values=prop_values, run_id=rid
            )

        return RunHandle(
            self._session,
            run_id,
            trigger,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )

    def create_and_stream(
        self: _CreatesRuns,
        definition: WorkflowDefinition | Mapping[str, Any],
        *,
        payload: Mapping[str, Any] | None = None,
        prop_values: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> RunHandle:
        """Start an ephemeral run and iterate its events: ``async for event in ...``.

        The same as :meth:`start` (the handle is an async iterator that starts the run on the
        first iteration); use ``async with`` around it to release the stream if you stop early.
        """
        return RunStreamMethods.start(
            self,
            definition,
            payload=payload,
            prop_values=prop_values,
            run_id=run_id,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )


class WorkflowStreamMethods:
    """``b3.workflows.start()``, ``run_and_stream()``, ``stream_runs()``, ``stream_runs_many()``."""

    __slots__ = ()
    _session: SessionManager

    def start(
        self: _RunsWorkflows,
        workflow_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        version: int | None = None,
        run_id: str | None = None,
        simulate: bool | None = None,
        dust_test: bool | None = None,
        trigger_node_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> RunHandle:
        """Run a workflow with its event stream opened first (pre-subscription).

        ``async with b3.workflows.start(wf_id, payload={...}) as run:`` subscribes to
        ``/v1/runs/{run_id}/stream``, waits until the server answered, then sends
        ``POST /v1/workflows/{id}/run`` with that run id; ``run.events()``, ``await run.wait()``,
        ``await run.cancel()``. Arguments are those of :meth:`run` and ``b3.runs.stream()``.
        """
        run_id = new_run_id() if run_id is None else check_run_id(run_id)

        async def trigger(rid: str) -> RunCreated:
            return await self.run(
                workflow_id,
                payload=payload,
                run_id=rid,
                version=version,
                simulate=simulate,
                dust_test=dust_test,
                trigger_node_id=trigger_node_id,
            )

        return RunHandle(
            self._session,
            run_id,
            trigger,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )

    def run_and_stream(
        self: _RunsWorkflows,
        workflow_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        version: int | None = None,
        run_id: str | None = None,
        simulate: bool | None = None,
        dust_test: bool | None = None,
        trigger_node_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> RunHandle:
        """Run a workflow and iterate its events: ``async for event in run_and_stream(...)``.

        The same as :meth:`start`: the handle starts the run on the first iteration and stops
        after the terminal event. Wrap it in ``async with`` to release the stream if you stop early.
        """
        return WorkflowStreamMethods.start(
            self,
            workflow_id,
            payload=payload,
            version=version,
            run_id=run_id,
            simulate=simulate,
            dust_test=dust_test,
            trigger_node_id=trigger_node_id,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )

    def stream_runs(
        self,
        workflow_id: str,
        *,
        last_event_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> RunNotificationStream:
        """Follow a workflow's run notifications (``run_started``, ``run_completed``, ...).

        The stream never ends on its own: close it (``async with``) when done. It resumes
        after reconnects with ``Last-Event-ID``; events are :class:`RunEvent`.
        """
        return RunNotificationStream(
            self._session,
            path("/v1/workflows/{}/runs/stream", workflow_id),
            last_event_id=last_event_id,
            timeouts=timeouts,
            reconnect=reconnect,
            on_reconnect=on_reconnect,
        )

    def stream_runs_many(
        self,
        workflow_ids: Sequence[str],
        *,
        last_event_id: str | None = None,
        timeouts: StreamTimeouts | None = None,
        reconnect: RetryPolicy | None = None,
        on_reconnect: ReconnectCallback | None = None,
    ) -> MergedEventStream[RunEvent]:
        """Follow the run notifications of many workflows as one stream.

        The API accepts at most 24 workflow ids per stream (``/v1/workflow-runs/stream?ids=``),
        so the ids (duplicates removed) are split into groups of 24, one connection each, and
        their events merged in arrival order. Ids the key cannot see are silently dropped by the
        server. ``last_event_id`` is sent by every connection (the ids of these notifications
        are per organization).
        """
        if isinstance(workflow_ids, str):
            raise ConfigurationError("workflow_ids must be a list of ids, not one string")
        ids = list(dict.fromkeys(workflow_ids))
        if not ids:
            raise ConfigurationError("stream_runs_many() needs at least one workflow id")
        for value in ids:
            checked: object = value  # callers may pass anything: check at runtime
            if not isinstance(checked, str) or not checked or "," in checked:
                raise ConfigurationError(f"invalid workflow id {value!r}")
        sources = [
            RunNotificationStream(
                self._session,
                "/v1/workflow-runs/stream",
                params={"ids": ",".join(ids[i : i + MAX_WORKFLOWS_PER_STREAM])},
                last_event_id=last_event_id,
                timeouts=timeouts,
                reconnect=reconnect,
                on_reconnect=on_reconnect,
            )
            for i in range(0, len(ids), MAX_WORKFLOWS_PER_STREAM)
        ]
        return MergedEventStream(sources)
