"""Execution hooks: endpoints, delivery records (hooks and ``send-webhook`` nodes), and the book.

Theory of operation
-------------------
An :class:`Endpoint` is ``active`` or ``disabled`` and holds its signing secret (shown once, at
creation and at each regeneration). A run or node event of an organization becomes one
:class:`Delivery` per active endpoint of that organization subscribed to its type (no
subscriptions = every type); a ``send-webhook`` node makes one outbound :class:`Delivery`. The
book only records and changes state; sending is the delivery worker's (``_hook_delivery.py``),
which the book tells about every record to (re)send through :attr:`HookBook.enqueue`.

A delivery's life: ``pending`` (queued) -> an attempt -> ``success`` (2xx), or ``retrying``
(``retry_count < max_retries``: another attempt at ``next_retry_at``) -> ... -> ``failure``.
``retry_count`` counts the attempts after the first. Every attempt updates the record (request
headers, response status/body/headers, duration, error) and is kept in ``attempts`` (the
emulator's own log; the API shows the latest attempt only). Manual operations:

* **retry** requeues the SAME record; only a ``failure`` may be retried (409004 otherwise). It
  gets one more attempt (its ``retry_count`` goes on); if that fails it is ``failure`` again.
* **replay** creates a NEW record from the original's request body, whatever its status, with the
  endpoint's current ``maxRetries``. A replay to a disabled endpoint is refused (409004).

Lists are newest first and append-only (records are never deleted), so a page is one slice of the
organization's list, or of the endpoint's / workflow's list when filtered.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import attrs

from b3os_async.testing._actions import is_loopback_host
from b3os_async.testing._common import bad_field, not_found, now_iso, wrong_state

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Principal

HOOK_ENDPOINT_NOT_FOUND = 404071
HOOK_DELIVERY_NOT_FOUND = 404072
OUTBOUND_DELIVERY_NOT_FOUND = 404073

EVENT_TYPES = {
    "run_started": "run.started",
    "run_waiting": "run.waiting",
    "run_completed": "run.completed",
    "run_failed": "run.failed",
    "run_cancelled": "run.cancelled",
    "node_started": "node.started",
    "node_completed": "node.completed",
    "node_failed": "node.failed",
    "node_skipped": "node.skipped",
}
"""Run-stream event -> execution-hook event type (``run_resumed`` sends no hook)."""
HOOK_EVENT_TYPES = frozenset(EVENT_TYPES.values())

DEFAULT_MAX_RETRIES = 5
MAX_RETRIES_LIMIT = 10
MAX_DESCRIPTION = 1000


def _check_url(url: str) -> str:
    """An endpoint URL: ``https://`` anywhere, or ``http://`` to a loopback host only."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise bad_field(f"'url' must be an absolute http(s) URL, got {url[:200]!r}")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise bad_field("'url' must use https (plain http is accepted for loopback hosts only)")
    return url


def _check_types(types: Sequence[Any]) -> tuple[str, ...]:
    unknown = [t for t in types if not isinstance(t, str) or t not in HOOK_EVENT_TYPES]
    if unknown:
        known = ", ".join(sorted(HOOK_EVENT_TYPES))
        raise bad_field(
            f"unknown event type(s) {unknown!r} in 'subscribedEventTypes'; known: {known}"
        )
    return tuple(dict.fromkeys(types))  # without repeats, in the order given


def check_max_retries(value: Any, name: str = "maxRetries") -> int:
    """A retry budget: an int 0..10 (the emulator's own bound; the API publishes none)."""
    if value is None:
        return DEFAULT_MAX_RETRIES
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES_LIMIT:
        raise bad_field(f"{name!r} must be an integer from 0 to {MAX_RETRIES_LIMIT}")
    return value


@attrs.define
class Endpoint:
    """An execution-hook endpoint of one organization."""

    id: str
    org_id: str
    name: str
    description: str | None
    url: str
    subscribed: tuple[str, ...]
    max_retries: int
    created_at: str
    created_by: str
    secret: str = attrs.field(repr=False)
    status: str = "active"
    disabled_at: str | None = None
    updated_at: str | None = None

    def wants(self, event_type: str) -> bool:
        """Whether this endpoint receives events of ``event_type`` right now."""
        return self.status == "active" and (not self.subscribed or event_type in self.subscribed)


@attrs.define
class Attempt:
    """One attempt to deliver a record (the emulator's own log; the API shows the latest)."""

    at: str
    response_status: int | None
    duration_ms: int
    error: str | None


@attrs.define
class Delivery:
    """A delivery record: ``kind`` ``hook`` (to an endpoint) or ``outbound`` (``send-webhook``)."""

    id: str
    kind: str
    org_id: str
    url: str
    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    """Headers to send besides those of every attempt (``send-webhook``'s own headers)."""
    max_retries: int
    created_at: str
    endpoint_id: str | None = None
    event_type: str | None = None
    run_id: str | None = None
    workflow_id: str | None = None
    node_id: str | None = None
    status: str = "pending"
    retry_count: int = 0
    next_retry_at: str | None = None
    request_headers: dict[str, str] | None = None
    response_status: int | None = None
    response_body: str | None = None
    response_headers: dict[str, str] | None = None
    duration_ms: int | None = None
    error_message: str | None = None
    updated_at: str | None = None
    attempts: list[Attempt] = attrs.field(factory=list)
    attempted: int = 0
    """Attempts made (the first one included)."""


T = TypeVar("T")


def _newest_first(items: list[T], offset: int, limit: int) -> tuple[list[T], bool]:
    """Items ``offset .. offset + limit`` counted from the end of an append-only list."""
    end = len(items) - offset
    if end <= 0:
        return [], False
    start = max(0, end - limit)
    return list(reversed(items[start:end])), start > 0


class HookBook:
    """Every endpoint and delivery record of one emulator, with the lists the API pages through.

    ``enqueue`` is set by the delivery worker: the book calls it with each record to (re)send.
    Until a worker is attached, records stay ``pending``.
    """

    def __init__(self, ids: IdSource) -> None:
        self._ids = ids
        self.enqueue: Callable[[Delivery], None] = lambda delivery: None
        self._endpoints: dict[str, Endpoint] = {}
        self._endpoint_order: dict[str, list[Endpoint]] = {}  # per org, oldest first
        self._deliveries: dict[str, Delivery] = {}
        self._lists: dict[tuple[str, ...], list[Delivery]] = {}

    # -- endpoints ---------------------------------------------------------------------------------

    def create(
        self,
        who: Principal,
        *,
        name: str,
        url: str,
        description: str | None,
        types: Sequence[Any],
        max_retries: Any,
    ) -> Endpoint:
        """A new active endpoint with a fresh signing secret."""
        if not name.strip():
            raise bad_field("'name' must not be blank")
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise bad_field(f"'description' is longer than {MAX_DESCRIPTION} characters")
        at = now_iso()
        endpoint = Endpoint(
            id=self._ids.new("whk_"),
            org_id=who.org_id,
            name=name,
            description=description,
            url=_check_url(url),
            subscribed=_check_types(types),
            max_retries=check_max_retries(max_retries),
            created_at=at,
            created_by=who.user_id,
            secret=self._new_secret(),
            updated_at=at,
        )
        self._endpoints[endpoint.id] = endpoint
        self._endpoint_order.setdefault(who.org_id, []).append(endpoint)
        return endpoint

    def _new_secret(self) -> str:
        # A credential: from `secrets`, not the seeded id streams (a seeded one is well known).
        return "whsec_" + secrets.token_hex(24)

    def endpoint(self, org_id: str, endpoint_id: str) -> Endpoint:
        """The organization's endpoint (404071 otherwise)."""
        found = self._endpoints.get(endpoint_id)
        if found is None or found.org_id != org_id:
            raise not_found(HOOK_ENDPOINT_NOT_FOUND, f"execution webhook {endpoint_id!r}")
        return found

    def endpoints_page(self, org_id: str, limit: int, offset: int) -> tuple[list[Endpoint], bool]:
        """The organization's endpoints, newest first."""
        return _newest_first(self._endpoint_order.get(org_id, []), offset, limit)

    def set_status(self, endpoint: Endpoint, status: str) -> Endpoint:
        """Enable or disable (repeating is harmless and changes nothing)."""
        if endpoint.status != status:
            at = endpoint.updated_at = now_iso()
            endpoint.status = status
            endpoint.disabled_at = at if status == "disabled" else None
        return endpoint

    def regenerate(self, endpoint: Endpoint) -> Endpoint:
        """Replace the signing secret; attempts from now on are signed with the new one."""
        endpoint.secret = self._new_secret()
        endpoint.updated_at = now_iso()
        return endpoint

    def subscribers(self, org_id: str, event_type: str) -> list[Endpoint]:
        """The organization's endpoints that receive ``event_type`` now."""
        return [e for e in self._endpoint_order.get(org_id, ()) if e.wants(event_type)]

    # -- deliveries ------------------------------------------------------------------------------

    def run_event(self, org_id: str, workflow_id: str, event: dict[str, Any]) -> list[Delivery]:
        """One delivery per endpoint subscribed to this run event's hook type (maybe none)."""
        event_type = EVENT_TYPES.get(event.get("type", ""))
        if event_type is None:
            return []
        endpoints = self.subscribers(org_id, event_type)
        if not endpoints:
            return []
        data = {key: event[key] for key in ("seq", "result", "error") if key in event}
        body = {
            "id": self._ids.new("evt_", stream="hookevent"),
            "eventType": event_type,
            "runId": event.get("runId"),
            "workflowId": workflow_id or None,
            "nodeId": event.get("nodeId"),
            "status": event.get("status"),
            "timestamp": event.get("timestamp"),
            "data": data,
        }
        body = {key: value for key, value in body.items() if value is not None}
        return [self.new_hook_delivery(endpoint, body) for endpoint in endpoints]

    def add(self, delivery: Delivery) -> Delivery:
        """Record a new delivery and queue it."""
        self._deliveries[delivery.id] = delivery
        self._lists.setdefault((delivery.kind, delivery.org_id), []).append(delivery)
        by = delivery.endpoint_id if delivery.kind == "hook" else delivery.workflow_id
        if by:
            self._lists.setdefault((delivery.kind, delivery.org_id, by), []).append(delivery)
        self.enqueue(delivery)
        return delivery

    def new_hook_delivery(self, endpoint: Endpoint, body: dict[str, Any]) -> Delivery:
        """A pending delivery of one hook event (``body``) to ``endpoint``."""
        return self.add(
            Delivery(
                id=self._ids.new("whd_"),
                kind="hook",
                org_id=endpoint.org_id,
                url=endpoint.url,
                method="POST",
                body=body,
                headers={},
                max_retries=endpoint.max_retries,
                created_at=now_iso(),
                endpoint_id=endpoint.id,
                event_type=body.get("eventType"),
                run_id=body.get("runId"),
                workflow_id=body.get("workflowId"),
                node_id=body.get("nodeId"),
            )
        )

    def new_outbound(
        self,
        *,
        org_id: str,
        run_id: str,
        workflow_id: str,
        node_id: str,
        url: str,
        method: str,
        headers: dict[str, str],
        body: dict[str, Any],
        max_retries: int,
    ) -> Delivery:
        """A pending delivery of a ``send-webhook`` node."""
        return self.add(
            Delivery(
                id=self._ids.new("owd_"),
                kind="outbound",
                org_id=org_id,
                url=url,
                method=method,
                body=body,
                headers=headers,
                max_retries=max_retries,
                created_at=now_iso(),
                run_id=run_id,
                workflow_id=workflow_id or None,
                node_id=node_id,
            )
        )

    def delivery(self, kind: str, org_id: str, delivery_id: str) -> Delivery:
        """The organization's delivery record of ``kind`` (404072 / 404073 otherwise)."""
        found = self._deliveries.get(delivery_id)
        if found is None or found.org_id != org_id or found.kind != kind:
            code = HOOK_DELIVERY_NOT_FOUND if kind == "hook" else OUTBOUND_DELIVERY_NOT_FOUND
            noun = "execution webhook delivery" if kind == "hook" else "outbound webhook delivery"
            raise not_found(code, f"{noun} {delivery_id!r}")
        return found

    def deliveries_page(
        self, kind: str, org_id: str, by: str | None, limit: int, offset: int
    ) -> tuple[list[Delivery], bool]:
        """Newest first; ``by`` = only this endpoint's (hooks) / workflow's (outbound)."""
        key = (kind, org_id) if by is None else (kind, org_id, by)
        return _newest_first(self._lists.get(key, []), offset, limit)

    def retry(self, delivery: Delivery) -> Delivery:
        """Requeue a failed record (the same one) for one more attempt."""
        if delivery.status != "failure":
            raise wrong_state(
                f"delivery {delivery.id!r} is {delivery.status}; only failed deliveries "
                "can be retried (replay sends any delivery again as a new one)"
            )
        if delivery.kind == "hook":
            self._active_endpoint(delivery)
        delivery.status = "pending"
        delivery.next_retry_at = None
        delivery.updated_at = now_iso()
        self.enqueue(delivery)
        return delivery

    def replay(self, original: Delivery) -> Delivery:
        """A new record with the original's request, queued (any original status)."""
        if original.kind == "hook":
            endpoint = self._active_endpoint(original)
            return self.new_hook_delivery(endpoint, dict(original.body))
        return self.new_outbound(
            org_id=original.org_id,
            run_id=original.run_id or "",
            workflow_id=original.workflow_id or "",
            node_id=original.node_id or "",
            url=original.url,
            method=original.method,
            headers=dict(original.headers),
            body=dict(original.body),
            max_retries=original.max_retries,
        )

    def _active_endpoint(self, delivery: Delivery) -> Endpoint:
        endpoint = self._endpoints[delivery.endpoint_id or ""]  # never deleted
        if endpoint.status != "active":
            raise wrong_state(f"execution webhook {endpoint.id!r} is disabled; enable it first")
        return endpoint

    def endpoint_of(self, delivery: Delivery) -> Endpoint | None:
        """The endpoint a hook delivery goes to (``None`` for outbound deliveries)."""
        return self._endpoints.get(delivery.endpoint_id or "")
