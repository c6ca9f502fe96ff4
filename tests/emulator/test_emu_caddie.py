"""The emulator's Caddie routes over raw HTTP: the chat stream's framing and resume, history,
sessions, snapshot, preflight and their errors."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from emu_helpers import Api

from b3os_async.testing import Emulator
from b3os_async.testing._domain.caddie import Message, Thread

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

CHAT = "/v1/ai/workflow/chat/stream"
ETH = "every hour fetch the ETH price and post to Slack when it is above 3000"


@pytest.fixture
async def fast() -> AsyncIterator[tuple[Emulator, aiohttp.ClientSession]]:
    """An emulator whose Caddie answers at once, and a raw session for it."""
    async with Emulator(seed=2, caddie_pace=0) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            yield emu, session


async def frames(session: aiohttp.ClientSession, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every frame of one chat response: ``{field: value}`` (data lines joined with LF,
    comments under ``":"``, the parsed data under ``"json"``)."""
    async with session.post(CHAT, json=body) as response:
        assert response.status == 200, await response.text()
        assert response.content_type == "text/event-stream"
        raw = (await response.read()).decode()
    out = []
    for block in raw.split("\n\n"):
        if not block:
            continue
        fields: dict[str, Any] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ") if not line.startswith(":") else (":", "", line)
            fields[name] = f"{fields[name]}\n{value}" if name in fields else value
        if "data" in fields:
            fields["json"] = json.loads(fields["data"])
        out.append(fields)
    return out


async def events(session: aiohttp.ClientSession, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON of every data frame of one chat response."""
    return [frame["json"] for frame in await frames(session, body) if "json" in frame]


async def test_chat_frames_are_data_only_and_carry_type_and_index(fast: Any) -> None:
    """After retry:, each frame is data: only (no id:, no event:); the JSON has type and index."""
    _, session = fast
    got = await frames(session, {"message": ETH, "requestId": "r1"})
    assert "retry" in got[0]
    data = [frame for frame in got if "data" in frame]
    assert all(set(frame) == {"data", "json"} for frame in data)
    assert [frame["json"]["index"] for frame in data] == list(range(len(data)))
    assert data[-1]["json"]["type"] == "done"


async def test_the_done_frame_spans_several_data_lines(fast: Any) -> None:
    """The done event is sent over several data: lines that join into its JSON."""
    _emu, session = fast
    async with session.post(CHAT, json={"message": ETH}) as response:
        raw = (await response.read()).decode()
    last = raw.strip().split("\n\n")[-1]
    assert last.count("\ndata: ") > 10
    joined = "\n".join(line[len("data: ") :] for line in last.split("\n"))
    assert json.loads(joined)["type"] == "done"


async def test_a_known_request_id_resumes_after_last_event_index(fast: Any) -> None:
    """Re-POSTing the requestId with lastEventIndex sends the rest of the same turn only."""
    _, session = fast
    whole = await events(session, {"message": ETH, "requestId": "r2"})
    rest = await events(session, {"requestId": "r2", "lastEventIndex": 9})
    assert rest == whole[10:]


async def test_a_resume_without_message_of_an_unknown_request_is_400(fast: Any) -> None:
    """A requestId never seen, without a message, cannot start a turn (400002)."""
    emu, session = fast
    body = await Api(emu, session).call("POST", CHAT, expect=400, json={"requestId": "nope"})
    assert body["code"] == 400002


async def test_a_request_id_is_per_organization(fast: Any) -> None:
    """Another organization's requestId does not resume this organization's turn."""
    emu, session = fast
    await events(session, {"message": ETH, "requestId": "shared"})
    _, key = emu.create_org("Other")
    headers = {"Authorization": f"Bearer {key}"}
    async with session.post(CHAT, json={"requestId": "shared"}, headers=headers) as response:
        assert response.status == 400


async def test_without_replay_the_last_event_index_is_ignored() -> None:
    """An emulator with replay=False resends the turn from its first event."""
    async with Emulator(caddie_pace=0, replay=False) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            whole = await events(session, {"message": "log it", "requestId": "r"})
            again = await events(session, {"requestId": "r", "lastEventIndex": 2})
    assert again == whole


@pytest.mark.slow
async def test_events_are_paced_with_heartbeats_between() -> None:
    """At a slow pace events arrive over time, with ': heartbeat' comments in the pauses."""
    async with Emulator(caddie_pace=0.02, heartbeat_interval=0.02) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with aiohttp.ClientSession(emu.url, headers=headers) as session:
            started = time.monotonic()
            got = await frames(session, {"message": "log it"})
            took = time.monotonic() - started
    assert any(":" in frame for frame in got)
    assert took >= 0.02 * 10  # log it: ~14 pace units


async def test_v3_answers_a_socket_io_session_as_bare_json(fast: Any) -> None:
    """agentVersion v3 gets {sessionToken, socketUrl}, not a stream."""
    _, session = fast
    async with session.post(CHAT, json={"message": "hi", "agentVersion": "v3"}) as response:
        assert response.content_type == "application/json"
        body = await response.json()
    assert set(body) == {"sessionToken", "socketUrl"}


@pytest.mark.parametrize(
    "body",
    [
        {"message": "x" * 10_001},
        {"message": "hi", "preferredMode": "dreaming"},
        {"message": "hi", "lastEventIndex": -1},
        {"message": "hi", "agentVersion": "v9"},
        {"message": "hi", "definition": "nope"},
        {"message": "hi", "images": ["x"]},
    ],
)
async def test_bad_chat_bodies_are_400002(fast: Any, body: dict[str, Any]) -> None:
    """Fields that do not fit ChatParams are refused before any stream starts."""
    emu, session = fast
    answer = await Api(emu, session).call("POST", CHAT, expect=400, json=body)
    assert answer["code"] == 400002


async def test_no_ai_credits_is_a_402_before_the_stream(fast: Any) -> None:
    """With zero AI credits a new turn is refused with 402002."""
    emu, session = fast
    emu.set_ai_credits(0)
    answer = await Api(emu, session).call("POST", CHAT, expect=402, json={"message": "hi"})
    assert answer["code"] == 402002
    assert await Api(emu, session).call("GET", "/v1/ai/workflow/chat/preflight") == {
        "allowed": False
    }


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/v1/ai/workflow/chat/history", {}, 400),
        ("/v1/ai/workflow/chat/history", {"conversationId": "c", "before": "yesterday"}, 400),
        ("/v1/ai/workflow/chat/history", {"conversationId": "c", "limit": "101"}, 400),
        ("/v1/ai/workflow/chat/sessions", {"limit": "51"}, 400),
        ("/v1/ai/workflow/chat/snapshot", {}, 400),
    ],
)
async def test_bad_queries_are_refused(
    fast: Any, path: str, query: dict[str, str], status: int
) -> None:
    """History needs a key and a valid cursor and limit; sessions max 50; snapshot a key."""
    emu, session = fast
    await Api(emu, session).call("GET", path, expect=status, params=query)


async def test_history_is_chronological_within_a_page(fast: Any) -> None:
    """A page holds the newest messages before the cursor, oldest first."""
    emu, session = fast
    for message in ("log it", "wait 1 second"):
        await events(session, {"message": message, "conversationId": "c"})
    api = Api(emu, session)
    page = await api.data("GET", "/v1/ai/workflow/chat/history", params={"conversationId": "c"})
    assert [m["role"] for m in page] == ["user", "assistant", "user", "assistant"]
    older = await api.data(
        "GET",
        "/v1/ai/workflow/chat/history",
        params={"conversationId": "c", "before": page[2]["createdAt"], "beforeId": page[2]["id"]},
    )
    assert older == page[:2]


def test_a_keyset_cursor_keeps_ties_at_the_page_boundary() -> None:
    """Messages sharing a createdAt are split by id: beforeId skips none and repeats none."""
    moment = datetime(2025, 1, 1, tzinfo=timezone.utc)
    thread = Thread()
    for message_id in ("a", "b", "c", "d"):
        thread.add(Message(message_id, "org", "c", "user", message_id, moment))
    thread.add(Message("z", "org", "c", "user", "z", moment + timedelta(seconds=1)))
    newest = thread.before(3, None, None)
    assert [m.id for m in newest] == ["c", "d", "z"]
    rest = thread.before(3, newest[0].created, newest[0].id)
    assert [m.id for m in rest] == ["a", "b"]
    assert [m.id for m in thread.before(9, moment, None)] == []


async def test_sessions_render_the_workflow_name(fast: Any) -> None:
    """A conversation about a workflow is a 'workflow' session carrying its name."""
    emu, session = fast
    api = Api(emu, session)
    created = await api.create({"nodes": {"root": {"type": "manual", "payload": {}}}}, "Named")
    await events(session, {"message": "log it", "workflowId": created["id"]})
    sessions = await api.data("GET", "/v1/ai/workflow/chat/sessions")
    assert sessions["items"][0]["workflowName"] == "Named"
    assert sessions["items"][0]["contextType"] == "workflow"
