"""The filters of ``GET /v1/workflows`` (and ``GET /v1/workflows/counts``) as one query object.

Every test reads data derived once, when a version was written (``Derived`` in ``workflows.py``),
never the definition itself, so a filtered page costs what the scan up to the page costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._domain.workflows import Workflow

__all__ = ["WorkflowQuery"]


@attrs.frozen
class WorkflowQuery:
    """The filters and sort of ``GET /v1/workflows``."""

    status: str | None = None
    text: str = ""
    kind: str | None = None
    actions: frozenset[str] = frozenset()
    connectors: frozenset[str] = frozenset()
    owner: str | None = None
    made_by_me: bool = False
    user_id: str = ""
    sort: str = "updatedAt:desc"

    def matcher(self) -> Callable[[Workflow], bool] | None:
        """The predicate of the filters that need one (``None``: the list is a plain slice).

        ``status=archived`` and "hide archived" need none: archived workflows have an index of
        their own. Each test reads data derived when the version was written.
        """
        tests: list[Callable[[Workflow], bool]] = []
        status, text, kind = self.status, self.text.lower(), self.kind
        actions, connectors, user_id = self.actions, self.connectors, self.user_id
        if status is not None and status != "archived":
            tests.append(lambda w: status in w.lifecycle())
        if text:
            tests.append(lambda w: text in w.current().derived.text)
        if kind is not None:
            tests.append(lambda w: w.current().derived.trigger_type == kind)
        if actions:
            tests.append(lambda w: not actions.isdisjoint(w.current().derived.node_types))
        if connectors:
            tests.append(lambda w: not connectors.isdisjoint(w.current().derived.connector_types))
        if self.owner == "yours" or self.made_by_me:
            tests.append(lambda w: w.created_by == user_id)
        if self.owner == "public":
            tests.append(lambda w: w.visibility.startswith("public"))
        if not tests:
            return None
        return lambda w: all(test(w) for test in tests)
