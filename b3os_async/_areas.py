"""The API areas of a client: one lazily built resource each (``b3.workflows``, ``b3.runs`` ...).

A mixin of :class:`~b3os_async.B3OS`, kept apart so that the client module stays about the client
(configuration, lifecycle, options, raw access). Each property imports its resource module on
first use (``import b3os_async`` loads none of them) and builds the resource once per client view
with that view's :class:`~b3os_async._transport.session.Requester`. Adding an area adds one
property here (docs/adding-an-api-area.md).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from b3os_async._keyless import PublicAccess

if TYPE_CHECKING:
    from b3os_async._transport.session import Requester
    from b3os_async.resources.actions import Actions
    from b3os_async.resources.activity import Activity
    from b3os_async.resources.agent_runs import AgentRuns
    from b3os_async.resources.api_keys import ApiKeys
    from b3os_async.resources.caddie import Caddie
    from b3os_async.resources.caddie_memory import CaddieMemories
    from b3os_async.resources.compute_units import ComputeUnits
    from b3os_async.resources.connectors import Connectors
    from b3os_async.resources.database import Database
    from b3os_async.resources.execution_hooks import ExecutionHooks  # execution hooks
    from b3os_async.resources.executions import Executions
    from b3os_async.resources.metrics import Metrics
    from b3os_async.resources.organizations import Organizations
    from b3os_async.resources.outbound_webhooks import OutboundWebhooks  # execution hooks
    from b3os_async.resources.runs import Runs
    from b3os_async.resources.search import Search
    from b3os_async.resources.service_accounts import ServiceAccounts
    from b3os_async.resources.tags import Tags
    from b3os_async.resources.templates import Templates
    from b3os_async.resources.triggers import Triggers
    from b3os_async.resources.wallet_sessions import WalletSessions
    from b3os_async.resources.wallets import Wallets
    from b3os_async.resources.workflows import Workflows
    from b3os_async.resources.x402 import X402

__all__ = ["Areas"]


class Areas:
    """The API areas of a :class:`~b3os_async.B3OS` client (see the module docstring)."""

    @property
    def _requester(self) -> Requester:  # the client's (B3OS._requester): requests of this view
        raise NotImplementedError

    @functools.cached_property
    def workflows(self) -> Workflows:
        """Workflows: create, update, publish, run, list, versions."""
        from b3os_async.resources.workflows import Workflows

        return Workflows(self._requester)

    @functools.cached_property
    def runs(self) -> Runs:
        """Runs: get, list, cancel, retry, stream, start."""
        from b3os_async.resources.runs import Runs

        return Runs(self._requester)

    @functools.cached_property
    def activity(self) -> Activity:
        """Organization activity (the notification stream)."""
        from b3os_async.resources.activity import Activity

        return Activity(self._requester)

    # -- workflows and runs, the rest (issue 17) --------------------------------------------------

    @functools.cached_property
    def metrics(self) -> Metrics:
        """Metrics of runs: failure rate, time series, top errors, recent activity, summary."""
        from b3os_async.resources.metrics import Metrics

        return Metrics(self._requester)

    # -- organizations, API keys & service accounts (issue 14) ------------------------------------

    @functools.cached_property
    def api_keys(self) -> ApiKeys:
        """API keys: list, create (the key shown once), get, revoke, the request audit log."""
        from b3os_async.resources.api_keys import ApiKeys

        return ApiKeys(self._requester)

    @functools.cached_property
    def service_accounts(self) -> ServiceAccounts:
        """Service accounts: create, list, get, update, enable, disable, delete."""
        from b3os_async.resources.service_accounts import ServiceAccounts

        return ServiceAccounts(self._requester)

    @functools.cached_property
    def organizations(self) -> Organizations:
        """Organizations: the current one, members, invites, plans, AI credits, auto-swap."""
        from b3os_async.resources.organizations import Organizations

        return Organizations(self._requester)

    @functools.cached_property
    def compute_units(self) -> ComputeUnits:
        """Compute units: balance and threshold, monthly usage, usage by workflow, run costs."""
        from b3os_async.resources.compute_units import ComputeUnits

        return ComputeUnits(self._requester)

    @functools.cached_property
    def wallets(self) -> Wallets:
        """Wallets: list, create, import, rename, set default, archive, withdraw."""
        from b3os_async.resources.wallets import Wallets

        return Wallets(self._requester)

    @functools.cached_property
    def wallet_sessions(self) -> WalletSessions:
        """Wallet session keys: list, create, revoke."""
        from b3os_async.resources.wallet_sessions import WalletSessions

        return WalletSessions(self._requester)

    @functools.cached_property
    def database(self) -> Database:
        """The organization's SQL database: tables, columns, read queries."""
        from b3os_async.resources.database import Database

        return Database(self._requester)

    @functools.cached_property
    def caddie_memory(self) -> CaddieMemories:
        """What Caddie remembers about you: list, edit, delete one or all, the toggles."""
        from b3os_async.resources.caddie_memory import CaddieMemories

        return CaddieMemories(self._requester)

    # -- Caddie (area 9) -------------------------------------------------------------------------

    @functools.cached_property
    def caddie(self) -> Caddie:
        """Caddie, the AI workflow builder: chat (streamed), sessions, history, snapshot, Pulse."""
        from b3os_async.resources.caddie import Caddie

        return Caddie(self._requester)

    @functools.cached_property
    def agent_runs(self) -> AgentRuns:
        """Agent runs: start first-party agents, follow their event logs, list artifacts."""
        from b3os_async.resources.agent_runs import AgentRuns

        return AgentRuns(self._requester)

    # -- area public: templates, public routes, external executions, x402 ------------------------

    @functools.cached_property
    def templates(self) -> Templates:
        """Workflow templates: list, create, versions, stats, and ``use`` (a workflow from one)."""
        from b3os_async.resources.templates import Templates

        return Templates(self._requester)

    public = PublicAccess()

    @functools.cached_property
    def executions(self) -> Executions:
        """External executions (not runs): create, list, get, events, stats, streams."""
        from b3os_async.resources.executions import Executions

        return Executions(self._requester)

    @functools.cached_property
    def x402(self) -> X402:
        """Paid HTTP resources (x402): the catalog, probe, test, execute, import."""
        from b3os_async.resources.x402 import X402

        return X402(self._requester)

    # -- execution hooks -------------------------------------------------------------------------

    @functools.cached_property
    def execution_hooks(self) -> ExecutionHooks:
        """Execution hooks: endpoints notified of run/node changes, and their deliveries."""
        from b3os_async.resources.execution_hooks import ExecutionHooks

        return ExecutionHooks(self._requester)

    @functools.cached_property
    def outbound_webhooks(self) -> OutboundWebhooks:
        """Deliveries made by workflows' ``send-webhook`` nodes."""
        from b3os_async.resources.outbound_webhooks import OutboundWebhooks

        return OutboundWebhooks(self._requester)

    # -- triggers, actions, connectors, search, tags (area-actions) ------------------------------

    @functools.cached_property
    def triggers(self) -> Triggers:
        """Triggers: catalog, trigger info, webhook secret and events, block cursors, prices."""
        from b3os_async.resources.triggers import Triggers

        return Triggers(self._requester)

    @functools.cached_property
    def actions(self) -> Actions:
        """Actions: catalog, test/run, the action proxy, CU costs, faucet, statistics."""
        from b3os_async.resources.actions import Actions

        return Actions(self._requester)

    @functools.cached_property
    def connectors(self) -> Connectors:
        """Connectors: CRUD, connector types and their schemas, MCP connectors and servers."""
        from b3os_async.resources.connectors import Connectors

        return Connectors(self._requester)

    @functools.cached_property
    def search(self) -> Search:
        """Search across actions, triggers, connector types, templates and workflows."""
        from b3os_async.resources.search import Search

        return Search(self._requester)

    @functools.cached_property
    def tags(self) -> Tags:
        """Tags of the catalog and templates, and their categories."""
        from b3os_async.resources.tags import Tags

        return Tags(self._requester)
