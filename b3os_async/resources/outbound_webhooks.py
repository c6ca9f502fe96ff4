"""``b3.outbound_webhooks``: the deliveries made by workflows' ``send-webhook`` nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.models.outbound_webhooks import OutboundWebhookDelivery
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from b3os_async.pagination import AsyncPager

__all__ = ["OutboundWebhooks"]


class OutboundWebhooks(Resource):
    """Outbound webhook deliveries (``/v1/outbound-webhook``). Get it as ``b3.outbound_webhooks``.

    Execution hooks (B3OS notifying you about runs) are ``b3.execution_hooks``; these are the
    HTTP calls your workflows make with ``send-webhook`` nodes.
    """

    __slots__ = ()

    def deliveries(
        self,
        *,
        workflow_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[OutboundWebhookDelivery]:
        """List deliveries, newest first, lazily; optionally of one workflow only."""
        return self._list(
            OutboundWebhookDelivery,
            "/v1/outbound-webhook/deliveries",
            params={"workflowId": workflow_id},
            page_size=page_size,
            max_items=max_items,
        )

    async def get_delivery(self, delivery_id: str) -> OutboundWebhookDelivery:
        """Get one delivery with its latest attempt's request and response."""
        return await self._get(
            OutboundWebhookDelivery, "/v1/outbound-webhook/deliveries/{}", delivery_id
        )

    async def retry_delivery(self, delivery_id: str) -> OutboundWebhookDelivery:
        """Attempt a failed delivery again: the SAME record (its retry count goes on)."""
        return await self._post(
            OutboundWebhookDelivery, "/v1/outbound-webhook/deliveries/{}/retry", delivery_id
        )

    async def replay_delivery(self, delivery_id: str) -> OutboundWebhookDelivery:
        """Send a delivery again as a NEW record, whatever its status.

        Not retried automatically: a resent request would call the target one more time.
        """
        return await self._post(
            OutboundWebhookDelivery, "/v1/outbound-webhook/deliveries/{}/replay", delivery_id
        )
