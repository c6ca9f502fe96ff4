"""The org database: one real in-memory SQLite database per organization (stdlib ``sqlite3``).

Theory of operation
-------------------
Each organization gets, on first use, a ``:memory:`` SQLite database seeded with a small example
table (:data:`SEED`: ``customers``, five rows). Tables and columns are read from the database
itself (``sqlite_master``, ``PRAGMA table_info``), so whatever ``Emulator.execute_sql`` creates
shows up at once.

``query`` (``POST …/database/query``) runs ONE parameterised statement, read-only:

* an authorizer admits only what a read needs (``SELECT``, reading columns, functions,
  recursive CTEs); anything else -- ``INSERT``, ``UPDATE``, ``DELETE``, DDL, ``ATTACH``,
  ``PRAGMA`` -- is refused by SQLite itself before it runs: 400041, nothing changed;
* at most :data:`MAX_ROWS` rows are returned (the first ones; the rest are not read), which is
  what the API documents nowhere and the emulator documents in ``docs/emulator.md``;
* a progress handler aborts a statement still running after :data:`TIME_LIMIT` seconds: 400042;
* any other SQLite error (syntax, unknown table, several statements, a bad parameter) is 400040.

Statements run in a worker thread (``asyncio.to_thread``), one at a time per database (a lock),
so a slow query never blocks the event loop; the time limit bounds how long a thread is held.
Values come back as JSON: integers, floats, text and NULL as they are, BLOBs as base64 text.
"""

from __future__ import annotations

import base64
import sqlite3
import threading
import time
from typing import Any

from b3os_async.testing._common import (
    SQL_ERROR,
    SQL_NOT_READ_ONLY,
    SQL_TIMEOUT,
    TABLE_NOT_FOUND,
    ApiError,
    not_found,
)

__all__ = ["MAX_ROWS", "SEED", "TIME_LIMIT", "OrgDatabase", "OrgDatabases"]

MAX_ROWS = 1000
"""The most rows one query returns (the first ones)."""
TIME_LIMIT = 2.0
"""Seconds a query may run before it is aborted (400042)."""

SEED = (
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, "
    "plan TEXT NOT NULL DEFAULT 'free', balance_cents INTEGER NOT NULL DEFAULT 0)",
    "INSERT INTO customers (name, email, plan, balance_cents) VALUES "
    "('Ada Lovelace', 'ada@example.com', 'pro', 12000), "
    "('Alan Turing', 'alan@example.com', 'free', 0), "
    "('Grace Hopper', 'grace@example.com', 'business', 990000), "
    "('Edsger Dijkstra', 'edsger@example.com', 'starter', 2900), "
    "('Barbara Liskov', 'barbara@example.com', 'pro', 9900)",
)
"""The example table every organization's database starts with."""

_READ_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
_PROGRESS_STEPS = 1000  # SQLite VM instructions between two looks at the clock


def _value(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


class OrgDatabase:
    """One organization's database (see the module docstring)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        for statement in SEED:
            self._db.execute(statement)

    def close(self) -> None:
        """Close the database (the emulator is closing)."""
        with self._lock:
            self._db.close()

    def tables(self) -> list[str]:
        """The table names, sorted."""
        with self._lock:
            rows = self._db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
        return [row[0] for row in rows]

    def columns(self, table: str) -> list[dict[str, Any]]:
        """``ColumnInfo`` of each column of ``table`` (404045 when there is no such table)."""
        if table not in self.tables():
            raise not_found(TABLE_NOT_FOUND, f"table {table!r}")
        with self._lock:
            # The name is one of the database's own tables (checked above), so quoting it is safe.
            quoted = '"' + table.replace('"', '""') + '"'
            rows = self._db.execute(f"PRAGMA table_info({quoted})").fetchall()
        return [
            {"name": name, "type": kind, "notNull": bool(notnull), "defaultValue": default,
             "primaryKey": bool(pk)}
            for _cid, name, kind, notnull, default, pk in rows
        ]  # fmt: skip

    def execute(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
        """Run any statement, writes included (``Emulator.execute_sql``); rows affected."""
        with self._lock:
            return self._db.execute(sql, params).rowcount

    def query(self, sql: str, params: list[Any]) -> dict[str, Any]:
        """Run one read-only statement (blocking: call it in a thread); ``QueryResponse``."""
        deadline = time.monotonic() + TIME_LIMIT
        refused: list[str] = []

        def authorizer(action: int, arg1: Any, arg2: Any, db: Any, trigger: Any) -> int:
            if action in _READ_ACTIONS:
                return sqlite3.SQLITE_OK
            refused.append(str(action))
            return sqlite3.SQLITE_DENY

        def progress() -> int:
            return 1 if time.monotonic() > deadline else 0

        with self._lock:
            self._db.set_authorizer(authorizer)
            self._db.set_progress_handler(progress, _PROGRESS_STEPS)
            try:
                cursor = self._db.execute(sql, params)
                names = [column[0] for column in cursor.description or ()]
                rows = cursor.fetchmany(MAX_ROWS)
                cursor.close()
            except sqlite3.Error as exc:
                raise self._error(exc, refused, deadline) from None
            finally:
                self._db.set_authorizer(None)
                self._db.set_progress_handler(None, 0)
        return {
            "rows": [{name: _value(v) for name, v in zip(names, row, strict=True)} for row in rows],
            "rowsAffected": 0,
        }

    @staticmethod
    def _error(exc: sqlite3.Error, refused: list[str], deadline: float) -> ApiError:
        if refused:
            return ApiError(
                400,
                SQL_NOT_READ_ONLY,
                "only read-only statements are allowed (SELECT, WITH … SELECT); this one "
                "writes, changes the schema or runs a PRAGMA/ATTACH: nothing was run",
            )
        if isinstance(exc, sqlite3.OperationalError) and time.monotonic() > deadline:
            return ApiError(
                400, SQL_TIMEOUT, f"the query ran longer than {TIME_LIMIT:g} s and was stopped"
            )
        return ApiError(400, SQL_ERROR, f"SQL error: {exc}")


class OrgDatabases:
    """The databases of every organization of one emulator, created on first use."""

    def __init__(self) -> None:
        self._dbs: dict[str, OrgDatabase] = {}

    def of(self, org_id: str) -> OrgDatabase:
        """The organization's database (created and seeded on first use)."""
        db = self._dbs.get(org_id)
        if db is None:
            db = self._dbs[org_id] = OrgDatabase()
        return db

    def close(self) -> None:
        """Close every database."""
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
