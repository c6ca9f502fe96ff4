"""The SDK against the OpenAPI document: every request of the request-shape table is documented.

Each row of ``tests/rows/`` is run (as in ``tests/test_request_shapes.py``) and every request it
sends is checked by :func:`support.openapi.check_request` against ``tests/data/b3os-openapi.json``
(in the repository, so this runs in any clone): a documented method + path, documented query
parameters (required ones present), and a body whose keys are documented properties (required
ones present), at every depth the schema describes. With the coverage test of the table, a new
resource method calling an undocumented path, or sending an undocumented field, fails here.

Where the SDK deviates from the document on purpose, the problem is listed in
:data:`DEVIATIONS` with the reason (check ``api/notes.md`` first: the document is not always
right, but a deviation must be a decision); an entry no row needs any more fails the suite.
"""

from __future__ import annotations

import pytest
from rows import ROWS
from support.openapi import DOCUMENT, check_request, document, find_operation
from support.table import Row, run_row

DEVIATIONS: dict[tuple[str, str, str, str], str] = {
    (
        "POST",
        "/v1/runs/{id}/nodes/{nodeId}/resume",
        "missing-query",
        "secret",
    ): "the document requires ?secret=, but a caller with an API key resumes without it, as the "
    "docs' human-approval recipe does (notes.md §6.2); the secret is sent when given",
    ("POST", "/v1/workflows", "key", "propValues"): "templates.use() sends the template's prop "
    "values with templateId; the older OpenAPI documents propValues on this body, the newer one "
    "dropped it (docs/architecture.md, decisions)",
}
"""Problems the SDK has on purpose: ``(method, template, kind, name)`` -> why."""


async def _problems(row: Row) -> list[str]:
    outcome = await run_row(row)
    found = []
    for call in outcome.calls:
        has_body = call.body is not None  # the SDK never sends a JSON null body
        for problem in check_request(
            call.method, call.path, call.query, call.body, has_body=has_body
        ):
            if problem.key not in DEVIATIONS:
                found.append(str(problem))
    return found


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_requests_are_documented(row: Row) -> None:
    """Every request of the row is a documented operation with documented parameters and body."""
    assert await _problems(row) == []


@pytest.mark.slow
async def test_every_deviation_is_still_needed() -> None:
    """Each allowlisted deviation is still produced by some row (no stale excuses)."""
    seen = set()
    for row in ROWS:
        for call in (await run_row(row)).calls:
            has_body = call.body is not None
            for problem in check_request(
                call.method, call.path, call.query, call.body, has_body=has_body
            ):
                seen.add(problem.key)
    assert sorted(set(DEVIATIONS) - seen) == []


# -- the checker itself --------------------------------------------------------------------------


def test_the_document_is_in_the_repository() -> None:
    """The OpenAPI document is read from tests/data (no test skips for want of it)."""
    assert DOCUMENT.parent.name == "data"
    assert document()["openapi"].startswith("3.1")
    assert len(document()["paths"]) > 200


def test_a_literal_path_wins_over_a_template() -> None:
    """/v1/runs/status-counts is its own operation, not /v1/runs/{id}."""
    operation = find_operation("GET", "/v1/runs/status-counts")
    assert operation is not None
    assert operation.template == "/v1/runs/status-counts"
    other = find_operation("GET", "/v1/runs/run%2F1")
    assert other is not None
    assert other.template == "/v1/runs/{id}"


@pytest.mark.parametrize(
    ("method", "path", "query", "body", "expected"),
    [
        ("GET", "/v1/nowhere", {}, None, "GET /v1/nowhere: operation"),
        ("PATCH", "/v1/runs/run_1", {}, None, "PATCH /v1/runs/run_1: operation"),
        ("GET", "/v1/runs", {"workflowId": ["wf_1"]}, None, "GET /v1/runs: query workflowId"),
        ("GET", "/v1/workflow-runs/stream", {}, None, "missing-query ids"),
        ("POST", "/v1/runs/run_1/cancel", {}, {}, "POST /v1/runs/{id}/cancel: body"),
        ("POST", "/v1/runs", {}, None, "POST /v1/runs: missing-body"),
        ("POST", "/v1/runs", {}, {"payload": {}}, "missing-key definition"),
        ("POST", "/v1/workflows/wf_1/publish", {}, {"version": 2}, "key version"),
        ("POST", "/v1/workflows/wf_1/pause", {}, {"reason": "x"}, "key reason"),
        (
            "POST",
            "/v1/runs",
            {},
            {"definition": {"nodes": {"root": {"type": "manual", "payload": {}, "props": {}}}}},
            "key definition.nodes.root.props",
        ),
        (
            "POST",
            "/v1/runs",
            {},
            {"definition": {"nodes": {"root": {"type": "manual"}}}},
            "missing-key definition.nodes.root.payload",
        ),
        (
            "POST",
            "/v1/runs/run_1/nodes/a/resume",
            {"secret": ["s"]},
            {"data": {}, "forEachContext": {"stack": [{"index": 1, "depth": 2}]}},
            "key forEachContext.stack[0].depth",
        ),
    ],
)
def test_undocumented_requests_are_reported(
    method: str, path: str, query: dict[str, list[str]], body: object, expected: str
) -> None:
    """An undocumented operation, parameter, body or (nested) key is reported as a problem."""
    problems = [str(p) for p in check_request(method, path, query, body, has_body=body is not None)]
    assert len(problems) == 1, problems
    assert expected in problems[0]


def test_free_form_values_are_not_checked() -> None:
    """Keys inside free-form objects (payload, node payloads) are the caller's, not reported."""
    body = {
        "definition": {"nodes": {"root": {"type": "manual", "payload": {"any": {"x": 1}}}}},
        "payload": {"whatever": [1, 2]},
        "propValues": {"p": 1},
        "runId": "run_1",
    }
    assert check_request("POST", "/v1/runs", {}, body, has_body=True) == []
