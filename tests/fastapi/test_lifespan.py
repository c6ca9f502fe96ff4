"""``B3OSLifespan``, ``get_b3os``, ``B3OSClient``: one client per app, composable, clear misuse."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from fastapi import FastAPI, Request
from kit_helpers import serve

from b3os_async import B3OS, ConfigurationError
from b3os_async.fastapi import B3OSClient, B3OSLifespan, get_b3os

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable


async def _get(url: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


@pytest.mark.slow
async def test_one_client_serves_every_request_and_closes_at_shutdown(
    client_factory: Callable[[], B3OS],
) -> None:
    """Every request gets the same client; it is closed when the app stops."""
    seen: list[B3OS] = []
    app = FastAPI(lifespan=B3OSLifespan(client_factory))

    @app.get("/runs")
    async def runs(b3: B3OSClient) -> dict[str, int]:
        seen.append(b3)
        return {"count": len([run async for run in b3.runs.list()])}

    async with serve(app) as url:
        assert await _get(f"{url}/runs") == (200, {"count": 0})
        assert await _get(f"{url}/runs") == (200, {"count": 0})
    assert seen[0] is seen[1]
    assert seen[0].closed


@pytest.mark.slow
async def test_the_apps_own_lifespan_runs_inside_with_its_state(
    client_factory: Callable[[], B3OS],
) -> None:
    """``then=`` enters the app's lifespan once the client exists and merges its state."""
    order: list[str] = []

    @contextlib.asynccontextmanager
    async def mine(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        order.append("mine starts")
        yield {"greeting": "hello"}
        order.append("mine ends")

    app = FastAPI(lifespan=B3OSLifespan(client_factory, then=mine))

    @app.get("/state")
    async def state(request: Request, b3: B3OSClient) -> dict[str, Any]:
        return {"greeting": request.state.greeting, "open": not b3.closed}

    async with serve(app) as url:
        assert await _get(f"{url}/state") == (200, {"greeting": "hello", "open": True})
    assert order == ["mine starts", "mine ends"]


@pytest.mark.slow
async def test_the_lifespan_can_be_entered_inside_the_apps_own(
    client_factory: Callable[[], B3OS],
) -> None:
    """Entered from the app's lifespan, its state (the client) reaches the endpoints."""
    kit = B3OSLifespan(client_factory)

    @contextlib.asynccontextmanager
    async def mine(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        async with kit(app) as state:
            yield {**state, "db": "ready"}

    app = FastAPI(lifespan=mine)

    @app.get("/db")
    async def db(request: Request, b3: B3OSClient) -> dict[str, Any]:
        return {"db": request.state.db, "client": isinstance(b3, B3OS)}

    async with serve(app) as url:
        assert await _get(f"{url}/db") == (200, {"db": "ready", "client": True})


def test_without_the_lifespan_the_dependency_says_what_to_do() -> None:
    """``get_b3os`` on an app without the lifespan raises ConfigurationError naming the fix."""
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    with pytest.raises(ConfigurationError, match=r"FastAPI\(lifespan=B3OSLifespan\(\)\)"):
        get_b3os(request)
