"""Workflow releases: a numbered history of what went live, and reverts to any point of it.

Theory of operation
-------------------
The API documents these operations but not their answers (``SuccessResponse`` with untyped
``data``), so the shapes below are the emulator's own, kept small. A *release* is a record
``{releaseVersion, workflowId, workflowVersion, kind, hasApp, revertedFrom?, createdAt,
createdBy}``; ``releaseVersion`` counts 1, 2, 3 … per workflow and the history reads newest first.

* ``POST …/release`` (``expectedVersion``: optimistic lock on the draft, 409001) publishes the
  draft, as ``publish`` does, and records a release of the new live version (``kind: release``).
  Without a draft, it records a release of the live version as it is; with neither, 409004.
* ``POST …/releases/{n}/revert`` makes release ``n``'s workflow version live again: its content
  becomes a new version, published at once (a pending draft is superseded, as by a rollback),
  recorded as a release with ``kind: revert`` and ``revertedFrom: n``. Unknown ``n``: 404018.
* ``POST …/revert-to-version`` (``workflowVersion``) does the same from any stored version
  (``kind: version_revert``; unknown version 404004).

The emulator generates no apps: ``hasApp`` is always false (the API's releases pair a workflow
version with its generated app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._common import RELEASE_NOT_FOUND, check_version, compact, not_found

if TYPE_CHECKING:
    from b3os_async.testing._clock import Clock
    from b3os_async.testing._domain.organizations import Principal
    from b3os_async.testing._domain.workflow_book import WorkflowBook
    from b3os_async.testing._domain.workflows import Workflow

__all__ = ["Release", "ReleaseBook", "release_json"]


@attrs.frozen
class Release:
    """One release of a workflow."""

    number: int
    workflow_id: str
    workflow_version: int
    kind: str  # release | revert | version_revert
    created_at: str
    created_by: str
    reverted_from: int | None = None


def release_json(release: Release) -> dict[str, Any]:
    """The emulator's JSON for a release (the API leaves it undocumented)."""
    return compact(
        {
            "releaseVersion": release.number,
            "workflowId": release.workflow_id,
            "workflowVersion": release.workflow_version,
            "kind": release.kind,
            "hasApp": False,
            "revertedFrom": release.reverted_from,
            "createdAt": release.created_at,
            "createdBy": release.created_by,
        }
    )


class ReleaseBook:
    """Every workflow's releases; the release and revert operations (module docstring)."""

    def __init__(self, workflows: WorkflowBook, clock: Clock) -> None:
        self._workflows = workflows
        self._clock = clock
        self._by_workflow: dict[str, list[Release]] = {}

    def release(self, who: Principal, workflow_id: str, expected: int | None) -> Release:
        """Publish the draft (if any) and record a release of the live version."""
        workflow = self._workflows.get(who.org_id, workflow_id)
        if workflow.draft is not None or workflow.live is None:
            # publish() refuses an archived workflow, a stale expectedVersion, nothing to publish
            self._workflows.change(
                who.org_id, workflow_id, lambda w: w.publish(expected, who.user_id)
            )
        else:
            check_version("expectedVersion", expected, workflow.live)
        return self._record(workflow, "release", who.user_id)

    def revert(self, who: Principal, workflow_id: str, number: int) -> Release:
        """Make release ``number``'s workflow version live again, as a new release."""
        target = self.get(self._workflows.get(who.org_id, workflow_id), number)
        return self.revert_to_version(who, workflow_id, target.workflow_version, number)

    def revert_to_version(
        self, who: Principal, workflow_id: str, version: int, source: int | None = None
    ) -> Release:
        """Make workflow version ``version`` live again (a new version), as a new release."""
        workflow = self._workflows.change(
            who.org_id, workflow_id, lambda w: w.revert_to(version, who.user_id)
        )
        kind = "version_revert" if source is None else "revert"
        return self._record(workflow, kind, who.user_id, source)

    def get(self, workflow: Workflow, number: int) -> Release:
        """Release ``number`` of the workflow, or a 404."""
        releases = self._by_workflow.get(workflow.id, [])
        if not 1 <= number <= len(releases):
            raise not_found(RELEASE_NOT_FOUND, f"release {number}")
        return releases[number - 1]

    def page(self, workflow: Workflow, limit: int, offset: int) -> tuple[list[Release], bool]:
        """A page of the workflow's releases, newest first."""
        releases = self._by_workflow.get(workflow.id, [])
        end = len(releases) - offset
        start = max(0, end - limit)
        return (list(reversed(releases[start:end])) if end > 0 else []), start > 0

    def _record(self, workflow: Workflow, kind: str, by: str, source: int | None = None) -> Release:
        releases = self._by_workflow.setdefault(workflow.id, [])
        assert workflow.live is not None
        release = Release(
            number=len(releases) + 1,
            workflow_id=workflow.id,
            workflow_version=workflow.live,
            kind=kind,
            created_at=self._clock.iso(),
            created_by=by,
            reverted_from=source,
        )
        releases.append(release)
        return release
