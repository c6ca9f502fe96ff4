"""Metrics in the emulator: computed from the runs that happened, on the emulator's clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import pytest
from emu_helpers import Api, linear

from b3os_async.testing import Emulator
from b3os_async.testing._domain.metrics import time_series

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)
MS = int(T0.timestamp() * 1000)
HOUR = 3_600_000


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """An emulator frozen at 2030-01-01T00:00Z."""
    async with Emulator(seed=5, frozen_at=T0) as emulator:
        yield emulator


async def history(emu: Emulator, api: Api) -> None:
    """Two good runs at 00:00, a failing one at 01:30 (the same error twice over two runs)."""
    ok, bad = (
        await api.create(linear()),
        await api.create(linear(("x", "fail", {"message": "boom"}))),
    )
    for wf in (ok, ok):
        started = await api.data("POST", f"/v1/workflows/{wf['id']}/run", json={})
        await emu.wait_for_run(started["runId"])
    await emu.clock.advance(minutes=90)
    for _ in range(2):
        started = await api.data("POST", f"/v1/workflows/{bad['id']}/run", json={})
        await emu.wait_for_run(started["runId"])


def span(**extra: Any) -> dict[str, str]:
    """From 00:00 to 02:00 as query parameters."""
    return {"from": str(MS), "to": str(MS + 2 * HOUR), **{k: str(v) for k, v in extra.items()}}


async def test_failure_rate_counts_the_period(emu: Emulator, api: Api) -> None:
    """2 of 4 runs failed: 50 %."""
    await history(emu, api)
    data = await api.data("GET", "/v1/metrics/failure-rate", params=span())
    assert data == {"total": 4, "failed": 2, "partial": 0, "failureRate": 50.0}


async def test_failure_rate_leaves_out_runs_outside_the_period(emu: Emulator, api: Api) -> None:
    """A period ending before the failures sees only the 2 good runs."""
    await history(emu, api)
    params = {"from": str(MS), "to": str(MS + HOUR)}
    assert (await api.data("GET", "/v1/metrics/failure-rate", params=params))["total"] == 2


async def test_hourly_time_series_has_one_point_per_hour(emu: Emulator, api: Api) -> None:
    """00:00 (2 successes), 01:00 (2 failures), 02:00 (none)."""
    await history(emu, api)
    data = await api.data("GET", "/v1/metrics/runs-timeseries", params=span(granularity="hourly"))
    points = [(p["bucketStart"][11:16], p["success"], p["failure"]) for p in data["data"]]
    assert points == [("00:00", 2, 0), ("01:00", 0, 2), ("02:00", 0, 0)]


async def test_top_errors_count_node_errors(emu: Emulator, api: Api) -> None:
    """The failing node's message, twice, last at 01:30."""
    await history(emu, api)
    (error,) = await api.data("GET", "/v1/metrics/top-errors", params=span())
    assert (error["error"], error["count"]) == ("boom", 2)
    assert error["lastOccurred"].startswith("2030-01-01T01:30")


async def test_recent_activity_filters_by_status(emu: Emulator, api: Api) -> None:
    """status=failure lists the failed runs, newest first, with their error."""
    await history(emu, api)
    items = await api.data("GET", "/v1/metrics/recent-activity", params={"status": "failure"})
    assert [(item["status"], item["error"]) for item in items] == [("failure", "boom")] * 2


async def test_summary_has_every_part(emu: Emulator, api: Api) -> None:
    """summary = failure rate, time series, top errors and recent activity together."""
    await history(emu, api)
    data = await api.data("GET", "/v1/metrics/summary", params=span(granularity="daily"))
    assert data["failureRate"]["failed"] == 2
    assert len(data["runsTimeSeries"]["data"]) == 1
    assert data["topErrors"][0]["count"] == 2
    assert len(data["recentActivity"]) == 4


async def test_a_period_over_365_days_is_refused(api: Api) -> None:
    """366 days: 400004."""
    params = {"from": str(MS), "to": str(MS + 366 * 24 * HOUR)}
    body = await api.call("GET", "/v1/metrics/failure-rate", params=params, expect=400)
    assert body["code"] == 400004


async def test_to_before_from_is_refused(api: Api) -> None:
    """A period that ends before it starts: 400004."""
    params = {"from": str(MS), "to": str(MS - 1)}
    await api.call("GET", "/v1/metrics/top-errors", params=params, expect=400)


async def test_granularity_is_required_for_time_series(api: Api) -> None:
    """runs-timeseries without granularity: 400004."""
    body = await api.call("GET", "/v1/metrics/runs-timeseries", params=span(), expect=400)
    assert "granularity" in body["message"]


async def test_metrics_of_another_org_stay_apart(emu: Emulator, api: Api) -> None:
    """Another organization sees none of these runs."""
    await history(emu, api)
    _, other = emu.create_org("Other")
    headers = {"Authorization": f"Bearer {other}"}
    body = await api.call("GET", "/v1/metrics/failure-rate", params=span(), headers=headers)
    assert body["data"]["total"] == 0


def test_timeseries_bucket_count_for_a_year_is_bounded() -> None:
    """A year of hourly buckets is 8761 points (computed, not refused)."""
    series = time_series([], T0, T0 + timedelta(days=365), "hourly")
    assert len(series["data"]) == 365 * 24 + 1
