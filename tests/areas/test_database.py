"""``b3.database`` against the emulator: a real SQL database, read-only queries, limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from b3os_async import BadRequestError, ConfigurationError, NotFoundError
from b3os_async.testing._domain import org_database

if TYPE_CHECKING:
    from b3os_async import B3OS
    from b3os_async.testing import Emulator

TEN_THOUSAND = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000) "
    "SELECT x FROM n"
)


async def test_tables_and_columns_come_from_the_database(emu: Emulator, b3: B3OS) -> None:
    """A table created in the database is listed, with its columns as declared."""
    emu.execute_sql("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL NOT NULL DEFAULT 0)")
    assert [t.name for t in await b3.database.tables()] == ["customers", "orders"]
    columns = await b3.database.table("orders")
    assert [(c.name, c.type, c.primary_key, c.not_null) for c in columns] == [
        ("id", "INTEGER", True, False),
        ("total", "REAL", False, True),
    ]
    assert columns[1].default_value == "0"


async def test_a_query_binds_its_params(b3: B3OS) -> None:
    """? placeholders take the params, in order; rows come back as column -> value."""
    result = await b3.database.query(
        "SELECT name FROM customers WHERE plan = ? AND balance_cents > ? ORDER BY id",
        ["pro", 10_000],
    )
    assert result.rows == ({"name": "Ada Lovelace"},)


async def test_sql_that_writes_is_refused(b3: B3OS) -> None:
    """A DELETE is a BadRequestError (400041) and no row is deleted."""
    with pytest.raises(BadRequestError) as info:
        await b3.database.query("DELETE FROM customers")
    assert info.value.code == 400041
    count = await b3.database.query("SELECT count(*) AS n FROM customers")
    assert count.rows == ({"n": 5},)


async def test_a_ten_thousand_row_result_is_capped(b3: B3OS) -> None:
    """A query of 10,000 rows returns the first MAX_ROWS (1,000) of them."""
    result = await b3.database.query(TEN_THOUSAND)
    assert len(result.rows) == org_database.MAX_ROWS == 1000
    assert result.rows[-1] == {"x": 1000}


async def test_a_query_over_the_time_limit_is_stopped(
    b3: B3OS, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement still running at the time limit is a BadRequestError (400042)."""
    monkeypatch.setattr(org_database, "TIME_LIMIT", 0.05)
    endless = (
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"
    )
    with pytest.raises(BadRequestError) as info:
        await b3.database.query(endless)
    assert info.value.code == 400042


async def test_an_unknown_table_is_not_found(b3: B3OS) -> None:
    """The columns of a table that does not exist: NotFoundError."""
    with pytest.raises(NotFoundError):
        await b3.database.table("nope")


async def test_params_that_are_not_values_are_refused_before_sending(
    emu: Emulator, b3: B3OS
) -> None:
    """A dict among the params is a ConfigurationError; nothing is sent."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError):
        await b3.database.query("SELECT ?", [{"a": 1}], org_id=emu.org_id)
    assert list(emu.requests) == []
