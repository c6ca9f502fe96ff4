"""Execution-hook models: endpoints, their signing secret, delivery records and hook events.

An *execution hook* is an endpoint of yours that B3OS POSTs signed run and node notifications to
(``/v1/execution-webhooks``); every attempt to deliver one is a *delivery record*.
:class:`HookEvent` is what :func:`b3os_async.webhooks.parse` makes of a received notification.
Headers of delivery records can carry credentials (an ``Authorization`` a node sent, a cookie):
they are left out of ``repr``. (No ``from __future__ import annotations``: see
:mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import DeliveryStatus, HookEndpointStatus, HookEventType

__all__ = [
    "ExecutionHookDelivery",
    "ExecutionHookEndpoint",
    "ExecutionHookSecret",
    "HookEvent",
]


@attrs.frozen(kw_only=True)
class ExecutionHookEndpoint:
    """A registered execution-hook endpoint (``ExecutionWebhookEndpoint``).

    ``subscribed_event_types`` empty means every event type. ``max_retries`` bounds the attempts
    after the first one; ``status`` is ``active`` or ``disabled`` (since ``disabled_at``).
    """

    id: str
    organization_id: str | None = None
    name: str | None = None
    description: str | None = None
    url: str | None = None
    subscribed_event_types: tuple[str, ...] = ()
    max_retries: int | None = None
    status: HookEndpointStatus | None = None
    disabled_at: datetime | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ExecutionHookSecret:
    """An endpoint with its signing secret, as ``create`` and ``regenerate_secret`` return it.

    The API shows the secret this once: store it where your receiver reads it. It never
    appears in ``repr``.
    """

    signing_secret: str = attrs.field(repr=False)
    endpoint: ExecutionHookEndpoint | None = None


@attrs.frozen(kw_only=True)
class ExecutionHookDelivery:
    """One delivery of a hook event to an endpoint, with every attempt's outcome.

    ``status``: ``pending`` (queued), ``retrying`` (an attempt failed; the next is at
    ``next_retry_at``), ``success`` (a 2xx answer) or ``failure`` (``max_retries`` spent).
    ``retry_count`` counts the attempts after the first. ``response_*``, ``duration_ms`` and
    ``error_message`` describe the latest attempt; ``request_body`` is the JSON that was sent.
    """

    id: str
    organization_id: str | None = None
    endpoint_id: str | None = None
    event_type: str | None = None
    run_id: str | None = None
    execution_id: str | None = None
    workflow_id: str | None = None
    status: DeliveryStatus | None = None
    retry_count: int | None = None
    max_retries: int | None = None
    next_retry_at: datetime | None = None
    request_body: dict[str, Any] | None = None
    request_headers: dict[str, Any] | None = attrs.field(default=None, repr=False)
    response_status: int | None = None
    response_body: str | None = None
    response_headers: dict[str, Any] | None = attrs.field(default=None, repr=False)
    duration_ms: int | None = None
    error_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class HookEvent:
    """One execution-hook notification, verified and parsed (:func:`b3os_async.webhooks.parse`).

    * ``type``: an open enum (``run.completed``, ``node.failed`` ...); a type this SDK does not
      know is still an event (``type.is_known`` is ``False``), never an error. Read from the
      payload's ``eventType`` (or ``type``).
    * ``id``: the event's own id when the payload has one (what redeliveries share).
    * ``run_id`` / ``execution_id`` / ``workflow_id`` / ``node_id`` / ``status``: when present.
    * ``timestamp``: when the event happened (timezone-aware), if the payload says.
    * ``data``: the whole JSON payload, as received.

    The API documents no payload schema: a field missing from the payload, or of an unexpected
    JSON type, is ``None`` here and still in ``data``.
    """

    type: HookEventType
    id: str | None = None
    run_id: str | None = None
    execution_id: str | None = None
    workflow_id: str | None = None
    node_id: str | None = None
    status: str | None = None
    timestamp: datetime | None = None
    data: dict[str, Any] = attrs.field(factory=dict)

    @property
    def dedupe_key(self) -> str:
        """What identifies this event across redeliveries, as the API's docs advise.

        The event id when there is one; else the execution id plus the event type; else the
        run id, the node id and the event type.
        """
        if self.id:
            return f"id:{self.id}"
        if self.execution_id:
            return f"execution:{self.execution_id}:{self.type.value}"
        return f"run:{self.run_id or ''}:{self.node_id or ''}:{self.type.value}"
