"""The event stream of one run (``GET /v1/runs/{id}/stream``): whole, exactly once, then ends.

What is specific to run streams (the shared rules are in :mod:`b3os_async._streams`):

* events are :class:`RunEvent`, deduped by the run's ``seq`` (else the numeric id); the stream
  ends after the terminal event (``run_completed``, ``run_failed``, ``run_cancelled``);
* **history first**: by default the first connection asks for the whole run
  (``Last-Event-ID: 0``); a server that cannot replay (its first event carries no id) is
  *reconciled*: ``GET /v1/runs/{id}`` supplies what happened so far as ``synthetic=True`` events,
  then live events follow. ``history=False`` follows from now only (the run's state at the first
  connection is noted silently, so a later reconcile reports only what is new);
* the same reconcile fills the gap after any reconnect that cannot resume by id, and after a 204;
* a run handle's stream (``presubscribed``) was opened before the run was triggered: every event
  will come live, so its first connection needs no reconcile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async._convert import structure
from b3os_async._errors import NotFoundError, StreamError
from b3os_async._streams.dedupe import id_key
from b3os_async._streams.events import decode_run_event
from b3os_async._streams.machine import EventStream
from b3os_async._streams.reconcile import RunProgress
from b3os_async._transport.paths import check_run_id, path
from b3os_async.models.events import TERMINAL_RUN_EVENT_TYPES, RunEvent
from b3os_async.models.runs import Run

if TYPE_CHECKING:
    from b3os_async._transport.session import Requester
    from b3os_async.sse import ServerSentEvent

__all__ = ["RunEventStream"]


class RunEventStream(EventStream[RunEvent]):
    """The events of one run, as an async iterator that survives dropped connections.

    Get one from ``b3.runs.stream(run_id)`` (a ``run_id`` that is not ``run_`` + 1-128 letters,
    digits, ``_`` or ``-`` raises :class:`ConfigurationError` before any request). Use it as
    ``async with stream: async for event in stream: ...`` (or call :meth:`aclose`); it yields
    the run's history, then its live events, and stops by itself after the terminal event.
    ``last_event_id`` holds the id of the last event handed out: pass it to a later
    ``b3.runs.stream(run_id, last_event_id=...)`` to resume where you stopped. Reconnects are
    reported to ``on_reconnect`` (see ``B3OS.with_options``), never as events.
    """

    __slots__ = ("_presubscribed", "_run_id", "_terminal", "_told")

    def __init__(
        self,
        requester: Requester,
        run_id: str,
        *,
        last_event_id: str | None = None,
        history: bool = True,
        presubscribed: bool = False,
    ) -> None:
        if last_event_id is None and history:
            last_event_id = "0"  # "everything after nothing": the whole run
        super().__init__(
            requester,
            path("/v1/runs/{}/stream", check_run_id(run_id)),  # a bad id: ConfigurationError
            last_event_id=last_event_id,
        )
        self._last_event_id = None if last_event_id == "0" else last_event_id
        self._run_id = run_id
        self._told = RunProgress()  # what the consumer was told (for reconciles)
        self._terminal: RunEvent | None = None
        self._presubscribed = presubscribed

    @property
    def run_id(self) -> str:
        """The id of the run this stream follows."""
        return self._run_id

    @property
    def terminal_event(self) -> RunEvent | None:
        """The run's terminal event, once the stream has received it."""
        return self._terminal

    async def until_complete(self) -> Run:
        """Consume the rest of the stream and return the run's final state.

        Events not yet read are discarded. Raises :class:`StreamError` when the stream ended
        (closed, or a 204 from the server) while the run is still not finished.
        """
        try:
            async for _ in self:
                pass
        finally:
            await self.aclose()
        data = await self._req.request("GET", path("/v1/runs/{}", self._run_id))
        run = structure(data, Run)
        if self._terminal is None and not run.status.is_terminal:
            raise StreamError(
                f"the stream of run {self._run_id} ended before the run finished "
                f"(status {run.status.value!r})"
            )
        return run

    # -- hooks -------------------------------------------------------------------------------------

    def _accept(self, sse: ServerSentEvent, event_id: str | None) -> RunEvent | None:
        # The per-event hot path, in one function: decode, dedupe by seq (else id), drop what
        # a reconcile already reported, remember what was told, stop after the terminal event.
        event = decode_run_event(sse, event_id)
        key: int | str | None = event.seq
        if key is None and event_id is not None:
            key = id_key(event_id)
        if key is not None and self._dedupe.seen(key):
            return None
        progress = self._told
        if progress.window:
            if progress.is_stale(event):
                return None
            progress.window = False
        progress.record(event)
        if event.type in TERMINAL_RUN_EVENT_TYPES:
            self._terminal = event
            self._end_after_current()
        return event

    async def _after_connect(self, first: bool) -> None:
        # Resume by id when the server replays; otherwise fill the gap from the run's state. The
        # new connection is already open, so nothing can fall between the snapshot and the live
        # events (those from before it are dropped by the reconcile window).
        if first:
            if self._presubscribed:
                return  # opened before the run was triggered: everything will come live
            if self._cursor is None:
                await self._reconcile(emit=False)  # history=False: note where "now" is
                return
        if self._cursor is not None and self._idless is not True:
            # We asked for a replay: the first event tells whether we got one. With an id, yes;
            # without (a server that lost or never had ids), reconcile before that event.
            self._hold = True
            return
        await self._reconcile()

    async def _on_no_content(self) -> None:
        await self._reconcile()

    async def _on_hold(self) -> None:
        await self._reconcile()

    async def _reconcile(self, *, emit: bool = True) -> None:
        try:
            run = await self._race(
                self._req.request("GET", path("/v1/runs/{}", self._run_id)), None
            )
        except NotFoundError:
            return  # the run does not exist yet (pre-subscription): nothing was missed
        told = self._told
        events = told.synthesize(run, self._run_id)
        if not emit:
            return  # recorded as told: only what happens from now on is reported
        if events:
            self._progress()  # state found by a reconcile is new information
        for event in events:
            self._pending.append(event)
            if event.is_terminal:
                self._terminal = event
                self._end_after_current()
                return
        told.window = True
