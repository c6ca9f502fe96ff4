"""Request shapes, table-driven: every SDK call sends exactly the request(s) its row expects.

The table is ``tests/rows/<area>.py`` (one module per API area, each a ``ROWS`` list, collected
by ``tests/rows/__init__.py``). A row is::

    Row(
        "workflows.publish",                                        # the method the call uses
        lambda b3: b3.workflows.publish("wf_1", expected_version=3),  # the call
        Req("POST", "/v1/workflows/wf_1/publish", json={"expectedVersion": 3}),  # what it sends
        {"id": "wf_1", "status": "active"},  # the answer's ``data`` (a minimal valid body)
    )

``Req(method, raw_path, query={"name": ["value", ...]}, json=<body or None>, headers={...})``;
a call that sends several requests (a run handle: the stream, then the trigger) lists them in
order, with one reply each. Replies: JSON data (enveloped), ``sse(event, ...)`` for a stream
(give it a terminal event, or ``take=1`` for streams that never end), ``Bare(body)`` for an
answer without envelope. Use fixed ids (``run_id="run_1"``) so bodies are deterministic.

Adding an operation: add its row(s) to ``tests/rows/<area>.py`` (a new file for a new area). The
same rows also feed ``tests/test_openapi_requests.py`` (each request checked against the OpenAPI
document), and :func:`test_every_resource_method_has_a_row` fails until a new public resource
method has a row. Behaviour beyond the shape (refusals before I/O, idempotent run creation,
decoding) is tested in ``tests/test_resources_*.py``.
"""

from __future__ import annotations

import pytest
from rows import ROWS
from support.table import Row, resource_methods, run_row

from b3os_async import B3OS


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_request_shape(row: Row) -> None:
    """The call sends exactly the expected requests, in order, and uses the row's method."""
    outcome = await run_row(row)
    assert outcome.used == [row.method], "the call does not use the method its row names"
    sent = [(c.method, c.path, c.query, c.body) for c in outcome.calls]
    expected = [(r.method, r.path, dict(r.query), r.json) for r in row.requests]
    assert sent == expected
    for call, req in zip(outcome.calls, row.requests, strict=True):
        headers = {name.lower(): value for name, value in call.headers.items()}
        for name, value in req.headers.items():
            assert headers.get(name.lower()) == value, f"header {name} of {req.method} {req.path}"


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_nothing_is_sent_before_the_result_is_used(row: Row) -> None:
    """Calling an SDK method sends nothing until its result is awaited or iterated (lazy)."""
    outcome = await run_row(row)
    assert outcome.sent_before_consuming == []


def test_every_resource_method_has_a_row() -> None:
    """Every public method of every resource reachable from B3OS has at least one row."""
    methods = resource_methods(B3OS(api_key="b3sk_test_introspection"))
    assert methods, "no resource found on B3OS: the introspection is broken"
    assert {"workflows.publish", "runs.stream", "activity.stream"} <= methods
    missing = sorted(methods - {row.method for row in ROWS})
    assert missing == [], f"add a row to tests/rows/<area>.py for: {', '.join(missing)}"


def test_every_row_names_an_existing_method() -> None:
    """No row names a method the SDK does not have (a renamed method leaves no stale row)."""
    methods = resource_methods(B3OS(api_key="b3sk_test_introspection"))
    assert sorted({row.method for row in ROWS} - methods) == []
