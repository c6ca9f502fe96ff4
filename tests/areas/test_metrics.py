"""b3.metrics against the emulator; periods are checked before any request."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from area_helpers import T0, definition

from b3os_async import B3OS, ConfigurationError, RunStatus
from b3os_async.models import FailureRate

# Schedules and time windows are tested on a frozen clock (2030-01-01T00:00Z).
pytestmark = pytest.mark.usefixtures("frozen")

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

END = T0 + timedelta(hours=3)


async def runs(emu: Emulator, b3: B3OS) -> None:
    """One good run at 00:00 and one failing run ("boom") at 02:00."""
    ok = await b3.workflows.create(name="ok", description="", definition=definition())
    step = ("x", "fail", {"message": "boom"})
    bad = await b3.workflows.create(name="bad", description="", definition=definition(step))
    await (await b3.workflows.start(ok.id)).wait()
    await emu.clock.advance(hours=2)
    await (await b3.workflows.start(bad.id)).wait()


async def test_summary(emu: Emulator, b3: B3OS) -> None:
    """summary(): every part, computed from the runs of the period."""
    await runs(emu, b3)
    found = await b3.metrics.summary(start=T0, end=END, granularity="hourly")
    assert found.failure_rate == FailureRate(total=2, failed=1, partial=0, failure_rate=50.0)
    assert found.runs_time_series is not None
    assert [p.total for p in found.runs_time_series.points] == [1, 0, 1, 0]
    assert [(e.error, e.count) for e in found.top_errors] == [("boom", 1)]
    assert [r.status for r in found.recent_activity] == [RunStatus.FAILURE, RunStatus.SUCCESS]


async def test_failure_rate(emu: Emulator, b3: B3OS) -> None:
    """failure_rate() of the first hour: the good run only."""
    await runs(emu, b3)
    found = await b3.metrics.failure_rate(start=T0, end=T0 + timedelta(hours=1))
    assert (found.total, found.failed) == (1, 0)


async def test_runs_timeseries_daily(emu: Emulator, b3: B3OS) -> None:
    """runs_timeseries(): one daily point holding both runs."""
    await runs(emu, b3)
    found = await b3.metrics.runs_timeseries(start=T0, end=END)
    assert (found.granularity, [p.bucket_start for p in found.points]) == ("daily", [T0])


async def test_top_errors_and_recent_activity(emu: Emulator, b3: B3OS) -> None:
    """top_errors() and recent_activity(status=failure) name the failing run's error."""
    await runs(emu, b3)
    assert [e.error for e in await b3.metrics.top_errors(start=T0, end=END, limit=5)] == ["boom"]
    (recent,) = await b3.metrics.recent_activity(status="failure", limit=10)
    assert (recent.error, recent.workflow_name) == ("boom", "bad")


async def test_the_period_is_sent_as_unix_milliseconds(emu: Emulator, b3: B3OS) -> None:
    """from/to are Unix ms of the datetimes given."""
    await b3.metrics.failure_rate(start=T0, end=END)
    query = emu.requests[-1].query
    assert (query["from"], query["to"]) == (
        str(int(T0.timestamp() * 1000)),
        str(int(END.timestamp() * 1000)),
    )


async def test_exactly_365_days_are_accepted(b3: B3OS) -> None:
    """The longest period the API accepts goes through."""
    found = await b3.metrics.failure_rate(start=T0 - timedelta(days=365), end=T0)
    assert found.total == 0


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (T0 - timedelta(days=365, seconds=1), T0, "365 days"),
        (T0, T0 - timedelta(seconds=1), "before start"),
        (datetime(2030, 1, 1), T0, "timezone-aware"),
    ],
)
async def test_bad_periods_are_refused_before_any_request(
    emu: Emulator, b3: B3OS, start: datetime, end: datetime, message: str
) -> None:
    """Over 365 days, end before start, naive datetimes: ConfigurationError, nothing sent."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match=message):
        await b3.metrics.summary(start=start, end=end)
    assert list(emu.requests) == []


async def test_granularity_and_limits_are_checked(b3: B3OS) -> None:
    """An unknown granularity or a limit outside 1-100 is refused before sending."""
    with pytest.raises(ConfigurationError, match="granularity"):
        await b3.metrics.runs_timeseries(start=T0, end=END, granularity="weekly")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="limit"):
        await b3.metrics.recent_activity(limit=0)


async def test_end_defaults_to_now(b3: B3OS) -> None:
    """Without end the period ends now (real time): a start a day ago is accepted."""
    found = await b3.metrics.failure_rate(start=datetime.now(timezone.utc) - timedelta(days=1))
    assert found.total == 0
