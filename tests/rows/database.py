"""Request shapes of ``b3.database`` (row format: ``tests/test_request_shapes.py``)."""

from __future__ import annotations

from support.table import Bare, Req, Row

from rows.organizations import LEARN, LEARNT

D = "/v1/organizations/org_1/database"

ROWS = [
    Row(
        "database.tables",
        lambda b3: b3.database.tables(),
        [LEARN, Req("GET", f"{D}/tables")],
        [LEARNT, Bare({"tables": [{"name": "customers"}]})],
    ),
    Row(
        "database.table",
        lambda b3: b3.database.table("my table", org_id="org_1"),
        Req("GET", f"{D}/tables/my%20table"),
        Bare({"columns": [{"name": "id", "type": "INTEGER", "primaryKey": True}]}),
    ),
    Row(
        "database.query",
        lambda b3: b3.database.query("select * from t where a = ?", [1], org_id="org_1"),
        Req("POST", f"{D}/query", json={"sql": "select * from t where a = ?", "params": [1]}),
        Bare({"rows": [{"a": 1}], "rowsAffected": 0}),
    ),
]
