"""The emulator's in-memory state: one :class:`Store` per emulator, nothing persisted.

Theory of operation
-------------------
The store owns the id source and, per area, the *book* that holds the area's objects with the
indexes its list endpoints page through:

* ``orgs`` - a plain dict (``_domain/organizations.py``); ``keys`` and ``access`` - API keys,
  service accounts and the audit log (``_domain/access.py``); ``wallets``, ``databases``,
  ``caddie_memory`` - the organizations' wallets, SQL databases and Caddie's memory;
* ``workflows`` - a :class:`~b3os_async.testing._domain.workflow_book.WorkflowBook` (versions,
  lifecycle, list indexes);
* ``runs`` - a :class:`~b3os_async.testing._domain.runs.RunBook` (per-org, per-workflow and
  per-trigger lists, status indexes and counters);
* ``variables`` / ``releases`` - workflow variables with their writes, and release histories;
* ``caddie`` and ``agent_runs`` - Caddie chat turns, histories, sessions and AI credits
  (``_domain/caddie.py``), agent runs (``_domain/agent_runs.py``);
* ``hooks`` - a :class:`~b3os_async.testing._domain.execution_hooks.HookBook` (execution-hook
  endpoints and the delivery records of hooks and ``send-webhook`` nodes);
* ``collections`` - the items of the simple areas, one ``OrgItems`` per
  :class:`~b3os_async.testing._collection.Collection`, created on first use (connectors and
  inbound webhook events among them);
* ``credits`` - the compute-unit ledger; ``stats`` - executions per node type (statistics);
* area public: ``templates``, ``executions`` (external executions), ``wallets`` (a minimal seam
  for x402), ``x402`` (the facilitator), ``x402_endpoints`` (the catalog), ``tx_index``.

Every object belongs to one organization; lookups take the caller's org id and treat an object of
another organization exactly like a missing one (404). Activity notifications caused by domain
changes go to the broker through the ``publish`` callable given here (``Broker.notify``). Every
book reads time from the one ``clock`` (``_clock.py``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from b3os_async.testing._clock import Clock
from b3os_async.testing._domain.access import AccessBook
from b3os_async.testing._domain.agent_runs import AgentRunBook
from b3os_async.testing._domain.caddie import CaddieBook
from b3os_async.testing._domain.caddie_memory import CaddieMemoryBook
from b3os_async.testing._domain.credits import Ledger
from b3os_async.testing._domain.execution_hooks import HookBook
from b3os_async.testing._domain.executions import ExecutionBook
from b3os_async.testing._domain.org_database import OrgDatabases
from b3os_async.testing._domain.public import TxIndex
from b3os_async.testing._domain.runs import RunBook
from b3os_async.testing._domain.statistics import Statistics
from b3os_async.testing._domain.templates import TemplateBook
from b3os_async.testing._domain.wallets import WalletBook
from b3os_async.testing._domain.workflow_book import WorkflowBook
from b3os_async.testing._domain.workflow_releases import ReleaseBook
from b3os_async.testing._domain.workflow_variables import VariableBook
from b3os_async.testing._domain.x402 import Facilitator
from b3os_async.testing._domain.x402_endpoints import EndpointBook

if TYPE_CHECKING:
    from b3os_async.testing._collection import OrgItems
    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Org
    from b3os_async.testing._domain.runs import Run
    from b3os_async.testing._domain.workflow_book import Publish


class Store:
    """All organizations, keys, workflows, runs and simple-area items of one emulator."""

    def __init__(self, ids: IdSource, publish: Publish, clock: Clock | None = None) -> None:
        self.ids = ids
        self.clock = clock or Clock()  # the emulator's time (_clock.py); real time by default
        self.orgs: dict[str, Org] = {}
        # -- organizations, API keys & service accounts (issue 14) -----------------------------
        self.access = AccessBook(ids)  # keys (by secret, id, org), service accounts, audit log
        self.keys = self.access.keys  # secret -> ApiKey: what the middleware authenticates
        self.wallets = WalletBook(ids)  # wallets, balances, withdrawals, session keys
        self.databases = OrgDatabases()  # one in-memory SQLite database per organization
        self.caddie_memory = CaddieMemoryBook()  # what Caddie remembers, per org and user
        self.workflows = WorkflowBook(ids, publish, self.clock)
        self.runs = RunBook(ids, on_added=self._run_added, clock=self.clock)
        self.variables = VariableBook(self.clock)  # _domain/workflow_variables.py
        self.releases = ReleaseBook(self.workflows, self.clock)  # _domain/workflow_releases.py
        self.collections: dict[str, OrgItems[Any]] = {}
        self.credits = Ledger()  # compute units: balances, charges (_domain/credits.py)
        # area public: templates, external executions, wallets and x402, runs by tx hash
        self.templates = TemplateBook(ids)
        self.executions = ExecutionBook(ids, self.runs)
        # x402 pays from the organizations' wallets above (one wallet book for the emulator)
        self.x402 = Facilitator(self.wallets, ids)
        self.x402_endpoints = EndpointBook(lambda: ids.new("x402_"))
        self.tx_index = TxIndex()
        # Caddie (area 9): chat turns, history, sessions, AI credits; agent runs.
        self.caddie = CaddieBook(ids, time.monotonic)
        self.agent_runs = AgentRunBook(ids, time.monotonic, lambda: self.caddie.pace)
        self.stats = Statistics()  # executions per node type (_domain/statistics.py)
        self.hooks = HookBook(ids)  # execution hooks

    def _run_added(self, run: Run) -> None:
        self.workflows.run_added(run.workflow_id)
        self.tx_index.run_added(run)
