"""Schemathesis fuzzes every operation the emulator serves, against B3OS's OpenAPI document.

What it checks, for every operation found in the emulator's route tables and in the document
(an API area that lands later is fuzzed without a change here): no 5xx, every answer valid
against the document, documented status codes only, valid requests accepted and invalid ones
refused (Schemathesis's default checks, over its examples, coverage and fuzzing phases).

What the emulator does differently on purpose is listed in ``DEVIATIONS``, each with its reason
(also in ``docs/emulator.md``, "Where the emulator differs") and a probe: a fixed request that
shows it. The list is checked both ways: a finding no entry explains fails the operation's test
(with Schemathesis's reproduction), and an entry whose probe no longer shows it (the emulator
changed, or the document now allows it) fails ``test_every_listed_deviation_still_occurs``, so
the list cannot rot. (What the fuzzing generates varies a little from run to run: Schemathesis
learns from the answers. The probes do not.)

How the document is read and the emulator run: ``fuzz_support.py``. Path ids are replaced by ids
the emulator has in two cases out of three, so operations are fuzzed past their 404s. Runtime is
bounded by ``CASE_BUDGET``. ``B3OS_FUZZ_REPORT=<file>`` records every finding there instead of
failing (to review a new area's findings at once).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info < (3, 11):  # pragma: no cover - the test extra installs it from 3.11 on
    pytest.skip("Schemathesis 4 needs Python 3.11 or newer", allow_module_level=True)

import hypothesis
import schemathesis
from fuzz_support import Deviation, Finding, Probe, World, demonstrate, fuzzed_document, seed
from fuzz_support import streams as stream_labels
from schemathesis.core.failures import Failure, FailureGroup

pytestmark = pytest.mark.slow

REPORT = os.environ.get("B3OS_FUZZ_REPORT")
CASE_BUDGET = 1000
"""Fuzzing-phase cases for the whole module, shared by the operations (examples and coverage
cases come on top): about a minute on two cores. More operations, fewer cases each."""

EMULATOR_ONLY = {("*", "/v1/x402-demo/{}"), ("POST", "/v1/webhooks/{}")}
"""Routes the emulator serves that the document does not have: the x402 demo seller, and the
inbound workflow webhook (documented by B3OS, missing from the OpenAPI)."""

DOCUMENT, NOT_IN_DOCUMENT = fuzzed_document()
OPERATIONS = {f"{m.upper()} {path}" for path, item in DOCUMENT["paths"].items() for m in item}
MAX_EXAMPLES = max(4, min(12, CASE_BUDGET // max(len(OPERATIONS), 1)))
SCHEMA = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=schemathesis.Config.from_dict(
        {
            "seed": 11,
            "phases": {
                "stateful": {"enabled": False},
                "fuzzing": {"generation": {"max-examples": MAX_EXAMPLES}},
            },
            "generation": {"database": "none"},
        }
    ),
)

_ANY = None
_RUN = {"nodes": {"root": {"type": "manual", "payload": {}}}, "triggerNodeIds": ["root"]}
DEVIATIONS: list[Deviation] = [
    # -- statuses the document does not declare ---------------------------------------------
    Deviation(
        "UndefinedStatusCode", 400, _ANY, "*",
        "The document declares no 400 for many operations (lists, lifecycle actions, agent "
        "runs); the emulator refuses a query value or body it cannot use with 400, as the API "
        "does where the document declares it.",
        Probe("GET", "/v1/runs", query={"limit": "many"}),
    ),
    Deviation(
        "UndefinedStatusCode", 401, _ANY, "*",
        "A missing or unknown key, or one the fuzzing itself revoked (or whose service account "
        "it disabled), is 401 on every operation; the document declares 401 for few of them.",
        Probe("GET", "/v1/runs", headers={"Authorization": "Bearer b3sk_unknown"}),
    ),
    Deviation(
        "UndefinedStatusCode", 403, _ANY, "*",
        "Changing another organization's template (a built-in one) is 403005, running a public "
        "workflow that does not allow it 403004; the document declares no 403 there.",
        Probe("PATCH", "/v1/templates/{templateId}", {"templateId": "@builtin"}, body={}),
    ),
    Deviation(
        "UndefinedStatusCode", 404, _ANY, "*",
        "An unknown id answers 404 (the area's not-found code); the document declares no 404 "
        "for some operations (streams, executions, agent runs).",
        Probe("GET", "/v1/executions/{id}", {"id": "exec_missing"}),
    ),
    Deviation(
        "UndefinedStatusCode", 409, _ANY, "*",
        "A lifecycle conflict (running, pausing or changing an archived workflow: 409004) or a "
        "stale expectedCurrentVersion (409001) is a 409; the document declares none there.",
        Probe("POST", "/v1/workflows/{id}/run", {"id": "@archived"}, body={}),
    ),
    # -- valid requests refused ----------------------------------------------------------------
    Deviation(
        "RejectedPositiveData", 400, frozenset({400004, 400005}), "GET *",
        "Query values the document types as plain strings but describes as a set or a format "
        "(status, sort, category, granularity, since as RFC 3339 or a sequence number), as "
        "required in prose (ids, conversationId, url) or bounded (24 ids) are checked.",
        Probe("GET", "/v1/runs", query={"status": "sleeping"}),
    ),
    Deviation(
        "RejectedPositiveData", 400, frozenset({400002}), "*",
        "Body fields are checked beyond their schema where the API's rules are known: names of "
        "1 to 255 characters, fields the document leaves optional but the operation needs "
        "(targetVersion, message, resourceUrl, agentType, a known agent type), 64-bit integers.",
        Probe("POST", "/v1/workflows", body={"name": "", "description": "", "definition": _RUN}),
    ),
    Deviation(
        "RejectedPositiveData", 400, frozenset({400228, 400229}), "*",
        "A definition must be a graph that can run (a trigger, nodes with a type, existing "
        "children, no cycle) and an ephemeral run needs a manual trigger: the schema cannot say "
        "so; 400228 and 400229 are the API's published codes.",
        Probe("POST", "/v1/runs", body={"definition": {"nodes": {}}}),
    ),
    Deviation(
        "RejectedPositiveData", 400, frozenset({400078, 400079}), "*",
        "A client-chosen run id must start with run_ and be new (published codes 400078 and "
        "400079; the document says so in prose only).",
        Probe("POST", "/v1/runs", body={"definition": _RUN, "runId": "mine"}),
    ),
    Deviation(
        "RejectedPositiveData", 400, frozenset({400006, 400007}), "POST /v1/x402-endpoints/*",
        "The emulator only calls x402 resources on loopback hosts; any other URL is 400006.",
        Probe("POST", "/v1/x402-endpoints/probe", body={"resourceUrl": "http://example.com/x"}),
    ),
    Deviation(
        "RejectedPositiveData", 400, frozenset({400003}), "GET /v1/*",
        "Lists with page rules of their own refuse a limit outside them instead of clamping it: "
        "chat history (keyset pages, 1..100), tags (1..1000).",
        Probe("GET", "/v1/ai/workflow/chat/history", query={"workflowId": "wf_x", "limit": "170"}),
    ),
    Deviation(
        "RejectedPositiveData", 400, frozenset(range(400040, 400046)), "*",
        "Organization rules the schema cannot express: SQL the organization's database refuses "
        "(a syntax error, a write), a withdrawal beyond the balance, archiving the default "
        "wallet, more than 50 active API keys.",
        Probe(
            "POST", "/v1/organizations/{orgId}/database/query", {"orgId": "@org"},
            body={"sql": "this is not sql"},
        ),
    ),
    # -- invalid requests accepted -------------------------------------------------------------
    Deviation(
        "AcceptedNegativeData", 200, _ANY, "*",
        "The emulator checks the fields it uses: objects it does not model (connector, "
        "blockContext, inputSchema, uiMetadata, x402 metadata) are kept or ignored as given and "
        "null reads as absent; GET operations ignore bodies (the document declares some, a "
        "swaggo artefact); an object or null query value is sent as nothing, so reads as absent.",
        Probe("POST", "/v1/workflows/validate", body={"definition": _RUN, "name": None}),
    ),
    # -- answers outside the document ------------------------------------------------------------
    Deviation(
        "UndefinedContentType", _ANY, _ANY, "GET /v1/*stream",
        "Errors before a stream starts are application/json error bodies; the document "
        "declares text/event-stream content for them.",
        Probe("GET", "/v1/runs/{id}/stream", {"id": "not-a-run-id"}),
    ),
    Deviation(
        "UndefinedContentType", 200, _ANY, "POST /v1/ai/workflow/chat/stream",
        "The emulator streams a chat turn as Server-Sent Events where the document describes "
        "the Socket.IO bootstrap ({sessionToken, socketUrl}).",
        Probe("POST", "/v1/ai/workflow/chat/stream", body={"message": "hello"}),
    ),
    Deviation(
        "JsonSchemaError", 200, _ANY, "*",
        "Workflow.type is the trigger node's type as written; the document's WorkflowType "
        "enumerates the server's 57 trigger types.",
        Probe("GET", "/v1/workflows/{id}", {"id": "@custom"}),
        detail="WorkflowType.enum",
    ),
    Deviation(
        "JsonSchemaError", 200, _ANY, "*",
        "What a caller wrote (a definition, its payloads, uiMetadata) is kept as given and "
        "answered as given, also where it broke the document (see AcceptedNegativeData).",
        Probe("GET", "/v1/workflows/{id}", {"id": "@opaque"}),
        detail="echo:*",
    ),
    Deviation(
        "JsonSchemaError", 200, _ANY, "*",
        "Where the document's answer is the untyped SuccessResponse (a swaggo artefact: allOf a "
        "template page), the emulator answers the operation's data: a template or null "
        "(by-source-workflow), a list of tag categories...",
        Probe("GET", "/v1/templates/by-source-workflow/{workflowId}", {"workflowId": "wf_none"}),
        detail="*PaginatedData*Template.type",
    ),
]  # fmt: skip
"""Every accepted deviation, with its reason (also in docs/emulator.md) and its probe."""


@pytest.fixture(scope="module")
def world() -> Any:
    """One seeded emulator for the whole module."""
    found = World(SCHEMA, DOCUMENT, stream_labels(DOCUMENT))
    try:
        seed(found)
        yield found
    finally:
        found.close()
        if REPORT:
            lines = [f"{finding}\n    {text}" for finding, text in sorted(found.report.items())]
            Path(REPORT).write_text("\n".join(lines) + "\n")


@SCHEMA.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@pytest.mark.timeout(300)
def test_operation_conforms(case: schemathesis.Case, world: World) -> None:
    """Every answer conforms to the document, or is a listed deviation."""
    label = f"{case.operation.method.upper()} {case.operation.path}"
    world.ran[label] += 1
    world.substitute(case)
    response = world.call(case)
    world.renew_key(response)
    if response is None:
        return  # a stream that opened: 200 text/event-stream, checked in call()
    with contextlib.suppress(ValueError):
        world.learn(case.operation.path, case.method.upper(), response.json())
    try:
        case.validate_response(response, headers=world.auth)
    except FailureGroup as group:
        unexplained: list[Failure] = []
        for failure in group.exceptions:
            finding = Finding.of(label, failure, response)
            deviation = finding.explained_by(DEVIATIONS)
            if REPORT:
                sent = f"query={case.query!r} body={case.body!r}"[:600]
                detail = f"{failure.title}: {failure.message[:400]!r}\n    {sent}"
                world.report.setdefault(finding, f"{detail}\n    {response.text[:300]!r}")
            if deviation is None:
                unexplained.append(failure)
            else:
                world.seen[deviation.reason] += 1
        if unexplained and not REPORT:
            raise


def test_every_served_operation_was_fuzzed(world: World) -> None:
    """Each operation the emulator serves and the document has was fuzzed in this run."""
    assert set(world.ran) == OPERATIONS, "run the whole module: it checks what the fuzzing did"
    assert world.renewed < 10, "the fuzzing kept losing its key: most cases only met a 401"


def test_every_served_route_is_in_the_document() -> None:
    """The routes the document lacks are exactly the listed emulator-only ones."""
    assert NOT_IN_DOCUMENT == EMULATOR_ONLY


@pytest.mark.parametrize(
    "deviation", DEVIATIONS, ids=[f"{d.kind}-{d.status}-{d.detail or d.codes}" for d in DEVIATIONS]
)
def test_every_listed_deviation_still_occurs(world: World, deviation: Deviation) -> None:
    """The deviation's probe still shows it, and the document still does not allow it."""
    assert demonstrate(world, deviation, DEVIATIONS) is None
