"""Outbound-webhook models: the deliveries made by workflows' ``send-webhook`` nodes.

(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import DeliveryStatus

__all__ = ["OutboundWebhookDelivery"]


@attrs.frozen(kw_only=True)
class OutboundWebhookDelivery:
    """One delivery made by a workflow's ``send-webhook`` node (``/v1/outbound-webhook``).

    Statuses and attempt fields as in :class:`ExecutionHookDelivery`; ``url`` and ``method``
    are where it was sent, ``node_id`` the node that sent it.
    """

    id: str
    organization_id: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    node_id: str | None = None
    url: str | None = None
    method: str | None = None
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
