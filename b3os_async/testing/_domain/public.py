"""What the public (no API key) routes may show: visibility rules and runs by transaction hash.

Theory of operation
-------------------
A workflow is public when its visibility is ``public_view`` (anyone may read it, its runs and
their node states) or ``public_execute`` (also run it, and create executions for it). ``private``
and ``org`` workflows do not exist publicly: every public route answers them 404 (404002), exactly
like an unknown id, so the public API cannot be used to probe for ids. A run is public when its
workflow is public (ephemeral runs never are).

Runs by trigger transaction hash: when a run is stored its trigger payload is read for ``txHash``
(or ``transactionHash``); :class:`TxIndex` maps the lower-cased hash to the newest such run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import (
    NOT_PUBLIC_EXECUTE,
    RUN_NOT_FOUND,
    WORKFLOW_NOT_FOUND,
    ApiError,
    not_found,
)

if TYPE_CHECKING:
    from b3os_async.testing._domain.runs import Run, RunBook
    from b3os_async.testing._domain.workflow_book import WorkflowBook
    from b3os_async.testing._domain.workflows import Workflow

__all__ = ["PUBLIC_VISIBILITIES", "TxIndex", "public_run", "public_workflow"]

PUBLIC_VISIBILITIES = frozenset({"public_view", "public_execute"})
_TX_KEYS = ("txHash", "transactionHash")


def public_workflow(book: WorkflowBook, workflow_id: str, *, execute: bool = False) -> Workflow:
    """The workflow if it is public (404002 otherwise); ``execute``: 403004 unless
    ``public_execute``. Archived workflows are not public."""
    workflow = book.find(workflow_id)
    if workflow is None or workflow.archived or workflow.visibility not in PUBLIC_VISIBILITIES:
        raise not_found(WORKFLOW_NOT_FOUND, f"workflow {workflow_id!r}")
    if execute and workflow.visibility != "public_execute":
        raise ApiError(
            403, NOT_PUBLIC_EXECUTE, "this workflow is public_view: it can be read, not run"
        )
    return workflow


def public_run(runs: RunBook, workflows: WorkflowBook, run_id: str | None) -> Run:
    """The run if its workflow is public (404003 otherwise, as for an unknown id)."""
    run = runs.get(run_id) if run_id else None
    workflow = workflows.find(run.workflow_id) if run is not None else None
    if run is None or workflow is None or workflow.visibility not in PUBLIC_VISIBILITIES:
        raise not_found(RUN_NOT_FOUND, f"run {run_id!r}")
    return run


class TxIndex:
    """Trigger transaction hash -> the id of the newest run it triggered."""

    def __init__(self) -> None:
        self._runs: dict[str, str] = {}

    def run_added(self, run: Run) -> None:
        """Index a new run by its trigger payload's transaction hash, if it has one."""
        found: Any = next(
            (run.trigger_result.get(k) for k in _TX_KEYS if k in run.trigger_result), None
        )
        if isinstance(found, str) and found:
            self._runs[found.lower()] = run.id

    def find(self, tx_hash: str) -> str | None:
        """The run id of ``tx_hash`` (any case), if a run was triggered by it."""
        return self._runs.get(tx_hash.lower())
