"""Read-only workflow views: counts, batch metadata and stats, links, organization, fund needs.

A part of :class:`~b3os_async.resources.workflows.Workflows` (``b3.workflows.counts()``). The
POSTs here only read (a batch of ids or a definition in the body), so they are retried like GETs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure
from b3os_async._errors import ConfigurationError
from b3os_async.models.workflow_insights import (
    FundAnalysis,
    IncomingLinks,
    WorkflowCounts,
    WorkflowMeta,
    WorkflowOrganization,
    WorkflowOwnerCounts,
    WorkflowStats,
)
from b3os_async.resources._args import compact, definition_json, str_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from b3os_async.models.definitions import WorkflowDefinition

__all__ = ["MAX_BATCH", "WorkflowInsights"]

#: ``batch_meta`` / ``batch_stats`` take at most this many workflow ids.
MAX_BATCH = 200


def _batch(workflow_ids: Sequence[str]) -> dict[str, Any]:
    ids = list(dict.fromkeys(str_list(workflow_ids, "workflow_ids") or ()))
    if not 1 <= len(ids) <= MAX_BATCH:
        raise ConfigurationError(f"give 1 to {MAX_BATCH} workflow ids, got {len(ids)}")
    return {"workflowIds": ids}


class WorkflowInsights(Resource):
    """Read-only views of workflows; mixed into ``b3.workflows``."""

    __slots__ = ()

    async def counts(
        self,
        *,
        q: str | None = None,
        type: str | None = None,
        actions: Sequence[str] | None = None,
        connectors: Sequence[str] | None = None,
        owner: str | None = None,
        made_by_me: bool | None = None,
    ) -> WorkflowCounts:
        """Count workflows by status under the filters of :meth:`list` (except ``status``)."""
        params = {
            "q": q,
            "type": type,
            "actions": str_list(actions, "actions"),
            "connectors": str_list(connectors, "connectors"),
            "owner": owner,
            "madeByMe": made_by_me,
        }
        return await self._get(WorkflowCounts, "/v1/workflows/counts", params=params)

    async def owner_counts(self) -> WorkflowOwnerCounts:
        """Count workflows by owner scope: yours, your organization's, public."""
        return await self._get(WorkflowOwnerCounts, "/v1/workflows/owner-counts")

    async def batch_meta(self, workflow_ids: Sequence[str]) -> dict[str, WorkflowMeta]:
        """Lightweight metadata of up to 200 workflows, by id (ids you cannot see are left out)."""
        data = await self._data(
            "POST", "/v1/workflows/batch-meta", json=_batch(workflow_ids), idempotent=True
        )
        return structure(data, dict[str, WorkflowMeta])

    async def batch_stats(self, workflow_ids: Sequence[str]) -> dict[str, WorkflowStats]:
        """Run counts and recent runs of up to 200 workflows, by id."""
        data = await self._data(
            "POST", "/v1/workflows/batch-stats", json=_batch(workflow_ids), idempotent=True
        )
        return structure(data, dict[str, WorkflowStats])

    async def incoming_links(self, workflow_id: str) -> IncomingLinks:
        """The workflows that start this one with a ``trigger-workflow`` node."""
        return await self._get(IncomingLinks, "/v1/workflows/{}/incoming-links", workflow_id)

    async def resolve(self, workflow_id: str) -> WorkflowOrganization:
        """The organization a workflow belongs to and whether you are a member of it."""
        return await self._get(WorkflowOrganization, "/v1/workflows/{}/resolve", workflow_id)

    async def analyze_funds(self, workflow_id: str, *, version: int | None = None) -> FundAnalysis:
        """The tokens and amounts a saved workflow's nodes would need; nothing is executed.

        Args:
            workflow_id: the workflow.
            version: analyse this version instead of the current one.
        """
        params = {"version": version}
        return await self._get(
            FundAnalysis, "/v1/workflows/{}/analyze-funds", workflow_id, params=params
        )

    async def analyze_funds_inline(
        self,
        definition: WorkflowDefinition | Mapping[str, Any],
        *,
        default_wallet_address: str | None = None,
    ) -> FundAnalysis:
        """The same for a definition that is not saved (``workflow_id`` is empty in the answer).

        Args:
            definition: the definition (a dict or a ``WorkflowDefinition``).
            default_wallet_address: the wallet of nodes that name none (default: the org's).
        """
        body = compact(
            definition=definition_json(definition), defaultWalletAddress=default_wallet_address
        )
        return await self._post(
            FundAnalysis, "/v1/workflows/analyze-funds", json=body, idempotent=True
        )
