"""``b3.triggers``: the trigger catalog, a workflow's trigger info, the organization's webhook
secret, inbound webhook events, and the data some triggers watch (blocks, CEX prices, tickers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async._convert import structure_items
from b3os_async._errors import ConfigurationError
from b3os_async.models.triggers import (
    BlockCursor,
    CexAssets,
    CexPrices,
    IntegrationResult,
    OrgWebhookSecret,
    SituationTicker,
    TriggerDefinition,
    TriggerInfo,
    WebhookEvent,
)
from b3os_async.resources._args import id_list, str_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async._transport.http import QueryValue
    from b3os_async.pagination import AsyncPager

__all__ = ["Triggers"]


class Triggers(Resource):
    """Triggers and inbound webhooks (``/v1/triggers``, ``/v1/webhook-events`` …). Get it as
    ``b3.triggers``.

    Inbound workflow webhooks themselves (``POST /v1/webhooks/{workflowSecret}``) are called by
    other systems, not through the SDK; :meth:`events` shows what they did.
    """

    __slots__ = ()

    async def list(self, *, tags: Sequence[str] | None = None) -> list[TriggerDefinition]:
        """The trigger catalog; with ``tags``, only triggers carrying ALL of them."""
        data = await self._data("GET", "/v1/triggers", params={"tags": str_list(tags, "tags")})
        return list(structure_items(data, TriggerDefinition, path=""))

    async def get(self, trigger_type: str) -> TriggerDefinition:
        """One trigger definition, e.g. ``cronjob`` (``NotFoundError`` for an unknown type)."""
        return await self._get(TriggerDefinition, "/v1/triggers/{}", trigger_type)

    async def info(self, workflow_id: str) -> TriggerInfo:
        """Where a workflow's trigger listens (inbound e-mail address, payment link)."""
        return await self._get(TriggerInfo, "/v1/workflows/{}/trigger-info", workflow_id)

    async def webhook_secret(self, org_id: str | None = None) -> OrgWebhookSecret:
        """The organization's secret for integration webhooks (hidden from ``repr``).

        Args:
            org_id: the organization; default: the client's ``org_id``.
        """
        org = org_id or self._req.manager.org_id
        if not org:
            raise ConfigurationError(
                "webhook_secret() needs an organization: pass org_id=... or create the client "
                "with org_id (B3OS_ORG_ID)"
            )
        return await self._get(OrgWebhookSecret, "/organizations/{}/webhook-secret", org)

    def events(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[WebhookEvent]:
        """The inbound webhook events of the organization, newest first, lazily."""
        return self._list(
            WebhookEvent, "/v1/webhook-events", page_size=page_size, max_items=max_items
        )

    async def replay_event(self, event_id: str) -> IntegrationResult:
        """Process a stored webhook event's body again (it may start a new run): not retried."""
        return await self._post(IntegrationResult, "/v1/webhook-events/{}/replay", event_id)

    async def block_cursor(self, chain_id: int, cursor_type: str = "evm-log") -> BlockCursor:
        """The latest block B3OS indexed on a chain.

        Args:
            chain_id: the chain (1 Ethereum, 8453 Base …).
            cursor_type: ``evm-log`` (contract events) or ``native-transfer``.
        """
        params: dict[str, QueryValue] = {"chainId": chain_id, "cursorType": cursor_type}
        return await self._get(BlockCursor, "/v1/block-cursors", params=params)

    async def cex_assets(self) -> CexAssets:
        """Assets whose CEX price the ``token-price-cexes`` trigger can watch."""
        return await self._get(CexAssets, "/v1/token-price-cexes/available-assets")

    async def cex_prices(self, assets: Sequence[str]) -> CexPrices:
        """Latest CEX prices of ``assets`` (``["BTCUSD", "ETHUSD"]``), as decimal strings."""
        params = {"assets": id_list(assets, "assets")}
        return await self._get(CexPrices, "/v1/token-price-cexes/latest", params=params)

    def situation_universe(
        self,
        *,
        q: str | None = None,
        asset_class: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[SituationTicker]:
        """Tickers the situation monitor covers (for the ``situation-fired`` trigger), lazily.

        Args:
            q: search (ranked: symbol, then name); without it, the rank-ordered listing.
            asset_class: ``equity``, ``crypto`` or ``index``.
            page_size: items per request (``limit``, at most 100).
            max_items: stop after this many items.
        """
        params = {"q": q, "asset_class": asset_class}
        return self._list(
            SituationTicker,
            "/v1/situation/universe",
            params=params,
            page_size=page_size,
            max_items=max_items,
        )
