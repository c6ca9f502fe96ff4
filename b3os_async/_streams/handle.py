"""Run handles: start a run with its event stream already open (pre-subscription).

Theory of operation
-------------------
The B3OS docs require subscribing to ``GET /v1/runs/{id}/stream`` *before* triggering the run,
with a client-generated run id, or ``run_started`` can be missed. :meth:`RunHandle.start` does it
in that order:

1. pick the run id (``run_`` + random unless given) and build the run's :class:`RunEventStream`
   (history included: the run is new, so all of its events are wanted, and a reconnect before
   the first event asks a server that replays for all of them; a server without ids is
   reconciled from the run's state instead, see :mod:`b3os_async._streams.runs`);
2. ``await stream.connect()``: returns once the server's response headers arrived, i.e. the
   server has registered the subscription (a failed connect is retried like any reconnect);
3. trigger the run with that id (``workflows.run()`` / ``runs.create()``). That request is
   idempotent -- a resend meets "duplicate run ID" instead of starting a second run -- so it is
   retried safely, and a duplicate answer to a retry counts as success.

If anything fails, the stream is closed and the error raised. Afterwards the handle is a view on
the stream: :meth:`events` (the stream itself), :meth:`wait` (drain it, return the final run),
:meth:`cancel` (cancel on the server, then close the stream). A handle is also an async context
manager (``async with b3.workflows.start(...) as run``: started on entry, closed on exit), an
awaitable (``run = await b3.workflows.start(...)``: started; close it or drain it yourself) and an
async iterator over its events (started on the first ``__anext__``), which is what the
``run_and_stream()`` / ``create_and_stream()`` shorthands return.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure
from b3os_async._streams.runs import RunEventStream
from b3os_async._transport.paths import path
from b3os_async.models.runs import Run, RunCreated

if TYPE_CHECKING:
    from types import TracebackType

    from b3os_async._transport.session import Requester
    from b3os_async.models.events import RunEvent

__all__ = ["RunHandle", "Trigger"]

#: Starts the run with the given run id (e.g. ``POST /v1/workflows/{id}/run``).
Trigger = Callable[[str], Awaitable[RunCreated]]


class RunHandle:
    """A run started with its event stream already open. See the module docstring.

    Get one from ``b3.workflows.start(...)`` or ``b3.runs.start(...)``::

        async with b3.workflows.start(workflow_id, payload={"x": 1}) as run:
            async for event in run.events():
                print(event.type, event.node_id, event.status)
            final = await run.wait()
    """

    __slots__ = ("_created", "_req", "_started", "_stream", "_trigger")

    def __init__(self, requester: Requester, run_id: str, trigger: Trigger) -> None:
        # History included: everything of this brand-new run is wanted, so a reconnect before
        # the first event asks a server that replays for all of it (one without ids is
        # reconciled); the first connection itself needs no reconcile (presubscribed).
        self._stream = RunEventStream(requester, run_id, presubscribed=True)
        self._req = requester
        self._trigger = trigger
        self._created: RunCreated | None = None
        self._started = False

    @property
    def run_id(self) -> str:
        """The run's id (client-generated unless you passed one)."""
        return self._stream.run_id

    @property
    def created(self) -> RunCreated | None:
        """The trigger's answer, once :meth:`start` has run."""
        return self._created

    def __repr__(self) -> str:
        return f"RunHandle(run_id={self.run_id!r}, started={self._started})"

    async def start(self) -> RunHandle:
        """Subscribe to the run's stream, then trigger the run. Idempotent; returns ``self``."""
        if self._started:
            return self
        self._started = True
        stream = self._stream
        try:
            await stream.connect()
            self._created = await self._trigger(stream.run_id)
        except BaseException:
            await stream.aclose()
            raise
        return self

    def __await__(self) -> Generator[Any, None, RunHandle]:
        return self.start().__await__()

    async def __aenter__(self) -> RunHandle:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def events(self) -> RunEventStream:
        """The run's event stream (one consumer; iterating it again continues where it was)."""
        return self._stream

    def __aiter__(self) -> RunHandle:
        return self

    async def __anext__(self) -> RunEvent:
        if not self._started:
            _ = await self.start()
        return await self._stream.__anext__()

    async def wait(self) -> Run:
        """Wait for the run to finish (draining unread events) and return its final state."""
        _ = await self.start()
        return await self._stream.until_complete()

    async def cancel(self) -> Run:
        """Cancel the run on the server (``POST /v1/runs/{id}/cancel``) and close the stream.

        Returns the cancelled run. Raises :class:`~b3os_async.ConflictError` when the run had
        already finished (the stream is closed either way).
        """
        try:
            data = await self._req.request("POST", path("/v1/runs/{}/cancel", self.run_id))
            return structure(data, Run)
        finally:
            await self._stream.aclose()

    async def aclose(self) -> None:
        """Close the run's stream (the run itself keeps going). Idempotent."""
        await self._stream.aclose()
