"""Request shapes of ``b3.workflows.variables`` and ``b3.runs.variable_writes``."""

from __future__ import annotations

from support.table import Bare, Req, Row

from b3os_async.models import VariableLifetime

V = "/v1/workflows/wf_1/variables"
DEF = {"name": "n", "type": "number", "lifetime": "persist", "default": 0}
WRITE = {"id": 1, "name": "n", "op": "set", "scope": "workflow", "newValue": 1}

ROWS = [
    Row(
        "workflows.variables.list",
        lambda b3: b3.workflows.variables.list("wf_1"),
        Req("GET", V),
        Bare({"items": [{"def": DEF, "hasValue": True, "value": 3, "version": 3}]}),
    ),
    Row(
        "workflows.variables.define",
        lambda b3: b3.workflows.variables.define(
            "wf_1",
            "n",
            type="number",
            lifetime=VariableLifetime.PERSIST,
            default=0,
            description="runs so far",
        ),
        Req(
            "PUT",
            f"{V}/n",
            json={
                "type": "number",
                "lifetime": "persist",
                "default": 0,
                "description": "runs so far",
            },
        ),
        Bare(DEF),
    ),
    Row(
        "workflows.variables.define",
        lambda b3: b3.workflows.variables.define("wf_1", "a b", type="text", lifetime="reset"),
        Req("PUT", f"{V}/a%20b", json={"type": "text", "lifetime": "reset"}),
        Bare({"name": "a b", "type": "text", "lifetime": "reset"}),
        note="no default, name encoded as one segment",
    ),
    Row(
        "workflows.variables.delete",
        lambda b3: b3.workflows.variables.delete("wf_1", "n"),
        Req("DELETE", f"{V}/n"),
        None,
    ),
    Row(
        "workflows.variables.reset",
        lambda b3: b3.workflows.variables.reset("wf_1", "n"),
        Req("POST", f"{V}/n/reset"),
        None,
    ),
    Row(
        "workflows.variables.set_value",
        lambda b3: b3.workflows.variables.set_value("wf_1", "n", [1, {"a": None}]),
        Req("POST", f"{V}/n/value", json={"value": [1, {"a": None}]}),
        None,
    ),
    Row(
        "workflows.variables.history",
        lambda b3: b3.workflows.variables.history("wf_1", "n", page_size=5),
        Req("GET", f"{V}/n/history", {"limit": ["5"], "offset": ["0"]}),
        {"items": [WRITE], "hasMore": False},
    ),
    Row(
        "runs.variable_writes",
        lambda b3: b3.runs.variable_writes("run_1"),
        Req("GET", "/v1/runs/run_1/variable-writes", {"offset": ["0"]}),
        {"items": [WRITE], "hasMore": False},
    ),
]
