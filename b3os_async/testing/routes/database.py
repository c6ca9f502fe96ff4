"""Area ``database``: the organization's SQL database (tables, columns, read-only queries).

A real in-memory SQLite database per organization (``_domain/org_database.py``): queries run in
a worker thread, read-only, with a row limit and a time limit. Answers are bare, as the OpenAPI
declares them.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from b3os_async.testing._common import bad_field
from b3os_async.testing._server import bare, context, json_body, require
from b3os_async.testing.routes._orgs import own_org

ROUTES = web.RouteTableDef()

MAX_SQL = 10_000
MAX_PARAMS = 100


@ROUTES.get("/v1/organizations/{orgId}/database/tables")
async def list_tables(request: web.Request) -> web.Response:
    """``GET …/database/tables``: ``{tables: [{name}]}``."""
    _, org = own_org(request)
    db = context(request).store.databases.of(org.id)
    names = await asyncio.to_thread(db.tables)
    return bare(request, {"tables": [{"name": name} for name in names]})


@ROUTES.get("/v1/organizations/{orgId}/database/tables/{tableName}")
async def get_table(request: web.Request) -> web.Response:
    """``GET …/database/tables/{tableName}``: ``{columns: [ColumnInfo]}`` (404045 if none)."""
    _, org = own_org(request)
    db = context(request).store.databases.of(org.id)
    columns = await asyncio.to_thread(db.columns, request.match_info["tableName"])
    return bare(request, {"columns": columns})


@ROUTES.post("/v1/organizations/{orgId}/database/query")
async def run_query(request: web.Request) -> web.Response:
    """``POST …/database/query``: ``{sql, params}`` -> ``{rows, rowsAffected}`` (read-only)."""
    _, org = own_org(request)
    body = await json_body(request)
    sql = require(body, "sql", str, "a SQL statement")
    if not sql.strip() or len(sql) > MAX_SQL:
        raise bad_field(f"'sql' must be 1-{MAX_SQL} characters")
    params = body.get("params") or []
    if not isinstance(params, list) or len(params) > MAX_PARAMS:
        raise bad_field(f"'params' must be a list of at most {MAX_PARAMS} values")
    for value in params:
        if not (value is None or isinstance(value, (str, int, float))):
            raise bad_field("'params' may hold strings, numbers, booleans and null only")
    db = context(request).store.databases.of(org.id)
    # A worker thread: the time limit bounds it, and the event loop keeps serving meanwhile.
    return bare(request, await asyncio.to_thread(db.query, sql, params))
