"""The event stream of one run (``GET /v1/runs/{id}/stream``): whole, exactly once, then ends.

What is specific to run streams (the shared rules are in :mod:`b3os_async._streams`):

* events are :class:`RunEvent`, deduped by the run's ``seq`` (else the numeric id); the stream
  ends after the terminal event (``run_completed``, ``run_failed``, ``run_cancelled``);
* **history first**: by default the first connection asks for the whole run
  (``Last-Event-ID: 0``); ``history=False`` follows from now on only: the run's state at the first
  connection is noted silently (the *baseline*: a later reconcile reports only what is new) --
  all but the end of a finished run, which is still reported (live, or by a reconcile);
* **is the replay whole?** Every connection that resumes by id is *held* until its first event:
  an id whose ``seq`` is the next one expected (or lower) proves the replay; no id (a server
  that cannot replay), or a ``seq`` past the next one (a server that replayed only part of what
  was missed), and the gap is *reconciled* before that event: ``GET /v1/runs/{id}`` supplies what
  happened meanwhile as ``synthetic=True`` events. A connection that brings no event within
  :data:`~b3os_async._streams.config.REPLAY_GRACE` seconds is reconciled too (a server that
  cannot replay sends nothing while the run waits), and so is the third connection in a row
  after two that ended without any event (one that closes at once: a finished run, say);
* a reconnect reconciles at once when no resume id is known or the last event carried none, and
  so does a 204;
* a run handle's stream (``presubscribed``) was opened before the run was triggered: every event
  will come live, so its first connection is not held for an id nor a grace; only a first event
  whose ``seq`` is not 1 (a server that skipped the start) is reconciled.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from b3os_async._convert import structure
from b3os_async._errors import NotFoundError, StreamError
from b3os_async._streams.config import REPLAY_GRACE
from b3os_async._streams.dedupe import id_key
from b3os_async._streams.events import decode_run_event
from b3os_async._streams.machine import EventStream, Hold
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

    __slots__ = (
        "_baseline",
        "_check",
        "_need_id",
        "_presubscribed",
        "_run_id",
        "_silent",
        "_terminal",
        "_told",
    )

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
        self._baseline = last_event_id is None  # history=False: note "now" silently, once
        self._check = (
            False  # the next event is the first of a connection that must prove its replay
        )
        self._need_id = (
            True  # ... and it must carry an id (not on a presubscribed first connection)
        )
        self._silent = 0  # connections in a row that were checked and ended without any event

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
        # The per-event hot path, in one function: decode, check the replay (first event of a
        # held connection), dedupe by seq (else id), drop what a reconcile already reported,
        # remember what was told, stop after the terminal event.
        event = decode_run_event(sse, event_id)
        key: int | str | None = event.seq
        if key is None and event_id is not None:
            key = id_key(event_id)
        dedupe = self._dedupe
        if self._silent:
            self._silent = 0
        if self._check:  # the first event of a connection that resumes: is the replay whole?
            self._check = False
            self._hold_until = None
            high = dedupe.high
            if (event_id is None and self._need_id) or (
                type(key) is int and high is not None and key > high + 1
            ):
                raise Hold  # no replay, or only part of one: `_on_hold` reconciles first
        if key is not None and dedupe.seen(key):
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
        if self._check and self._need_id:  # the last connection was checked and sent nothing
            self._silent += 1
        self._check = False
        self._hold_until = None
        if first and self._presubscribed:
            # Opened before the run was triggered: every event will come live, with or without
            # ids; only a jump in seq (a server that skipped the start) needs a reconcile.
            self._check, self._need_id = True, False
            return
        if self._baseline:
            await self._reconcile(report=False)  # history=False: note where "now" is
            return
        if self._cursor is None or self._idless or self._silent >= 2:
            await self._reconcile()
            return
        self._check, self._need_id = True, True
        self._hold_until = asyncio.get_running_loop().time() + REPLAY_GRACE

    async def _on_no_content(self) -> None:
        await self._reconcile()

    async def _on_hold(self) -> None:
        self._check = False  # also when no event came within the grace
        await self._reconcile()

    async def _reconcile(self, *, report: bool = True) -> None:
        """Report what the run's state shows and the consumer was not told (synthetic events).

        The first look of a ``history=False`` stream (the *baseline*) notes what happened so far
        as told, without reporting it -- all but the end of a finished run, which is still
        reported: by the live terminal event, or by this or a later reconcile (``report``).
        """
        try:
            run = await self._race(self._req.request("GET", path("/v1/runs/{}", self._run_id)))
        except NotFoundError:
            self._baseline = False
            return  # the run does not exist yet (pre-subscription): nothing was missed
        told = self._told
        if self._baseline:
            self._baseline = False
            told.synthesize(run, self._run_id, terminal=False)
        if not report:
            return
        events = told.synthesize(run, self._run_id)
        if not events:
            # Nothing the consumer was not told: no event already on its way is reflected in
            # this snapshot either, so no window opens (it would only risk dropping new events).
            return
        self._progress()  # state found by a reconcile is new information
        for event in events:
            self._pending.append(event)
            if event.is_terminal:
                self._terminal = event
                self._end_after_current()
                return
        told.window = True
