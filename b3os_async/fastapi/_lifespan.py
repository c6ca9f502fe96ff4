"""One client per app: the lifespan, the dependency, and the relays' shutdown.

Theory of operation
-------------------
:class:`B3OSLifespan` is a FastAPI/Starlette lifespan. On start-up it builds ONE :class:`B3OS`
client (from the environment, or a factory of yours) and a :class:`RelayHub`, and yields them as
lifespan *state* (``{"b3os": client, "b3os_relays": hub}``), which Starlette copies into every
request's ``request.state``; :func:`get_b3os` reads it there. Your own lifespan composes either
way: ``B3OSLifespan(then=yours)`` enters yours inside ours and merges the states, or enter ours
inside yours (``async with B3OSLifespan()(app) as state: yield {**state, ...}``).

**Why the shutdown needs help.** A relay is a response that never ends by itself while its run
goes on. uvicorn's graceful shutdown (SIGINT/SIGTERM) stops accepting connections and then waits
for every open response to finish *before* it runs the lifespan's shutdown, so a lifespan cannot
end relays: without help the server hangs until the browsers leave (or
``--timeout-graceful-shutdown`` cancels them). So while the app runs, the lifespan puts a handler
in front of the server's own SIGINT/SIGTERM handlers (when it runs in the main thread and the
server installed Python-level handlers, as uvicorn and hypercorn do): on the signal it schedules
:meth:`RelayHub.close` on the event loop, then calls the server's handler as before. Closing the
hub closes every relay's upstream stream, which wakes its pending read; each relay then ends its
response normally and the server's wait is over within a moment. The previous handlers are put
back when the lifespan ends. Other servers, or tests, call :meth:`B3OSLifespan.close_relays`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from b3os_async._client import B3OS
from b3os_async._errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping
    from contextlib import AbstractAsyncContextManager
    from types import FrameType

    from b3os_async._streams.machine import EventStream

    AppLifespan = Callable[[Any], AbstractAsyncContextManager[Mapping[str, Any] | None]]

__all__ = ["B3OSClient", "B3OSLifespan", "RelayHub", "get_b3os", "relay_hub"]

STATE_CLIENT = "b3os"
STATE_RELAYS = "b3os_relays"


class RelayHub:
    """The open run relays of one app, so that shutting down can end them all at once."""

    def __init__(self) -> None:
        self._streams: set[EventStream[Any]] = set()
        self._closing: asyncio.Task[None] | None = None
        self.closed = False

    def __len__(self) -> int:
        return len(self._streams)

    def add(self, stream: EventStream[Any]) -> None:
        """Track the upstream stream of a relay that starts now."""
        self._streams.add(stream)

    def discard(self, stream: EventStream[Any]) -> None:
        """Forget a relay's stream (its relay ended)."""
        self._streams.discard(stream)

    async def close(self) -> None:
        """End every relay: their upstream streams close, their responses end. Idempotent.

        New relays are refused from now on (503).
        """
        self.closed = True
        for stream in list(self._streams):
            # aclose() never waits for the network: it releases the connection and wakes the
            # relay's pending read at once.
            await stream.aclose()

    def close_soon(self) -> None:
        """Schedule :meth:`close` on the running loop (from a signal handler's callback)."""
        if self._closing is None:
            self._closing = asyncio.get_running_loop().create_task(self.close())


def _watch_shutdown_signals(hub: RelayHub) -> Callable[[], None]:
    """Put a handler in front of the server's SIGINT/SIGTERM handlers; returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers (and receives signals)
    loop = asyncio.get_running_loop()
    installed: dict[int, tuple[Any, Any]] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(sig)
        if not callable(previous):
            continue  # SIG_DFL / SIG_IGN: no server is waiting on graceful shutdown there

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is already closed
                loop.call_soon_threadsafe(hub.close_soon)
            previous(signum, frame)

        signal.signal(sig, handler)
        installed[sig] = (handler, previous)

    def restore() -> None:
        for sig, (handler, previous) in installed.items():
            if signal.getsignal(sig) is handler:
                signal.signal(sig, previous)

    return restore


class B3OSLifespan:
    """A lifespan owning one :class:`B3OS` client for the app: ``FastAPI(lifespan=B3OSLifespan())``.

    Args:
        client: a factory of the client, e.g. ``lambda: B3OS(base_url=..., timeout=...)``;
            default ``B3OS()`` (``B3OS_API_KEY``, ``B3OS_BASE_URL``, ``B3OS_ORG_ID``).
        then: your own lifespan, entered inside this one once the client exists; the state it
            yields is merged into ours.
        watch_signals: end open relays on SIGINT/SIGTERM before the server waits for them (see
            the module docstring). ``False`` leaves signals alone.
    """

    def __init__(
        self,
        client: Callable[[], B3OS] | None = None,
        *,
        then: AppLifespan | None = None,
        watch_signals: bool = True,
    ) -> None:
        self._factory = client
        self._then = then
        self._watch_signals = watch_signals
        self._hubs: set[RelayHub] = set()

    def __call__(self, app: Any) -> AbstractAsyncContextManager[dict[str, Any]]:
        """The lifespan context of ``app`` (Starlette calls this)."""
        return self._run(app)

    async def close_relays(self) -> None:
        """End every open relay of the apps this lifespan runs (for servers without signals)."""
        for hub in list(self._hubs):
            await hub.close()

    @contextlib.asynccontextmanager
    async def _run(self, app: Any) -> AsyncIterator[dict[str, Any]]:
        client = self._factory() if self._factory is not None else B3OS()
        hub = RelayHub()
        self._hubs.add(hub)
        restore = _watch_shutdown_signals(hub) if self._watch_signals else (lambda: None)
        try:
            async with client:
                state: dict[str, Any] = {STATE_CLIENT: client, STATE_RELAYS: hub}
                if self._then is None:
                    yield state
                else:
                    async with self._then(app) as theirs:
                        yield {**state, **(theirs or {})}
                # Relays still open here (a server that does not wait for them, or that
                # cancelled them): end them before the client closes under them.
                await hub.close()
        finally:
            restore()
            self._hubs.discard(hub)


def get_b3os(request: Request) -> B3OS:
    """FastAPI dependency: the app's client (``b3: B3OS = Depends(get_b3os)``).

    Raises :class:`ConfigurationError` when the app was not created with
    :class:`B3OSLifespan`.
    """
    client = request.scope.get("state", {}).get(STATE_CLIENT)
    if not isinstance(client, B3OS):
        raise ConfigurationError(
            "no B3OS client for this app: create it with FastAPI(lifespan=B3OSLifespan()), or "
            "enter B3OSLifespan()(app) inside your own lifespan and yield its state"
        )
    return client


def relay_hub(request: Request) -> RelayHub | None:
    """The app's relay hub (``None`` without :class:`B3OSLifespan`)."""
    hub = request.scope.get("state", {}).get(STATE_RELAYS)
    return hub if isinstance(hub, RelayHub) else None


B3OSClient = Annotated[B3OS, Depends(get_b3os)]
"""``async def endpoint(b3: B3OSClient): ...`` -- the app's client, injected."""
