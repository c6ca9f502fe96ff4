"""``b3.execution_hooks``: endpoints that receive signed run/node notifications, and deliveries.

Receiving them is :mod:`b3os_async.webhooks` (verify and parse) or
:mod:`b3os_async.fastapi` (a ready receiver).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.models.execution_hooks import (
    ExecutionHookDelivery,
    ExecutionHookEndpoint,
    ExecutionHookSecret,
)
from b3os_async.resources._args import compact, str_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async.models._area_enums import HookEventType
    from b3os_async.pagination import AsyncPager

__all__ = ["ExecutionHooks"]


class ExecutionHooks(Resource):
    """Execution-hook endpoints (``/v1/execution-webhooks``). Get it as ``b3.execution_hooks``.

    The API has no update or delete for an endpoint: :meth:`disable` one you no longer want.
    """

    __slots__ = ()

    def list(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[ExecutionHookEndpoint]:
        """List the organization's endpoints, lazily (``async for endpoint in ...``)."""
        return self._list(
            ExecutionHookEndpoint,
            "/v1/execution-webhooks",
            page_size=page_size,
            max_items=max_items,
        )

    async def create(
        self,
        name: str,
        url: str,
        *,
        description: str | None = None,
        subscribed_event_types: Sequence[HookEventType | str] | None = None,
        max_retries: int | None = None,
    ) -> ExecutionHookSecret:
        """Register an endpoint; the answer holds its signing secret, shown only this once.

        Not retried automatically: a resent request could register a second endpoint.

        Args:
            name: a name for the endpoint.
            url: where B3OS POSTs the notifications (HTTPS; the emulator also takes loopback
                ``http://``).
            description: what it is for.
            subscribed_event_types: e.g. ``["run.completed", "run.failed", "node.failed"]``;
                none means every event type.
            max_retries: attempts after the first when your endpoint does not answer 2xx.
        """
        types = str_list(subscribed_event_types, "subscribed_event_types")
        body = compact(
            name=name,
            url=url,
            description=description,
            subscribedEventTypes=None if types is None else [str(t) for t in types],
            maxRetries=max_retries,
        )
        return await self._post(ExecutionHookSecret, "/v1/execution-webhooks", json=body)

    async def get(self, endpoint_id: str) -> ExecutionHookEndpoint:
        """Get one endpoint."""
        return await self._get(ExecutionHookEndpoint, "/v1/execution-webhooks/{}", endpoint_id)

    async def enable(self, endpoint_id: str) -> ExecutionHookEndpoint | None:
        """Resume deliveries to an endpoint (harmless when it is already enabled)."""
        return await self._maybe(
            ExecutionHookEndpoint, "POST", "/v1/execution-webhooks/{}/enable", endpoint_id
        )

    async def disable(self, endpoint_id: str) -> ExecutionHookEndpoint | None:
        """Stop deliveries to an endpoint (harmless when it is already disabled)."""
        return await self._maybe(
            ExecutionHookEndpoint, "POST", "/v1/execution-webhooks/{}/disable", endpoint_id
        )

    async def regenerate_secret(self, endpoint_id: str) -> ExecutionHookSecret:
        """Replace the endpoint's signing secret; the old one stops working at once.

        Not retried automatically: a second rotation would lose the secret of the first. Let
        your receiver accept both secrets while you switch (``webhooks.verify`` takes several).
        """
        return await self._post(
            ExecutionHookSecret, "/v1/execution-webhooks/{}/regenerate-secret", endpoint_id
        )

    def deliveries(
        self,
        *,
        endpoint_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[ExecutionHookDelivery]:
        """List delivery records, newest first, lazily; optionally of one endpoint only."""
        return self._list(
            ExecutionHookDelivery,
            "/v1/execution-webhooks/deliveries",
            params={"endpointId": endpoint_id},
            page_size=page_size,
            max_items=max_items,
        )

    async def get_delivery(self, delivery_id: str) -> ExecutionHookDelivery:
        """Get one delivery record with its latest attempt's request and response."""
        return await self._get(
            ExecutionHookDelivery, "/v1/execution-webhooks/deliveries/{}", delivery_id
        )

    async def retry_delivery(self, delivery_id: str) -> ExecutionHookDelivery:
        """Requeue a failed delivery: the SAME record is attempted again (its count goes on)."""
        return await self._post(
            ExecutionHookDelivery, "/v1/execution-webhooks/deliveries/{}/retry", delivery_id
        )

    async def replay_delivery(self, delivery_id: str) -> ExecutionHookDelivery:
        """Send a delivery again as a NEW record (any status; for backfills and audits).

        Not retried automatically: a resent request would deliver the event one more time.
        """
        return await self._post(
            ExecutionHookDelivery, "/v1/execution-webhooks/deliveries/{}/replay", delivery_id
        )
