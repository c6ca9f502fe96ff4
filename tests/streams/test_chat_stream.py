"""The Caddie chat stream: data-only frames, resume by requestId + lastEventIndex, the end."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web
from chat_fakes import ChatConn, ChatServer, chat_events, data_frame

from b3os_async import BadRequestError, CaddieError, StreamError
from b3os_async._streams.chat import decode_chat_event
from b3os_async.models import ChatEventType, ChatResultType
from b3os_async.sse import ServerSentEvent

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from chat_fakes import ChatScript

    from b3os_async import B3OS
    from b3os_async.streams import ChatEvent, ChatStream, ReconnectInfo

EVENTS = chat_events(6)
N = len(EVENTS)


@pytest.fixture
async def chat_server() -> AsyncIterator[Callable[..., Any]]:
    """Start a :class:`ChatServer` with a script and return it with a client for it."""
    started: list[ChatServer] = []

    async def start(script: ChatScript, **client_kwargs: Any) -> tuple[ChatServer, B3OS]:
        server = await ChatServer(script).start()
        started.append(server)
        return server, server.client(**client_kwargs)

    yield start
    for server in started:
        await server.close()  # and its clients


async def collect(chat: ChatStream, server: ChatServer) -> list[ChatEvent]:
    out: list[ChatEvent] = []
    async with chat:
        async for event in chat:
            out.append(event)
            server.saw(len(out))
    return out


def sse(data: str, event: str = "message", event_id: str = "") -> ServerSentEvent:
    return ServerSentEvent(event=event, data=data, id=event_id, retry=None)


# -- decoding --------------------------------------------------------------------------------------


def test_type_comes_from_the_json_of_a_data_only_frame() -> None:
    """A data-only frame's type is its JSON "type"; the whole JSON is kept in data."""
    event = decode_chat_event(sse('{"type":"tool_start","toolName":"search","index":4}'), 0)
    assert event.type is ChatEventType.TOOL_START
    assert event.tool_name == "search"
    assert event.index == 4
    assert event.data == {"type": "tool_start", "toolName": "search", "index": 4}


def test_an_event_without_index_gets_the_counted_one() -> None:
    """Without an "index" in the JSON, the event takes the position it was given."""
    assert decode_chat_event(sse('{"type":"chunk","data":"hi"}'), 7).index == 7


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        ('{"type":"chunk","data":"hello"}', "hello"),
        ('{"type":"thinking","message":"Searching"}', "Searching"),
        ('{"type":"error","error":"model overloaded"}', "model overloaded"),
    ],
)
def test_text_is_the_readable_part_of_each_type(payload: str, text: str) -> None:
    """chunk's data, thinking's message and error's error become the event's text."""
    assert decode_chat_event(sse(payload), 0).text == text


def test_unknown_types_and_wrong_field_types_are_kept_not_errors() -> None:
    """A new type is a pseudo-member; a field of the wrong JSON type is None (raw in data)."""
    event = decode_chat_event(sse('{"type":"canvas_patch","toolName":3,"index":"x"}'), 2)
    assert event.type == "canvas_patch"
    assert not event.type.is_known
    assert event.tool_name is None
    assert event.index == 2
    assert event.data["toolName"] == 3


def test_multi_line_data_split_inside_a_string_is_joined_as_b3os_does() -> None:
    """data: lines that only make JSON when joined without a separator are still decoded."""
    event = decode_chat_event(sse('{"type":"chunk","data":"hel\nlo"}'), 0)
    assert event.text == "hello"


def test_a_payload_that_is_not_json_is_kept_as_text() -> None:
    """Garbage data is delivered as text in data, never an exception."""
    event = decode_chat_event(sse("not json"), 3)
    assert event.data == "not json"
    assert event.index == 3


# -- one connection --------------------------------------------------------------------------------


async def test_the_turn_is_one_post_with_the_chat_body(chat_server: Any) -> None:
    """chat() POSTs message, a UUID4 requestId and conversationId, agentVersion v2, no index."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        await conn.send(EVENTS)

    server, client = await chat_server(script)
    chat = client.caddie.chat("build it", mode="building")
    got = await collect(chat, server)
    assert len(got) == N
    assert server.methods == ["POST"]
    body = server.bodies[0]
    assert body["message"] == "build it"
    assert body["preferredMode"] == "building"
    assert body["agentVersion"] == "v2"
    assert uuid.UUID(body["requestId"]).version == 4
    assert body["conversationId"] == chat.conversation_id
    assert "lastEventIndex" not in body


async def test_heartbeats_multiline_data_and_byte_by_byte_chunks_decode(chat_server: Any) -> None:
    """Comments are skipped; multi-line data joins; frames cut anywhere (a character too) decode."""
    lines = "".join(f"data: {line}\n" for line in ['{"type": "done",', ' "index": 5,',
                    ' "data": {"type": "message", "message": "café ✓"}}'])  # fmt: skip
    raw = b": heartbeat\n\n" + b"".join(data_frame(e) for e in EVENTS[:-1])
    raw += b": heartbeat\n\n" + lines.encode() + b"\n"

    async def script(conn: ChatConn) -> None:
        await conn.open()
        for i in range(len(raw)):  # one byte per write: every frame and character is split
            await conn.write(raw[i : i + 1])
            if i % 64 == 0:
                await asyncio.sleep(0)

    server, client = await chat_server(script)
    chat = client.caddie.chat("hi")
    got = await collect(chat, server)
    assert [e.index for e in got] == list(range(N))
    result = await chat.result()
    assert result.type is ChatResultType.MESSAGE
    assert result.message == "café ✓"


async def test_done_ends_the_stream_and_releases_the_connection(chat_server: Any) -> None:
    """After done nothing more is read (later frames are ignored) and no new request is sent."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        await conn.send([*EVENTS, {"type": "chunk", "data": "late", "index": N}])
        await asyncio.sleep(0.2)

    server, client = await chat_server(script)
    got = await collect(client.caddie.chat("hi"), server)
    assert [e.type for e in got][-1] is ChatEventType.DONE
    assert len(got) == N
    assert len(server.bodies) == 1


async def test_result_returns_the_typed_outcome_of_done(chat_server: Any) -> None:
    """result() reads the rest and decodes done: definition, fields, errors, usage, tools."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        await conn.send(EVENTS)

    _server, client = await chat_server(script)
    chat = client.caddie.chat("hi")
    result = await chat.result()
    assert result.type is ChatResultType.WORKFLOW
    assert result.definition is not None
    assert result.definition.nodes["root"].type == "manual"
    assert result.incomplete_fields == ("root.payload.x",)
    assert result.validation_errors[0].node_id == "root"
    assert result.usage is not None
    assert result.usage.output_tokens == 50
    assert result.tool_utilization[0].call_count == 1
    assert result.request_id == chat.request_id
    assert await chat.result() is result


async def test_an_error_event_is_handed_out_then_raises_caddie_error(chat_server: Any) -> None:
    """The error event comes last, then iteration raises CaddieError; no reconnect."""
    error = {"type": "error", "error": "credits exhausted mid-turn", "index": 2}

    async def script(conn: ChatConn) -> None:
        await conn.open()
        await conn.send([*EVENTS[:2], error])

    server, client = await chat_server(script)
    chat = client.caddie.chat("hi")
    got: list[ChatEvent] = []

    async def read_all() -> None:
        async with chat:
            async for event in chat:
                got.append(event)

    with pytest.raises(CaddieError, match="credits exhausted mid-turn") as info:
        await read_all()
    assert [e.type for e in got] == [ChatEventType.THINKING, ChatEventType.TOOL_START,
                                     ChatEventType.ERROR]  # fmt: skip
    assert info.value.request_id == chat.request_id
    assert len(server.bodies) == 1


async def test_result_raises_caddie_error_for_an_error_turn(chat_server: Any) -> None:
    """result() of a turn that ended in an error event raises CaddieError."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        await conn.send([{"type": "error", "error": "nope"}])

    _, client = await chat_server(script)
    with pytest.raises(CaddieError, match="nope"):
        await client.caddie.chat("hi").result()


async def test_result_of_a_stream_closed_before_done_is_a_stream_error(chat_server: Any) -> None:
    """Closing the chat before done, then asking for the result, raises StreamError."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        await conn.send(EVENTS[:2])
        await asyncio.sleep(5)

    _, client = await chat_server(script)
    chat = client.caddie.chat("hi")
    await chat.__anext__()
    await chat.aclose()
    with pytest.raises(StreamError, match="without a 'done' event"):
        await chat.result()


async def test_a_400_answer_raises_at_once(chat_server: Any) -> None:
    """A JSON 400 before the stream starts is a BadRequestError, not retried."""

    async def script(conn: ChatConn) -> web.StreamResponse:
        body = {"code": 400002, "message": "'message' is required", "requestId": "r"}
        return web.json_response(body, status=400)

    server, client = await chat_server(script)
    with pytest.raises(BadRequestError, match="'message' is required"):
        await client.caddie.chat("hi").result()
    assert len(server.bodies) == 1


# -- resume ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["drop", "eof"])
@pytest.mark.parametrize("k", range(N))
async def test_resume_after_k_events_is_exactly_once_with_the_same_request_id(
    chat_server: Any, k: int, ending: str
) -> None:
    """A drop after any k events re-POSTs the same body with lastEventIndex = k - 1: once each."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        if conn.index == 0:
            await conn.send(EVENTS[:k])
            await conn.server.wait_seen(k)  # else the drop may discard unread bytes
            if ending == "drop":
                conn.drop()
            return
        start = 0 if conn.last_event_index is None else conn.last_event_index + 1
        await conn.send(EVENTS[start:])

    server, client = await chat_server(script)
    got = await collect(client.caddie.chat("hi"), server)
    assert [e.index for e in got] == list(range(N))
    assert len(server.bodies) == 2
    first, second = server.bodies
    assert second["requestId"] == first["requestId"]
    assert second["conversationId"] == first["conversationId"]
    assert second["message"] == first["message"]
    if k == 0:
        assert "lastEventIndex" not in second
    else:
        assert second["lastEventIndex"] == k - 1


async def test_a_replay_from_too_early_is_deduped_by_index(chat_server: Any) -> None:
    """A server that ignores lastEventIndex and replays the turn: no event is handed out twice."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        if conn.index == 0:
            await conn.send(EVENTS[:3])
            await conn.server.wait_seen(3)
            conn.drop()
            return
        await conn.send(EVENTS)  # from the start again

    server, client = await chat_server(script)
    got = await collect(client.caddie.chat("hi"), server)
    assert [e.index for e in got] == list(range(N))


async def test_without_index_fields_resume_counts_positions(chat_server: Any) -> None:
    """Events without "index" are counted; the replay after lastEventIndex continues the count."""
    plain = chat_events(6, indexed=False)

    async def script(conn: ChatConn) -> None:
        await conn.open()
        if conn.index == 0:
            await conn.send(plain[:4])
            await conn.server.wait_seen(4)
            conn.drop()
            return
        assert conn.last_event_index == 3
        await conn.send(plain[4:])

    server, client = await chat_server(script)
    got = await collect(client.caddie.chat("hi"), server)
    assert [e.index for e in got] == list(range(6))
    assert [e.type for e in got] == [e["type"] for e in plain]


async def test_a_retryable_error_frame_resumes_the_turn(chat_server: Any) -> None:
    """An 'event: error' 503 frame mid-turn reconnects and resumes after the last index."""

    async def script(conn: ChatConn) -> None:
        await conn.open()
        if conn.index == 0:
            await conn.send(EVENTS[:2])
            await conn.write(b'event: error\ndata: {"status":503,"message":"busy"}\n\n')
            return
        await conn.send(EVENTS[conn.last_event_index + 1 :])  # type: ignore[operator]

    server, client = await chat_server(script)
    got = await collect(client.caddie.chat("hi"), server)
    assert [e.index for e in got] == list(range(N))
    assert server.bodies[1]["lastEventIndex"] == 1


async def test_a_503_answer_is_retried_with_the_same_request_id(chat_server: Any) -> None:
    """A 503 before the stream opens is retried: resending is safe, requestId names the turn."""

    async def script(conn: ChatConn) -> web.StreamResponse | None:
        if conn.index == 0:
            return web.json_response({"code": 503000, "message": "down"}, status=503)
        await conn.open()
        await conn.send(EVENTS)
        return None

    server, client = await chat_server(script)
    got = await collect(client.caddie.chat("hi"), server)
    assert len(got) == N
    assert server.bodies[0]["requestId"] == server.bodies[1]["requestId"]


async def test_on_reconnect_reports_the_last_event_index(chat_server: Any) -> None:
    """ReconnectInfo.last_event_id names the last event index received (as text)."""
    seen: list[ReconnectInfo] = []

    async def script(conn: ChatConn) -> None:
        await conn.open()
        if conn.index == 0:
            await conn.send(EVENTS[:3])
            await conn.server.wait_seen(3)
            conn.drop()
            return
        await conn.send(EVENTS[3:])

    server, client = await chat_server(script, on_reconnect=seen.append)
    await collect(client.caddie.chat("hi"), server)
    assert [info.last_event_id for info in seen] == ["2"]


async def test_a_stream_that_never_finishes_spends_the_budget(chat_server: Any) -> None:
    """A server that closes every attempt without news ends in StreamError, not a loop."""

    async def script(conn: ChatConn) -> None:
        await conn.open()

    server, client = await chat_server(script)
    with pytest.raises(StreamError, match="could not be resumed"):
        await client.caddie.chat("hi").result()
    assert len(server.bodies) == 5  # NO_WAIT: five attempts
    assert server.open_streams == 0
