"""FastAPI integration (extra ``fastapi``): one client per app, hook receiver, run relay.

::

    from fastapi import FastAPI, Request
    from b3os_async.fastapi import B3OSClient, B3OSLifespan, HookReceiver, relay_run

    app = FastAPI(lifespan=B3OSLifespan())           # one B3OS client for the app's lifetime

    @app.post("/runs")
    async def start(b3: B3OSClient) -> dict[str, str]:
        return {"runId": (await b3.workflows.run(WORKFLOW_ID)).run_id}

    @app.get("/runs/{run_id}/events")                # an EventSource in the browser
    async def events(run_id: str, request: Request):
        return await relay_run(request, run_id)     # resumable with Last-Event-ID

    hooks = HookReceiver(HOOK_SECRET)                # POST /b3os/hooks, verified

    @hooks.on("run.failed")
    async def failed(event): ...

    app.include_router(hooks.router)

Modules: ``_lifespan`` (the lifespan, :func:`get_b3os`, shutdown of open relays), ``_relay``
(:func:`relay_run`), ``_hooks`` (:class:`HookReceiver`). Nothing outside this package imports it.
"""

from __future__ import annotations

try:
    import fastapi as _fastapi  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "b3os_async.fastapi needs FastAPI: pip install 'b3os-async[fastapi]'"
    ) from exc

from b3os_async.fastapi._hooks import HookHandler, HookReceiver
from b3os_async.fastapi._lifespan import (
    B3OSClient,
    B3OSLifespan,
    RelayHub,
    get_b3os,
    relay_hub,
)
from b3os_async.fastapi._relay import RunRelay, relay_run

__all__ = [
    "B3OSClient",
    "B3OSLifespan",
    "HookHandler",
    "HookReceiver",
    "RelayHub",
    "RunRelay",
    "get_b3os",
    "relay_hub",
    "relay_run",
]
