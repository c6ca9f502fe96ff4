"""``b3.database``: the organization's SQL database (managed data): tables, columns, queries.

Methods default to the client's organization (``org_id=`` for another).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure
from b3os_async._errors import ConfigurationError
from b3os_async.models.database import ColumnInfo, QueryResult, TableInfo
from b3os_async.resources._org import OrgResource

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Database"]

MAX_SQL = 10_000
MAX_PARAMS = 100


def _params(params: Sequence[Any] | None) -> list[Any]:
    if params is None:
        return []
    checked: object = params  # callers may pass anything: check at runtime
    if not isinstance(checked, (list, tuple)):
        raise ConfigurationError("params must be a list of values, one per ? in the SQL")
    values = list(params)
    if len(values) > MAX_PARAMS:
        raise ConfigurationError(f"at most {MAX_PARAMS} params, got {len(values)}")
    for value in values:
        if not (value is None or isinstance(value, (str, int, float, bool))):
            raise ConfigurationError(
                f"params may hold str, int, float, bool and None, got {type(value).__name__}"
            )
    return values


class Database(OrgResource):
    """The org database (``/v1/organizations/{orgId}/database``). Get it as ``b3.database``."""

    __slots__ = ()

    async def tables(self, *, org_id: str | None = None) -> tuple[TableInfo, ...]:
        """The tables of the database."""
        oid = await self._org(org_id)
        data = await self._data("GET", "/v1/organizations/{}/database/tables", oid)
        return structure((data or {}).get("tables") or [], tuple[TableInfo, ...])

    async def table(self, name: str, *, org_id: str | None = None) -> tuple[ColumnInfo, ...]:
        """The columns of table ``name`` (``NotFoundError`` if there is no such table)."""
        oid = await self._org(org_id)
        data = await self._data("GET", "/v1/organizations/{}/database/tables/{}", oid, name)
        return structure((data or {}).get("columns") or [], tuple[ColumnInfo, ...])

    async def query(
        self, sql: str, params: Sequence[Any] | None = None, *, org_id: str | None = None
    ) -> QueryResult:
        """Run one SQL statement with ``?`` placeholders bound to ``params``; its rows.

        Pass values as ``params``, never by formatting them into ``sql``. Not retried
        automatically (a statement may write).
        """
        checked: object = sql  # callers may pass anything: check at runtime
        if not isinstance(checked, str) or not sql.strip() or len(sql) > MAX_SQL:
            raise ConfigurationError(f"sql must be a statement of 1-{MAX_SQL} characters")
        body = {"sql": sql, "params": _params(params)}
        oid = await self._org(org_id)
        return await self._post(QueryResult, "/v1/organizations/{}/database/query", oid, json=body)
