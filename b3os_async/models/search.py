"""Search models: hits and a search's results (``b3.search``).

(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

import attrs

__all__ = ["SearchHit", "SearchResults"]


@attrs.frozen(kw_only=True)
class SearchHit:
    """One search hit. ``type`` is ``action``, ``trigger``, ``connector_def``, ``workflow`` or
    ``template``; ``id`` is the action/trigger/connector type, or the workflow/template id."""

    id: str | None = None
    type: str | None = None
    name: str | None = None
    description: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    score: float | None = None
    status: str | None = None
    workflow_type: str | None = None


@attrs.frozen(kw_only=True)
class SearchResults:
    """The hits of a search, best first, and how many matched in all (``total_hits``)."""

    query: str | None = None
    results: tuple[SearchHit, ...] = ()
    total_hits: int | None = None
    processing_time_ms: int | None = None
