"""``b3.service_accounts`` against the emulator: permissions enforced, disable/delete stop keys."""

from __future__ import annotations

import asyncio

import pytest
from area_helpers import ECHO, client, paths

from b3os_async import (
    B3OS,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from b3os_async.models import Permission, ServiceAccountStatus
from b3os_async.testing import Emulator, Fault


async def _account_key(b3: B3OS, *permissions: str, name: str = "bot") -> tuple[str, str]:
    account = await b3.service_accounts.create(name, permissions=list(permissions))
    key = await b3.api_keys.create(name, scope="read-write", service_account_id=account.id)
    return account.id, key.key


async def test_create_get_list_update(b3: B3OS) -> None:
    """A created account is listed, fetched, and updated (name and permissions replaced)."""
    account = await b3.service_accounts.create("bot", permissions=[Permission.RUN_READ])
    assert account.status == ServiceAccountStatus.ACTIVE
    assert [a.id async for a in b3.service_accounts.list()] == [account.id]
    updated = await b3.service_accounts.update(
        account.id, name="bot2", permissions=["run:read", "workflow:read"]
    )
    assert updated.name == "bot2"
    assert (await b3.service_accounts.get(account.id)).permissions == (
        Permission.RUN_READ,
        Permission.WORKFLOW_READ,
    )


async def test_a_taken_name_is_a_conflict(b3: B3OS) -> None:
    """Two service accounts of one organization cannot share a name."""
    await b3.service_accounts.create("bot", permissions=["run:read"])
    with pytest.raises(ConflictError):
        await b3.service_accounts.create("bot", permissions=["run:read"])


async def test_an_unknown_permission_is_refused(b3: B3OS) -> None:
    """A permission the API does not know is a BadRequestError."""
    with pytest.raises(BadRequestError, match="unknown permissions"):
        await b3.service_accounts.create("bot", permissions=["workflow:teleport"])


async def test_an_accounts_key_has_exactly_its_permissions(emu: Emulator, b3: B3OS) -> None:
    """A key of an account with workflow:read lists workflows but may not create one (403)."""
    _, key = await _account_key(b3, "workflow:read")
    async with client(emu, key) as bot:
        assert [w async for w in bot.workflows.list()] == []
        with pytest.raises(PermissionDeniedError) as info:
            await bot.workflows.create(name="x", description="", definition=ECHO)
    assert info.value.details == [{"permission": "workflow:create"}]


async def test_disable_stops_the_accounts_keys_and_enable_restores_them(
    emu: Emulator, b3: B3OS
) -> None:
    """A disabled account's key fails at once (401); enabled again, it works."""
    account_id, key = await _account_key(b3, "workflow:read")
    async with client(emu, key) as bot:
        await b3.service_accounts.disable(account_id)
        with pytest.raises(AuthenticationError):
            [w async for w in bot.workflows.list()]
        await b3.service_accounts.enable(account_id)
        assert [w async for w in bot.workflows.list()] == []


@pytest.mark.slow
async def test_disabling_ends_a_stream_of_its_key(emu: Emulator, b3: B3OS) -> None:
    """A stream opened with an account's key ends with AuthenticationError when it is disabled."""
    account_id, key = await _account_key(b3, "run:stream", "workflow:read")
    await b3.workflows.create(name="w", description="", definition=ECHO)
    async with client(emu, key) as bot, bot.activity.stream(last_event_id="0") as stream:
        events = stream.__aiter__()
        await asyncio.wait_for(events.__anext__(), 5)
        await b3.service_accounts.disable(account_id)
        with pytest.raises(AuthenticationError):
            await asyncio.wait_for(events.__anext__(), 10)


async def test_delete_revokes_the_accounts_keys(emu: Emulator, b3: B3OS) -> None:
    """Deleting an account revokes its keys (revoked_at set) and they stop working."""
    account_id, key = await _account_key(b3, "workflow:read")
    await b3.service_accounts.delete(account_id)
    with pytest.raises(NotFoundError):
        await b3.service_accounts.get(account_id)
    keys = [k async for k in b3.api_keys.list() if k.service_account_id == account_id]
    assert keys
    assert all(k.revoked_at is not None for k in keys)
    async with client(emu, key) as bot:
        with pytest.raises(AuthenticationError):
            [w async for w in bot.workflows.list()]


async def test_delete_is_never_retried(emu: Emulator, b3: B3OS) -> None:
    """A failed delete (503) is raised, not resent: one DELETE, and the account remains."""
    account = await b3.service_accounts.create("bot", permissions=["run:read"])
    emu.faults.add(Fault.status(503), method="DELETE", path="/v1/service-accounts/*", times=1)
    with pytest.raises(Exception, match="503"):
        await b3.service_accounts.delete(account.id)
    assert len(paths(emu, "DELETE", "/v1/service-accounts/")) == 1
    assert (await b3.service_accounts.get(account.id)).id == account.id


async def test_an_account_cannot_grant_what_it_lacks(emu: Emulator, b3: B3OS) -> None:
    """An account with service_account:write may not grant a permission it does not hold."""
    _, key = await _account_key(b3, "service_account:write", "service_account:read")
    async with client(emu, key) as bot:
        with pytest.raises(PermissionDeniedError):
            await bot.service_accounts.create("root", permissions=["wallet:withdraw"])


async def test_an_accounts_key_makes_keys_for_itself_only(emu: Emulator, b3: B3OS) -> None:
    """A key created with an account's key belongs to that account (no escape to the owner)."""
    account_id, key = await _account_key(b3, "apikey:create", "apikey:read")
    async with client(emu, key) as bot:
        made = await bot.api_keys.create("child", scope="read-write")
        assert made.service_account_id == account_id
        async with client(emu, made.key) as child:
            with pytest.raises(PermissionDeniedError):
                await child.workflows.create(name="x", description="", definition=ECHO)
