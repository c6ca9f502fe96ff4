"""The emulator's authorization (``testing/_auth.py``), API keys and service accounts, raw HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from b3os_async.testing._auth import permission_for
from b3os_async.testing._domain.access import MAX_KEYS

if TYPE_CHECKING:
    from emu_helpers import Api

    from b3os_async.testing import Emulator


async def _as(emu: Emulator, key: str, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        aiohttp.ClientSession(emu.url, headers=headers) as session,
        session.request(method, path, **kwargs) as response,
    ):
        return response.status, await response.json(content_type=None)


async def _account_key(api: Api, *permissions: str) -> tuple[str, str]:
    account = await api.data(
        "POST", "/v1/service-accounts", json={"name": "bot", "permissions": list(permissions)}
    )
    key = await api.data(
        "POST",
        "/v1/api-keys",
        json={"name": "bot", "scope": "read-write", "serviceAccountId": account["id"]},
    )
    return account["id"], key["key"]


@pytest.mark.parametrize(
    ("method", "template", "permission"),
    [
        ("GET", "/v1/workflows", "workflow:read"),
        ("POST", "/v1/workflows", "workflow:create"),
        ("PUT", "/v1/workflows/{id}", "workflow:update"),
        ("DELETE", "/v1/workflows/{id}", "workflow:delete"),
        ("POST", "/v1/workflows/{id}/publish", "workflow:publish"),
        ("POST", "/v1/runs/{id}/cancel", "run:cancel"),
        ("GET", "/v1/runs/{id}/stream", "run:stream"),
        ("POST", "/v1/organizations/{orgId}/wallets/{walletId}/withdraw", "wallet:withdraw"),
        ("PUT", "/v1/organizations/{orgId}/cu/threshold", "org:update"),
        ("GET", "/v1/organizations/{orgId}/cu/usage", "stats:read"),
        ("POST", "/v1/organizations/{orgId}/database/query", "database:read"),
        ("DELETE", "/v1/api-keys/{id}", "apikey:revoke"),
        ("GET", "/v1/organizations", None),
        ("GET", "/v1/something-new", "org:read"),
        ("POST", "/v1/something-new", "org:update"),
    ],
)
def test_each_route_needs_its_permission(method: str, template: str, permission: str) -> None:
    """permission_for names the documented permission of a route (org:read/update otherwise)."""
    assert permission_for(method, template) == permission


async def test_a_missing_permission_is_a_403_naming_it(emu: Emulator, api: Api) -> None:
    """A service account's key outside its permissions gets 403040 with the permission."""
    _, key = await _account_key(api, "workflow:read")
    status, body = await _as(emu, key, "POST", "/v1/runs/run_x/cancel")
    assert status == 403
    assert (body["code"], body["details"]) == (403040, [{"permission": "run:cancel"}])


async def test_a_revoked_key_is_a_401_at_once(emu: Emulator, api: Api) -> None:
    """After DELETE /v1/api-keys/{id} the key's next request is 401040."""
    created = await api.data("POST", "/v1/api-keys", json={"name": "t", "scope": "read"})
    assert (await _as(emu, created["key"], "GET", "/v1/workflows"))[0] == 200
    await api.call("DELETE", f"/v1/api-keys/{created['id']}")
    status, body = await _as(emu, created["key"], "GET", "/v1/workflows")
    assert (status, body["code"]) == (401, 401040)


async def test_a_disabled_accounts_key_is_a_401(emu: Emulator, api: Api) -> None:
    """The key of a disabled service account is 401042."""
    account_id, key = await _account_key(api, "workflow:read")
    await api.call("POST", f"/v1/service-accounts/{account_id}/disable")
    status, body = await _as(emu, key, "GET", "/v1/workflows")
    assert (status, body["code"]) == (401, 401042)


async def test_an_expired_key_is_a_401(emu: Emulator, api: Api) -> None:
    """A key past its expiresAt is 401041."""
    created = await api.data("POST", "/v1/api-keys", json={"name": "t", "scope": "read"})
    emu._ctx.store.keys.by_id[created["id"]].expires_at = "2000-01-01T00:00:00.000Z"
    status, body = await _as(emu, created["key"], "GET", "/v1/workflows")
    assert (status, body["code"]) == (401, 401041)


async def test_a_past_expiry_is_refused_at_creation(api: Api) -> None:
    """Creating a key that expired already is a 400."""
    body = {"name": "t", "expiresAt": "2000-01-01T00:00:00Z"}
    assert (await api.call("POST", "/v1/api-keys", json=body, expect=400))["code"] == 400002


async def test_an_organization_has_at_most_fifty_active_keys(api: Api) -> None:
    """The 51st active key is refused with 400045; revoking one makes room."""
    created = [
        await api.data("POST", "/v1/api-keys", json={"name": f"k{i}"})
        for i in range(MAX_KEYS - 1)  # the emulator's own key is the 50th
    ]
    refused = await api.call("POST", "/v1/api-keys", json={"name": "one too many"}, expect=400)
    assert refused["code"] == 400045
    await api.call("DELETE", f"/v1/api-keys/{created[0]['id']}")
    await api.data("POST", "/v1/api-keys", json={"name": "room again"})


async def test_the_audit_log_never_holds_a_key(emu: Emulator, api: Api) -> None:
    """The audit log's JSON contains key ids but no key, and records refused requests too."""
    _, key = await _account_key(api, "workflow:read")
    await _as(emu, key, "POST", "/v1/workflows", json={})
    text = str(await api.data("GET", "/v1/api-keys/requests", params={"limit": "100"}))
    assert key not in text
    assert emu.api_key not in text
    assert "'statusCode': 403" in text


async def test_another_organizations_path_is_a_404(emu: Emulator, api: Api) -> None:
    """An {orgId} path naming another organization answers 404040, like a missing one."""
    other, _ = emu.create_org("Other")
    for org_id in (other, "org_missing"):
        body = await api.call("GET", f"/v1/organizations/{org_id}/cu", expect=404)
        assert body["code"] == 404040


async def test_public_metadata_of_another_organization(emu: Emulator, api: Api) -> None:
    """GET /v1/organizations/{orgId}/public answers for any organization that exists."""
    other, _ = emu.create_org("Other Org")
    assert (await api.data("GET", f"/v1/organizations/{other}/public"))["slug"] == "other-org"
    await api.call("GET", "/v1/organizations/org_missing/public", expect=404)


async def test_a_service_account_name_is_unique(api: Api) -> None:
    """A second account with the same name is a 409040."""
    await _account_key(api, "run:read")
    body = {"name": "bot", "permissions": ["run:read"]}
    assert (await api.call("POST", "/v1/service-accounts", json=body, expect=409))["code"] == 409040


async def test_a_developer_may_not_withdraw(emu: Emulator) -> None:
    """A developer member's key lacks wallet:withdraw (403040)."""
    key = emu.create_member_key(emu.add_member("dev@example.com"))
    status, wallets = await _as(emu, key, "GET", f"/v1/organizations/{emu.org_id}/wallets")
    wallet = wallets["data"]["items"][0]["id"]
    body = {
        "amount": "1",
        "chainId": 1,
        "tokenAddress": "native",
        "recipientAddress": "0x" + "a" * 40,
    }
    path = f"/v1/organizations/{emu.org_id}/wallets/{wallet}/withdraw"
    status, refused = await _as(emu, key, "POST", path, json=body)
    assert (status, refused["details"]) == (403, [{"permission": "wallet:withdraw"}])


async def test_public_organization_routes_need_no_key(emu: Emulator) -> None:
    """An organization's public metadata and public templates answer without a key."""
    async with aiohttp.ClientSession(emu.url) as anonymous:
        for path in ("public", "templates/public"):
            async with anonymous.get(f"/v1/organizations/{emu.org_id}/{path}") as response:
                assert response.status == 200, path
