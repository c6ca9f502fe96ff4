"""The emulator's clock (testing/_clock.py): real time by default, frozen, moved, advanced."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from b3os_async.testing._clock import Clock

T0 = datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_a_new_clock_follows_real_time() -> None:
    """Without frozen_at the clock reads the current UTC time."""
    before = datetime.now(timezone.utc)
    now = Clock().now()
    assert before <= now <= datetime.now(timezone.utc)
    assert now.tzinfo is not None


def test_a_frozen_clock_stands_still() -> None:
    """A clock frozen at a moment reads that moment until moved."""
    clock = Clock(frozen_at=T0)
    assert clock.frozen
    assert clock.now() == T0
    assert clock.iso() == "2030-01-01T00:00:00.000Z"


def test_frozen_at_must_be_timezone_aware() -> None:
    """A naive frozen_at is refused (a guessed zone would shift every timestamp)."""
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(frozen_at=datetime(2030, 1, 1))


async def test_advance_moves_a_frozen_clock_by_the_step() -> None:
    """advance(hours=1, minutes=30) moves a frozen clock by exactly that much."""
    clock = Clock(frozen_at=T0)
    assert await clock.advance(hours=1, minutes=30) == []
    assert clock.now() == T0 + timedelta(hours=1, minutes=30)
    assert clock.frozen


async def test_advance_refuses_a_negative_step() -> None:
    """The clock never goes backwards."""
    clock = Clock(frozen_at=T0)
    with pytest.raises(ValueError, match="forward"):
        await clock.advance(seconds=-1)
    assert clock.now() == T0


async def test_advance_to_refuses_a_moment_in_the_past() -> None:
    """advance_to() a moment before now() raises and leaves the clock where it was."""
    clock = Clock(frozen_at=T0)
    with pytest.raises(ValueError, match="never goes backwards"):
        await clock.advance_to(T0 - timedelta(minutes=1))
    assert clock.now() == T0


def test_freeze_at_an_earlier_moment_is_refused() -> None:
    """freeze(at=...) only moves time forward."""
    clock = Clock(frozen_at=T0)
    with pytest.raises(ValueError, match="never goes backwards"):
        clock.freeze(at=T0 - timedelta(days=1))


def test_unfreeze_lets_time_flow_from_where_it_stood() -> None:
    """After unfreeze() the clock runs on from the frozen moment, at real speed."""
    clock = Clock(frozen_at=T0)
    clock.unfreeze()
    assert not clock.frozen
    assert T0 <= clock.now() < T0 + timedelta(seconds=5)


async def test_advance_of_a_running_clock_jumps_and_keeps_running() -> None:
    """A running clock advanced by a day reads a day later and is still running."""
    clock = Clock()
    before = clock.now()
    await clock.advance(days=1)
    assert not clock.frozen
    assert timedelta(days=1) <= clock.now() - before < timedelta(days=1, seconds=5)


async def test_advance_calls_the_stepper_with_the_target_and_returns_its_runs() -> None:
    """The stepper (the scheduler) gets the target moment; its run ids are returned."""
    clock = Clock(frozen_at=T0)
    seen: list[datetime] = []

    async def stepper(target: datetime) -> list[str]:
        seen.append(target)
        return ["run_a"]

    clock.set_stepper(stepper)
    assert await clock.advance(minutes=5) == ["run_a"]
    assert seen == [T0 + timedelta(minutes=5)]


async def test_listeners_hear_of_freeze_unfreeze_and_jumps() -> None:
    """on_change listeners are called after every change of the clock."""
    clock = Clock()
    calls: list[int] = []
    clock.on_change(lambda: calls.append(1))
    clock.freeze()
    await clock.advance(seconds=1)
    clock.unfreeze()
    assert len(calls) == 3


def test_unix_ms_is_the_frozen_moment_in_milliseconds() -> None:
    """unix_ms() is now() as Unix milliseconds (metrics take those)."""
    assert Clock(frozen_at=T0).unix_ms() == int(T0.timestamp() * 1000)
