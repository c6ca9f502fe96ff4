"""Small shared pieces of the emulator: the error type, error codes, ids, clock and JSON.

Error codes follow B3OS's published pattern ``HTTP status * 1000 + n``. Only the four run-creation
codes are published by B3OS; the others are the emulator's own, chosen consistently:

======  =======================================================================
code    meaning
======  =======================================================================
400001  request body is not valid JSON, or not a JSON object
400002  a body field is missing or has the wrong type/value
400003  invalid paging parameter (``limit``/``offset`` not 64-bit integers)
400004  invalid query parameter (filter, sort, ``since``, ``summary``, ``ids`` …)
400005  too many ids in ``/v1/workflow-runs/stream`` (max 24)
400006  an x402 resource URL the emulator will not call (not http(s), not loopback)
400007  an x402 import whose probe or payment failed (nothing was created)
400008  a value does not match its JSON schema (action inputs, connector data); ``details``
        lists ``{field, message}`` per problem
400078  invalid run ID (must start with ``run_``)                      *published*
400079  duplicate run ID                                              *published*
400090  malformed request: bad framing, a request line or header over aiohttp's limits
400228  invalid workflow definition                                   *published*
400229  ephemeral runs need a ``manual`` trigger                      *published*
401001  missing bearer token
401002  invalid API key
401003  invalid resume secret
401004  missing or wrong client token of a public execution (``?token=``)
402002  no AI credits left for a Caddie chat turn (``_domain/caddie.py``)
403001  the API key's scope (``read``) does not allow this (any non-GET request)
403002  ``X-Org-ID`` does not match the API key's organization
403004  the workflow is public but not ``public_execute`` (it cannot be run publicly)
403005  only the template's organization may change it
404001  no such route
404002  workflow not found (or in another organization)
404003  run not found (or in another organization)
404004  workflow version not found
404005  workflow has no draft
404006  workflow has no live version
404007  node not found in the run's definition
404008  agent run not found (or in another organization)
404009  template not found (or not visible to the caller)
404010  template version not found
404011  external execution not found (or in another organization)
404012  x402 endpoint not found
404013  no such action, trigger or connector type in the catalog
404014  connector not found (or in another organization)
404015  webhook event not found (or in another organization)
404016  no block cursor for this chain and cursor type
404017  workflow variable not found
404018  workflow release not found
405001  method not allowed on this route (the answer has an ``Allow`` header)
409001  version conflict (``expectedCurrentVersion`` / ``expectedVersion``)
409002  run is not cancellable (already finished)
409003  run is not retryable (only failure, partial and cancelled runs are)
409004  workflow is in the wrong state for this operation (archived, no draft, …)
409005  an x402 endpoint with this URL already exists
409006  an idempotency key already used for another workflow's execution
413001  request body larger than ``_limits.MAX_BODY_BYTES`` (1 MiB)
4xx000  / 5xx000  injected by ``Fault.status``/``Fault.burst`` (``status * 1000``)
429001  injected rate limit (``Fault.rate_limit``)
500001  an unexpected error inside the emulator (a bug: the emulator's log has the traceback)
502001  a single action (``POST /v1/actions/{type}/run``) failed while executing
======  =======================================================================

Codes of the organizations, API keys and service accounts areas (a block of their own, 4xx040+):

======  =======================================================================
code    meaning
======  =======================================================================
400040  the org database refused the SQL (syntax, unknown table, several statements)
400041  the SQL would write: ``database/query`` runs read-only statements only
400042  the SQL ran longer than the query time limit
400043  the wallet's balance does not cover the withdrawal
400044  the default (or only) wallet cannot be archived
400045  the organization already has the maximum number of active API keys
401040  the API key was revoked
401041  the API key has expired
401042  the API key's service account is disabled or deleted
403040  the caller lacks the permission the operation needs (``details`` name it)
404040  organization not found (or not the API key's)
404041  API key not found (or in another organization)
404042  service account not found (or in another organization)
404043  wallet not found (or archived, or in another organization)
404044  wallet session key not found (or in another organization)
404045  table not found in the org database
404046  Caddie memory not found
409040  the name is already used (service account, wallet)
409041  the wallet address is already registered in the organization
409042  the wallet session key is already revoked
======  =======================================================================
"""

from __future__ import annotations

import copy
import random
import re
from datetime import datetime, timezone
from typing import Any

from b3os_async.testing import _json, _limits

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

BAD_JSON = 400001
BAD_FIELD = 400002
BAD_PAGING = 400003
BAD_QUERY = 400004
TOO_MANY_IDS = 400005
# area public (templates, public routes, external executions, x402)
BAD_RESOURCE_URL = 400006
X402_IMPORT_FAILED = 400007
BAD_CLIENT_TOKEN = 401004
NOT_PUBLIC_EXECUTE = 403004
NOT_TEMPLATE_OWNER = 403005
TEMPLATE_NOT_FOUND = 404009
TEMPLATE_VERSION_NOT_FOUND = 404010
EXECUTION_NOT_FOUND = 404011
X402_ENDPOINT_NOT_FOUND = 404012
X402_ENDPOINT_EXISTS = 409005
IDEMPOTENCY_CONFLICT = 409006
# area actions (triggers, actions, connectors, search, tags)
SCHEMA_MISMATCH = 400008
INVALID_RUN_ID = 400078
DUPLICATE_RUN_ID = 400079
INVALID_DEFINITION = 400228
NON_MANUAL_TRIGGER = 400229
MISSING_TOKEN = 401001
INVALID_KEY = 401002
INVALID_SECRET = 401003
READ_ONLY_KEY = 403001
ORG_MISMATCH = 403002
NO_ROUTE = 404001
WORKFLOW_NOT_FOUND = 404002
RUN_NOT_FOUND = 404003
VERSION_NOT_FOUND = 404004
DRAFT_NOT_FOUND = 404005
LIVE_NOT_FOUND = 404006
NODE_NOT_FOUND = 404007
AGENT_RUN_NOT_FOUND = 404008
CATALOG_NOT_FOUND = 404013
CONNECTOR_NOT_FOUND = 404014
WEBHOOK_EVENT_NOT_FOUND = 404015
CURSOR_NOT_FOUND = 404016
VARIABLE_NOT_FOUND = 404017
RELEASE_NOT_FOUND = 404018
METHOD_NOT_ALLOWED = 405001
VERSION_CONFLICT = 409001
NOT_CANCELLABLE = 409002
NOT_RETRYABLE = 409003
WRONG_STATE = 409004
BODY_TOO_LARGE = 413001
BAD_REQUEST = 400090  # malformed request (_protocol.py)
RATE_LIMITED = 429001
INTERNAL_ERROR = 500001
ACTION_FAILED = 502001

# -- organizations, API keys & service accounts (issue 14): codes 4xx040+ ------------------------
SQL_ERROR = 400040
SQL_NOT_READ_ONLY = 400041
SQL_TIMEOUT = 400042
INSUFFICIENT_FUNDS = 400043
WALLET_NOT_ARCHIVABLE = 400044
KEY_LIMIT = 400045
KEY_REVOKED = 401040
KEY_EXPIRED = 401041
ACCOUNT_DISABLED = 401042
PERMISSION_DENIED = 403040
ORG_NOT_FOUND = 404040
API_KEY_NOT_FOUND = 404041
SERVICE_ACCOUNT_NOT_FOUND = 404042
WALLET_NOT_FOUND = 404043
SESSION_NOT_FOUND = 404044
TABLE_NOT_FOUND = 404045
MEMORY_NOT_FOUND = 404046
DUPLICATE_NAME = 409040
DUPLICATE_ADDRESS = 409041
SESSION_REVOKED = 409042

MAX_JSON_DEPTH = _limits.MAX_JSON_DEPTH
"""Deepest nesting of objects/arrays a request body may have (the emulator's own limit)."""


class ApiError(Exception):
    """An error answer: HTTP ``status``, numeric ``code``, ``message`` and ``details``."""

    def __init__(
        self, status: int, code: int, message: str, details: list[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


def not_found(code: int, what: str) -> ApiError:
    """A 404 with a message naming what was not found."""
    return ApiError(404, code, f"{what} not found")


def bad_field(message: str) -> ApiError:
    """A 400 for a body field that is missing or wrong."""
    return ApiError(400, BAD_FIELD, message)


def wrong_state(message: str) -> ApiError:
    """A 409 (409004) for an operation the object's current state does not allow."""
    return ApiError(409, WRONG_STATE, message)


def check_version(
    name: str, expected: int | None, actual: int | None, what: str = "workflow"
) -> None:
    """A 409 (409001) when an optimistic-locking ``expected`` version is not ``actual``."""
    if expected is not None and expected != actual:
        raise ApiError(
            409,
            VERSION_CONFLICT,
            f"version conflict: {name} is {expected} but the {what} is at {actual}",
            [{name: expected, "currentVersion": actual}],
        )


class IdSource:
    """Seeded id generators: the same seed and the same calls give the same ids.

    Each kind of id draws from its own stream, so an extra request (a client retry, say) changes
    the request ids that follow but not the workflow or run ids.
    """

    def __init__(self, seed: int) -> None:
        self._streams: dict[str, random.Random] = {}
        self._seed = seed

    def rng(self, stream: str) -> random.Random:
        """The seeded random generator of one stream (created on first use)."""
        rng = self._streams.get(stream)
        if rng is None:
            rng = self._streams[stream] = random.Random(f"{self._seed}:{stream}")
        return rng

    def new(self, prefix: str, length: int = 16, *, stream: str | None = None) -> str:
        """``prefix`` followed by ``length`` random lowercase letters/digits."""
        rng = self.rng(stream or prefix)
        return prefix + "".join(rng.choice(_ALPHABET) for _ in range(length))


def now() -> datetime:
    """The current time, UTC."""
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and a ``Z``: ``2025-01-02T03:04:05.678Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def now_iso() -> str:
    """The current time as RFC 3339 UTC (see :func:`iso`)."""
    return iso(now())


def parse_time(text: str) -> datetime | None:
    """Parse an RFC 3339 timestamp (``Z`` or offset); ``None`` when it is not one."""
    candidate = text.strip()
    # A "+00:00" offset sent unencoded in a query string arrives as " 00:00": put the "+" back.
    candidate = re.sub(r" (\d\d:\d\d)$", r"+\1", candidate)
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    if "T" not in candidate and "t" not in candidate:
        return None
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed


def copy_json(value: Any, what: str = "request body") -> Any:
    """A deep copy of JSON-like ``value``; 400002 when it is nested too deeply to copy.

    ``copy.deepcopy`` recurses (a few frames per level); request bodies are already limited to
    ``MAX_JSON_DEPTH`` levels, so this is the backstop that keeps a copy from ever becoming a 500.
    """
    try:
        return copy.deepcopy(value)
    except RecursionError:
        raise ApiError(400, BAD_FIELD, f"{what} is nested too deeply to copy") from None


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON-like ``value`` nests objects/arrays more than ``limit`` levels deep.

    Walks with an explicit stack (no recursion), so any depth can be measured.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 kept as is, exact integers of any length (see ``_json.py``)."""
    return _json.dumps(value)


def quoted(value: str) -> str:
    """``repr(value)`` for an error message, cut to ``MAX_QUOTED_CHARS`` (a caller's value)."""
    limit = _limits.MAX_QUOTED_CHARS
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "…"


_RUN_ID = re.compile(r"run_[A-Za-z0-9_-]{1,120}", re.ASCII)


def is_run_id(value: object) -> bool:
    """Whether ``value`` is an acceptable run id: ``run_`` then 1-120 of ``[A-Za-z0-9_-]``."""
    return isinstance(value, str) and _RUN_ID.fullmatch(value) is not None


def compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """``mapping`` without its ``None`` values (the schemas type optional fields, never null)."""
    return {key: value for key, value in mapping.items() if value is not None}
