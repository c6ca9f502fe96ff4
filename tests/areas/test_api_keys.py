"""``b3.api_keys`` against the emulator: keys shown once, scopes, revocation, the audit log."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from area_helpers import ECHO, client, paths

from b3os_async import (
    B3OS,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
)
from b3os_async.testing import Emulator, Fault


async def test_create_shows_the_key_once(b3: B3OS) -> None:
    """The created key works, and get/list show only its prefix, never the key."""
    created = await b3.api_keys.create("ci", scope="read-write")
    assert created.key.startswith("b3sk_")
    assert created.key_prefix == created.key[:9]
    fetched = await b3.api_keys.get(created.id)
    listed = [k async for k in b3.api_keys.list()]
    assert created.key not in repr(fetched) + repr(listed)
    assert any(k.id == created.id and k.key_prefix == created.key_prefix for k in listed)


async def test_the_created_key_is_left_out_of_repr(b3: B3OS) -> None:
    """repr() of a created key (what logs and tracebacks show) does not contain the key."""
    created = await b3.api_keys.create("ci")
    assert created.key not in repr(created)
    assert "key=" not in repr(created)


async def test_a_read_key_may_not_create(emu: Emulator, b3: B3OS) -> None:
    """A read-only key gets PermissionDeniedError when it creates a workflow."""
    created = await b3.api_keys.create("reader", scope="read")
    async with client(emu, created.key) as reader:
        assert [w async for w in reader.workflows.list()] == []
        with pytest.raises(PermissionDeniedError):
            await reader.workflows.create(name="x", description="", definition=ECHO)


async def test_a_revoked_key_stops_at_once(emu: Emulator, b3: B3OS) -> None:
    """After revoke, the very next request with the key is an AuthenticationError."""
    created = await b3.api_keys.create("temp", scope="read-write")
    async with client(emu, created.key) as temp:
        await temp.organizations.current()
        await b3.api_keys.revoke(created.id)
        with pytest.raises(AuthenticationError):
            await temp.workflows.create(name="x", description="", definition=ECHO)
    assert (await b3.api_keys.get(created.id)).revoked_at is not None


@pytest.mark.slow
async def test_revoking_a_key_ends_a_stream_opened_with_it(emu: Emulator, b3: B3OS) -> None:
    """A stream opened with a key that is then revoked ends with AuthenticationError."""
    created = await b3.api_keys.create("watcher", scope="read-write")
    await b3.workflows.create(name="w", description="", definition=ECHO)  # one activity event
    async with client(emu, created.key) as watcher:
        stream = watcher.activity.stream(last_event_id="0")
        async with stream:
            events = stream.__aiter__()
            await asyncio.wait_for(events.__anext__(), 5)  # the stream is open and flowing
            await b3.api_keys.revoke(created.id)
            with pytest.raises(AuthenticationError):
                await asyncio.wait_for(_drain(events), 10)


async def _drain(events: object) -> None:
    async for _ in events:  # type: ignore[attr-defined]
        pass


async def test_revoke_is_never_retried(emu: Emulator, b3: B3OS) -> None:
    """A failed revoke (503) is raised, not resent: one DELETE, and the key still works."""
    created = await b3.api_keys.create("keep")
    emu.faults.add(Fault.status(503), method="DELETE", path="/v1/api-keys/*", times=1)
    with pytest.raises(Exception, match="503"):
        await b3.api_keys.revoke(created.id)
    assert paths(emu, "DELETE", "/v1/api-keys/") == [f"/v1/api-keys/{created.id}"]
    assert (await b3.api_keys.get(created.id)).revoked_at is None


async def test_the_audit_log_lists_requests_without_the_key(emu: Emulator, b3: B3OS) -> None:
    """requests() shows earlier calls (method, path, status, key id) and never the key."""
    await b3.workflows.create(name="audited", description="", definition=ECHO)
    with pytest.raises(NotFoundError):
        await b3.workflows.get("wf_missing")
    entries = [e async for e in b3.api_keys.requests(max_items=10)]
    seen = {(e.method, e.path, e.status_code) for e in entries}
    assert ("POST", "/v1/workflows", 200) in seen
    assert ("GET", "/v1/workflows/wf_missing", 404) in seen
    own = [k async for k in b3.api_keys.list()]
    assert {e.api_key_id for e in entries} <= {k.id for k in own}
    raw = await b3.request("GET", "/v1/api-keys/requests")
    assert emu.api_key not in json.dumps(raw)


async def test_the_audit_log_filters_by_key(emu: Emulator, b3: B3OS) -> None:
    """requests(api_key_id=...) lists only that key's requests."""
    created = await b3.api_keys.create("other", scope="read")
    async with client(emu, created.key) as other:
        await other.organizations.current()
    entries = [e async for e in b3.api_keys.requests(api_key_id=created.id)]
    assert entries
    assert {e.api_key_id for e in entries} == {created.id}


async def test_a_naive_expiry_is_refused_before_sending(emu: Emulator, b3: B3OS) -> None:
    """expires_at without a time zone is a ConfigurationError and nothing is sent."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        await b3.api_keys.create("x", expires_at=datetime.now() + timedelta(days=1))
    assert list(emu.requests) == []


async def test_another_organizations_key_is_not_found(emu: Emulator, b3: B3OS) -> None:
    """A key of another organization answers 404 (never visible)."""
    _, other_key = emu.create_org("Other")
    async with client(emu, other_key) as other:
        created = await other.api_keys.create("theirs")
    with pytest.raises(NotFoundError):
        await b3.api_keys.get(created.id)
