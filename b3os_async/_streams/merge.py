"""Several event streams read as one: :class:`MergedEventStream`.

Theory of operation
-------------------
Each source stream has at most one outstanding ``__anext__`` task. ``__anext__`` of the merged
stream starts the missing ones, waits for the first to finish, and hands out results in arrival
order (results that finished together wait in a small ready queue, in source order). A source
that ends is dropped; the merged stream ends when all have. The first error of any source closes
all of them and is raised. Tasks are left running between calls (a source is always being read),
and cancelling the consumer leaves them intact: an outstanding task keeps its result for the next
call. ``aclose()`` closes every source (which ends their outstanding tasks) and waits for the
tasks. A merged stream dropped without ``aclose()`` closes its sources' sockets synchronously.
Closing the client (``B3OS.aclose()``) ends the sources; the merged stream then raises their
:class:`ConfigurationError` instead of ending quietly.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

    from b3os_async._streams.machine import EventStream, _Event

__all__ = ["MergedEventStream"]

E = TypeVar("E", bound="_Event")


async def _next(stream: EventStream[E]) -> tuple[E] | None:
    """The next event of ``stream`` wrapped in a tuple, or None when the stream ended."""
    try:
        return (await stream.__anext__(),)
    except StopAsyncIteration:
        return None


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Done-callback: mark an outstanding task's exception as seen (it is re-raised by result())."""
    if not task.cancelled():
        task.exception()


class MergedEventStream(Generic[E]):
    """An async iterator over the events of several streams, in arrival order.

    ``b3.workflows.stream_runs_many()`` returns one (the API accepts at most 24 workflow ids
    per stream). Each source resumes on its own; use ``async with`` or :meth:`aclose`.
    """

    __slots__ = ("_closed", "_ready", "_sources", "_tasks")

    def __init__(self, sources: Sequence[EventStream[E]]) -> None:
        self._sources = list(sources)
        self._tasks: dict[int, asyncio.Task[tuple[E] | None]] = {}
        self._ready: deque[E] = deque()
        self._closed = False

    @property
    def sources(self) -> list[EventStream[E]]:
        """The underlying streams (one per server connection)."""
        return list(self._sources)

    def __aiter__(self) -> MergedEventStream[E]:
        return self

    async def __anext__(self) -> E:
        ready = self._ready
        while not ready:
            if self._closed:
                raise StopAsyncIteration
            tasks = self._tasks
            for index, source in enumerate(self._sources):
                if index not in tasks and not source.closed:
                    task = asyncio.ensure_future(_next(source))
                    task.add_done_callback(_retrieve)
                    tasks[index] = task
            if not tasks:
                for source in self._sources:
                    source._raise_if_client_closed()  # B3OS.aclose() is an error, not the end
                self._closed = True
                raise StopAsyncIteration
            await asyncio.wait(tasks.values(), return_when=asyncio.FIRST_COMPLETED)
            for index, task in list(tasks.items()):
                if not task.done():
                    continue
                del tasks[index]
                try:
                    result = task.result()
                except BaseException:
                    await self.aclose()
                    raise
                if result is not None:
                    ready.append(result[0])
        return ready.popleft()

    async def __aenter__(self) -> MergedEventStream[E]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every source stream and wait for their outstanding reads. Idempotent."""
        self._closed = True
        self._ready.clear()
        for source in self._sources:
            await source.aclose()
        tasks = list(self._tasks.values())
        self._tasks.clear()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def __del__(self) -> None:
        # Why: the outstanding tasks keep the sources alive, so their own finalizers cannot run;
        # close their sockets synchronously (no task, no await), which ends those tasks.
        for source in getattr(self, "_sources", ()):
            source._abandon()
