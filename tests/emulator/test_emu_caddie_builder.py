"""The emulator's rules-based Caddie builder (pure): what it builds, repairs and says."""

from __future__ import annotations

from typing import Any

import pytest

from b3os_async.testing._caddie_builder import catalog, classify, plan_turn, search
from b3os_async.testing._graph import ACTIONS, validation_errors

REQUESTS = [
    "every hour fetch the ETH price and post to Slack when it is above 3000",
    "daily at 7pm fetch the BTC price and send to discord if it is below 40,000",
    "every 5 minutes get https://127.0.0.1:9/health then wait 10 seconds and log it",
    "wait for approval then post to a webhook",
    "fetch the weather and log it",
    "every week check the SOL price and notify telegram when it exceeds 150.5",
    "build me a workflow that every hour fetches the ETH price and posts to Slack when it is "
    "above 3000, then waits 30 seconds and logs it",
]


def test_the_catalog_is_the_engines_actions_and_the_known_triggers() -> None:
    """Every action the engine executes is in the catalog, plus the manual and cron triggers."""
    entries = catalog()
    assert {e.type for e in entries if e.kind == "action"} == set(ACTIONS)
    assert {e.type for e in entries if e.kind == "trigger"} == {"manual", "cronjob"}


def test_search_ranks_by_matching_words() -> None:
    """A query finds the catalog entries whose words it contains, best first."""
    assert search("action", "post to slack")[0].type == "http-request"
    assert search("action", "wait for approval")[0].type == "wait"
    assert search("action", "zzz") == []


@pytest.mark.parametrize("message", REQUESTS)
def test_every_built_definition_validates(message: str) -> None:
    """What the builder produces passes the emulator's own validation."""
    turn = plan_turn(message)
    assert turn.definition is not None
    assert validation_errors(turn.definition) == []
    done = turn.events[-1]
    assert done["type"] == "done"
    assert done["data"]["workflow"] == turn.definition


@pytest.mark.parametrize("message", REQUESTS)
def test_the_same_request_gives_the_same_turn(message: str) -> None:
    """The builder is a pure function: two plans of one request are identical."""
    assert plan_turn(message) == plan_turn(message)


@pytest.mark.parametrize(
    ("message", "cron"),
    [
        ("every hour log it", "0 * * * *"),
        ("every 5 minutes log it", "*/5 * * * *"),
        ("every 2 hours log it", "0 */2 * * *"),
        ("daily at 7pm log it", "0 19 * * *"),
        ("every day at 12am log it", "0 0 * * *"),
        ("weekly log it", "0 9 * * 1"),
    ],
)
def test_schedules_become_cron_triggers(message: str, cron: str) -> None:
    """Schedules in words become the cron expression of a cronjob trigger."""
    turn = plan_turn(message)
    assert turn.definition is not None
    assert turn.definition["nodes"]["root"] == {
        "type": "cronjob",
        "payload": {"cron": cron, "timezone": "UTC"},
        "children": ["log"],
    }


def test_a_condition_gates_the_steps_after_the_fetch() -> None:
    """'below N' is an if node after the fetch; the notification is its then branch."""
    turn = plan_turn("fetch the BTC price and send to discord if it is below 40,000")
    assert turn.definition is not None
    nodes = turn.definition["nodes"]
    assert nodes["fetch_btc_price"]["children"] == ["check_value"]
    condition = nodes["check_value"]["payload"]["condition"]
    assert condition == {
        "left": "{{fetch_btc_price.result.body.bitcoin.usd}}",
        "op": "$lt",
        "right": 40000,
    }
    assert nodes["notify_discord"]["branch"] == "then"
    assert turn.incomplete == ("notify_discord.payload.url",)


def test_an_unreadable_request_is_a_message_not_an_error() -> None:
    """A request with no recognisable step ends in done/message, never an error event."""
    turn = plan_turn("sing me a song")
    assert turn.definition is None
    assert [e["type"] for e in turn.events if e["type"] == "error"] == []
    assert turn.events[-1]["data"]["type"] == "message"


def test_a_schedule_without_steps_asks_what_to_do() -> None:
    """'every hour' alone is answered with a question, not an empty workflow."""
    turn = plan_turn("every hour")
    assert turn.definition is None
    assert "every hour" in turn.reply
    assert "What should happen" in turn.reply


def test_planning_mode_answers_a_plan_without_building() -> None:
    """In planning mode the steps are listed as a numbered plan and nothing is built."""
    turn = plan_turn("every hour fetch the ETH price and log it", mode="planning")
    assert turn.definition is None
    assert turn.reply.startswith("Here is the plan:\n1. Trigger: runs every hour")
    assert turn.events[0]["type"] != "mode_switch"  # the mode was given


def test_the_classifier_picks_repair_conversation_and_planning() -> None:
    """fix + a definition is repair; a question is conversation; 'plan' is planning."""
    definition: dict[str, Any] = {"nodes": {}}
    assert classify("please fix this", definition) == "repair"
    assert classify("what can you do?", None) == "conversation"
    assert classify("plan a price alert", None) == "planning"
    assert classify("fetch the ETH price", None) == "building"


def test_repair_reports_and_fixes_each_problem() -> None:
    """Dangling child, missing trigger, cycle, unknown type, missing branch: all fixed."""
    broken = {
        "nodes": {
            "a": {"type": "http-get-thing", "payload": {}, "children": ["b", "ghost"]},
            "b": {"type": "echo", "payload": {}, "children": ["a"]},
            "c": {"type": "if", "payload": {"condition": {}}, "children": ["d"]},
            "d": {"type": "echo", "payload": {}},
        },
        "triggerNodeIds": ["root"],
    }
    assert validation_errors(broken) != []
    turn = plan_turn("repair", definition=broken, mode="repair")
    assert turn.definition is not None
    assert validation_errors(turn.definition) == []
    assert turn.definition["nodes"]["a"]["type"] == "http-request"
    assert turn.definition["nodes"]["d"]["branch"] == "then"
    for words in ("do not exist", "added a manual trigger", "cut the cycle", "unknown type"):
        assert words in turn.reply
    assert broken["nodes"]["a"]["type"] == "http-get-thing"  # the input is not changed


def test_repair_of_a_valid_definition_changes_nothing() -> None:
    """A definition without problems comes back as it was, with a message saying so."""
    good = {"nodes": {"root": {"type": "manual", "payload": {}}}, "triggerNodeIds": ["root"]}
    turn = plan_turn("fix", definition=good, mode="repair")
    assert turn.definition == good
    assert "already valid" in turn.reply


def test_extending_a_definition_appends_after_its_last_node() -> None:
    """With a definition given, new steps chain after the end of the trigger's first chain."""
    base = {
        "nodes": {
            "root": {"type": "manual", "payload": {}, "children": ["log"]},
            "log": {"type": "echo", "payload": {}},
        },
        "triggerNodeIds": ["root"],
    }
    turn = plan_turn("then log it", definition=base, mode="building")
    assert turn.definition is not None
    assert turn.definition["nodes"]["log"]["children"] == ["log_2"]
    assert validation_errors(turn.definition) == []


def test_usage_and_tool_utilization_are_reported() -> None:
    """done carries token usage and a count per tool used."""
    done = plan_turn(REQUESTS[0]).events[-1]
    assert done["usage"]["inputTokens"] > 0
    assert done["usage"]["outputTokens"] > 0
    tools = {t["toolName"]: t["callCount"] for t in done["toolUtilization"]}
    assert tools == {"search_triggers": 1, "search_actions": 3, "validate_workflow": 1}


def test_the_explanation_chunks_join_into_the_reply() -> None:
    """The chunk events, concatenated, are exactly the reply kept in history."""
    turn = plan_turn(REQUESTS[0])
    chunks = "".join(e["data"] for e in turn.events if e["type"] == "chunk")
    assert chunks == turn.reply
    assert len(turn.weights) == len(turn.events)
