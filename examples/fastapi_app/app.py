"""An example FastAPI app on b3os-async: start a run, watch its nodes live, receive hooks.

Run it (with a B3OS key, or against the local emulator)::

    b3os emulator --port 8080 &                     # prints a URL and an API key
    export B3OS_BASE_URL=http://127.0.0.1:8080 B3OS_API_KEY=b3sk_...
    uvicorn examples.fastapi_app.app:app --port 8000
    # open http://127.0.0.1:8000/ and press "Start a run"

* ``POST /api/runs`` starts a run of a small inline workflow (``b3.runs.create``) and answers
  its id and node ids;
* ``GET /api/runs/{id}/events`` relays the run's events to the page's ``EventSource``
  (``relay_run``): a dropped connection resumes where it stopped (``Last-Event-ID``);
* with ``B3OS_HOOK_SECRET`` set, ``POST /b3os/hooks`` receives execution hooks (register
  ``https://<this app>/b3os/hooks`` with ``b3.execution_hooks.create``); ``GET /api/hooks``
  lists the last ones received.

``DEMO_DELAY_MS`` (default 400) sets how long the run's two delay steps take.
"""

import os
from collections import deque
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from starlette.responses import Response

from b3os_async.fastapi import B3OSClient, B3OSLifespan, HookReceiver, relay_run
from b3os_async.webhooks import HookEvent

PAGE = Path(__file__).with_name("index.html")
NODES = ["root", "fetch", "price", "settle", "check", "alert", "quiet"]


def definition(delay_ms: int) -> dict[str, Any]:
    """fetch (a delay) -> price -> settle (a delay) -> check: alert if above 3000, else quiet."""
    above = {"left": "{{price.result.price}}", "op": "$gt", "right": 3000}
    nodes = {
        "root": {"type": "manual", "payload": {}, "children": ["fetch"]},
        "fetch": {"type": "delay", "payload": {"ms": delay_ms}, "children": ["price"]},
        "price": {
            "type": "transform",
            "payload": {"symbol": "{{root.result.symbol || 'ETH'}}", "price": 3100},
            "children": ["settle"],
        },
        "settle": {"type": "delay", "payload": {"ms": delay_ms}, "children": ["check"]},
        "check": {"type": "if", "payload": {"condition": above}, "children": ["alert", "quiet"]},
        "alert": {"type": "echo", "payload": {"text": "above 3000"}, "branch": "then"},
        "quiet": {"type": "echo", "payload": {"text": "nothing to say"}, "branch": "else"},
    }
    return {"nodes": nodes, "triggerNodeIds": ["root"]}


app = FastAPI(title="b3os-async example", lifespan=B3OSLifespan())


@app.get("/", include_in_schema=False)
async def page() -> FileResponse:
    """The page that starts runs and shows them live."""
    return FileResponse(PAGE)


@app.post("/api/runs")
async def start_run(b3: B3OSClient) -> dict[str, Any]:
    """Start a run; the page then opens its event stream."""
    delay = int(os.environ.get("DEMO_DELAY_MS", "400"))
    created = await b3.runs.create(definition(delay), payload={"symbol": "ETH"})
    return {"runId": created.run_id, "nodes": NODES}


@app.get("/api/runs/{run_id}/events")
async def run_events(run_id: str, request: Request) -> Response:
    """The run's events as text/event-stream, resumable with Last-Event-ID."""
    return await relay_run(request, run_id)


received: deque[dict[str, Any]] = deque(maxlen=50)

if os.environ.get("B3OS_HOOK_SECRET"):
    hooks = HookReceiver(os.environ["B3OS_HOOK_SECRET"].split(","))  # "new,old" while rotating

    @hooks.on()
    async def remember(event: HookEvent) -> None:
        received.append({"type": event.type.value, "runId": event.run_id, "nodeId": event.node_id})

    app.include_router(hooks.router)


@app.get("/api/hooks")
async def recent_hooks() -> list[dict[str, Any]]:
    """The last execution hooks received (newest last)."""
    return list(received)
