"""b3.caddie against the emulator: chat turns (build, repair, resume), sessions, history, ..."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest

from b3os_async import (
    B3OS,
    ConfigurationError,
    ConflictError,
    InsufficientCreditsError,
    NotFoundError,
    RetryPolicy,
    StreamTimeouts,
)
from b3os_async.models import ChatEventType, ChatMode, ChatResultType
from b3os_async.testing import Emulator, Fault

if TYPE_CHECKING:
    from b3os_async.streams import ChatEvent

ETH = "every hour fetch the ETH price and post to Slack when it is above 3000"
CHAT = "/v1/ai/workflow/chat/stream"


async def events_of(b3: B3OS, message: str = ETH, **kwargs: Any) -> list[ChatEvent]:
    async with b3.caddie.chat(message, **kwargs) as chat:
        return [event async for event in chat]


def chat_bodies(emu: Emulator) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in emu.requests if r.path == CHAT]


# -- building -------------------------------------------------------------------------------------


async def test_a_request_becomes_a_workflow_that_validates(b3: B3OS) -> None:
    """The ETH-price request yields a definition the emulator's own validation accepts."""
    result = await b3.caddie.chat(ETH).result()
    assert result.type is ChatResultType.WORKFLOW
    assert result.definition is not None
    nodes = result.definition.nodes
    assert nodes["root"].type == "cronjob"
    assert nodes["root"].payload["cron"] == "0 * * * *"
    assert nodes["check_value"].payload["condition"]["right"] == 3000
    assert nodes["notify_slack"].branch == "then"
    assert result.incomplete_fields == ("notify_slack.payload.url",)
    checked = await b3.workflows.validate(definition=result.definition, name="x")
    assert checked.valid, checked.errors


async def test_the_turn_streams_thinking_tools_nodes_chunks_then_done(b3: B3OS) -> None:
    """Events come in order: mode_switch, thinking, tool pairs, one node per node, chunks, done."""
    events = await events_of(b3)
    types = [event.type for event in events]
    assert types[0] is ChatEventType.MODE_SWITCH
    assert events[0].mode == "building"
    assert types[1] is ChatEventType.THINKING
    assert types[-1] is ChatEventType.DONE
    assert [e.node_id for e in events if e.type is ChatEventType.NODE] == [
        "root",
        "fetch_eth_price",
        "check_value",
        "notify_slack",
    ]
    assert types.count(ChatEventType.TOOL_START) == types.count(ChatEventType.TOOL_RESULT)
    explanation = "".join(e.text or "" for e in events if e.type is ChatEventType.CHUNK)
    assert "Slack" in explanation
    assert [e.index for e in events] == list(range(len(events)))


async def test_same_seed_same_turn() -> None:
    """Two emulators with the same seed stream the same turn, event for event."""
    streams = []
    for _ in range(2):
        async with (
            Emulator(seed=11, caddie_pace=0) as emu,
            B3OS(emu.api_key, base_url=emu.url) as b3,
        ):
            streams.append([event.data for event in await events_of(b3, request_id="r-1")])
    assert streams[0] == streams[1]


async def test_a_request_it_cannot_read_ends_in_a_helpful_message(b3: B3OS) -> None:
    """Gibberish is answered with a message saying what it can build, not an error."""
    result = await b3.caddie.chat("sing me a song about the sea").result()
    assert result.type is ChatResultType.MESSAGE
    assert result.definition is None
    assert result.message is not None
    assert "every hour" in result.message


async def test_repair_mode_fixes_a_definition_that_fails_validation(b3: B3OS) -> None:
    """A broken definition (no trigger, a cycle, an unknown type) comes back valid."""
    broken = {
        "nodes": {
            "a": {"type": "slack-post", "payload": {}, "children": ["b", "ghost"]},
            "b": {"type": "echo", "payload": {}, "children": ["a"]},
        },
        "triggerNodeIds": ["root"],
    }
    before = await b3.workflows.validate(definition=broken, name="x")
    assert not before.valid
    result = await b3.caddie.chat("fix it", definition=broken, mode="repair").result()
    assert result.definition is not None
    after = await b3.workflows.validate(definition=result.definition, name="x")
    assert after.valid, after.errors
    assert result.validation_errors == ()
    assert result.message is None


async def test_a_workflow_id_extends_that_workflow(b3: B3OS) -> None:
    """Chatting about a saved workflow appends the new steps after its nodes."""
    created = await b3.workflows.create(
        name="w",
        description="d",
        definition={"nodes": {"root": {"type": "manual", "payload": {}}}},
    )
    result = await b3.caddie.chat("then wait 5 seconds", workflow_id=created.id).result()
    assert result.definition is not None
    assert result.definition.nodes["root"].children == ("pause",)
    assert result.definition.nodes["pause"].payload == {"ms": 5000}


async def test_an_unknown_workflow_id_is_a_404(b3: B3OS) -> None:
    """A workflow of another organization (or none) is not found."""
    with pytest.raises(NotFoundError):
        await b3.caddie.chat("add a delay", workflow_id="wf_nope").result()


async def test_the_result_can_be_saved_as_a_draft_workflow(b3: B3OS) -> None:
    """The definition, name and description of a result create a workflow as they are."""
    result = await b3.caddie.chat(ETH).result()
    assert result.name == "ETH price alert to Slack"
    assert result.definition is not None
    assert result.description is not None
    workflow = await b3.workflows.create(
        name=result.name, description=result.description, definition=result.definition
    )
    assert workflow.status == "draft"


# -- resume and faults ----------------------------------------------------------------------------


@pytest.mark.parametrize("after", [1, 5, 12, 20])
async def test_a_dropped_turn_resumes_exactly_once(emu: Emulator, b3: B3OS, after: int) -> None:
    """A connection cut after N events is resumed with the same requestId: every event once."""
    emu.faults.add(Fault.drop_stream(after_events=after), path=CHAT, times=1)
    events = await events_of(b3)
    assert [e.index for e in events] == list(range(len(events)))
    assert events[-1].type is ChatEventType.DONE
    first, second = chat_bodies(emu)
    assert second["requestId"] == first["requestId"]
    assert second["lastEventIndex"] == after - 1
    assert "lastEventIndex" not in first


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fault", "posts"),
    [
        (Fault.close_stream(after_events=4), 2),
        (Fault.reset_stream(after_events=3, burst=4), 2),
        (Fault.cut_event(after_events=5), 2),
        (Fault.cut_event(after_events=2, inside_character=True), 2),
        (Fault.repeat_events(3, after_events=6), 1),
        (
            Fault.combine(
                Fault.repeat_events(2, after_events=5), Fault.drop_stream(after_events=8)
            ),
            2,
        ),
    ],
    ids=["clean close", "burst then reset", "cut frame", "cut character", "repeats", "both"],
)
async def test_rough_faults_mid_turn_still_give_every_event_once(
    emu: Emulator, b3: B3OS, fault: Fault, posts: int
) -> None:
    """Clean closes, resets after a burst, cut frames and characters, repeated frames: once each."""
    emu.faults.add(fault, path=CHAT, times=1)
    events = await events_of(b3, "every hour fetch the ETH price and log it, café")
    assert [e.index for e in events] == list(range(len(events)))
    assert events[-1].type is ChatEventType.DONE
    assert events[-1].data["data"]["description"].endswith("café")
    assert len(chat_bodies(emu)) == posts


async def test_a_503_before_the_stream_is_retried_into_the_same_turn(
    emu: Emulator, b3: B3OS
) -> None:
    """A 503 on the chat POST is retried; the retry starts the turn once."""
    emu.faults.add(Fault.status(503), path=CHAT, times=1)
    events = await events_of(b3)
    assert events[-1].type is ChatEventType.DONE
    assert len(chat_bodies(emu)) == 2
    sessions = [s async for s in b3.caddie.sessions()]
    assert len(sessions) == 1
    assert sessions[0].message_count == 2


async def test_an_error_frame_mid_turn_resumes(emu: Emulator, b3: B3OS) -> None:
    """An 'event: error' 503 after 3 events reconnects and resumes after index 2."""
    emu.faults.add(Fault.stream_error(503, after_events=3), path=CHAT, times=1)
    events = await events_of(b3)
    assert [e.index for e in events] == list(range(len(events)))
    assert chat_bodies(emu)[1]["lastEventIndex"] == 2


@pytest.mark.slow
async def test_a_stalled_turn_is_resumed_after_the_idle_timeout(emu: Emulator) -> None:
    """A stream that goes silent after 4 events is dropped by the idle timer and resumed."""
    emu.faults.add(Fault.stall(5.0, after_events=4), path=CHAT, times=1)
    async with B3OS(
        emu.api_key,
        base_url=emu.url,
        reconnect=RetryPolicy.no_wait(),
        stream_timeouts=StreamTimeouts(idle=0.3),
    ) as b3:
        events = await events_of(b3)
    assert [e.index for e in events] == list(range(len(events)))
    assert chat_bodies(emu)[1]["lastEventIndex"] == 3


@pytest.mark.slow
async def test_a_turn_in_progress_shows_in_the_snapshot(emu: Emulator, b3: B3OS) -> None:
    """While a turn streams the snapshot is active; afterwards idle, with the pending question."""
    emu.caddie_pace = 0.02  # a turn of ~0.7 s
    async with b3.caddie.chat(ETH) as chat:
        first = await chat.__anext__()
        assert first.type is ChatEventType.MODE_SWITCH
        during = await b3.caddie.snapshot(chat.conversation_id)
        await chat.result()
    after = await b3.caddie.snapshot(chat.conversation_id)
    assert during.is_active is True
    assert during.mode is ChatMode.BUILDING
    assert after.is_active is False
    assert after.pending_interrupt["fields"] == ["notify_slack.payload.url"]


async def test_a_second_turn_while_one_runs_is_a_conflict(emu: Emulator, b3: B3OS) -> None:
    """A new turn in a conversation whose turn is still running is refused (409)."""
    emu.caddie_pace = 0.05
    async with b3.caddie.chat(ETH) as chat:
        await chat.__anext__()
        with pytest.raises(ConflictError):
            await b3.caddie.chat("log it", conversation_id=chat.conversation_id).result()


@pytest.mark.slow
async def test_heartbeats_keep_a_slow_turn_alive() -> None:
    """With a slow pace and an idle timeout shorter than a pause, heartbeats prevent reconnects."""
    reconnects: list[Any] = []
    # thinking takes 0.16 s, heartbeats come every 0.015 s, the idle timeout is 0.08 s
    async with (
        Emulator(caddie_pace=0.04, heartbeat_interval=0.015) as emu,
        B3OS(
            emu.api_key,
            base_url=emu.url,
            stream_timeouts=StreamTimeouts(idle=0.08),
            on_reconnect=reconnects.append,
        ) as b3,
    ):
        events = await events_of(b3, "log it")
    assert events[-1].type is ChatEventType.DONE
    assert reconnects == []


# -- sessions, history, snapshot, preflight, pulse, v3 --------------------------------------------


async def test_history_pages_back_in_time_newest_first(emu: Emulator, b3: B3OS) -> None:
    """Three turns give six messages; pages of two walk back with before/beforeId."""
    conversation = "conv-history"
    for message in ("log it", "wait 2 seconds", "then log it"):
        await b3.caddie.chat(message, conversation_id=conversation).result()
    got = [m async for m in b3.caddie.history(conversation_id=conversation, page_size=2)]
    assert [m.role for m in got] == ["assistant", "user"] * 3
    assert [m.content for m in got if m.role == "user"] == ["then log it", "wait 2 seconds",
                                                            "log it"]  # fmt: skip
    created = [m.created_at for m in got]
    assert created == sorted(created, reverse=True)
    queries = [r.query for r in emu.requests if r.path.endswith("/chat/history")]
    assert "before" not in queries[0]
    assert queries[1]["beforeId"] == got[1].id


async def test_history_by_workflow_and_by_session(b3: B3OS) -> None:
    """Messages are also listed per workflow and per create-page session."""
    created = await b3.workflows.create(
        name="w", description="d", definition={"nodes": {"root": {"type": "manual"}}}
    )
    await b3.caddie.chat("log it", workflow_id=created.id, session_id="session_1").result()
    by_workflow = [m async for m in b3.caddie.history(workflow_id=created.id)]
    by_session = [m async for m in b3.caddie.history(session_id="session_1")]
    assert len(by_workflow) == len(by_session) == 2
    assert by_workflow[0].workflow_id == created.id


async def test_history_needs_exactly_one_key(b3: B3OS) -> None:
    """history() without a key, or with two, is refused before any request."""
    with pytest.raises(ConfigurationError):
        b3.caddie.history()
    with pytest.raises(ConfigurationError):
        b3.caddie.history(conversation_id="c", session_id="s")


async def test_sessions_list_conversations_latest_activity_first(b3: B3OS) -> None:
    """Each conversation is a session; the one with the latest message comes first."""
    await b3.caddie.chat("log it", conversation_id="older").result()
    await b3.caddie.chat("log it", conversation_id="newer").result()
    sessions = [s async for s in b3.caddie.sessions(page_size=1)]
    assert [s.conversation_id for s in sessions] == ["newer", "older"]
    assert sessions[0].message_count == 2
    assert sessions[0].preview == "log it"


async def test_history_and_sessions_belong_to_one_organization(emu: Emulator, b3: B3OS) -> None:
    """Another organization sees none of this organization's sessions or messages."""
    await b3.caddie.chat("log it", conversation_id="mine").result()
    _, other_key = emu.create_org("Other")
    async with B3OS(other_key, base_url=emu.url) as other:
        assert [s async for s in other.caddie.sessions()] == []
        assert [m async for m in other.caddie.history(conversation_id="mine")] == []


async def test_preflight_follows_the_ai_credits(emu: Emulator, b3: B3OS) -> None:
    """One credit allows one turn; then preflight says no and a new turn is a 402."""
    emu.set_ai_credits(1)
    assert (await b3.caddie.preflight()).allowed is True
    await b3.caddie.chat("log it").result()
    assert (await b3.caddie.preflight()).allowed is False
    with pytest.raises(InsufficientCreditsError):
        await b3.caddie.chat("log it").result()


async def test_an_unknown_conversation_snapshot_is_idle(b3: B3OS) -> None:
    """A conversation without turns is not active, has no mode and no pending question."""
    snapshot = await b3.caddie.snapshot("never-used")
    assert (snapshot.is_active, snapshot.mode, snapshot.pending_interrupt) == (False, None, None)


async def test_pulse_reports_failed_runs_and_a_demo_feed(emu: Emulator, b3: B3OS) -> None:
    """The feed has a card per recent failed run; demo=True gives the demo cards."""
    created = await b3.runs.create({"nodes": {"root": {"type": "manual", "children": ["f"]},
                                              "f": {"type": "fail"}}})  # fmt: skip
    await emu.wait_for_run(created.run_id)
    feed = await b3.caddie.pulse()
    assert [card["runId"] for card in feed["cards"]] == [created.run_id]
    demo = await b3.caddie.pulse(demo=True)
    assert len(demo["cards"]) == 2


async def test_a_v3_session_is_issued_and_its_token_is_not_shown(b3: B3OS) -> None:
    """issue_session() returns the Socket.IO credentials; repr() hides the token."""
    session = await b3.caddie.issue_session("hello")
    assert session.session_token.startswith("cst_")
    assert session.socket_url is not None
    assert session.socket_url.endswith("/socket.io")
    assert session.session_token not in repr(session)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"message": ""}, "message"),
        ({"message": "x" * 10_001}, "10000"),
        ({"message": "hi", "agent_version": "v3"}, "issue_session"),
        ({"message": "hi", "images": "not a list"}, "images"),
    ],
)
async def test_bad_chat_arguments_are_refused_before_io(
    emu: Emulator, b3: B3OS, kwargs: dict[str, Any], match: str
) -> None:
    """Empty or too long messages, v3 and malformed images raise ConfigurationError, no request."""
    with pytest.raises(ConfigurationError, match=match):
        b3.caddie.chat(**kwargs)
    assert chat_bodies(emu) == []


async def test_closing_the_client_mid_turn_releases_the_stream(emu: Emulator) -> None:
    """aclose() of the client during a turn ends the chat stream and its connection."""
    emu.caddie_pace = 0.05
    b3 = B3OS(emu.api_key, base_url=emu.url)
    chat = b3.caddie.chat(ETH)
    await chat.__anext__()
    await b3.aclose()
    with pytest.raises(ConfigurationError):
        await chat.__anext__()
    for _ in range(50):
        if emu.open_streams == 0:
            break
        await asyncio.sleep(0.02)
    assert emu.open_streams == 0
