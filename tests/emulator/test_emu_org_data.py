"""The emulator's organization data, raw HTTP: the org database, wallets, Caddie memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.testing._domain.org_database import OrgDatabase

if TYPE_CHECKING:
    from emu_helpers import Api

    from b3os_async.testing import Emulator


def _org(emu: Emulator, rest: str) -> str:
    return f"/v1/organizations/{emu.org_id}/{rest}"


async def test_tables_and_columns_are_bare_answers(emu: Emulator, api: Api) -> None:
    """Tables and columns are answered without envelope, as the OpenAPI declares."""
    tables = await api.call("GET", _org(emu, "database/tables"))
    assert tables == {"tables": [{"name": "customers"}]}
    columns = await api.call("GET", _org(emu, "database/tables/customers"))
    assert [c["name"] for c in columns["columns"]][:2] == ["id", "name"]


async def test_every_kind_of_write_is_refused(emu: Emulator, api: Api) -> None:
    """INSERT, UPDATE, DDL, PRAGMA and ATTACH are 400041; the table is unchanged."""
    for sql in (
        "INSERT INTO customers (name) VALUES ('x')",
        "UPDATE customers SET plan = 'free'",
        "DROP TABLE customers",
        "PRAGMA query_only = 0",
        "ATTACH DATABASE ':memory:' AS other",
    ):
        body = await api.call("POST", _org(emu, "database/query"), json={"sql": sql}, expect=400)
        assert body["code"] == 400041, sql
    rows = await api.call(
        "POST", _org(emu, "database/query"), json={"sql": "SELECT plan FROM customers"}
    )
    assert sorted(r["plan"] for r in rows["rows"]) == ["business", "free", "pro", "pro", "starter"]


async def test_two_statements_are_refused_before_either_runs(emu: Emulator, api: Api) -> None:
    """'SELECT …; DELETE …' is a 400040 and deletes nothing."""
    body = {"sql": "SELECT 1; DELETE FROM customers"}
    assert (await api.call("POST", _org(emu, "database/query"), json=body, expect=400))[
        "code"
    ] == 400040
    count = await api.call(
        "POST", _org(emu, "database/query"), json={"sql": "SELECT count(*) AS n FROM customers"}
    )
    assert count["rows"] == [{"n": 5}]


def test_blobs_come_back_as_base64() -> None:
    """A BLOB value is returned as base64 text (JSON has no bytes)."""
    db = OrgDatabase()
    try:
        assert db.query("SELECT x'00ff' AS b", [])["rows"] == [{"b": "AP8="}]
    finally:
        db.close()


async def test_withdrawing_more_than_the_balance_is_400043(emu: Emulator, api: Api) -> None:
    """A withdrawal beyond the balance is refused with 400043 and details of both amounts."""
    wallets = await api.data("GET", _org(emu, "wallets"))
    wallet = wallets["items"][0]["id"]
    body = {
        "amount": "1",
        "chainId": 1,
        "tokenAddress": "native",
        "recipientAddress": "0x" + "b" * 40,
    }
    refused = await api.call("POST", _org(emu, f"wallets/{wallet}/withdraw"), json=body, expect=400)
    assert refused["code"] == 400043
    assert refused["details"] == [{"available": "0", "requested": "1", "chainId": 1}]


async def test_the_default_wallet_is_not_archivable(emu: Emulator, api: Api) -> None:
    """DELETE of the default wallet is a 400044."""
    wallet = (await api.data("GET", _org(emu, "wallets")))["items"][0]["id"]
    refused = await api.call("DELETE", _org(emu, f"wallets/{wallet}"), expect=400)
    assert refused["code"] == 400044


async def test_caddie_memory_answers_carry_only_data(emu: Emulator, api: Api) -> None:
    """The memory list is {data: …} without code or requestId, as the OpenAPI declares."""
    emu.add_caddie_memory("profile", "name", "Ada")
    body = await api.call("GET", _org(emu, "caddie-memory"))
    assert set(body) == {"data"}
    assert body["data"]["items"][0]["text"] == "Ada"


async def test_an_unknown_memory_scope_is_a_400(emu: Emulator, api: Api) -> None:
    """A scope other than profile/notes is a 400002."""
    body = await api.call(
        "PUT", _org(emu, "caddie-memory/secrets/x"), json={"text": "t"}, expect=400
    )
    assert body["code"] == 400002
