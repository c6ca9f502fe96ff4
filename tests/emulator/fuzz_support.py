"""The machinery of ``test_schemathesis.py``: the document, the emulator, findings and probes.

* :func:`fuzzed_document` - B3OS's OpenAPI document restricted to the operations the emulator
  serves (found in its route tables), with swaggo's ``oneOf: [{type: object}, X]`` request
  bodies read as ``X`` and the path parameters it forgets to declare declared (as strings).
* :class:`World` - one emulator on 127.0.0.1 in a thread of its own, seeded with workflows and
  runs in every state, the ids it has answered, and what the fuzzing found.
* :class:`Finding` / :class:`Deviation` - a failed Schemathesis check, and an accepted one.
* :class:`Probe` / :func:`demonstrate` - a fixed request that shows a deviation still happens
  (and that the document still does not allow it): the list of deviations cannot rot, although
  what the fuzzing generates varies from run to run (Schemathesis learns from the answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import fnmatch
import json
import re
import threading
import zlib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import jsonschema
import referencing
import requests
from aiohttp import web
from referencing.jsonschema import DRAFT202012
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.openapi.checks import JsonSchemaError

from b3os_async.testing import Emulator, routes

if TYPE_CHECKING:
    import schemathesis

OPENAPI = Path(__file__).resolve().parents[1] / "data" / "b3os-openapi.json"
METHODS = ("get", "put", "post", "delete", "patch")
ECHOED = frozenset({"definition", "workflowDefinition", "uiMetadata", "payload", "input", "result"})
"""Keys under which an answer repeats what a caller wrote (a definition, a payload...)."""


# -- the document ----------------------------------------------------------------------------


def template(path: str) -> str:
    """``path`` with every ``{parameter}`` written ``{}``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def served_routes() -> set[tuple[str, str]]:
    """``(METHOD, path with {} for parameters)`` of every route the emulator serves."""
    found: set[tuple[str, str]] = set()
    for table in routes.discover():
        for route in table:
            if isinstance(route, web.RouteDef):
                found.add((route.method, template(route.path)))
    return found


def _unwrap_swaggo(schema: Any) -> Any:
    """``oneOf: [{type: object}, X]`` (a swaggo artefact) read as ``X``."""
    if isinstance(schema, dict) and isinstance(schema.get("oneOf"), list):
        rest = [item for item in schema["oneOf"] if item != {"type": "object"}]
        if len(rest) == 1 and len(schema["oneOf"]) == 2:
            return {key: value for key, value in rest[0].items() if key != "summary"}
    return schema


def fuzzed_document() -> tuple[dict[str, Any], set[tuple[str, str]]]:
    """The document restricted to the served operations, and the served routes it lacks."""
    assert OPENAPI.is_file(), f"the B3OS OpenAPI document is missing: {OPENAPI}"
    document = json.loads(OPENAPI.read_text())
    served = served_routes()
    paths: dict[str, Any] = {}
    covered: set[tuple[str, str]] = set()
    for path, item in document["paths"].items():
        kept = {}
        for method, operation in item.items():
            key = (method.upper(), template(path))
            if method not in METHODS or key not in served:
                continue
            covered.add(key)
            operation = copy.deepcopy(operation)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                content["schema"] = _unwrap_swaggo(content.get("schema"))
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            for name in re.findall(r"\{([^}]*)\}", path):
                if name not in declared:  # the document forgets some (plan-options' orgId)
                    parameter = {"name": name, "in": "path", "required": True}
                    operation.setdefault("parameters", []).append(
                        {**parameter, "schema": {"type": "string"}}
                    )
            kept[method] = operation
        if kept:
            paths[path] = kept
    return {**document, "paths": paths}, served - covered


def streams(document: dict[str, Any]) -> set[str]:
    """Labels (``GET /path``) of the operations that answer ``text/event-stream``."""
    return {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if "text/event-stream" in operation["responses"].get("200", {}).get("content", {})
    }


# -- findings and deviations -----------------------------------------------------------------


class Deviation(NamedTuple):
    """A finding the emulator answers on purpose (``None``: any value of that part)."""

    kind: str
    """Schemathesis's failure class (``UndefinedStatusCode``, ``RejectedPositiveData``...)."""
    status: int | None
    codes: frozenset[int] | None
    """B3OS error codes of the answer."""
    operations: str
    """An ``fnmatch`` pattern on ``"METHOD /path"``."""
    reason: str
    probe: Probe
    """A fixed request that shows it (see :func:`demonstrate`)."""
    detail: str | None = None
    """For ``JsonSchemaError``: ``"<schema>.<keyword>"``, ``echo:`` first for caller content."""


class Probe(NamedTuple):
    """A request: ``params`` values starting with ``@`` name one of ``World.named``."""

    method: str
    path: str
    """The document's path template."""
    params: dict[str, str] = {}
    query: dict[str, str] = {}
    body: Any = None
    headers: dict[str, str] = {}
    """Sent instead of the world's (``Authorization`` to probe a bad key)."""


def _code(response: Any) -> int | None:
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, int) and code >= 400000 else None


class Finding(NamedTuple):
    """One failed check: operation, Schemathesis failure kind, status, B3OS error code."""

    operation: str
    kind: str
    status: int
    code: int | None
    detail: str | None

    @classmethod
    def of(cls, operation: str, failure: Failure, response: Any) -> Finding:
        """The finding ``failure`` (a failed check on ``response``) stands for."""
        detail = None
        if isinstance(failure, JsonSchemaError):
            found = re.search(r"Schema at /components/schemas/(\S+?):?\n", failure.message)
            schema = found.group(1).rsplit(".", 1)[-1] if found else "?"
            keyword = failure.schema_path[-1] if failure.schema_path else "?"
            echoed = ECHOED.intersection(str(part) for part in failure.instance_path)
            detail = ("echo:" if echoed else "") + f"{schema}.{keyword}"
        return cls(operation, type(failure).__name__, response.status_code, _code(response), detail)

    def explained_by(self, deviations: list[Deviation]) -> Deviation | None:
        """The deviation that explains this finding, if one does."""
        for deviation in deviations:
            if (
                deviation.kind == self.kind
                and deviation.status in (None, self.status)
                and (deviation.codes is None or self.code in deviation.codes)
                and fnmatch.fnmatchcase(self.operation, deviation.operations)
                and (
                    deviation.detail is None
                    or fnmatch.fnmatchcase(self.detail or "", deviation.detail)
                )
            ):
                return deviation
        return None


# -- the emulator under test -----------------------------------------------------------------


class World:
    """An emulator on 127.0.0.1 in a thread of its own, the ids it has, what the fuzzing saw."""

    def __init__(self, schema: Any, document: dict[str, Any], stream_labels: set[str]) -> None:
        self.schema = schema
        self.document = document
        self.streams = stream_labels
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.emulator: Emulator = self._wait(self._start())
        self.url = self.emulator.url
        self.auth: dict[str, str] = {}
        self.protected: set[str] = set()
        """Ids never put in a path: the key the fuzzing uses (revoking it locks the run out)."""
        self.renewed = 0
        """How often the key stopped working (revoked, expired...) and a new one was made."""

        self.session = requests.Session()
        self.ids: dict[str, list[str]] = {}
        """Id prefix (``wf_``) -> ids seen in answers."""
        self.collections: dict[str, str] = {}
        """Collection path (``/v1/workflows``) -> the id prefix of its objects."""
        self.named: dict[str, str] = {}
        """Objects the probes use (``archived`` -> a workflow id...)."""
        self._use(self.emulator.api_key)
        self.named["org"], key = self._wait(self._probes_org())
        self.probe_auth = {"Authorization": f"Bearer {key}"}
        """The probes' organization: the fuzzing cannot change what the probes read."""
        self.ran: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        """How often each deviation (by reason) explained a finding of the fuzzing."""
        self.report: dict[Finding, str] = {}

    def _wait(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    async def _start(self) -> Emulator:
        emulator = Emulator(seed=11, caddie_pace=0)
        await emulator.start()
        return emulator

    async def _probes_org(self) -> tuple[str, str]:
        return self.emulator.create_org("Probes")

    def _use(self, key: str) -> None:
        self.auth = {"Authorization": f"Bearer {key}"}
        self.protected.add(self.emulator._ctx.store.keys[key].id)

    def renew_key(self, response: Any) -> None:
        """A new key when the fuzzing made its own stop working (401040..401042: revoked...)."""
        if (
            response is not None
            and response.status_code == 401
            and _code(response)
            in (
                401040,
                401041,
                401042,
            )
        ):

            async def new_key() -> str:
                return self.emulator.create_api_key()

            self._use(self._wait(new_key()))
            self.renewed += 1

    def close(self) -> None:
        """Stop the emulator and its thread."""
        self.session.close()
        self._wait(self.emulator.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    # -- ids -------------------------------------------------------------------------------

    def learn(self, path: str, method: str, body: Any) -> None:
        """Remember the ids an answer names, and which collection path holds them."""
        data = body.get("data", body) if isinstance(body, dict) else body
        collection = path.split("{", 1)[0].rstrip("/")
        items = data.get("items") if isinstance(data, dict) else None
        found = [data] if isinstance(data, dict) else []
        found += [item for item in items or [] if isinstance(item, dict)]
        for item in found:
            for key, value in item.items():
                if not (isinstance(value, str) and "_" in value[1:12] and key[-2:] in ("id", "Id")):
                    continue
                if value in self.protected:
                    continue
                prefix = value[: value.index("_", 1) + 1]
                known = self.ids.setdefault(prefix, [])
                if value not in known and len(known) < 40:
                    known.append(value)
                if key == "id" and "{" not in path and method in ("GET", "POST"):
                    self.collections.setdefault(collection, prefix)

    def substitute(self, case: schemathesis.Case) -> None:
        """Replace path ids by real ones in two cases out of three (chosen from the value)."""
        path = case.operation.path
        for name, value in list((case.path_parameters or {}).items()):
            collection = path.split("{" + name + "}", 1)[0].rstrip("/")
            known = self.ids.get(self.collections.get(collection) or "", [])
            pick = zlib.crc32(repr(value).encode())
            if known and pick % 3:
                case.path_parameters[name] = known[pick % len(known)]

    # -- calls -----------------------------------------------------------------------------

    def call(self, case: schemathesis.Case, headers: dict[str, str] | None = None) -> Any:
        """Send ``case``; a stream is closed after its first bytes (they never end)."""
        label = f"{case.method.upper()} {case.operation.path}"
        sent_headers = {**self.auth, **(headers or {})}
        if label not in self.streams:
            return case.call(base_url=self.url, headers=sent_headers, session=self.session)
        sent = case.as_transport_kwargs(base_url=self.url, headers=sent_headers)
        raw = self.session.request(**sent, stream=True, timeout=10)
        if raw.headers.get("Content-Type", "").startswith("text/event-stream"):
            first = next(raw.iter_content(64), b"")
            raw.close()
            assert raw.status_code == 200, (label, raw.status_code)
            assert first.startswith(b"retry: "), (label, first)
            return None
        raw.content  # noqa: B018 - an error answer: read it whole before validating it
        return raw

    def request(self, method: str, path: str, body: Any = None, *, probes: bool = False) -> Any:
        """A plain JSON request (setup); the answer's ``data``.

        ``probes``: as the probes' organization, whose objects the fuzzing never sees; else
        as the fuzzing's, learning the ids of the answer.
        """
        headers = self.probe_auth if probes else self.auth
        response = self.session.request(method, self.url + path, json=body, headers=headers)
        assert response.status_code == 200, response.text
        answer = response.json()
        if not probes:
            self.learn(path.split("?")[0], method, answer)
        return answer["data"]


def seed(world: World) -> None:
    """Workflows and runs in every state (real ids lead past the 404s), and the probes' objects
    (in an organization of their own)."""
    nodes = {
        "root": {"type": "manual", "payload": {}, "children": ["wait", "echo"]},
        "wait": {"type": "wait", "payload": {}},
        "echo": {"type": "echo", "payload": {"n": "{{root.result.n}}"}},
    }
    definition = {"nodes": nodes, "triggerNodeIds": ["root"]}
    body = {"name": "fuzzed", "description": "seed", "definition": definition}
    for probes in (False, True):
        for state in ("draft", "active", "paused", "archived"):
            workflow = world.request("POST", "/v1/workflows", body, probes=probes)
            base = f"/v1/workflows/{workflow['id']}"
            world.named[state] = workflow["id"]
            if state != "draft":
                world.request("POST", f"{base}/publish", {}, probes=probes)
            if state == "paused":
                world.request("POST", f"{base}/pause", {}, probes=probes)
            world.request("POST", f"{base}/run", {"payload": {"n": 1}}, probes=probes)
            if state == "archived":
                world.request("DELETE", base, probes=probes)
    failing = {"nodes": {"root": {"type": "manual", "children": ["f"]}, "f": {"type": "fail"}}}
    for inline in (definition, failing):
        world.request("POST", "/v1/runs", {"definition": inline})
    # What two probes read back: a trigger type of our own, an object the emulator keeps as given.
    custom = {**body, "definition": {"nodes": {"root": {"type": "custom-trigger", "payload": {}}}}}
    world.named["custom"] = world.request("POST", "/v1/workflows", custom, probes=True)["id"]
    opaque = copy.deepcopy(body)
    opaque["definition"]["nodes"]["echo"]["connector"] = {"type": "wallet", "chainId": "one"}
    world.named["opaque"] = world.request("POST", "/v1/workflows", opaque, probes=True)["id"]
    public = world.request("GET", "/v1/templates?category=public", probes=True)["items"]
    world.named["builtin"] = public[0]["id"]
    for path in ("/v1/workflows", "/v1/runs", "/v1/organizations"):
        world.request("GET", path)


# -- probes ----------------------------------------------------------------------------------


def _request_errors(document: dict[str, Any], probe: Probe) -> list[str]:
    """What in the probe's request the document does not allow (body and query)."""
    resource = referencing.Resource.from_contents(document, default_specification=DRAFT202012)
    registry = referencing.Registry().with_resource("urn:b3os", resource)
    operation = document["paths"][probe.path][probe.method.lower()]
    errors: list[str] = []

    def check(pointer: str, value: Any) -> None:
        validator = jsonschema.Draft202012Validator({"$ref": pointer}, registry=registry)
        errors.extend(error.message for error in validator.iter_errors(value))

    escaped = probe.path.replace("~", "~0").replace("/", "~1")
    base = f"urn:b3os#/paths/{escaped}/{probe.method.lower()}"
    if probe.body is not None:
        check(f"{base}/requestBody/content/application~1json/schema", probe.body)
    for index, parameter in enumerate(operation.get("parameters", [])):
        if parameter["in"] == "query" and parameter["name"] in probe.query:
            value: Any = probe.query[parameter["name"]]
            if parameter["schema"].get("type") in ("integer", "number", "boolean"):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)  # what the text of a query string stands for
            check(f"{base}/parameters/{index}/schema", value)
    return errors


_CHECKS = {
    "UndefinedStatusCode": status_code_conformance,
    "UndefinedContentType": content_type_conformance,
    "JsonSchemaError": response_schema_conformance,
}


def demonstrate(world: World, deviation: Deviation, deviations: list[Deviation]) -> str | None:
    """``None`` when the deviation's probe still shows it; else what the probe found instead."""
    probe = deviation.probe
    params = {k: world.named[v[1:]] if v.startswith("@") else v for k, v in probe.params.items()}
    operation = world.schema[probe.path][probe.method]
    case = operation.Case(
        path_parameters=params,
        query=probe.query,
        **({} if probe.body is None else {"body": probe.body, "media_type": "application/json"}),
    )
    response = world.call(case, {**world.probe_auth, **probe.headers})
    if response is None:
        return "the probe opened a stream"
    label = f"{probe.method} {probe.path}"
    if deviation.kind in _CHECKS:
        try:
            case.validate_response(response, checks=[_CHECKS[deviation.kind]], headers=world.auth)
        except FailureGroup as group:
            findings = [Finding.of(label, failure, response) for failure in group.exceptions]
        else:
            findings = []
    else:  # positive/negative data: is the request valid, and how was it answered?
        errors = _request_errors(world.document, probe)
        valid = deviation.kind == "RejectedPositiveData"
        if valid == bool(errors):
            return f"the probe's request is {'not ' if valid else ''}valid: {errors[:2]}"
        findings = [Finding(label, deviation.kind, response.status_code, _code(response), None)]
    explained = [finding for finding in findings if finding.explained_by(deviations) is deviation]
    if not explained:
        return f"{response.status_code} {response.text[:200]!r}: {findings}"
    return None
