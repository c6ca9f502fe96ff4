"""``b3.wallet_sessions`` against the emulator: session keys are listed until revoked or expired."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from b3os_async import BadRequestError, ConflictError, NotFoundError
from b3os_async.models import SessionInstall

if TYPE_CHECKING:
    from b3os_async import B3OS

SESSION = "0x" + "ef" * 20
HOUR = timedelta(hours=1)
INSTALLS = [
    SessionInstall(chain_id=8453, serialized="0x01"),
    SessionInstall(chain_id=1, serialized="0x02"),
]


async def _wallet(b3: B3OS) -> str:
    return (await b3.wallets.list().first_page()).items[0].id


async def _create(b3: B3OS, expires_in: float = 3600) -> list[str]:
    group = await b3.wallet_sessions.create(
        await _wallet(b3),
        session_address=SESSION,
        expires_at=datetime.now(timezone.utc) + timedelta(seconds=expires_in),
        installs=INSTALLS,
        policies={"maxValuePerTx": "1000"},
    )
    return [s.id for s in group.sessions]


async def test_one_session_per_install_is_listed(b3: B3OS) -> None:
    """Each chain install becomes a session, and all are listed with their policies."""
    ids = await _create(b3)
    listed = [s async for s in b3.wallet_sessions.list()]
    assert sorted(s.id for s in listed) == sorted(ids)
    assert {s.policies["maxValuePerTx"] for s in listed if s.policies} == {"1000"}


async def test_a_revoked_session_leaves_the_list_and_cannot_be_revoked_again(b3: B3OS) -> None:
    """Revoking removes the session from the list; a second revoke is a ConflictError."""
    first, second = await _create(b3)
    revoked = await b3.wallet_sessions.revoke(first)
    assert revoked.revoked_at is not None
    assert [s.id async for s in b3.wallet_sessions.list()] == [second]
    with pytest.raises(ConflictError):
        await b3.wallet_sessions.revoke(first)


@pytest.mark.slow
async def test_an_expired_session_leaves_the_list(b3: B3OS) -> None:
    """A session whose expiry passed is no longer listed."""
    await _create(b3, expires_in=0.3)
    await asyncio.sleep(0.4)
    assert [s async for s in b3.wallet_sessions.list()] == []


async def test_an_expiry_in_the_past_is_refused(b3: B3OS) -> None:
    """A session that would be born expired is a BadRequestError."""
    with pytest.raises(BadRequestError, match="future"):
        await _create(b3, expires_in=-60)


async def test_a_session_of_an_unknown_wallet_is_not_found(b3: B3OS) -> None:
    """A session key for a wallet the organization does not have is a NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.wallet_sessions.create(
            "wal_nope",
            session_address=SESSION,
            expires_at=datetime.now(timezone.utc) + HOUR,
            installs=INSTALLS,
            policies={},
        )
