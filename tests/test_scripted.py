"""The scripted test server itself (tests/support/scripted.py): what other tests rely on."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from support.scripted import Reply, ScriptedServer, SSEConn, Stream, envelope

from b3os_async import APIConnectionError, AuthenticationError, NotFoundError, RetryPolicy

EVENTS = [
    {"type": "run_started", "runId": "run_1", "seq": 1, "status": "running"},
    {"type": "node_completed", "runId": "run_1", "seq": 2, "nodeId": "a", "status": "success"},
    {"type": "run_completed", "runId": "run_1", "seq": 3, "status": "success"},
]


async def test_steps_are_taken_in_turn_and_the_last_repeats(scripted: ScriptedServer) -> None:
    """A route answers its steps in order, then keeps answering the last one."""
    scripted.script("/v1/x", Reply(200, envelope(1)), Reply(200, envelope(2)))
    b3 = scripted.client()
    assert [await b3.request("GET", "/v1/x") for _ in range(3)] == [1, 2, 2]
    assert scripted.hits("/v1/x") == 3


async def test_templates_methods_and_literals_pick_the_route(scripted: ScriptedServer) -> None:
    """{name} matches one raw segment, a literal route wins, and methods are kept apart."""
    scripted.script("/v1/runs/{id}", Reply(200, envelope("run")), method="GET")
    scripted.script("/v1/runs/status-counts", Reply(200, envelope("counts")))
    scripted.script("/v1/runs/{id}", Reply(200, envelope("posted")), method="POST")
    b3 = scripted.client()
    assert await b3.request("GET", "/v1/runs/{}", "a/b") == "run"
    assert await b3.request("GET", "/v1/runs/status-counts") == "counts"
    assert await b3.request("POST", "/v1/runs/{}", "run_1", json={}) == "posted"
    assert [s.path for s in scripted.requests] == [
        "/v1/runs/a%2Fb",
        "/v1/runs/status-counts",
        "/v1/runs/run_1",
    ]
    assert scripted.requests[-1].json() == {}


async def test_unscripted_requests_get_a_404_naming_them(scripted: ScriptedServer) -> None:
    """A request no route matches is answered 404 with a message naming it, and recorded."""
    with pytest.raises(NotFoundError, match="not scripted: GET /v1/nope"):
        await scripted.client().request("GET", "/v1/nope", params={"a": "1"})
    assert scripted.requests[0].query == {"a": ["1"]}


async def test_reset_closes_the_connection_without_an_answer(scripted: ScriptedServer) -> None:
    """Reply(reset=True) drops the TCP connection: the client sees a connection error."""
    scripted.script("/v1/x", Reply(reset=True))
    with pytest.raises(APIConnectionError):
        await scripted.client(retry=RetryPolicy.disabled()).request("GET", "/v1/x")


async def test_held_replies_are_answered_once_released(scripted: ScriptedServer) -> None:
    """Reply(wait=event) holds the answer until the event is set; wait_for sees the request."""
    release = asyncio.Event()
    scripted.script("/v1/slow", Reply(200, envelope("late"), wait=release))
    task = asyncio.ensure_future(scripted.client().request("GET", "/v1/slow"))
    await scripted.wait_for("/v1/slow")
    assert not task.done()
    release.set()
    assert await task == "late"


async def test_sse_script_drop_resume_and_run_state(scripted: ScriptedServer) -> None:
    """An SSE script can send, drop and resume from Last-Event-ID; a handler reports the state
    from the events sent so far (what the stream tests' fake server does)."""

    async def stream(conn: SSEConn) -> None:
        await conn.open(retry_ms=0)
        done = int(conn.last_event_id or 0)
        if conn.index == 0:
            await conn.send(EVENTS[:2])
            await asyncio.sleep(0.05)  # let the client read them before the reset
            conn.drop()
            return
        await conn.send(EVENTS[done:])

    async def run_state(request: web.Request) -> web.StreamResponse:
        status = (
            "success" if any(e["type"] == "run_completed" for e in scripted.sent) else "running"
        )
        return web.json_response(envelope({"id": "run_1", "status": status}))

    scripted.sse("/v1/runs/{id}/stream", stream)
    scripted.script("/v1/runs/{id}", run_state, method="GET")
    b3 = scripted.client().with_options(reconnect=RetryPolicy.no_wait(3))
    async with b3.runs.stream("run_1") as events:
        got = [event.seq async for event in events]
    assert got == [1, 2, 3]
    stream_requests = [s for s in scripted.requests if s.path.endswith("/stream")]
    assert [s.headers.get("Last-Event-ID") for s in stream_requests] == ["0", "2"]
    assert scripted.sse_connections == 2
    assert (await scripted.client().runs.get("run_1")).status.value == "success"


async def test_a_script_may_answer_an_error_instead(scripted: ScriptedServer) -> None:
    """A stream script that returns a response sends it (here a 401 the stream raises)."""

    async def refuse(conn: SSEConn) -> web.StreamResponse:
        return web.json_response({"code": 401, "message": "bad key"}, status=401)

    scripted.script("/v1/activity/stream", Stream(refuse), method="GET")
    async with scripted.client().activity.stream() as events:
        with pytest.raises(AuthenticationError, match="bad key"):
            await events.__anext__()


async def test_held_streams_are_counted_until_the_client_leaves(scripted: ScriptedServer) -> None:
    """open_streams counts running SSE handlers; closing the client's stream ends its handler."""
    first: list[Any] = []

    async def hold(conn: SSEConn) -> None:
        await conn.open()
        await conn.send([{"id": 1, "type": "workflow_created"}])
        await conn.hold()

    scripted.sse("/v1/activity/stream", hold)
    async with scripted.client().activity.stream() as events:
        first.append(await events.__anext__())
        assert scripted.open_streams == 1
    for _ in range(100):  # the server notices the closed connection asynchronously
        if not scripted.open_streams:
            break
        await asyncio.sleep(0.01)
    assert scripted.open_streams == 0
    assert first[0].type == "workflow_created"


@pytest.mark.parametrize(
    ("fault", "reset"), [("burst_then_reset", True), ("burst_then_close", False)]
)
async def test_a_post_stream_sees_its_body_and_breaks_as_scripted(
    scripted: ScriptedServer, fault: str, reset: bool
) -> None:
    """A Stream step serves a POST (its body in conn.seen); burst_then_reset ends it with an RST
    (the client sees a connection reset), burst_then_close with a FIN (an incomplete body)."""
    bodies: list[Any] = []

    async def chat(conn: SSEConn) -> None:
        bodies.append(conn.seen.json())
        await conn.open()
        await getattr(conn, fault)(b'data: {"type": "chunk"}\n\n')

    scripted.script("/v1/chat", Stream(chat), method="POST")
    async with (
        aiohttp.ClientSession() as session,
        session.post(scripted.url + "/v1/chat", json={"q": 1}) as response,
    ):
        assert response.status == 200
        with pytest.raises(aiohttp.ClientPayloadError) as caught:
            await response.read()
    assert ("Connection reset by peer" in str(caught.value)) is reset
    assert bodies == [{"q": 1}]
