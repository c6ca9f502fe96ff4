"""``b3.workflows.releases``: release a workflow, list its releases, revert to one or a version.

The API documents these answers as untyped JSON, so they are returned as plain dicts, exactly
as the server sent them (the emulator's are described in ``docs/emulator.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._errors import ResponseValidationError
from b3os_async.resources._args import compact
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from b3os_async.pagination import AsyncPager

__all__ = ["WorkflowReleases"]


def _object(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ResponseValidationError(f"expected a JSON object, got {type(data).__name__}")
    return data


class WorkflowReleases(Resource):
    """Workflow releases (``/v1/workflows/{id}/release…``). Get it as ``b3.workflows.releases``.

    A release publishes a workflow (and its generated app) as one numbered step of its history;
    reverting makes an earlier release, or any stored version, live again as a new release.
    """

    __slots__ = ()

    async def create(
        self, workflow_id: str, *, expected_version: int | None = None
    ) -> dict[str, Any]:
        """Publish the workflow (its draft) and its generated app as one release (not retried).

        Args:
            workflow_id: the workflow.
            expected_version: optimistic lock on the draft's version (409 on mismatch).
        """
        body = compact(expectedVersion=expected_version)
        return _object(await self._data("POST", "/v1/workflows/{}/release", workflow_id, json=body))

    def list(
        self, workflow_id: str, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[dict[str, Any]]:
        """The workflow's releases, newest first, lazily (each as the server's JSON object)."""
        return self._list(
            dict[str, Any],
            "/v1/workflows/{}/releases",
            workflow_id,
            page_size=page_size,
            max_items=max_items,
        )

    async def revert(self, workflow_id: str, release_version: int) -> dict[str, Any]:
        """Make release ``release_version`` live again (recorded as a new release; not retried)."""
        path = "/v1/workflows/{}/releases/{}/revert"
        return _object(await self._data("POST", path, workflow_id, release_version))

    async def revert_to_version(self, workflow_id: str, workflow_version: int) -> dict[str, Any]:
        """Make workflow version ``workflow_version`` live again, as a release without an app."""
        body = {"workflowVersion": workflow_version}
        path = "/v1/workflows/{}/revert-to-version"
        return _object(await self._data("POST", path, workflow_id, json=body))
