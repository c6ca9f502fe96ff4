"""Time triggers: when a ``cronjob`` / ``schedule`` trigger node fires (pure functions).

Theory of operation
-------------------
A time trigger's payload says when it fires, in one of three forms:

* ``{"rrule": "DTSTART:20260101T090000Z\\nRRULE:FREQ=MINUTELY;INTERVAL=5"}`` -- the form B3OS's
  own guide documents (DTSTART is required; ``FREQ`` SECONDLY … YEARLY, ``INTERVAL``, ``COUNT``,
  ``UNTIL``; the ``BY…`` parts are not modelled and refused). Fires at DTSTART + k * step.
  ``DTSTART;TZID=Europe/Paris:20260101T090000`` is read in that zone.
* ``{"schedule": "*/15 * * * *"}`` -- a five-field cron expression (minute hour day-of-month
  month day-of-week; ``*``, ``*/n``, ``a-b``, ``a-b/n``, lists, names ``JAN``/``MON``; Sunday is
  0 or 7; day-of-month and day-of-week both restricted = either matches), in UTC. The older docs
  show this form.
* ``{"intervalMs": 900000}`` -- every N milliseconds from the moment the trigger was armed
  (published or resumed). Our own form for plain intervals (the API documents none).

:func:`parse_schedule` turns a payload into a :class:`Schedule` (``None``: the payload names no
schedule, the trigger never fires -- the API leaves that case undocumented, so publishing it is
not refused); :func:`schedule_errors` lists what publish refuses: an unreadable schedule, and one
that can fire more often than :data:`MIN_INTERVAL` ("validates cronjob intervals", says the API;
the minimum itself is undocumented -- one minute, a cron expression's own resolution, is ours).
"""

from __future__ import annotations

import calendar
import itertools
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._graph import nodes_of, trigger_ids

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "MIN_INTERVAL",
    "TIME_TRIGGERS",
    "Schedule",
    "ScheduleError",
    "parse_schedule",
    "schedule_errors",
    "time_triggers",
]

TIME_TRIGGERS = frozenset({"cronjob", "schedule"})
"""Trigger node types that fire by themselves, on time."""

MIN_INTERVAL = timedelta(minutes=1)
"""The shortest time between two fires that publish accepts."""

_FIXED = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}
_MONTHS = {"MONTHLY": 1, "YEARLY": 12}
_DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
_MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_NAMES = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name: number for number, name in enumerate(_DAY_NAMES)},
}
_SEARCH_DAYS = 366 * 8  # a cron expression that matches nothing for 8 years never fires


class ScheduleError(ValueError):
    """A time trigger's payload cannot be read as a schedule."""


@attrs.frozen
class Schedule:
    """When one time trigger fires: ``next_after(moment, armed_at)``; ``min_gap`` between fires."""

    kind: str  # "rrule", "cron" or "interval"
    start: datetime | None = None  # rrule DTSTART
    step: timedelta | None = None  # rrule fixed step, or the interval
    months: int = 0  # rrule MONTHLY/YEARLY step in months
    count: int | None = None
    until: datetime | None = None
    cron: tuple[frozenset[int], ...] = ()  # minute, hour, day, month, weekday
    any_day: tuple[bool, bool] = (True, True)  # day-of-month / day-of-week unrestricted

    def next_after(self, moment: datetime, armed_at: datetime) -> datetime | None:
        """The first fire time strictly after ``moment`` (``None``: it never fires again)."""
        if self.kind == "interval":
            assert self.step is not None
            passed = max(0, (moment - armed_at) // self.step)
            fire = armed_at + self.step * passed
            return fire if fire > moment else fire + self.step
        if self.kind == "cron":
            return self._next_cron(moment)
        return self._next_rrule(moment)

    @property
    def min_gap(self) -> timedelta:
        """The shortest time between two consecutive fires."""
        if self.kind == "cron":
            fires = [datetime(2001, 1, 1, tzinfo=timezone.utc)]
            for _ in range(200):  # a sample: cron patterns repeat within months
                found = self._next_cron(fires[-1])
                if found is None:
                    break
                fires.append(found)
            gaps = [later - earlier for earlier, later in itertools.pairwise(fires[1:])]
            return min(gaps, default=timedelta(days=1))
        if self.months:
            return timedelta(days=28 * self.months)
        assert self.step is not None
        return self.step

    def _next_rrule(self, moment: datetime) -> datetime | None:
        assert self.start is not None
        if self.months:
            index, fire = self._month_fire_after(moment)
        else:
            assert self.step is not None
            index = 0 if moment < self.start else (moment - self.start) // self.step + 1
            fire = self.start + self.step * index
        if fire is None or (self.count is not None and index >= self.count):
            return None
        if self.until is not None and fire > self.until:
            return None
        return fire

    def _month_fire_after(self, moment: datetime) -> tuple[int, datetime | None]:
        # Occurrence k is DTSTART moved by k * months; months without that day are skipped and
        # do not count (as RFC 5545 says). Walk from the start: COUNT needs the index.
        assert self.start is not None
        index, k = 0, 0
        while k < 12 * 400:
            month0 = self.start.month - 1 + k * self.months
            year, month = self.start.year + month0 // 12, month0 % 12 + 1
            if self.start.day <= calendar.monthrange(year, month)[1]:
                fire = self.start.replace(year=year, month=month)
                if fire > moment:
                    return index, fire
                index += 1
            k += 1
        return index, None

    def _next_cron(self, moment: datetime) -> datetime | None:
        minutes, hours, days, months, weekdays = self.cron
        first = (moment + timedelta(minutes=1)).replace(second=0, microsecond=0)
        day = first.replace(hour=0, minute=0)
        for _ in range(_SEARCH_DAYS):
            if day.month in months and self._day_matches(day, days, weekdays):
                start = (first.hour, first.minute) if day.date() == first.date() else (0, 0)
                for hour in sorted(h for h in hours if h >= start[0]):
                    floor = start[1] if hour == start[0] else 0
                    later = [m for m in minutes if m >= floor]
                    if later:
                        return day.replace(hour=hour, minute=min(later))
            day += timedelta(days=1)
        return None

    def _day_matches(self, day: datetime, days: frozenset[int], weekdays: frozenset[int]) -> bool:
        in_month = day.day in days
        in_week = (day.isoweekday() % 7) in weekdays
        any_month_day, any_week_day = self.any_day
        if not any_month_day and not any_week_day:
            return in_month or in_week  # cron's rule: both restricted -> either matches
        return in_month and in_week


def _parse_time(text: str, zone: str | None) -> datetime:
    match = re.fullmatch(r"(\d{8})T(\d{6})(Z?)", text.strip())
    if not match:
        raise ScheduleError(f"DTSTART/UNTIL {text!r} is not YYYYMMDDTHHMMSS[Z]")
    naive = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    if match[3] or zone is None:
        return naive.replace(tzinfo=timezone.utc)
    try:
        from zoneinfo import ZoneInfo

        return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
    except (ValueError, KeyError, ImportError) as exc:  # unknown zone name
        raise ScheduleError(f"unknown time zone {zone!r}") from exc


def _parse_rrule(text: str) -> Schedule:
    lines = [line.strip() for line in re.split(r"\r?\n|\\n", text) if line.strip()]
    start: datetime | None = None
    rule: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        head, *params = name.upper().split(";")
        if head == "DTSTART":
            zone = next((p[5:] for p in params if p.startswith("TZID=")), None)
            start = _parse_time(value, zone)
        elif head == "RRULE":
            for part in value.split(";"):
                key, _, item = part.partition("=")
                rule[key.strip().upper()] = item.strip().upper()
        else:
            raise ScheduleError(f"unexpected line {line!r} (only DTSTART and RRULE)")
    if start is None:
        raise ScheduleError("the rrule needs a DTSTART line (DTSTART:YYYYMMDDTHHMMSSZ)")
    freq = rule.pop("FREQ", None)
    if freq not in _FIXED and freq not in _MONTHS:
        raise ScheduleError(f"RRULE needs FREQ=SECONDLY|MINUTELY|…|YEARLY, got {freq!r}")
    interval = _positive(rule.pop("INTERVAL", "1"), "INTERVAL")
    count = _positive(rule.pop("COUNT"), "COUNT") if "COUNT" in rule else None
    until = _parse_time(rule.pop("UNTIL"), None) if "UNTIL" in rule else None
    rule.pop("WKST", None)
    if rule:
        raise ScheduleError(f"RRULE parts not supported by the emulator: {', '.join(sorted(rule))}")
    if freq in _MONTHS:
        return Schedule("rrule", start, months=_MONTHS[freq] * interval, count=count, until=until)
    return Schedule("rrule", start, step=_FIXED[freq] * interval, count=count, until=until)


def _positive(text: str, name: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ScheduleError(f"{name} must be a positive integer, got {text!r}")
    return int(text)


def _cron_field(text: str, low: int, high: int, what: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.upper().split(","):
        base, _, step_text = part.partition("/")
        step = _positive(step_text, f"the step of {what}") if step_text else 1
        if base == "*":
            first, last = low, high
        else:
            bounds = [_NAMES.get(item) for item in base.split("-")]
            try:
                numbers = [
                    bound if bound is not None else int(item)
                    for bound, item in zip(bounds, base.split("-"), strict=True)
                ]
            except ValueError:
                raise ScheduleError(f"cron {what} {part!r} is not a number or range") from None
            first, last = numbers[0], numbers[-1] if len(numbers) == 2 else numbers[0]
            if len(numbers) > 2 or not low <= first <= last <= high:
                raise ScheduleError(f"cron {what} {part!r} is outside {low}-{high}")
            if step_text and len(numbers) == 1:
                last = high
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _parse_cron(text: str) -> Schedule:
    fields = text.split()
    if len(fields) != 5:
        raise ScheduleError(f"a cron expression has 5 fields, got {len(fields)} in {text!r}")
    minute = _cron_field(fields[0], 0, 59, "minute")
    hour = _cron_field(fields[1], 0, 23, "hour")
    day = _cron_field(fields[2], 1, 31, "day of month")
    month = _cron_field(fields[3], 1, 12, "month")
    weekday = frozenset(value % 7 for value in _cron_field(fields[4], 0, 7, "day of week"))
    any_day = (fields[2].startswith("*"), fields[4].startswith("*"))
    return Schedule("cron", cron=(minute, hour, day, month, weekday), any_day=any_day)


def parse_schedule(payload: Mapping[str, Any]) -> Schedule | None:
    """The schedule a time trigger's payload names (``None``: none); ScheduleError if bad."""
    named = [key for key in ("rrule", "schedule", "intervalMs") if payload.get(key) is not None]
    if not named:
        return None
    if len(named) > 1:
        raise ScheduleError(f"give one of rrule, schedule, intervalMs; got {', '.join(named)}")
    value = payload[named[0]]
    if named[0] == "intervalMs":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ScheduleError(f"intervalMs must be a positive integer, got {value!r}")
        return Schedule("interval", step=timedelta(milliseconds=value))
    if not isinstance(value, str):
        raise ScheduleError(f"{named[0]} must be a string, got {type(value).__name__}")
    return _parse_rrule(value) if named[0] == "rrule" else _parse_cron(value)


def time_triggers(definition: Mapping[str, Any]) -> dict[str, Schedule]:
    """The definition's time trigger nodes that name a schedule (assumes they parse)."""
    nodes = nodes_of(definition)
    found: dict[str, Schedule] = {}
    for node_id in trigger_ids(definition):
        node = nodes.get(node_id)
        if node is not None and node["type"] in TIME_TRIGGERS:
            schedule = parse_schedule(node.get("payload") or {})
            if schedule is not None:
                found[node_id] = schedule
    return found


def schedule_errors(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What publish refuses: unreadable schedules and ones firing more often than allowed."""
    nodes = nodes_of(definition)
    errors: list[dict[str, Any]] = []
    for node_id in trigger_ids(definition):
        node = nodes.get(node_id)
        if node is None or node["type"] not in TIME_TRIGGERS:
            continue
        try:
            schedule = parse_schedule(node.get("payload") or {})
        except ScheduleError as exc:
            errors.append(_error(node_id, f"invalid schedule: {exc}"))
            continue
        if schedule is not None and schedule.min_gap < MIN_INTERVAL:
            errors.append(
                _error(
                    node_id,
                    f"the schedule fires every {schedule.min_gap.total_seconds():g} s; "
                    f"the minimum interval is {MIN_INTERVAL.total_seconds():g} s",
                )
            )
    return errors


def _error(node_id: str, message: str) -> dict[str, Any]:
    return {"type": "nodes", "message": message, "nodeId": node_id, "code": "invalid_schedule"}
