"""The emulator's HTTP conventions: envelopes, errors, auth, org isolation, paging, request log."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import pytest
from emu_helpers import Api, linear

if TYPE_CHECKING:
    from b3os_async.testing import Emulator


async def test_success_envelope_has_code_message_and_request_id(api: Api) -> None:
    """A success answer is {code: 200, data, message: "OK", requestId} with X-Request-ID."""
    async with api.session.get("/v1/organizations") as response:
        body = await response.json()
        assert response.status == 200
        assert body["code"] == 200
        assert body["message"] == "OK"
        assert body["requestId"].startswith("req_")
        assert response.headers["X-Request-ID"] == body["requestId"]


async def test_request_ids_are_unique(api: Api) -> None:
    """Every request gets its own request id."""
    ids = {(await api.call("GET", "/v1/workflows"))["requestId"] for _ in range(5)}
    assert len(ids) == 5


async def test_error_body_has_numeric_code_details_and_request_id(api: Api) -> None:
    """An error answer is {code: status*1000+n, message, details[], requestId}."""
    async with api.session.get("/v1/workflows/wf_missing") as response:
        body = await response.json()
        assert response.status == 404
        assert body["code"] == 404002
        assert "not found" in body["message"]
        assert body["details"] == []
        assert response.headers["X-Request-ID"] == body["requestId"]


async def test_unknown_route_is_404_with_error_body(api: Api) -> None:
    """A path the emulator does not serve answers 404 (code 404001)."""
    body = await api.call("GET", "/v1/nothing-here", expect=404)
    assert body["code"] == 404001


async def test_wrong_method_is_405_with_an_allow_header(api: Api) -> None:
    """A known path with an unsupported method answers 405 (405001) naming the allowed methods."""
    async with api.session.patch("/v1/workflows") as response:
        body = await response.json()
        assert (response.status, body["code"]) == (405, 405001)
        assert response.headers["Allow"] == "GET, HEAD, POST"
        assert body["requestId"] == response.headers["X-Request-ID"]


async def test_wrong_method_on_a_templated_path_names_its_methods(api: Api) -> None:
    """A 405 on /v1/runs/{id}/cancel allows POST only (the Allow header is per path)."""
    async with api.session.get("/v1/runs/run_x/cancel") as response:
        assert response.status == 405
        assert response.headers["Allow"] == "POST"


async def test_any_method_on_an_unknown_path_is_404(api: Api) -> None:
    """Unknown paths answer 404001 with the error body whatever the method."""
    for method in ("GET", "POST", "DELETE", "PATCH", "OPTIONS"):
        async with api.session.request(method, "/v1/nothing-here") as response:
            body = await response.json()
            assert (response.status, body["code"]) == (404, 404001), method
            assert "Allow" not in response.headers


async def test_invalid_json_body_is_400(api: Api) -> None:
    """A body that is not JSON answers 400 (code 400001)."""
    body = await api.call("POST", "/v1/workflows", data=b"{nope", expect=400)
    assert body["code"] == 400001


async def test_missing_token_is_401(emu: Emulator) -> None:
    """A request without Authorization answers 401 (code 401001)."""
    async with aiohttp.ClientSession(emu.url) as session:
        body = await Api(emu, session).call("GET", "/v1/workflows", expect=401)
    assert body["code"] == 401001


async def test_unknown_key_is_401(emu: Emulator) -> None:
    """An unknown API key answers 401 (code 401002)."""
    headers = {"Authorization": "Bearer b3sk_not_a_key"}
    async with aiohttp.ClientSession(emu.url, headers=headers) as session:
        body = await Api(emu, session).call("GET", "/v1/workflows", expect=401)
    assert body["code"] == 401002


async def test_read_key_can_get_but_not_write(emu: Emulator) -> None:
    """A read-scoped key may GET, but any other method answers 403 (code 403001)."""
    key = emu.create_api_key("read")
    async with aiohttp.ClientSession(emu.url, headers={"Authorization": f"Bearer {key}"}) as s:
        api = Api(emu, s)
        await api.call("GET", "/v1/workflows")
        body = await api.call("POST", "/v1/workflows", json={}, expect=403)
        assert body["code"] == 403001
        body = await api.call("DELETE", "/v1/workflows/wf_x", expect=403)
        assert body["code"] == 403001


async def test_x_org_id_must_match_the_key(api: Api) -> None:
    """X-Org-ID of another org answers 403 (code 403002); the key's own org is accepted."""
    other, _ = api.emu.create_org("Other")
    body = await api.call("GET", "/v1/workflows", headers={"X-Org-ID": other}, expect=403)
    assert body["code"] == 403002
    await api.call("GET", "/v1/workflows", headers={"X-Org-ID": api.emu.org_id})


async def test_other_orgs_objects_are_404(api: Api) -> None:
    """Workflows and runs of another organization answer 404 and are not listed."""
    created = await api.create(linear())
    run_id = (await api.data("POST", f"/v1/workflows/{created['id']}/run", json={}))["runId"]
    _, key = api.emu.create_org("Other")
    async with aiohttp.ClientSession(
        api.emu.url, headers={"Authorization": f"Bearer {key}"}
    ) as session:
        other = Api(api.emu, session)
        await other.call("GET", f"/v1/workflows/{created['id']}", expect=404)
        await other.call("POST", f"/v1/workflows/{created['id']}/run", json={}, expect=404)
        await other.call("GET", f"/v1/runs/{run_id}", expect=404)
        await other.call("POST", f"/v1/runs/{run_id}/cancel", expect=404)
        assert (await other.data("GET", "/v1/workflows"))["items"] == []
        assert (await other.data("GET", "/v1/runs"))["items"] == []


async def test_organizations_lists_the_keys_org(api: Api) -> None:
    """GET /v1/organizations returns the key's organization (the token check)."""
    data = await api.data("GET", "/v1/organizations")
    assert [org["id"] for org in data["items"]] == [api.emu.org_id]
    assert data["hasMore"] is False


async def test_paging_defaults_limit_offset_and_has_more(api: Api) -> None:
    """Lists default to limit 20; limit/offset slice; hasMore says whether more follow."""
    for index in range(23):
        await api.create(linear(), name=f"wf{index:02d}")
    first = await api.data("GET", "/v1/workflows")
    assert (first["limit"], first["offset"], len(first["items"]), first["hasMore"]) == (
        20,
        0,
        20,
        True,
    )
    last = await api.data("GET", "/v1/workflows", params={"limit": "5", "offset": "20"})
    assert (len(last["items"]), last["hasMore"]) == (3, False)
    names = [item["name"] for item in first["items"]] + [item["name"] for item in last["items"]]
    assert len(set(names)) == 23


@pytest.mark.parametrize("params", [{"limit": "x"}, {"offset": "1.5"}, {"limit": "null"}])
async def test_paging_values_that_are_not_integers_are_400(
    api: Api, params: dict[str, str]
) -> None:
    """A limit or offset that is not an integer answers 400 (code 400003)."""
    body = await api.call("GET", "/v1/runs", params=params, expect=400)
    assert body["code"] == 400003


@pytest.mark.parametrize(
    ("params", "limit", "offset"),
    [
        ({"limit": "0"}, 20, 0),
        ({"limit": "-7"}, 20, 0),
        ({"limit": "101"}, 100, 0),
        ({"limit": str(2**63 - 1)}, 100, 0),
        ({"offset": "9" * 5000}, 20, 2**63 - 1),
        ({"limit": "9" * 3000, "offset": "9" * 3000}, 100, 2**63 - 1),
        ({"limit": "-" + "9" * 3000, "offset": "-" + "9" * 3000}, 20, 0),
        ({"offset": "-1"}, 20, 0),
        ({"limit": "", "offset": ""}, 20, 0),
    ],
)
async def test_paging_values_out_of_range_are_clamped(
    api: Api, params: dict[str, str], limit: int, offset: int
) -> None:
    """limit below 1 reads 20, above 100 reads 100, a negative offset 0; any size, never a 500."""
    page = await api.data("GET", "/v1/runs", params=params)
    assert (page["limit"], page["offset"]) == (limit, offset)


async def test_request_log_records_requests_without_authorization(api: Api) -> None:
    """emu.requests records method, raw path, query, headers (no Authorization) and body."""
    api.emu.requests.clear()
    await api.call("GET", "/v1/workflows/a%2Fb", params={"x": "1"}, expect=404)
    await api.call("POST", "/v1/workflows/validate", json={"definition": linear()})
    first, second = api.emu.requests
    assert (first.method, first.path, first.query["x"]) == ("GET", "/v1/workflows/a%2Fb", "1")
    assert "Authorization" not in first.headers
    assert b'"definition"' in second.body


async def test_percent_encoded_slash_stays_one_segment(api: Api) -> None:
    """An id containing an encoded slash is one (unknown) id, not two path segments."""
    body = await api.call("GET", "/v1/runs/run_a%2Fb", expect=404)
    assert body["code"] == 404003
