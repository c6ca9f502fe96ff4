"""Agent runs read like a stream: ``b3.agent_runs.follow(run_id)`` polls the run's event log.

Theory of operation
-------------------
The API has no stream for agent runs: ``GET /v1/agent-runs/{id}?since=<seq>`` answers the run's
state and the log rows after ``seq``. :class:`AgentRunFollower` is an async iterator over those
rows (not an SSE stream: no connection is held between polls):

* **exactly once, in order**: each poll asks for the rows after the highest ``seq`` handed out
  and hands out only rows above it, sorted by ``seq`` (a server that repeats rows cannot make it
  repeat one);
* **adaptive interval**: after a poll that brought rows the next comes :attr:`MIN_INTERVAL` later;
  each poll that brought nothing multiplies the wait by :attr:`BACKOFF`, up to
  :attr:`MAX_INTERVAL`. A ``Retry-After`` on a poll's answer is a floor for the next wait (capped
  by the retry policy's ``retry_after_max``); throttled or failed polls (429, 5xx, network) are
  retried by the client's retry policy, which honours ``Retry-After`` too; when it gives up the
  error is raised (follow again with ``since=follower.last_seq`` to go on);
* **it ends** once the run's state is terminal (``phase`` completed/failed/cancelled, or a
  ``finishedAt``), after one more immediate poll for rows written together with the final state;
* the ``stream_timeouts.deadline`` of the client (``with_options``) bounds the whole follow
  (:class:`~b3os_async.APITimeoutError`); :meth:`aclose` from any task ends a wait at once.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

from b3os_async._convert import structure
from b3os_async._errors import APITimeoutError
from b3os_async._retry import parse_retry_after
from b3os_async._transport.paths import path
from b3os_async._transport.raw import with_raw_response
from b3os_async.models.agent_runs import AgentRun, AgentRunEvent, AgentRunState

if TYPE_CHECKING:
    from types import TracebackType

    from b3os_async._transport.session import Requester

__all__ = ["AgentRunFollower"]


class AgentRunFollower:
    """The events of one agent run as an async iterator, polled (see the module docstring).

    Get one from ``b3.agent_runs.follow(run_id)``::

        async with b3.agent_runs.follow(run_id) as follower:
            async for event in follower:
                print(event.seq, event.type, event.message)
        print(follower.state.phase)
    """

    MIN_INTERVAL = 0.25
    """Seconds before the next poll after one that brought rows."""
    MAX_INTERVAL = 5.0
    """The longest wait between two polls."""
    BACKOFF = 1.6
    """How much the wait grows after each poll that brought nothing."""

    def __init__(self, requester: Requester, run_id: str, *, since: int = 0) -> None:
        self._req = requester
        self._path = path("/v1/agent-runs/{}", run_id)
        self._run_id = run_id
        self._seq = since
        self._pending: deque[AgentRunEvent] = deque()
        self._state: AgentRunState | None = None
        self._interval = self.MIN_INTERVAL
        self._next_wait: float | None = None  # None: poll now
        self._final_poll = False  # the state was terminal: one more poll, then the end
        self._ended = False
        self._closed = asyncio.Event()
        self._deadline_at: float | None = None
        self.polls = 0
        """How many polls were sent (for tests and diagnostics)."""

    @property
    def run_id(self) -> str:
        """The id of the run followed."""
        return self._run_id

    @property
    def last_seq(self) -> int:
        """The ``seq`` of the last row handed out (``since`` of a follow that goes on)."""
        return self._seq

    @property
    def state(self) -> AgentRunState | None:
        """The run's state at the last poll (``None`` before the first)."""
        return self._state

    def __repr__(self) -> str:
        return f"AgentRunFollower(run_id={self._run_id!r}, last_seq={self._seq})"

    def __aiter__(self) -> AgentRunFollower:
        return self

    async def __aenter__(self) -> AgentRunFollower:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop following (idempotent, from any task): no more polls, no more events."""
        self._ended = True
        self._pending.clear()
        self._closed.set()

    async def __anext__(self) -> AgentRunEvent:
        pending = self._pending
        while not pending:
            if self._ended:
                raise StopAsyncIteration
            await self._poll()
        event = pending.popleft()
        self._seq = event.seq
        return event

    async def wait(self) -> AgentRunState:
        """Follow to the end (rows not read yet are discarded) and return the final state."""
        try:
            async for _ in self:
                pass
        finally:
            await self.aclose()
        if self._state is None:
            raise APITimeoutError(f"agent run {self._run_id}: no state was received")
        return self._state

    async def _poll(self) -> None:
        """Wait for the next poll, send it, queue the new rows; end after a terminal state."""
        loop = asyncio.get_running_loop()
        deadline = self._req.options.stream_timeouts.deadline
        if self._deadline_at is None and deadline is not None:
            self._deadline_at = loop.time() + deadline
        wait = self._next_wait
        if wait:
            if self._deadline_at is not None and loop.time() + wait > self._deadline_at:
                raise self._timeout(deadline)
            try:
                await asyncio.wait_for(self._closed.wait(), wait)
                return  # aclose() ended the wait
            except asyncio.TimeoutError:
                pass
        query = self._req.request("GET", self._path, params={"since": self._seq})
        if self._deadline_at is None:
            raw = await with_raw_response(query)
        else:
            remaining = max(0.0, self._deadline_at - loop.time())
            try:
                raw = await asyncio.wait_for(with_raw_response(query), remaining)
            except asyncio.TimeoutError:
                raise self._timeout(deadline) from None
        self.polls += 1
        if self._ended:
            return
        run = structure(raw.parsed, AgentRun)
        high = max(self._seq, self._pending[-1].seq if self._pending else self._seq)
        fresh = sorted((e for e in run.events if e.seq > high), key=lambda e: e.seq)
        self._pending.extend(fresh)
        if run.state is not None:
            self._state = run.state
        if self._final_poll:
            self._ended = True  # the rows of the poll after the terminal state are all there is
            return
        if self._state is not None and self._state.is_terminal:
            self._final_poll = True
            self._next_wait = None
            return
        self._interval = (
            self.MIN_INTERVAL if fresh else min(self._interval * self.BACKOFF, self.MAX_INTERVAL)
        )
        hint = parse_retry_after(raw.meta.headers.get("Retry-After"))
        floor = min(hint, self._req.options.retry.retry_after_max) if hint is not None else 0.0
        self._next_wait = max(self._interval, floor)

    def _timeout(self, deadline: float | None) -> APITimeoutError:
        self._ended = True
        return APITimeoutError(
            f"following agent run {self._run_id} exceeded the deadline of {deadline:g}s",
            method="GET",
            url=self._path,
        )
