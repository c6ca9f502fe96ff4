"""``emu.requests``: only requests with valid credentials are recorded, within bounds, on demand."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from emu_helpers import Api, linear
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from b3os_async.testing import Emulator, Fault, RecordedRequest, RequestLog, _limits


async def _post(emu: Emulator, path: str, headers: dict[str, str], body: bytes) -> int:
    async with (
        aiohttp.ClientSession(emu.url) as session,
        session.post(path, data=body, headers=headers) as response,
    ):
        return response.status


@pytest.mark.parametrize(
    ("headers", "path", "status"),
    [
        ({}, "/v1/runs", 401),
        ({}, "/v1/unknown", 404),
        ({"Authorization": "Bearer b3sk_forged"}, "/v1/runs", 401),
        ({"Authorization": "Bearer b3sk_forged"}, "/v1/unknown", 404),
    ],
    ids=["no-key", "no-key-unknown-route", "bad-key", "bad-key-unknown-route"],
)
async def test_requests_without_valid_credentials_are_not_recorded(
    emu: Emulator, headers: dict[str, str], path: str, status: int
) -> None:
    """A request without a valid key is answered but not recorded (nor its body kept)."""
    assert await _post(emu, path, headers, b"x" * 500_000) == status
    assert len(emu.requests) == 0
    assert emu.requests.size == 0


async def test_requests_with_a_valid_key_are_recorded_whatever_the_answer(api: Api) -> None:
    """With a valid key: a 200, a 404 route, a 403 and a fault's 503 are all recorded."""
    api.emu.faults.add(Fault.status(503), path="/v1/organizations", times=1)
    await api.call("GET", "/v1/organizations", expect=503)
    await api.call("GET", "/v1/organizations")
    await api.call("GET", "/v1/nowhere", expect=404)
    await api.call("GET", "/v1/workflows", headers={"X-Org-ID": "org_other"}, expect=403)
    assert [(r.method, r.path) for r in api.emu.requests] == [
        ("GET", "/v1/organizations"),
        ("GET", "/v1/organizations"),
        ("GET", "/v1/nowhere"),
        ("GET", "/v1/workflows"),
    ]


async def test_resume_by_secret_is_recorded_only_with_the_right_secret(api: Api) -> None:
    """POST …/resume?secret= is recorded when the secret is the workflow's, not otherwise."""
    workflow = await api.create(linear(("w", "wait", {})))
    started = await api.data("POST", f"/v1/workflows/{workflow['id']}/run", json={})
    await api.emu.wait_for_run(started["runId"], "waiting")
    api.emu.requests.clear()
    path = f"/v1/runs/{started['runId']}/nodes/w/resume"
    async with aiohttp.ClientSession(api.emu.url) as anonymous:
        for secret in ("wrong", workflow["triggerSecret"]):
            async with anonymous.post(path, params={"secret": secret}, json={}) as response:
                assert response.status == (401 if secret == "wrong" else 200)
    [recorded] = api.emu.requests
    assert recorded.query["secret"] == workflow["triggerSecret"]


async def test_the_log_is_bounded_in_bytes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past REQUEST_LOG_BYTES the oldest requests are dropped: the log stays under the limit."""
    monkeypatch.setattr(_limits, "REQUEST_LOG_BYTES", 100_000)
    payload = {"definition": linear(), "name": "x" * 30_000}
    for _ in range(10):
        await api.call("POST", "/v1/workflows/validate", json=payload)
    assert 0 < api.emu.requests.size <= 100_000
    assert len(api.emu.requests) == 3  # three 30 KB bodies fit, a fourth would not


async def test_the_log_is_bounded_in_entries(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past REQUEST_LOG_ENTRIES the oldest requests are dropped."""
    monkeypatch.setattr(_limits, "REQUEST_LOG_ENTRIES", 3)
    for offset in range(5):
        await api.call("GET", "/v1/runs", params={"offset": str(offset)})
    assert [r.query["offset"] for r in api.emu.requests] == ["2", "3", "4"]


async def test_recording_can_be_turned_off() -> None:
    """Emulator(record_requests=False) records nothing; emu.requests.enabled turns it back on."""
    async with Emulator(record_requests=False) as emu:
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        assert await _post(emu, "/v1/workflows/validate", headers, b"{}") == 400
        assert len(emu.requests) == 0
        emu.requests.enabled = True
        assert await _post(emu, "/v1/workflows/validate", headers, b"{}") == 400
        assert len(emu.requests) == 1


def test_the_log_is_a_sequence_with_clear() -> None:
    """RequestLog indexes, slices, iterates and clears like the deque it replaced."""
    log = RequestLog()
    items: list[Any] = []
    for n in range(3):
        item = RecordedRequest(
            "GET", f"/{n}", MultiDictProxy(MultiDict()), CIMultiDictProxy(CIMultiDict()), b""
        )
        items.append(item)
        log.append(item)
    assert (log[0], log[-1], log[1:], list(log)) == (items[0], items[2], items[1:], items)
    log.clear()
    assert (len(log), log.size) == (0, 0)
