"""Receiving execution hooks: verify the signature, parse the event, drop redeliveries.

Pure: no I/O and no aiohttp, so it fits any web framework::

    from b3os_async.webhooks import parse

    event = parse(raw_body, request.headers, secret)   # WebhookVerificationError if not genuine
    if event.type == "run.failed":
        ...

What B3OS documents (api notes §4): each hook is a JSON POST whose ``x-b3os-signature`` header is
the lowercase hex HMAC-SHA256 of the **raw request body**, keyed with the endpoint's signing
secret; no prefix, no timestamp, no event-id header. So:

* Verify the bytes as received, before any JSON parsing: a body parsed and re-serialised by a
  framework no longer matches its signature.
* The comparison is constant-time (:func:`hmac.compare_digest`). Several secrets may be given at
  once, to accept the old and the new one while rotating (``regenerate_secret``).
* The header name is a parameter (``header=``): the docs warn that a deployment may emit other
  signature headers. A ``sha256=`` prefix and upper-case hex are tolerated.
* Nothing here ever puts a secret, or the signature received, in an error message or a repr.
* There is no timestamp to bound replays and the API may deliver a hook more than once: keep a
  :class:`HookDeduper` and answer a duplicate 2xx without handling it again. It keys events as
  the docs advise (:attr:`HookEvent.dedupe_key`: the event id, else execution id + type, else
  run id + node id + type).

The payload's fields are not documented either; :func:`parse` reads the ones the API's delivery
records show (``eventType``, ``runId``, ``executionId``, ``workflowId``) plus ``id``, ``nodeId``,
``status`` and ``timestamp``, and keeps the whole object in :attr:`HookEvent.data`. An unknown
event type is an event (``type.is_known`` is ``False``), never an error.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from b3os_async._errors import ConfigurationError, WebhookVerificationError
from b3os_async._transport.json_parser import loads
from b3os_async.models._area_enums import HookEventType
from b3os_async.models.execution_hooks import HookEvent

__all__ = [
    "SIGNATURE_HEADER",
    "HookDeduper",
    "HookEvent",
    "HookEventType",
    "Verifier",
    "parse",
    "verify",
]

SIGNATURE_HEADER = "x-b3os-signature"
"""The header B3OS documents for the signature (configurable: ``header=``)."""

Secret = str | bytes
Secrets = Secret | Sequence[Secret]

_HEX = frozenset("0123456789abcdef")


def _keys(secret: Secrets) -> tuple[bytes, ...]:
    items = [secret] if isinstance(secret, (str, bytes)) else list(secret)
    keys = tuple(item.encode() if isinstance(item, str) else bytes(item) for item in items)
    if not keys or not all(keys):
        # An empty key would "verify" signatures anyone can compute.
        raise ConfigurationError("an execution-hook secret must be a non-empty string or bytes")
    return keys


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # Case-insensitive mappings (Starlette, aiohttp) answered already; a plain dict may hold
        # the name in any case.
        lowered = name.lower()
        for key, item in headers.items():
            if key.lower() == lowered:
                return item
    return value


class Verifier:
    """Checks signatures against one or more secrets and parses verified hooks.

    Build one per receiver (the secrets are encoded once): ``Verifier([new, old])``. The module
    functions :func:`verify` and :func:`parse` are the same thing for a single call.
    """

    __slots__ = ("_keys", "header")

    def __init__(self, secret: Secrets, *, header: str = SIGNATURE_HEADER) -> None:
        self._keys = _keys(secret)
        self.header = header

    def __repr__(self) -> str:
        return f"Verifier(<{len(self._keys)} secret(s)>, header={self.header!r})"

    def verify(self, body: bytes, signature: str | None) -> None:
        """Raise :class:`WebhookVerificationError` unless ``signature`` signs ``body``."""
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise ConfigurationError(
                "verify the raw request body as bytes (a decoded or re-encoded body does not "
                f"match its signature), got {type(body).__name__}"
            )
        given = signature.strip().lower() if signature is not None else ""
        if given.startswith("sha256="):
            given = given[7:]
        if len(given) != 64 or not given.isascii():
            # Cheap checks first: a value of the wrong length costs no HMAC.
            if signature is None or not signature.strip():
                raise WebhookVerificationError(
                    f"the request has no {self.header} header: it was not signed by B3OS",
                    reason="missing_signature",
                )
            raise self._malformed()
        for key in self._keys:
            if hmac.compare_digest(hmac.digest(key, body, "sha256").hex(), given):
                return
        if not _HEX.issuperset(given):
            raise self._malformed()
        raise WebhookVerificationError(
            f"the {self.header} header does not match the body: wrong secret, or the body was "
            "changed (verify the raw bytes, before any JSON parsing)",
            reason="signature_mismatch",
        )

    def _malformed(self) -> WebhookVerificationError:
        return WebhookVerificationError(
            f"the {self.header} header is not a hex HMAC-SHA256 signature",
            reason="malformed_signature",
        )

    def parse(self, body: bytes, headers: Mapping[str, str]) -> HookEvent:
        """Verify ``body`` with the signature in ``headers``, then return its :class:`HookEvent`."""
        self.verify(body, _header(headers, self.header))
        return event_from_body(body)


def verify(
    body: bytes, signature: str | None, secret: Secrets, *, header: str = SIGNATURE_HEADER
) -> None:
    """Raise :class:`WebhookVerificationError` unless ``signature`` is the HMAC of ``body``.

    ``secret`` may be several secrets (any one matching is enough). ``header`` only names the
    header in error messages.
    """
    Verifier(secret, header=header).verify(body, signature)


def parse(
    body: bytes, headers: Mapping[str, str], secret: Secrets, *, header: str = SIGNATURE_HEADER
) -> HookEvent:
    """Verify a received hook (raw ``body`` and its ``headers``), then return it as a HookEvent.

    Raises :class:`WebhookVerificationError` whose ``reason`` is ``missing_signature``,
    ``malformed_signature``, ``signature_mismatch`` or (a genuine body that is not a hook
    event) ``invalid_payload``.
    """
    return Verifier(secret, header=header).parse(body, headers)


_parse_datetime: Any = None  # b3os_async._convert.parse_datetime, imported on first use


def _timestamp(value: Any) -> Any:
    global _parse_datetime
    if type(value) is not str:
        return None
    if _parse_datetime is None:
        from b3os_async._convert import parse_datetime  # cattrs: loaded on first timestamp

        _parse_datetime = parse_datetime
    try:
        return _parse_datetime(value)
    except ValueError:
        return None  # the text stays in data


# The enum's own value table (members and cached unknown types): a dict lookup is faster than
# calling the enum class for every hook.
_KNOWN_TYPES: Mapping[str, HookEventType] = HookEventType._value2member_map_  # type: ignore[assignment]


def _hook_event_factory() -> Callable[..., HookEvent]:
    """A positional constructor of :class:`HookEvent` that writes its slots directly.

    Why: the frozen attrs ``__init__`` sets each slot through ``object.__setattr__`` and costs
    about as much as the rest of parsing a hook. HookEvent has no validators, converters or
    post-init hook, so storing through the slot descriptors builds an instance equal to
    ``HookEvent(...)`` (a test checks this stays true), as the stream decoders do for RunEvent.
    """
    new = object.__new__
    fields = ("type", "id", "run_id", "execution_id", "workflow_id", "node_id", "status")
    s_type, s_id, s_run, s_exe, s_wf, s_node, s_status = (
        HookEvent.__dict__[name].__set__ for name in fields
    )
    s_ts, s_data = (HookEvent.__dict__[name].__set__ for name in ("timestamp", "data"))

    def make(
        kind: HookEventType,
        event_id: Any,
        run_id: Any,
        execution_id: Any,
        workflow_id: Any,
        node_id: Any,
        status: Any,
        timestamp: Any,
        data: dict[str, Any],
    ) -> HookEvent:
        event: HookEvent = new(HookEvent)
        s_type(event, kind)
        s_id(event, event_id)
        s_run(event, run_id)
        s_exe(event, execution_id)
        s_wf(event, workflow_id)
        s_node(event, node_id)
        s_status(event, status)
        s_ts(event, timestamp)
        s_data(event, data)
        return event

    return make


_new_hook_event = _hook_event_factory()


def event_from_body(body: bytes | bytearray | memoryview) -> HookEvent:
    """The :class:`HookEvent` of a hook body that was already verified (no signature check)."""
    try:
        data = loads(body if isinstance(body, bytes) else bytes(body))
    except ValueError:
        data = None
    if type(data) is not dict:
        raise WebhookVerificationError(
            "the signed body is not a JSON object", reason="invalid_payload"
        )
    get = data.get
    kind = get("eventType")
    if type(kind) is not str:
        kind = get("type")
        if type(kind) is not str:
            kind = get("event")
            if type(kind) is not str:
                raise WebhookVerificationError(
                    "the signed body names no event type (eventType)", reason="invalid_payload"
                )
    event_id, run_id, execution_id = get("id"), get("runId"), get("executionId")
    workflow_id, node_id, status = get("workflowId"), get("nodeId"), get("status")
    if type(event_id) is not str:
        event_id = get("eventId")
    return _new_hook_event(
        _KNOWN_TYPES.get(kind) or HookEventType(kind),
        event_id if type(event_id) is str else None,
        run_id if type(run_id) is str else None,
        execution_id if type(execution_id) is str else None,
        workflow_id if type(workflow_id) is str else None,
        node_id if type(node_id) is str else None,
        status if type(status) is str else None,
        _timestamp(get("timestamp")),
        data,
    )


class HookDeduper:
    """Remembers the last ``maxsize`` handled events, to skip redeliveries (bounded memory).

    ``if deduper.seen(event): return 204`` -- or, to count an event only once it was handled
    (so a failed attempt is redelivered and handled then), check ``event in deduper`` first and
    ``deduper.add(event)`` after success. Keys are :attr:`HookEvent.dedupe_key`; the oldest are
    forgotten first.
    """

    __slots__ = ("_keys", "maxsize")

    def __init__(self, maxsize: int = 10_000) -> None:
        if type(maxsize) is not int or maxsize < 1:
            raise ConfigurationError(f"maxsize must be a positive int, got {maxsize!r}")
        self.maxsize = maxsize
        self._keys: dict[str, None] = {}  # insertion-ordered: a FIFO set

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, event: object) -> bool:
        return isinstance(event, HookEvent) and event.dedupe_key in self._keys

    def add(self, event: HookEvent) -> None:
        """Remember ``event`` as handled."""
        keys = self._keys
        keys[event.dedupe_key] = None
        if len(keys) > self.maxsize:
            del keys[next(iter(keys))]

    def discard(self, event: HookEvent) -> None:
        """Forget ``event`` (e.g. its handler failed after all)."""
        self._keys.pop(event.dedupe_key, None)

    def seen(self, event: HookEvent) -> bool:
        """``True`` if ``event`` was seen before; otherwise remember it and return ``False``."""
        if event.dedupe_key in self._keys:
            return True
        self.add(event)
        return False
