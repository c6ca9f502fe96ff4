"""Models of the read-only workflow views: counts, batch metadata and stats, links, fund needs.

Token amounts (``required_amount``, ``FundBalance.amount``) are kept as the strings the API
sends: raw units (wei) by default, which ``int(...)`` turns into an exact integer, or a human
readable decimal when ``amount_is_human_readable`` is true.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime

import attrs

from b3os_async.models._enums import RunStatus, WorkflowStatus
from b3os_async.models.run_results import WorkflowRunCounts

__all__ = [
    "FundAnalysis",
    "FundBalance",
    "FundRequirement",
    "IncomingLinks",
    "RecentRunItem",
    "WorkflowCounts",
    "WorkflowMeta",
    "WorkflowOrganization",
    "WorkflowOwnerCounts",
    "WorkflowStats",
]


@attrs.frozen(kw_only=True)
class WorkflowCounts:
    """Workflows by status under the list's filters, and the trigger/connector types found."""

    total: int = 0
    active: int = 0
    paused: int = 0
    draft: int = 0
    archived: int = 0
    available_types: tuple[str, ...] = ()
    available_connectors: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class WorkflowOwnerCounts:
    """Workflows by owner scope: yours, your organization's, public ones."""

    yours: int = 0
    org: int = 0
    public: int = 0


@attrs.frozen(kw_only=True)
class WorkflowMeta:
    """Lightweight metadata of one workflow (``batch_meta``)."""

    id: str | None = None
    name: str | None = None
    status: WorkflowStatus | None = None
    has_draft: bool | None = None
    has_live_version: bool | None = None
    node_types: tuple[str, ...] = ()
    trigger_type: str | None = None
    trigger_types: tuple[str, ...] = ()
    trigger_name: str | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class RecentRunItem:
    """A recent run of a workflow, as ``batch_stats`` lists it."""

    id: str | None = None
    status: RunStatus | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@attrs.frozen(kw_only=True)
class WorkflowStats:
    """Run counts and recent runs of one workflow (``batch_stats``)."""

    counts: WorkflowRunCounts | None = None
    recent_runs: tuple[RecentRunItem, ...] = ()


@attrs.frozen(kw_only=True)
class IncomingLinks:
    """Ids of the workflows that start this one with a ``trigger-workflow`` node."""

    ids: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class WorkflowOrganization:
    """Which organization a workflow belongs to, and whether you are a member of it."""

    is_member: bool | None = None
    organization_id: str | None = None
    organization_name: str | None = None


@attrs.frozen(kw_only=True)
class FundBalance:
    """A wallet's balance of the required token (when the server could fetch balances)."""

    wallet_address: str | None = None
    chain_id: int | None = None
    token_address: str | None = None
    symbol: str | None = None
    decimals: int | None = None
    amount: str | None = None
    amount_usd: float | None = None
    is_insufficient: bool | None = None
    is_low: bool | None = None


@attrs.frozen(kw_only=True)
class FundRequirement:
    """What one node needs: a token amount on a chain, from a wallet; or why it is unknown."""

    node_id: str | None = None
    node_type: str | None = None
    node_name: str | None = None
    source: str | None = None
    reason: str | None = None
    wallet_address: str | None = None
    chain_id: int | None = None
    chain_name: str | None = None
    token_address: str | None = None
    symbol: str | None = None
    decimals: int | None = None
    is_native: bool | None = None
    required_amount: str | None = None
    amount_is_human_readable: bool | None = None
    unresolved: bool | None = None
    unresolved_reason: str | None = None
    balance: FundBalance | None = None


@attrs.frozen(kw_only=True)
class FundAnalysis:
    """The funds a workflow would need (``analyze_funds``); nothing was executed."""

    workflow_id: str | None = None
    workflow_version: int | None = None
    requirements: tuple[FundRequirement, ...] = ()
    unresolved: tuple[FundRequirement, ...] = ()
    balances_fetched: bool | None = None
