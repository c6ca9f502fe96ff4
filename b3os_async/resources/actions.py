"""``b3.actions``: the action catalog, single actions (test, run, the action proxy), CU costs,
the testnet faucet and execution statistics."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, cast

import attrs

from b3os_async._convert import structure, structure_items, unstructure
from b3os_async.models.actions import (
    ActionDefinition,
    ActionProxyResult,
    ActionRunResult,
    ActionTestResult,
    CuCosts,
    FaucetClaim,
    LatencySeries,
    NodeStatistics,
    UsageSeries,
)
from b3os_async.resources._args import compact, json_object, str_list, unix_ms
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from b3os_async._transport.http import QueryValue
    from b3os_async.models.definitions import ConnectorReference

__all__ = ["Actions"]


def _connector(value: ConnectorReference | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A node-style connector reference (``{type, id}``) as JSON."""
    if value is not None and attrs.has(type(value)):
        return dict(unstructure(value))
    return json_object(cast("Mapping[str, Any] | None", value), "connector")


class Actions(Resource):
    """Actions (``/v1/actions``, the action proxy, CU costs, statistics). Get it as
    ``b3.actions``.

    :meth:`test`, :meth:`run` and :meth:`execute` execute an action and charge compute units
    (``InsufficientCreditsError`` when the balance is short; its ``details`` carry the balance);
    they are never retried automatically. :meth:`query` runs read-only actions for free.
    """

    __slots__ = ()

    async def list(self, *, tags: Sequence[str] | None = None) -> builtins.list[ActionDefinition]:
        """The action catalog; with ``tags``, only actions carrying ALL of them."""
        data = await self._data("GET", "/v1/actions", params={"tags": str_list(tags, "tags")})
        return builtins.list(structure_items(data, ActionDefinition, path=""))

    async def get(self, action_type: str) -> ActionDefinition:
        """One action definition with its input and result JSON schemas (``NotFoundError``)."""
        return await self._get(ActionDefinition, "/v1/actions/{}", action_type)

    async def logic(self) -> builtins.list[ActionDefinition]:
        """The built-in logic actions (``if``, ``wait``, ``delay`` …)."""
        data = await self._data("GET", "/v1/logic-actions")
        return builtins.list(structure_items(data, ActionDefinition, path=""))

    async def test(
        self,
        action_type: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        connector: ConnectorReference | Mapping[str, Any] | None = None,
    ) -> ActionTestResult:
        """Execute an action once to try it; charges its CU cost. Never retried.

        A failing action is ``success=False`` with ``error``; inputs that do not fit its
        schema are a ``BadRequestError`` whose ``details`` name each field.

        Args:
            action_type: the action, e.g. ``slack-send-message``.
            inputs: the node payload to try (checked against ``payload_schema``).
            connector: the connector to use, ``{"type": "slack", "id": "conn_…"}``.
        """
        body = compact(inputs=json_object(inputs, "inputs") or {}, connector=_connector(connector))
        return await self._post(ActionTestResult, "/v1/actions/{}/test", action_type, json=body)

    async def run(
        self,
        action_type: str,
        *,
        inputs: Mapping[str, Any] | None = None,
        connector_id: str | None = None,
    ) -> ActionRunResult:
        """Execute an action now, outside any workflow; charges its CU cost. Never retried.

        A failing action raises (a 502, ``InternalServerError``, whose ``details`` carry the
        action's error).

        Args:
            action_type: the action, e.g. ``send-erc20-token``.
            inputs: the action's input (checked against ``payload_schema``).
            connector_id: the connector to use (for wallet actions: the wallet id).
        """
        body = compact(inputs=json_object(inputs, "inputs") or {}, connectorId=connector_id)
        return await self._post(ActionRunResult, "/v1/actions/{}/run", action_type, json=body)

    async def execute(
        self,
        action_type: str,
        *,
        payload: Mapping[str, Any],
        wallet_id: str,
        connector_id: str | None = None,
        connector_type: str | None = None,
        simulate: bool | None = None,
    ) -> ActionProxyResult:
        """Execute an action through the proxy: it may move funds and charges CU. Never retried.

        Args:
            action_type: the action, e.g. ``swap-tokens``.
            payload: the action's input.
            wallet_id: the organization wallet that signs.
            connector_id: a connector to use, if the action needs one.
            connector_type: that connector's type.
            simulate: simulate the transaction instead of sending it.
        """
        body = compact(
            payload=json_object(payload, "payload") or {},
            walletId=wallet_id,
            connectorId=connector_id,
            connectorType=connector_type,
            simulate=simulate,
        )
        path = "/v1/action-proxy/{}/execute"
        return await self._post(ActionProxyResult, path, action_type, json=body)

    async def query(
        self,
        action_type: str,
        *,
        payload: Mapping[str, Any] | None = None,
        wallet_id: str | None = None,
        connector_id: str | None = None,
        connector_type: str | None = None,
    ) -> ActionProxyResult:
        """Run a read-only action through the proxy (no CU, no side effect; retried as a GET).

        Args:
            action_type: a read-only action, e.g. ``coingecko-get-token-price``.
            payload: the action's input.
            wallet_id: a wallet, for actions that read one.
            connector_id: a connector to use, if the action needs one.
            connector_type: that connector's type.
        """
        body = compact(
            payload=json_object(payload, "payload") or {},
            walletId=wallet_id,
            connectorId=connector_id,
            connectorType=connector_type,
        )
        path = "/v1/action-proxy/{}/query"
        # Read-only and free: resending cannot change anything, so it is retried like a GET.
        return await self._post(ActionProxyResult, path, action_type, json=body, idempotent=True)

    async def costs(self) -> CuCosts:
        """What each action and trigger costs in compute units (``costs.cost("echo")``)."""
        return await self._get(CuCosts, "/v1/cu/costs")

    async def claim_faucet(
        self, *, wallet_address: str | None = None, tokens: Sequence[str] | None = None
    ) -> FaucetClaim:
        """Send testnet tokens to the organization's default wallet (or ``wallet_address``).

        Sends tokens: never retried.
        """
        body = compact(walletAddress=wallet_address, tokens=str_list(tokens, "tokens"))
        return await self._post(FaucetClaim, "/v1/faucet/claim", json=body)

    async def statistics(self) -> dict[str, NodeStatistics]:
        """Cumulative statistics of every action and trigger type, by type."""
        data = await self._data("GET", "/v1/statistics")
        return structure(data, dict[str, NodeStatistics])

    async def latency(
        self, action_type: str, *, start: datetime, end: datetime, granularity: str = "hourly"
    ) -> LatencySeries:
        """Latency of an action over time (average, p50, p95 per bucket).

        Args:
            action_type: the action.
            start: the window's start (timezone-aware).
            end: the window's end (timezone-aware).
            granularity: ``hourly`` or ``daily``.
        """
        params = _window(start, end, granularity)
        path = "/v1/statistics/action/{}/latency"
        return await self._get(LatencySeries, path, action_type, params=params)

    async def usage(
        self,
        node_type: str,
        node_id: str,
        *,
        start: datetime,
        end: datetime,
        granularity: str = "hourly",
    ) -> UsageSeries:
        """How often an action or trigger type executed over time.

        Args:
            node_type: ``action`` or ``trigger``.
            node_id: the action or trigger type.
            start: the window's start (timezone-aware).
            end: the window's end (timezone-aware).
            granularity: ``hourly`` or ``daily``.
        """
        params = _window(start, end, granularity)
        path = "/v1/statistics/{}/{}/usage"
        return await self._get(UsageSeries, path, node_type, node_id, params=params)


def _window(start: datetime, end: datetime, granularity: str) -> dict[str, QueryValue]:
    """The query of the statistics time series: ``from``/``to`` in Unix ms, ``granularity``."""
    return {"from": unix_ms(start, "start"), "to": unix_ms(end, "end"), "granularity": granularity}
