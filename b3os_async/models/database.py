"""Org database models: tables, columns, query results.

Rows are free-form (column name -> value) and stay plain dicts.
(No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from typing import Any

import attrs

__all__ = ["ColumnInfo", "QueryResult", "TableInfo"]


@attrs.frozen(kw_only=True)
class TableInfo:
    """A table of the organization's database."""

    name: str


@attrs.frozen(kw_only=True)
class ColumnInfo:
    """A column: its name, SQL type, constraints and default."""

    name: str
    type: str | None = None
    not_null: bool | None = None
    primary_key: bool | None = None
    default_value: Any = None


@attrs.frozen(kw_only=True)
class QueryResult:
    """The rows a query returned (each a dict of column -> value) and the rows it changed."""

    rows: tuple[dict[str, Any], ...] = ()
    rows_affected: int | None = None
