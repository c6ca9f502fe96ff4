"""The run relay: a run's events forwarded to a browser as ``text/event-stream``, resumable.

Theory of operation
-------------------
:func:`relay_run` answers ``GET`` from a browser's ``EventSource`` with the events of one run,
read upstream through the SDK's run stream (``b3.runs.stream``), which already reconnects and
never loses or repeats an event between B3OS and this server.

* **End-to-end resume.** Every frame's SSE ``id:`` is the upstream event's id, so a browser that
  lost its connection reconnects with ``Last-Event-ID: <id>`` and the relay opens the upstream
  stream with ``last_event_id=<id>``: B3OS replays from there. Without the header the upstream
  stream starts with the run's history. A run that already ended is read whole (it is finite)
  and only what follows the browser's id is sent; when nothing does, the answer is
  ``204 No Content``, which tells ``EventSource`` to stop reconnecting.
* **Before any byte**: the run is looked up (``GET /v1/runs/{id}?summary=true``), so a run that
  does not exist is a plain ``404`` (the stream alone would wait for a run id that may come),
  an upstream failure a ``502``, and a relay started while the app shuts down a ``503``.
* **While streaming**: ``retry:`` first; one frame per event (``event:`` = the event type,
  ``data:`` = the event's JSON as received); a ``: keep-alive`` comment after ``keepalive``
  seconds of silence (browsers and proxies drop silent streams); an upstream error becomes one
  ``event: error`` frame (``{"type": "error", "error": <class>, "message", "status"?, "code"?}``,
  no id, so a reconnect resumes before it) and the response ends. The response ends after the
  run's terminal event.
* **Cleanup is cancellation-safe.** When the browser goes away Starlette cancels the response;
  when the app shuts down the :class:`RelayHub` closes the upstream stream. Either way the
  upstream stream is closed by :meth:`EventStream.aclose`, whose work is synchronous (no
  ``await`` before the connection is released), so a cancellation that is still pending cannot
  interrupt it -- the trap of an ``await stream.aclose()`` in a cancelled task. The body
  generator may be parked at a ``yield`` when the cancellation hits Starlette's ``send``; the
  response then closes it itself (:meth:`RunRelay.__call__`) instead of leaving that to the
  garbage collector.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException
from starlette.responses import Response, StreamingResponse

from b3os_async._errors import (
    APIStatusError,
    B3OSError,
    ConfigurationError,
    NotFoundError,
)
from b3os_async.fastapi._lifespan import get_b3os, relay_hub
from b3os_async.sse import encode_comment, encode_event

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from starlette.requests import Request
    from starlette.types import Receive, Scope, Send

    from b3os_async._streams.runs import RunEventStream
    from b3os_async.fastapi._lifespan import RelayHub
    from b3os_async.models.events import RunEvent

__all__ = ["RunRelay", "relay_run"]

_HEADERS = {
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
}
_KEEPALIVE = encode_comment("keep-alive")


def _frame(event: RunEvent) -> bytes:
    data = event.data
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return encode_event(text, event=event.type, id=event.id)


def _error_frame(exc: BaseException) -> bytes:
    body: dict[str, Any] = {"type": "error", "error": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, APIStatusError):
        body["status"] = exc.status
        body["code"] = exc.code
    return encode_event(json.dumps(body, separators=(",", ":")), event="error")


class RunRelay(StreamingResponse):
    """The streaming response of :func:`relay_run` (see the module docstring)."""

    def __init__(
        self,
        stream: RunEventStream | None,
        *,
        hub: RelayHub | None,
        backlog: list[RunEvent] | None = None,
        keepalive: float = 15.0,
        retry_ms: int | None = 1000,
    ) -> None:
        self._stream = stream
        self._hub = hub
        self._backlog = backlog or []
        self._keepalive = keepalive
        self._retry_ms = retry_ms
        super().__init__(self._body(), media_type="text/event-stream", headers=_HEADERS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Close the body generator now if a cancelled send left it parked at a yield. Its
            # cleanup never suspends, so a cancellation still pending cannot cut it short.
            await self.body_iterator.aclose()  # type: ignore[attr-defined]

    async def _body(self) -> AsyncIterator[bytes]:
        if self._retry_ms is not None:
            yield f"retry: {self._retry_ms}\n\n".encode()
        for event in self._backlog:
            yield _frame(event)
        stream = self._stream
        if stream is None:
            return
        hub = self._hub
        if hub is not None:
            if hub.closed:
                await stream.aclose()
                return
            hub.add(stream)
        pending: asyncio.Future[RunEvent] | None = None
        try:
            async with stream:  # aclose() on every way out, synchronously
                events = stream.__aiter__()
                while True:
                    if pending is None:
                        pending = asyncio.ensure_future(events.__anext__())
                    done, _ = await asyncio.wait((pending,), timeout=self._keepalive)
                    if not done:
                        yield _KEEPALIVE  # the same read stays pending
                        continue
                    finished, pending = pending, None
                    try:
                        event = finished.result()
                    except StopAsyncIteration:
                        return
                    except B3OSError as exc:
                        if hub is not None and hub.closed:
                            return  # the app is shutting down: end quietly, the browser resumes
                        yield _error_frame(exc)
                        return
                    yield _frame(event)
        finally:
            if pending is not None:
                pending.cancel()
                pending.add_done_callback(_consume)
            if hub is not None:
                hub.discard(stream)


def _consume(task: asyncio.Future[Any]) -> None:
    """Retrieve a dropped read's outcome (no "exception was never retrieved" log)."""
    if not task.cancelled():
        task.exception()


async def relay_run(
    request: Request,
    run_id: str,
    *,
    keepalive: float = 15.0,
    retry_ms: int | None = 1000,
) -> Response:
    """Relay run ``run_id``'s events to the browser that sent ``request`` (an ``EventSource``).

    ``return await relay_run(request, run_id)`` from a ``GET`` endpoint of an app created with
    :class:`B3OSLifespan`. The browser's ``Last-Event-ID`` resumes the upstream stream where it
    stopped. See the module docstring for statuses and frames.

    Args:
        request: the browser's request (its ``Last-Event-ID`` header resumes the stream).
        run_id: the run to follow.
        keepalive: seconds of silence before a ``: keep-alive`` comment.
        retry_ms: the ``retry:`` hint for the browser's reconnect delay (``None``: none sent).
    """
    b3 = get_b3os(request)
    hub = relay_hub(request)
    if hub is not None and hub.closed:
        raise HTTPException(503, "shutting down", headers={"Retry-After": "1"})
    resume = request.headers.get("last-event-id", "").strip() or None
    if resume is not None and not (resume.isascii() and resume.isprintable()):
        raise HTTPException(400, "Last-Event-ID is not an id this relay sent")
    try:
        run = await b3.runs.get(run_id, summary=True)
    except (NotFoundError, ConfigurationError):  # a malformed id cannot exist either
        raise HTTPException(404, f"run {run_id!r} not found") from None
    except B3OSError as exc:
        raise HTTPException(502, f"the B3OS API failed: {type(exc).__name__}") from None
    if resume is not None and run.status.is_terminal:
        # The run is over: read it whole (finite) and send what follows the browser's id. An
        # upstream resume after the terminal event would find nothing to replay.
        try:
            async with b3.runs.stream(run_id) as stream:
                history = [event async for event in stream]
        except B3OSError as exc:
            raise HTTPException(502, f"the B3OS API failed: {type(exc).__name__}") from None
        ids = [event.id for event in history]
        backlog = history[ids.index(resume) + 1 :] if resume in ids else history
        if not backlog:
            return Response(status_code=204)  # EventSource stops reconnecting
        return RunRelay(None, hub=hub, backlog=backlog, retry_ms=retry_ms)
    stream = b3.runs.stream(run_id, last_event_id=resume)
    return RunRelay(stream, hub=hub, keepalive=keepalive, retry_ms=retry_ms)
