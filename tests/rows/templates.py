"""Request shapes of ``b3.templates`` (see ``tests/test_request_shapes.py`` for the row format)."""

from __future__ import annotations

from support.mock_api import DEFINITION, DEFINITION_JSON
from support.table import Req, Row

TEMPLATE = {"id": "tpl_1", "name": "Greeter", "version": 1}
PROPS = [{"key": "who", "type": "string", "required": True}]
WITH_PROPS = {**TEMPLATE, "definition": DEFINITION_JSON, "templateProps": PROPS}

ROWS = [
    Row(
        "templates.list",
        lambda b3: b3.templates.list(category="public", tags=["defi", "alerts"], page_size=10),
        Req(
            "GET",
            "/v1/templates",
            {"category": ["public"], "tags": ["defi", "alerts"], "limit": ["10"], "offset": ["0"]},
        ),
        {"items": [TEMPLATE], "hasMore": False},
    ),
    Row(
        "templates.create",
        lambda b3: b3.templates.create(
            name="Greeter",
            description="hi",
            definition=DEFINITION,
            tags=[],
            visibility="org",
            template_props=PROPS,
            source_workflow_id="wf_1",
            max_runs=5,
        ),
        Req(
            "POST",
            "/v1/templates",
            json={
                "name": "Greeter",
                "description": "hi",
                "definition": DEFINITION_JSON,
                "tags": [],
                "visibility": "org",
                "templateProps": PROPS,
                "sourceWorkflowId": "wf_1",
                "maxRuns": 5,
            },
        ),
        TEMPLATE,
    ),
    Row(
        "templates.get",
        lambda b3: b3.templates.get("tpl_1"),
        Req("GET", "/v1/templates/tpl_1"),
        TEMPLATE,
    ),
    Row(
        "templates.update",
        lambda b3: b3.templates.update("tpl_1", description="v2", slug="greeter", tags=["x"]),
        Req(
            "PATCH",
            "/v1/templates/tpl_1",
            json={"description": "v2", "slug": "greeter", "tags": ["x"]},
        ),
        {**TEMPLATE, "version": 2},
    ),
    Row(
        "templates.rollback",
        lambda b3: b3.templates.rollback("tpl_1", target_version=1),
        Req("POST", "/v1/templates/tpl_1/rollback", json={"targetVersion": 1}),
        {**TEMPLATE, "version": 3},
    ),
    Row(
        "templates.versions",
        lambda b3: b3.templates.versions("tpl_1", page_size=5),
        Req("GET", "/v1/templates/tpl_1/versions", {"limit": ["5"], "offset": ["0"]}),
        {"items": [TEMPLATE], "hasMore": False, "currentVersion": 1},
    ),
    Row(
        "templates.versions_count",
        lambda b3: b3.templates.versions_count("tpl_1"),
        Req("GET", "/v1/templates/tpl_1/versions/count"),
        {"total": 3},
    ),
    Row(
        "templates.get_version",
        lambda b3: b3.templates.get_version("tpl_1", 2),
        Req("GET", "/v1/templates/tpl_1/versions/2"),
        {**TEMPLATE, "version": 2},
    ),
    Row(
        "templates.stats",
        lambda b3: b3.templates.stats("tpl_1"),
        Req("GET", "/v1/templates/tpl_1/stats"),
        {"forkCount": 2},
    ),
    Row(
        "templates.recommended",
        lambda b3: b3.templates.recommended(category="all", limit=3, strategy="strong_match"),
        Req(
            "GET",
            "/v1/templates/recommended",
            {"category": ["all"], "limit": ["3"], "strategy": ["strong_match"]},
        ),
        [TEMPLATE],
    ),
    Row(
        "templates.by_source_workflow",
        lambda b3: b3.templates.by_source_workflow("wf_1"),
        Req("GET", "/v1/templates/by-source-workflow/wf_1"),
        None,
        note="none",
    ),
    Row(
        "templates.use",
        lambda b3: b3.templates.use("tpl_1", prop_values={"who": "ana"}, name="Mine"),
        [
            Req("GET", "/v1/templates/tpl_1"),
            Req(
                "POST",
                "/v1/workflows",
                json={
                    "name": "Mine",
                    "description": "",
                    "definition": DEFINITION_JSON,
                    "templateId": "tpl_1",
                    "propValues": {"who": "ana"},
                },
            ),
        ],
        [WITH_PROPS, {"id": "wf_2", "sourceTemplateId": "tpl_1"}],
    ),
]
