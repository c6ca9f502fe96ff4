"""Trigger models: definitions, a workflow's trigger info, the organization's webhook secret,
inbound webhook events and what processing one did, block cursors, CEX prices, tickers.

(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import WebhookEventAction, WebhookEventStatus
from b3os_async.models.actions import ConnectorRequirement

__all__ = [
    "BlockCursor",
    "CexAssets",
    "CexPrices",
    "IntegrationResult",
    "OrgWebhookSecret",
    "SituationTicker",
    "TriggerDefinition",
    "TriggerInfo",
    "WebhookEvent",
]


@attrs.frozen(kw_only=True)
class TriggerDefinition:
    """A trigger of the catalog: its configuration and result JSON schemas, what it needs.

    ``wait_payload_schema`` is set for triggers a ``wait`` node can wait for.
    """

    type: str
    name: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    platform: str | None = None
    payload_schema: dict[str, Any] | None = None
    result_schema: dict[str, Any] | None = None
    wait_payload_schema: dict[str, Any] | None = None
    connector: ConnectorRequirement | None = None
    logo_url: str | None = None
    documentation_url: str | None = None
    created_by: str | None = None


@attrs.frozen(kw_only=True)
class TriggerInfo:
    """Where a workflow's trigger listens: an inbound e-mail address or a payment link."""

    email_address: str | None = None
    payment_link_url: str | None = None


@attrs.frozen(kw_only=True)
class OrgWebhookSecret:
    """The organization's secret for integration webhooks (hidden from ``repr``)."""

    secret: str | None = attrs.field(default=None, repr=False)
    webhook_url: str | None = None


@attrs.frozen(kw_only=True)
class WebhookEvent:
    """One inbound webhook delivery: its body, what was done, the run it started."""

    id: str
    organization_id: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    platform: str | None = None
    body: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    status: WebhookEventStatus | None = None
    action_taken: WebhookEventAction | None = None
    error_message: str | None = None
    created_at: datetime | None = None
    processed_at: datetime | None = None


@attrs.frozen(kw_only=True)
class IntegrationResult:
    """What processing (or replaying) a webhook did: ``action``, the event, the runs started."""

    action: WebhookEventAction | None = None
    event_id: str | None = None
    reason: str | None = None
    run_ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class BlockCursor:
    """The latest block B3OS indexed on a chain (for ``evm-log`` / ``native-transfer``)."""

    chain_id: int | None = None
    last_block: int | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class CexAssets:
    """Assets the ``token-price-cexes`` trigger can watch (``BTCUSD`` …)."""

    assets: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class CexPrices:
    """Latest CEX prices by asset, as exact decimal strings (``"97312.5542"``)."""

    prices: dict[str, str] | None = None


@attrs.frozen(kw_only=True)
class SituationTicker:
    """A ticker the situation monitor covers; ``type`` is ``equity``, ``crypto`` or ``index``."""

    symbol: str | None = None
    name: str | None = None
    exchange: str | None = None
    type: str | None = None
