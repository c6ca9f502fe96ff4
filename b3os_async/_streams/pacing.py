"""The clock of one stream: reconnect budget, planned waits, deadline, interruptible waits.

:class:`Pacer` is owned by one :class:`~b3os_async._streams.machine.EventStream`. It turns the end
of a connection into the wait before the next attempt (through the pure
:class:`~b3os_async._streams.budget.ReconnectBudget`), reports that reconnect (``on_reconnect``,
the ``b3os_async`` logger), or gives up with :class:`StreamError`; it enforces the stream's
``deadline``; and :meth:`Pacer.race` runs a connect, a reconcile request or a wait so that
``aclose()`` from another task interrupts it at once (:meth:`Pacer.interrupt` -> :class:`Closed`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from typing import TYPE_CHECKING, TypeVar

from b3os_async._errors import APITimeoutError, StreamError
from b3os_async._streams.budget import ReconnectBudget
from b3os_async._streams.config import ReconnectInfo
from b3os_async._streams.endings import describe, discard

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from b3os_async._retry import RetryPolicy
    from b3os_async._streams.budget import Ending
    from b3os_async._streams.config import ReconnectCallback

__all__ = ["Closed", "Pacer"]

logger = logging.getLogger("b3os_async")

T = TypeVar("T")


class Closed(Exception):
    """Raised inside a stream when it is over, or when aclose() interrupted a wait."""


class Pacer:
    """See the module docstring."""

    __slots__ = ("_closed", "_deadline", "_deadline_at", "_interrupted", "_wait", "budget")

    def __init__(self, policy: RetryPolicy, deadline: float | None) -> None:
        self.budget = ReconnectBudget(policy)
        self._deadline = deadline
        self._deadline_at: float | None = None
        self._wait: float | None = None  # seconds to wait before the next attempt
        self._closed: asyncio.Future[None] | None = None
        self._interrupted = False

    def start(self) -> None:
        """Start the deadline (at the stream's first connect; later calls change nothing)."""
        if self._deadline_at is None and self._deadline is not None:
            self._deadline_at = asyncio.get_running_loop().time() + self._deadline

    def interrupt(self) -> None:
        """Make a pending or later :meth:`race` raise :class:`Closed` (aclose(), sync)."""
        self._interrupted = True
        closed = self._closed
        if closed is not None and not closed.done():
            closed.set_result(None)

    async def before_attempt(self, url: str) -> None:
        """Wait the planned delay (if any) and check the deadline, before an attempt."""
        delay = self._wait
        if delay is not None:
            self._wait = None
            at = self._deadline_at
            if at is not None and asyncio.get_running_loop().time() + delay > at:
                raise self.deadline_error(url)
            await self.race(asyncio.sleep(delay), None)
        self.check_deadline(url)

    async def plan(
        self, ending: Ending, *, cursor: str | None, url: str, callback: ReconnectCallback | None
    ) -> None:
        """Decide the wait before the next attempt and report it, or give up (StreamError)."""
        plan = self.budget.plan(ending, time.monotonic())
        if plan.give_up is not None:
            last_error = ending.error or describe(ending.reason)
            raise StreamError(
                f"stream {url} could not be resumed: {plan.give_up} (last error: {last_error})"
            ) from ending.error
        info = ReconnectInfo(
            attempt=plan.attempt,
            delay=plan.delay,
            last_event_id=cursor,
            reason=ending.reason,
            error=ending.error,
            failures=plan.failures,
        )
        logger.info(
            "stream %s: reconnect attempt %d in %.3fs, resuming after id %s (%s%s)",
            url,
            info.attempt,
            info.delay,
            info.last_event_id or "<none>",
            ending.reason,
            f": {ending.error}" if ending.error is not None else "",
        )
        if callback is not None:
            result = callback(info)
            if inspect.isawaitable(result):
                await result
        self._wait = plan.delay

    async def race(self, awaitable: Awaitable[T], timeout: float | None) -> T:
        """Await ``awaitable`` in a task, unless :meth:`interrupt` or ``timeout`` comes first.

        Why a task: aclose() from another task must interrupt a connect, a reconcile request or a
        wait promptly, and cancelling the consumer's own task instead would turn into a
        CancelledError for the caller. Only used around connects and waits, never per event.
        """
        if self._interrupted:
            if inspect.iscoroutine(awaitable):
                awaitable.close()  # never awaited: close it, or it warns
            raise Closed
        closed = self._closed
        if closed is None:
            closed = self._closed = asyncio.get_running_loop().create_future()
        task = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait(
                (task, closed), timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        except BaseException:
            task.cancel()
            task.add_done_callback(discard)
            raise
        if task in done:
            return task.result()
        task.cancel()
        task.add_done_callback(discard)
        if closed.done():
            raise Closed
        raise asyncio.TimeoutError

    def remaining(self) -> float | None:
        """Seconds left before the deadline (``None``: no deadline, or not started)."""
        if self._deadline_at is None:
            return None
        return max(0.0, self._deadline_at - asyncio.get_running_loop().time())

    def check_deadline(self, url: str) -> None:
        """Raise :class:`APITimeoutError` once the deadline has passed."""
        if self._deadline_at is not None and self.remaining() == 0.0:
            raise self.deadline_error(url)

    def deadline_error(self, url: str) -> APITimeoutError:
        """The error of a stream past its deadline."""
        return APITimeoutError(
            f"stream {url} exceeded its deadline of {self._deadline:g}s", method="GET", url=url
        )
