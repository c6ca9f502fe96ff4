"""``b3.workflows``: create, update, publish, run, list and inspect workflows and their versions.

:class:`Workflows` is assembled from parts kept in modules of their own (so that none grows past
a few hundred lines): run notification streams (``workflow_streams.py``), schedules
(``workflow_schedules.py``), read-only views
(``workflow_insights.py``) and settings (``workflow_settings.py``) are mixed in, and the
sub-resources ``b3.workflows.variables`` and ``b3.workflows.releases`` are attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._streams.handle import RunHandle
from b3os_async._transport.paths import check_run_id, new_run_id, path
from b3os_async.models.run_results import WorkflowRunCounts
from b3os_async.models.runs import RunCreated, RunListItem
from b3os_async.models.workflows import (
    ValidationResult,
    Workflow,
    WorkflowListItem,
    WorkflowVersionCount,
    WorkflowVisibilityUpdate,
)
from b3os_async.resources._args import compact, definition_json, json_object, str_list
from b3os_async.resources.runs import create_run
from b3os_async.resources.workflow_insights import WorkflowInsights
from b3os_async.resources.workflow_releases import WorkflowReleases
from b3os_async.resources.workflow_schedules import WorkflowSchedules
from b3os_async.resources.workflow_settings import WorkflowSettings
from b3os_async.resources.workflow_streams import MAX_WORKFLOWS_PER_STREAM, WorkflowStreams
from b3os_async.resources.workflow_variables import WorkflowVariables

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from b3os_async.models._enums import RunStatus, WorkflowStatus, WorkflowVisibility
    from b3os_async.models.definitions import WorkflowDefinition
    from b3os_async.pagination import AsyncPager

__all__ = ["MAX_WORKFLOWS_PER_STREAM", "Workflows"]


class Workflows(WorkflowStreams, WorkflowSchedules, WorkflowInsights, WorkflowSettings):
    """Workflow endpoints (``/v1/workflows``). Get it as ``b3.workflows``.

    Definitions may be given as :class:`~b3os_async.models.WorkflowDefinition` or as plain dicts
    in the API's camelCase shape (``{"nodes": {"root": {"type": "manual", "payload": {}}}}``).
    Two ways to run a workflow: :meth:`run` when you only need the run's id (fire and forget),
    :meth:`start` when you want its events (the run's stream is subscribed first). Variables
    and releases are sub-resources: ``b3.workflows.variables``, ``b3.workflows.releases``.
    """

    __slots__ = ()

    @property
    def variables(self) -> WorkflowVariables:
        """Workflow variables: define, list, set, reset, history."""
        return WorkflowVariables(self._req)

    @property
    def releases(self) -> WorkflowReleases:
        """Workflow releases: release, list, revert to a release or a version."""
        return WorkflowReleases(self._req)

    # -- listing -------------------------------------------------------------------------------

    def list(
        self,
        *,
        q: str | None = None,
        status: WorkflowStatus | str | None = None,
        type: str | None = None,
        actions: Sequence[str] | None = None,
        connectors: Sequence[str] | None = None,
        sort: str | None = None,
        owner: str | None = None,
        made_by_me: bool | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[WorkflowListItem]:
        """List workflows, lazily (``async for wf in b3.workflows.list(status="active")``).

        Args:
            q: text searched in name and description.
            status: ``active``, ``paused``, ``draft`` or ``archived``.
            type: trigger type (``manual``, ``cronjob`` ...).
            actions: only workflows using any of these action types.
            connectors: only workflows using any of these connector types.
            sort: ``updatedAt:desc`` (default), ``name:asc``, ``createdAt:desc``, ``runs:desc``.
            owner: ``yours``, ``org`` or ``public``.
            made_by_me: only workflows you created.
            page_size: items per request (``limit``).
            max_items: stop after this many items.
        """
        params = {
            "q": q,
            "status": status,
            "type": type,
            "actions": str_list(actions, "actions"),
            "connectors": str_list(connectors, "connectors"),
            "sort": sort,
            "owner": owner,
            "madeByMe": made_by_me,
        }
        return self._list(
            WorkflowListItem,
            "/v1/workflows",
            params=params,
            page_size=page_size,
            max_items=max_items,
        )

    # -- create / read / update / archive ------------------------------------------------------

    async def create(
        self,
        *,
        name: str,
        description: str,
        definition: WorkflowDefinition | Mapping[str, Any],
        cooldown_ms: int | None = None,
        max_runs: int | None = None,
        ui_metadata: Mapping[str, Any] | None = None,
        template_id: str | None = None,
    ) -> Workflow:
        """Create a workflow; it starts as a draft (``publish`` makes it live)."""
        body = compact(
            name=name,
            description=description,
            definition=definition_json(definition),
            cooldownMs=cooldown_ms,
            maxRuns=max_runs,
            uiMetadata=json_object(ui_metadata, "ui_metadata"),
            templateId=template_id,
        )
        return await self._post(Workflow, "/v1/workflows", json=body)

    async def get(self, workflow_id: str) -> Workflow:
        """Get a workflow (its current version: the draft if there is one, else the live one)."""
        return await self._get(Workflow, "/v1/workflows/{}", workflow_id)

    async def update(
        self,
        workflow_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        definition: WorkflowDefinition | Mapping[str, Any] | None = None,
        cooldown_ms: int | None = None,
        max_runs: int | None = None,
        ui_metadata: Mapping[str, Any] | None = None,
        expected_current_version: int | None = None,
    ) -> Workflow:
        """Update a workflow; a content change creates a new draft version (same content: no-op).

        Args:
            workflow_id: the workflow.
            name: a new name (1-255 characters).
            description: a new description.
            definition: a new definition (a dict or a ``WorkflowDefinition``).
            cooldown_ms: the least time between two automatic runs (at least 1000).
            max_runs: how many automatic runs are left before the workflow pauses itself.
            ui_metadata: free-form data of the B3OS editor.
            expected_current_version: optimistic lock; the API answers 409 (``ConflictError``)
                if the workflow's current version differs.
        """
        body = compact(
            name=name,
            description=description,
            definition=definition_json(definition) if definition is not None else None,
            cooldownMs=cooldown_ms,
            maxRuns=max_runs,
            uiMetadata=json_object(ui_metadata, "ui_metadata"),
            expectedCurrentVersion=expected_current_version,
        )
        return await self._put(Workflow, "/v1/workflows/{}", workflow_id, json=body)

    async def archive(self, workflow_id: str) -> Workflow | None:
        """Archive (soft-delete) a workflow. Returns the workflow if the API sends it back."""
        return await self._maybe(Workflow, "DELETE", "/v1/workflows/{}", workflow_id)

    async def unarchive(self, workflow_id: str) -> Workflow | None:
        """Restore an archived workflow's latest version as a draft."""
        return await self._maybe(
            Workflow, "POST", "/v1/workflows/{}/unarchive", workflow_id, json={}
        )

    async def validate(
        self, definition: WorkflowDefinition | Mapping[str, Any], *, name: str = "Untitled"
    ) -> ValidationResult:
        """Validate a definition without saving it; problems come back in the result, not raised.

        Args:
            definition: the definition to check (a dict or a ``WorkflowDefinition``).
            name: the API requires a workflow name to validate against.
        """
        body = {"definition": definition_json(definition), "name": name}
        return await self._post(ValidationResult, "/v1/workflows/validate", json=body)

    # -- lifecycle -----------------------------------------------------------------------------

    async def publish(
        self, workflow_id: str, *, expected_version: int | None = None
    ) -> Workflow | None:
        """Publish the draft: it becomes the live, active version.

        Args:
            workflow_id: the workflow whose draft is published.
            expected_version: optimistic lock on the draft's version (409 on mismatch).
        """
        body = compact(expectedVersion=expected_version)
        return await self._maybe(
            Workflow, "POST", "/v1/workflows/{}/publish", workflow_id, json=body
        )

    async def pause(self, workflow_id: str) -> Workflow | None:
        """Stop a live workflow's automatic triggers (manual runs still work)."""
        return await self._maybe(Workflow, "POST", "/v1/workflows/{}/pause", workflow_id, json={})

    async def resume(self, workflow_id: str) -> Workflow | None:
        """Re-enable a paused workflow's triggers."""
        return await self._maybe(Workflow, "POST", "/v1/workflows/{}/resume", workflow_id, json={})

    async def rollback(
        self,
        workflow_id: str,
        *,
        target_version: int,
        expected_current_version: int | None = None,
    ) -> Workflow:
        """Create a new draft with the content of an older version."""
        body = compact(
            targetVersion=target_version, expectedCurrentVersion=expected_current_version
        )
        return await self._post(Workflow, "/v1/workflows/{}/rollback", workflow_id, json=body)

    async def discard_draft(self, workflow_id: str) -> Workflow | None:
        """Drop the draft version (the live version stays)."""
        return await self._maybe(Workflow, "DELETE", "/v1/workflows/{}/draft", workflow_id)

    async def get_draft(self, workflow_id: str) -> Workflow:
        """Get the draft version (``NotFoundError`` if there is none)."""
        return await self._get(Workflow, "/v1/workflows/{}/draft", workflow_id)

    async def get_live(self, workflow_id: str) -> Workflow:
        """Get the live (active or paused) version (``NotFoundError`` if never published)."""
        return await self._get(Workflow, "/v1/workflows/{}/live", workflow_id)

    async def set_visibility(
        self, workflow_id: str, visibility: WorkflowVisibility | str
    ) -> WorkflowVisibilityUpdate:
        """Set the visibility: ``private``, ``org``, ``public_view`` or ``public_execute``.

        Returns the workflow id and its new visibility.
        """
        body = {"visibility": str(visibility)}
        return await self._put(
            WorkflowVisibilityUpdate, "/v1/workflows/{}/visibility", workflow_id, json=body
        )

    # -- running -------------------------------------------------------------------------------

    async def run(
        self,
        workflow_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        version: int | None = None,
        simulate: bool | None = None,
        dust_test: bool | None = None,
        trigger_node_id: str | None = None,
    ) -> RunCreated:
        """Run a workflow once (draft, active or paused) and return the new run's id.

        The run id is generated here (``run_`` + random) unless given, so the request can be
        retried safely and the run's stream can be opened before the run starts.

        Args:
            workflow_id: the workflow to run.
            payload: merged into the trigger's result (``{{root.result.x}}``).
            run_id: your own run id (must start with ``run_``; checked before sending).
            version: run this version instead of the default (the draft if any, else live).
            simulate: a dry run (not with ``dust_test``).
            dust_test: a run with dust amounts (not with ``simulate``).
            trigger_node_id: which trigger fired, for multi-trigger workflows.
        """
        body = compact(
            payload=json_object(payload, "payload"),
            version=version,
            simulate=simulate,
            dustTest=dust_test,
            triggerNodeId=trigger_node_id,
        )
        return await create_run(self._req, path("/v1/workflows/{}/run", workflow_id), body, run_id)

    def runs(
        self,
        workflow_id: str,
        *,
        status: RunStatus | str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[RunListItem]:
        """List a workflow's runs, newest first, lazily; ``status`` filters (e.g. ``failure``)."""
        params = {"status": status}
        return self._list(
            RunListItem,
            "/v1/workflows/{}/runs",
            workflow_id,
            params=params,
            page_size=page_size,
            max_items=max_items,
        )

    async def run_counts(self, workflow_id: str) -> WorkflowRunCounts:
        """Count a workflow's runs by status."""
        return await self._get(WorkflowRunCounts, "/v1/workflows/{}/runs/count", workflow_id)

    # -- versions ------------------------------------------------------------------------------

    def versions(
        self,
        workflow_id: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[Workflow]:
        """List every stored version of a workflow, newest first, lazily.

        The list response also says which version is current: read it from any page as
        ``page.extra["currentVersion"]`` (e.g. ``(await pager.first_page()).extra``).
        """
        return self._list(
            Workflow,
            "/v1/workflows/{}/versions",
            workflow_id,
            page_size=page_size,
            max_items=max_items,
        )

    async def versions_count(self, workflow_id: str) -> WorkflowVersionCount:
        """Count the stored versions of a workflow."""
        return await self._get(WorkflowVersionCount, "/v1/workflows/{}/versions/count", workflow_id)

    async def get_version(self, workflow_id: str, version: int) -> Workflow:
        """Get one stored version of a workflow by number."""
        return await self._get(Workflow, "/v1/workflows/{}/versions/{}", workflow_id, version)

    # -- events ----------------------------------------------------------------------------------

    def start(
        self,
        workflow_id: str,
        *,
        payload: Mapping[str, Any] | None = None,
        version: int | None = None,
        run_id: str | None = None,
        simulate: bool | None = None,
        dust_test: bool | None = None,
        trigger_node_id: str | None = None,
    ) -> RunHandle:
        """Run a workflow with its event stream opened first (pre-subscription).

        ``async with b3.workflows.start(wf_id, payload={...}) as run:`` subscribes to
        ``/v1/runs/{run_id}/stream``, waits until the server answered, then sends
        ``POST /v1/workflows/{id}/run`` with that run id; then ``run.events()``,
        ``await run.wait()``, ``await run.cancel()``. The handle is also an async iterator
        (``async for event in b3.workflows.start(...)``) and an awaitable. Arguments are those
        of :meth:`run`.
        """
        run_id = new_run_id() if run_id is None else check_run_id(run_id)

        async def trigger(rid: str) -> RunCreated:
            return await self.run(
                workflow_id,
                payload=payload,
                run_id=rid,
                version=version,
                simulate=simulate,
                dust_test=dust_test,
                trigger_node_id=trigger_node_id,
            )

        return RunHandle(self._req, run_id, trigger)
