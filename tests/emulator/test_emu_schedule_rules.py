"""Time trigger schedules (testing/_domain/schedules.py): rrule, cron and interval forms."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from b3os_async.testing._domain.schedules import (
    ScheduleError,
    parse_schedule,
    schedule_errors,
    time_triggers,
)

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _fires(payload: dict[str, object], count: int, start: datetime = T0) -> list[datetime]:
    schedule = parse_schedule(payload)
    assert schedule is not None
    fires: list[datetime] = []
    moment = start
    for _ in range(count):
        found = schedule.next_after(moment, start)
        if found is None:
            break
        fires.append(found)
        moment = found
    return fires


def test_an_rrule_fires_every_interval_from_dtstart() -> None:
    """FREQ=MINUTELY;INTERVAL=15 from DTSTART fires at :15, :30, :45 after it."""
    rule = {"rrule": "DTSTART:20300101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=15"}
    assert _fires(rule, 3) == [T0 + timedelta(minutes=m) for m in (15, 30, 45)]


def test_an_rrule_with_an_escaped_newline_reads_the_same() -> None:
    """The two-character "\\n" separator (as JSON examples show it) is accepted too."""
    rule = {"rrule": "DTSTART:20300101T000000Z\\nRRULE:FREQ=HOURLY"}
    assert _fires(rule, 1) == [T0 + timedelta(hours=1)]


def test_an_rrule_stops_after_count() -> None:
    """COUNT=2 gives DTSTART and one more fire, then nothing."""
    rule = {"rrule": "DTSTART:20300101T010000Z\nRRULE:FREQ=DAILY;COUNT=2"}
    assert _fires(rule, 5) == [T0 + timedelta(hours=1), T0 + timedelta(days=1, hours=1)]


def test_an_rrule_stops_after_until() -> None:
    """No fire after UNTIL."""
    rule = {"rrule": "DTSTART:20300101T000000Z\nRRULE:FREQ=HOURLY;UNTIL=20300101T020000Z"}
    assert _fires(rule, 5) == [T0 + timedelta(hours=1), T0 + timedelta(hours=2)]


def test_a_monthly_rrule_skips_months_without_the_day() -> None:
    """MONTHLY on the 31st fires in January and March, not February."""
    rule = {"rrule": "DTSTART:20300131T000000Z\nRRULE:FREQ=MONTHLY"}
    fires = _fires(rule, 2, T0)
    assert [(f.month, f.day) for f in fires] == [(1, 31), (3, 31)]


def test_an_rrule_without_dtstart_is_refused() -> None:
    """A bare RRULE cannot be scheduled (B3OS's guide says the same)."""
    with pytest.raises(ScheduleError, match="DTSTART"):
        parse_schedule({"rrule": "RRULE:FREQ=DAILY"})


def test_by_rules_are_refused() -> None:
    """BYxxx parts are not modelled and named in the error."""
    with pytest.raises(ScheduleError, match="BYHOUR"):
        parse_schedule({"rrule": "DTSTART:20300101T000000Z\nRRULE:FREQ=DAILY;BYHOUR=9"})


def test_a_cron_expression_fires_on_matching_minutes() -> None:
    """ "*/15 * * * *" fires every quarter of an hour."""
    assert _fires({"schedule": "*/15 * * * *"}, 4) == [
        T0 + timedelta(minutes=m) for m in (15, 30, 45, 60)
    ]


def test_cron_day_of_week_names_and_ranges() -> None:
    """ "0 9 * * MON-FRI" skips the weekend (2030-01-05 is a Saturday)."""
    fires = _fires({"schedule": "0 9 * * MON-FRI"}, 5)
    assert [f.strftime("%a %H:%M") for f in fires] == [
        "Tue 09:00",
        "Wed 09:00",
        "Thu 09:00",
        "Fri 09:00",
        "Mon 09:00",
    ]


def test_cron_day_of_month_and_week_both_restricted_match_either() -> None:
    """Cron's rule: "0 0 1 * SUN" fires on the 1st and on Sundays."""
    fires = _fires({"schedule": "0 0 1 * SUN"}, 3, T0 - timedelta(minutes=1))
    assert [f.day for f in fires] == [1, 6, 13]


def test_a_cron_expression_needs_five_fields() -> None:
    """Four fields are refused with the count."""
    with pytest.raises(ScheduleError, match="5 fields"):
        parse_schedule({"schedule": "* * * *"})


def test_an_interval_fires_from_the_moment_it_was_armed() -> None:
    """intervalMs fires at armed + k * interval, whatever the calendar."""
    armed = T0 + timedelta(seconds=7)
    schedule = parse_schedule({"intervalMs": 90_000})
    assert schedule is not None
    assert schedule.next_after(armed, armed) == armed + timedelta(seconds=90)
    later = armed + timedelta(seconds=200)
    assert schedule.next_after(later, armed) == armed + timedelta(seconds=270)


def test_a_payload_without_a_schedule_has_none() -> None:
    """A time trigger naming no schedule never fires (not an error)."""
    assert parse_schedule({}) is None


def test_two_schedule_forms_at_once_are_refused() -> None:
    """One of rrule, schedule, intervalMs."""
    with pytest.raises(ScheduleError, match="one of"):
        parse_schedule({"intervalMs": 60_000, "schedule": "* * * * *"})


def _definition(payload: dict[str, object]) -> dict[str, object]:
    return {"nodes": {"root": {"type": "cronjob", "payload": payload}}}


def test_publish_checks_refuse_schedules_below_one_minute() -> None:
    """FREQ=SECONDLY;INTERVAL=30 fires every 30 s: below the minimum interval."""
    rule = {"rrule": "DTSTART:20300101T000000Z\nRRULE:FREQ=SECONDLY;INTERVAL=30"}
    errors = schedule_errors(_definition(rule))
    assert [e["code"] for e in errors] == ["invalid_schedule"]
    assert "minimum interval" in errors[0]["message"]


def test_publish_checks_accept_every_minute_cron() -> None:
    """A cron expression can fire at most every minute: always accepted."""
    assert schedule_errors(_definition({"schedule": "* * * * *"})) == []


def test_publish_checks_report_unreadable_schedules() -> None:
    """An unreadable schedule is reported with its node id."""
    errors = schedule_errors(_definition({"schedule": "61 * * * *"}))
    assert errors[0]["nodeId"] == "root"


def test_time_triggers_lists_only_time_trigger_nodes_with_a_schedule() -> None:
    """Manual triggers and schedule-less cronjobs are not time triggers."""
    definition = {
        "nodes": {
            "a": {"type": "cronjob", "payload": {"schedule": "0 * * * *"}},
            "b": {"type": "manual", "payload": {"schedule": "0 * * * *"}},
            "c": {"type": "schedule", "payload": {}},
        },
        "triggerNodeIds": ["a", "b", "c"],
    }
    assert list(time_triggers(definition)) == ["a"]
