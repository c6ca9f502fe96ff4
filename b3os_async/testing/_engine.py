"""The workflow engine: executes runs for real and publishes their events.

Theory of operation
-------------------
:meth:`Engine.launch` is called by the run endpoints with a fully built :class:`Run` whose
``nodes`` already hold every node reachable from the trigger as ``pending``. Synchronously (before
the HTTP answer is sent) it stores the run, attaches its channel and publishes ``run_started``, so
a stream opened before the POST sees it. Execution then happens in one asyncio task per run:

* A node runs when its parent finished successfully: ``node_started`` (status ``running``), then
  ``node_completed`` (``success``, with ``result``) or ``node_failed`` (``failure``, with
  ``error{message, code}``). The trigger node "runs" too; its result is the run payload plus
  ``triggeredAt``.
* Children run concurrently (one task each), in ``children`` order. A node reached from several
  parents runs once; the first parent to reach it decides (a skip counts).
* ``if`` nodes take the children whose ``branch`` matches (``then``/``else``; no branch = ``then``);
  ``wait`` nodes take ``resumed`` (or no branch) children after a resume and ``timed_out`` children
  after ``timeoutMs``. Children not taken, and every descendant of a failed node, are marked
  ``skipped`` (``node_skipped``, depth-first order). Graph walks use explicit stacks and every
  node runs in its own task in one flat set per run, so no walk recurses however long a chain is.
* A ``wait`` node is ``waiting``; the run is ``waiting`` while any node waits (``run_waiting`` with
  the node id). :meth:`Engine.resume` (or the timeout) publishes ``run_resumed`` (its ``status``
  is the run's status after the resume: ``waiting`` while another node still waits, else
  ``running``) and the node completes with the resume ``data`` (or ``{"timedOut": true}``).
* When no work is left: ``success`` if no node failed; ``partial`` if a node failed but some branch
  reached a successful leaf (a successful node none of whose children ran); else ``failure``.
  The terminal event is ``run_completed`` (success/partial) or ``run_failed``.
* :meth:`Engine.cancel` finishes the run synchronously (running/waiting/pending nodes become
  ``cancelled``, ``run_cancelled`` is published) and then cancels the task.
* A retry is a new run whose ``kept`` nodes (successful in the source run) are copied as they
  were and not executed again (no events for them); execution walks through them to the rest.

Built-in actions (node ``type``): ``echo``/``transform`` (result = resolved payload), ``delay``
(``{"ms": N}``), ``fail`` (``{"message", "when"}``), ``http-request`` (loopback only), ``if``,
``wait``. The other actions of the catalog (``_catalog/``) are simulated: the resolved payload is
checked against the action's ``payloadSchema`` (a problem fails the node, code
``invalid_payload``) and the result is its ``exampleOutput``. A type the catalog does not know
fails its node. Run-level notifications (``run_started`` and the terminal event) also go to the
organization's notification log. :meth:`Engine.execute_action` runs one action outside any run
(``actions test/run``, the action proxy). Every node execution is counted in the statistics
(``store.stats``, ``GET /v1/statistics``). ``{{$vars.x}}`` reads workflow variables (the
``set-variable`` action is an extra action, ``_variable_action.py``). Timestamps come from the
emulator's clock (``store.clock``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

import aiohttp

from b3os_async.testing import _values
from b3os_async.testing._actions import NodeFailure, run_action, timer_seconds
from b3os_async.testing._common import NODE_NOT_FOUND, NOT_CANCELLABLE, ApiError
from b3os_async.testing._domain.runs import NodeState
from b3os_async.testing._graph import children_of, has_successful_leaf, nodes_of
from b3os_async.testing._meter import Meter

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from b3os_async.testing._domain.runs import Run
    from b3os_async.testing._store import Store
    from b3os_async.testing._streams import Broker

    ExtraAction = Callable[[Run, str, dict[str, Any]], Awaitable[dict[str, Any]]]

logger = logging.getLogger("b3os_async.testing")


class Engine:
    """Executes runs; one instance per emulator."""

    def __init__(self, store: Store, broker: Broker) -> None:
        self._store = store
        self._clock = store.clock
        self._broker = broker
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Waiting nodes per run: a finishing run forgets its own without a look at the others.
        self._waits: dict[str, dict[str, asyncio.Future[dict[str, Any]]]] = {}
        self._changed = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self.extra_actions: dict[str, ExtraAction] = {}  # node types served elsewhere
        self._meters: dict[str, Meter] = {}  # per executing run: sizes kept (_values.py)

    # -- lifecycle -----------------------------------------------------------------------------

    async def close(self) -> None:
        """Cancel every executing run and close the HTTP client of ``http-request``."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def changed(self, timeout: float) -> None:
        """Wait until some run changes (or ``timeout`` passes)."""
        event = self._changed
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def _touch(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # -- starting, resuming, cancelling ----------------------------------------------------------

    def launch(self, run: Run, kept: frozenset[str] = frozenset()) -> None:
        """Store ``run``, publish ``run_started`` and start executing it (see module docstring)."""
        self._store.credits.admit_run(run.org_id)  # 402 when the org cannot pay (credits.py)
        self._store.runs.add(run)
        if run.workflow_id:
            self._store.variables.run_started(run)
        channel = self._broker.run_channel(run.id)
        channel.attach(run.org_id)
        channel.publish("run_started", "running")
        self._notify(run, "run_started")
        self._meters[run.id] = Meter()
        self._tasks[run.id] = asyncio.get_running_loop().create_task(self._execute(run, kept))
        self._touch()

    def resume(self, run: Run, node_id: str, data: dict[str, Any]) -> tuple[str, str]:
        """Resume a waiting node: ``("resumed", "")`` or ``("skipped", why)``."""
        if node_id not in nodes_of(run.definition):
            raise ApiError(404, NODE_NOT_FOUND, f"node {node_id!r} not found in run {run.id!r}")
        future = self._waits.get(run.id, {}).get(node_id)
        if run.terminal or future is None or future.done():
            return "skipped", f"node {node_id!r} is not waiting"
        future.set_result(data)
        self._resumed(run, node_id, data)
        return "resumed", ""

    def cancel(self, run: Run) -> None:
        """Cancel a running or waiting run (409 if it already finished)."""
        if run.terminal:
            raise ApiError(409, NOT_CANCELLABLE, f"run {run.id!r} is {run.status}; not cancellable")
        at = self._clock.iso()
        for state in run.nodes.values():
            if state.status in ("pending", "running", "waiting"):
                state.status = "cancelled"
                state.finished_at = at
        run.status, run.finished_at = "cancelled", at
        self._broker.run_channel(run.id).publish("run_cancelled", "cancelled")
        self._notify(run, "run_cancelled")
        task = self._tasks.pop(run.id, None)
        if task is not None:
            task.cancel()
        self._touch()

    # -- execution ----------------------------------------------------------------------------

    async def _execute(self, run: Run, kept: frozenset[str]) -> None:
        # Every node executes in a task of its own, and all of them are owned here in ONE flat
        # set (a node spawns its children into it) instead of a tree of nested gathers: a chain
        # thousands of nodes long then needs no recursion, neither to run nor to be cancelled
        # (cancelling nested gathers recurses once per level and overflows the stack).
        tasks: set[asyncio.Task[None]] = set()
        loop = asyncio.get_running_loop()

        def spawn(node_id: str) -> None:
            tasks.add(loop.create_task(self._node(run, node_id, kept, spawn)))

        try:
            _values.charge_kept(self._meters[run.id], [run.nodes[node_id] for node_id in kept])
            spawn(run.trigger_node_id)
            while tasks:
                # A parent spawns its children before it finishes, so the set only empties
                # when no work is left.
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    tasks.discard(task)
                    task.result()  # an emulator bug in a node task fails the run (below)
            self._finish(run)
        except asyncio.CancelledError:
            pass  # cancel() already finished the run, or the emulator is closing
        except Exception as exc:  # an emulator bug: fail the run loudly rather than hang
            logger.exception("emulator engine error in run %s", run.id)
            self._finish(run, internal=f"emulator engine error: {exc!r}")
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.pop(run.id, None)
            self._meters.pop(run.id, None)
            for future in self._waits.pop(run.id, {}).values():
                future.cancel()

    async def _node(
        self, run: Run, node_id: str, kept: frozenset[str], spawn: Callable[[str], None]
    ) -> None:
        state = run.nodes[node_id]
        node = nodes_of(run.definition)[node_id]
        if node_id not in kept:
            if state.status != "pending":
                return  # reached again through another parent: it runs once
            if not await self._run_node(run, node_id, node, state):
                self._skip(run, children_of(node))
                return
        taken, skipped = self._split_children(run, node, state)
        self._skip(run, skipped)
        for child in taken:
            spawn(child)

    def _split_children(
        self, run: Run, node: dict[str, Any], state: NodeState
    ) -> tuple[list[str], list[str]]:
        nodes = nodes_of(run.definition)
        taken: list[str] = []
        skipped: list[str] = []
        for child in children_of(node):
            if child not in run.nodes:
                continue
            if state.branch is None:
                taken.append(child)
                continue
            branch = nodes[child].get("branch")
            default = "then" if node["type"] == "if" else "resumed"
            (taken if (branch or default) == state.branch else skipped).append(child)
        return taken, skipped

    def _skip(self, run: Run, node_ids: list[str]) -> None:
        """Mark ``node_ids`` and their descendants ``skipped`` (those still pending), depth-first.

        An explicit stack, not recursion: the chain below a failed node may be thousands of
        nodes long. Popping from a stack of reversed children visits nodes in the same
        pre-order a recursive walk would.
        """
        nodes = nodes_of(run.definition)
        channel = self._broker.run_channel(run.id)
        stack = list(reversed(node_ids))
        while stack:
            node_id = stack.pop()
            state = run.nodes.get(node_id)
            if state is None or state.status != "pending":
                continue
            state.status = "skipped"
            state.finished_at = self._clock.iso()
            channel.publish("node_skipped", "skipped", nodeId=node_id)
            stack.extend(reversed(children_of(nodes[node_id])))

    async def _run_node(
        self, run: Run, node_id: str, node: dict[str, Any], state: NodeState
    ) -> bool:
        channel = self._broker.run_channel(run.id)
        state.status, state.started_at = "running", self._clock.iso()
        channel.publish("node_started", "running", nodeId=node_id)
        self._touch()
        kind = "trigger" if node_id == run.trigger_node_id else "action"
        started = time.perf_counter()
        meter = self._meters[run.id]
        try:
            self._store.credits.charge_node(run, node_id, node["type"])  # CU (credits.py)
            if kind == "trigger":
                state.input = dict(run.trigger_result)
                result: dict[str, Any] = dict(run.trigger_result)
            else:
                resolved = _values.render(node.get("payload") or {}, self._lookup(run), meter)
                state.input = resolved
                result = await self._action(run, node_id, node["type"], resolved, state)
            _values.keep(meter, state, result)  # size limits (_values.py)
        except NodeFailure as failure:
            state.status, state.finished_at = "failure", self._clock.iso()
            state.error = {"message": failure.message, "code": failure.code}
            state.result = _values.kept_on_failure(meter, state, failure.result)
            channel.publish("node_failed", "failure", nodeId=node_id, error=state.error)
            self._record(kind, node["type"], started, ok=False)
            self._touch()
            return False
        state.status, state.finished_at, state.result = "success", self._clock.iso(), result
        self._store.runs.record_tx(run, node_id, result)
        channel.publish("node_completed", "success", nodeId=node_id, result=result)
        self._record(kind, node["type"], started, ok=True)
        self._touch()
        return True

    def _record(self, kind: str, node_type: str, started: float, *, ok: bool) -> None:
        """Count one execution in the statistics (``started``: its ``perf_counter()``)."""
        elapsed_ms = (time.perf_counter() - started) * 1000
        at_ms = int(time.time() * 1000)
        self._store.stats.record(kind, node_type, at_ms=at_ms, duration_ms=elapsed_ms, ok=ok)

    async def execute_action(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Execute one action outside any run (``actions test/run``, the action proxy).

        Raises :class:`NodeFailure` as a node would fail; ``wait`` cannot run on its own. The
        caller records the execution in the statistics (it knows the whole duration).
        """
        return await self._action(None, "", kind, payload, NodeState(kind))

    def _lookup(self, run: Run) -> Callable[[str], Any]:
        def lookup(first: str) -> Any:
            if first == "$props":
                return run.prop_values
            if first == "$trigger":
                return {"body": run.trigger_result}
            if first == "$workflowId":
                return run.workflow_id
            if first == "$runId":
                return run.id
            if first == "$vars":
                return self._store.variables.values(run.workflow_id) if run.workflow_id else {}
            state = run.nodes.get(run.trigger_node_id if first == "root" else first)
            if state is None or state.status != "success":
                return None
            return {"result": state.result, "input": state.input, "status": state.status}

        return lookup

    async def _action(
        self, run: Run | None, node_id: str, kind: str, payload: dict[str, Any], state: NodeState
    ) -> dict[str, Any]:
        if kind == "wait":
            if run is None:
                raise NodeFailure("a wait node pauses a run; it cannot run on its own", "no_run")
            return await self._wait(run, node_id, payload, state)
        if (extra := self.extra_actions.get(kind)) is not None:  # send-webhook ...
            if run is None:
                raise NodeFailure(f"{kind} acts for a run; it cannot run on its own", "no_run")
            return await extra(run, node_id, payload)
        return await run_action(kind, payload, state, self._session)

    def _session(self) -> aiohttp.ClientSession:
        """The HTTP client of ``http-request`` (created on first use, closed by close())."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    async def _wait(
        self, run: Run, node_id: str, payload: dict[str, Any], state: NodeState
    ) -> dict[str, Any]:
        timeout_ms = payload.get("timeoutMs")
        timeout = None if timeout_ms is None else timer_seconds(timeout_ms, "wait", "timeoutMs", 0)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waits.setdefault(run.id, {})[node_id] = future
        state.status = "waiting"
        run.status = "waiting"
        self._broker.run_channel(run.id).publish("run_waiting", "waiting", nodeId=node_id)
        self._touch()
        try:
            if timeout is None:
                data = await future
            else:
                data = await asyncio.wait_for(future, timeout)
            state.branch = "resumed"
            return data
        except asyncio.TimeoutError:
            state.branch = "timed_out"
            result = {"timedOut": True}
            self._resumed(run, node_id, result)
            return result
        finally:
            waits = self._waits.get(run.id)
            if waits is not None:
                waits.pop(node_id, None)
                if not waits:
                    del self._waits[run.id]

    def _resumed(self, run: Run, node_id: str, result: dict[str, Any]) -> None:
        run.nodes[node_id].status = "running"
        still_waiting = any(state.status == "waiting" for state in run.nodes.values())
        run.status = "waiting" if still_waiting else "running"
        # The event carries the run's status AFTER the resume: another wait node may still
        # hold the run "waiting" (GET /v1/runs/{id} says the same).
        self._broker.run_channel(run.id).publish(
            "run_resumed", run.status, nodeId=node_id, result=result
        )
        self._touch()

    # -- finishing -----------------------------------------------------------------------------

    def _finish(self, run: Run, internal: str | None = None) -> None:
        if run.terminal:
            return
        failed = [node_id for node_id, state in run.nodes.items() if state.status == "failure"]
        if internal is None and not failed:
            status = "success"
        elif internal is None and has_successful_leaf(
            run.definition, {node_id: state.status for node_id, state in run.nodes.items()}
        ):
            status = "partial"
        else:
            status = "failure"
        run.status, run.finished_at = status, self._clock.iso()
        counts: dict[str, int] = {}
        for state in run.nodes.values():
            counts[state.status] = counts.get(state.status, 0) + 1
        run_summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
        run.summary = run_summary
        channel = self._broker.run_channel(run.id)
        if status == "failure":
            if internal is not None:
                error = {"message": internal, "code": "internal_error"}
            else:
                first = run.nodes[failed[0]].error or {}
                message = f"node {failed[0]!r} failed: {first.get('message', '')}"
                error = {"message": message, "code": first.get("code", "node_failed")}
            channel.publish("run_failed", status, error=error)
            self._notify(run, "run_failed")
        else:
            channel.publish("run_completed", status)
            self._notify(run, "run_completed")
        self._touch()

    def _notify(self, run: Run, event_type: str) -> None:
        self._broker.notify(
            run.org_id, event_type, runId=run.id, workflowId=run.workflow_id, status=run.status
        )
