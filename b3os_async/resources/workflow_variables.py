"""``b3.workflows.variables``: define workflow variables, read and set their values, see writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure_items
from b3os_async.models.workflow_variables import VariableDef, VariableWrite, WorkflowVariable
from b3os_async.resources._args import compact
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from b3os_async.models._area_enums import VariableLifetime, VariableType
    from b3os_async.pagination import AsyncPager

__all__ = ["WorkflowVariables"]

_BASE = "/v1/workflows/{}/variables"
_ONE = _BASE + "/{}"


class WorkflowVariables(Resource):
    """Workflow variables (``/v1/workflows/{id}/variables``). Get it as ``b3.workflows.variables``.

    A variable has a type (``number``, ``text``, ``boolean``, ``list``, ``object``) and a lifetime:
    ``persist`` keeps its value from run to run, ``reset`` starts every run at the default. Nodes
    read variables as ``{{$vars.name}}``; every write is recorded (:meth:`history`,
    ``b3.runs.variable_writes(run_id)``).
    """

    __slots__ = ()

    async def list(self, workflow_id: str) -> list[WorkflowVariable]:
        """Every variable of the workflow with its current value (not paged)."""
        data = await self._data("GET", _BASE, workflow_id)
        items = data.get("items") if isinstance(data, dict) else data
        return list(structure_items(items or [], WorkflowVariable))

    async def define(
        self,
        workflow_id: str,
        name: str,
        *,
        type: VariableType | str,
        lifetime: VariableLifetime | str,
        default: Any = None,
        description: str | None = None,
    ) -> VariableDef:
        """Create or update the definition of variable ``name`` (its value is kept if it fits).

        Args:
            workflow_id: the workflow.
            name: the variable's name (letters, digits, ``_``; not a digit first).
            type: ``number``, ``text``, ``boolean``, ``list`` or ``object``.
            lifetime: ``persist`` (kept across runs) or ``reset`` (each run starts at default).
            default: the value before any write (must be of ``type``); None: no default.
            description: what the variable is for.
        """
        body = compact(
            type=str(type), lifetime=str(lifetime), default=default, description=description
        )
        return await self._put(VariableDef, _ONE, workflow_id, name, json=body)

    async def delete(self, workflow_id: str, name: str) -> None:
        """Delete a variable with its value and its history."""
        await self._data("DELETE", _ONE, workflow_id, name)

    async def reset(self, workflow_id: str, name: str) -> None:
        """Put a variable back to its default (recorded as a ``manual_reset`` write)."""
        await self._data("POST", _ONE + "/reset", workflow_id, name)

    async def set_value(self, workflow_id: str, name: str, value: Any) -> None:
        """Set a variable's value by hand (recorded as a ``manual_set`` write; not retried)."""
        await self._data("POST", _ONE + "/value", workflow_id, name, json={"value": value})

    def history(
        self,
        workflow_id: str,
        name: str,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[VariableWrite]:
        """Every write of a variable, newest first, lazily (run, node, old and new value)."""
        return self._list(
            VariableWrite,
            _ONE + "/history",
            workflow_id,
            name,
            page_size=page_size,
            max_items=max_items,
        )
