"""Workflow variables: typed definitions with a lifetime, their values, and every write.

Theory of operation
-------------------
A workflow declares variables (``PUT /v1/workflows/{id}/variables/{name}``): a ``type``
(``number``, ``text``, ``boolean``, ``list``, ``object``), a ``lifetime`` and an optional
``default``. Definitions belong to the workflow, not to a version (the API keeps them on the
workflow row). Each variable has ONE current value:

* ``persist`` -- the value carries over from run to run (a counter, the last price seen …);
* ``reset`` -- when a run of the workflow starts, the value goes back to the default, so every
  run starts from the same place.

Nodes read variables with ``{{$vars.name}}`` (the current value, else the default) and write them
with a ``set-variable`` node (our name for the action: the API documents variable writes by nodes
but not the action), whose payload names the variable and gives exactly one of:

* ``"value": V`` -- the new value (an expression like ``"{{fetch.result.price}}"`` keeps its type);
* ``"increment": N`` -- add N to a ``number`` variable (expressions cannot add);
* ``"append": V`` -- append V to a ``list`` variable.

A value of the wrong type fails the node (code ``invalid_variable_value``); an undeclared name
fails it too (``unknown_variable``). The node's result is ``{name, value, previous}``. People
write variables with ``POST …/{name}/value`` and ``POST …/{name}/reset``.

Every write is recorded (:class:`Write`): its ``op`` (``set`` by a node, ``manual_set``,
``manual_reset``), ``scope`` (``workflow`` for writes that last, i.e. manual writes and node
writes of ``persist`` variables; ``run`` for node writes of ``reset`` variables, which only last
for the run), old and new value, run, node and time. ``GET …/{name}/history`` pages them newest
first; ``GET /v1/runs/{id}/variable-writes`` pages one run's writes in the order they happened.
Redefining a variable with another type drops a current value the new type does not accept;
deleting a variable drops its value and history. Nothing here imports aiohttp.
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._common import VARIABLE_NOT_FOUND, bad_field, not_found

if TYPE_CHECKING:
    from b3os_async.testing._clock import Clock
    from b3os_async.testing._domain.runs import Run

__all__ = [
    "LIFETIMES",
    "SET_VARIABLE",
    "TYPES",
    "Variable",
    "VariableBook",
    "VariableError",
    "Write",
    "type_matches",
]

TYPES = ("number", "text", "boolean", "list", "object")
LIFETIMES = ("persist", "reset")
SET_VARIABLE = "set-variable"
"""The node type that writes a variable."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}", re.ASCII)


class VariableError(Exception):
    """A node's variable write was refused: ``message`` and a string ``code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def type_matches(kind: str, value: Any) -> bool:
    """Whether ``value`` (JSON) is of variable type ``kind``."""
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    expected = {"text": str, "boolean": bool, "list": list, "object": dict}[kind]
    return isinstance(value, expected)


@attrs.define
class Variable:
    """One declared variable and its current value."""

    name: str
    type: str
    lifetime: str
    default: Any = None
    description: str | None = None
    value: Any = None
    has_value: bool = False
    version: int = 0  # one more per write
    last_run_id: str | None = None
    updated_at: str | None = None

    def current(self) -> Any:
        """The value nodes read: the current value, else the default."""
        return self.value if self.has_value else self.default


@attrs.frozen
class Write:
    """One recorded write of a variable (``VariableWrite``)."""

    id: int
    workflow_id: str
    name: str
    op: str  # set | manual_set | manual_reset
    scope: str  # workflow | run
    old: Any
    new: Any
    written_at: str
    run_id: str | None = None
    node_id: str | None = None


class VariableBook:
    """Every workflow's variables, their values and write history (module docstring)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._vars: dict[str, dict[str, Variable]] = {}
        self._history: dict[tuple[str, str], list[Write]] = {}
        self._run_writes: dict[str, list[Write]] = {}
        self._ids = itertools.count(1)

    # -- definitions ---------------------------------------------------------------------------

    def defined(self, workflow_id: str) -> list[Variable]:
        """The workflow's variables, in the order they were first defined."""
        return list(self._vars.get(workflow_id, {}).values())

    def get(self, workflow_id: str, name: str) -> Variable:
        """Variable ``name`` of the workflow, or a 404."""
        found = self._vars.get(workflow_id, {}).get(name)
        if found is None:
            raise not_found(VARIABLE_NOT_FOUND, f"variable {name!r}")
        return found

    def define(
        self,
        workflow_id: str,
        name: str,
        kind: str,
        lifetime: str,
        default: Any,
        description: str | None,
    ) -> Variable:
        """Create or update a definition (400 for a bad name, type, lifetime or default)."""
        if not _NAME.fullmatch(name):
            raise bad_field(f"variable name {name!r}: 1-64 letters, digits, _ (not a digit first)")
        if kind not in TYPES:
            raise bad_field(f"'type' must be one of {', '.join(TYPES)}")
        if lifetime not in LIFETIMES:
            raise bad_field(f"'lifetime' must be one of {', '.join(LIFETIMES)}")
        if default is not None and not type_matches(kind, default):
            raise bad_field(f"'default' must be a {kind} value, got {type(default).__name__}")
        variables = self._vars.setdefault(workflow_id, {})
        found = variables.get(name)
        if found is None:
            found = variables[name] = Variable(name, kind, lifetime)
        elif found.has_value and not type_matches(kind, found.value):
            found.value, found.has_value = None, False  # the new type does not accept it
        found.type, found.lifetime = kind, lifetime
        found.default, found.description = copy.deepcopy(default), description
        return found

    def delete(self, workflow_id: str, name: str) -> Variable:
        """Remove a definition with its value and history (404 if unknown)."""
        found = self.get(workflow_id, name)
        del self._vars[workflow_id][name]
        self._history.pop((workflow_id, name), None)
        return found

    # -- values --------------------------------------------------------------------------------

    def values(self, workflow_id: str) -> dict[str, Any]:
        """Every variable's current value, for ``{{$vars.name}}``."""
        return {name: var.current() for name, var in self._vars.get(workflow_id, {}).items()}

    def run_started(self, run: Run) -> None:
        """A run of the workflow starts: ``reset`` variables go back to their default."""
        for variable in self._vars.get(run.workflow_id, {}).values():
            if variable.lifetime == "reset":
                variable.value, variable.has_value = None, False

    def manual_set(self, workflow_id: str, name: str, value: Any) -> Write:
        """``POST …/{name}/value``: set the value by hand (400 if the type does not match)."""
        variable = self.get(workflow_id, name)
        if not type_matches(variable.type, value):
            raise bad_field(f"'value' must be a {variable.type} value, got {type(value).__name__}")
        return self._write(workflow_id, variable, value, "manual_set", "workflow", None, None)

    def manual_reset(self, workflow_id: str, name: str) -> Write:
        """``POST …/{name}/reset``: back to the default."""
        variable = self.get(workflow_id, name)
        write = self._write(workflow_id, variable, None, "manual_reset", "workflow", None, None)
        variable.has_value = False
        return write

    def node_write(self, run: Run, node_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A ``set-variable`` node's write; its result ``{name, value, previous}``."""
        name = payload.get("name")
        if not run.workflow_id:
            raise VariableError("runs of inline definitions have no variables", "no_variables")
        if not isinstance(name, str) or name not in self._vars.get(run.workflow_id, {}):
            raise VariableError(f"unknown variable {name!r}: define it first", "unknown_variable")
        variable = self._vars[run.workflow_id][name]
        value = self._new_value(variable, payload)
        if not type_matches(variable.type, value):
            raise VariableError(
                f"variable {name!r} is a {variable.type}; got {type(value).__name__}",
                "invalid_variable_value",
            )
        scope = "workflow" if variable.lifetime == "persist" else "run"
        write = self._write(run.workflow_id, variable, value, "set", scope, run.id, node_id)
        return {"name": name, "value": copy.deepcopy(value), "previous": write.old}

    @staticmethod
    def _new_value(variable: Variable, payload: dict[str, Any]) -> Any:
        given = [key for key in ("value", "increment", "append") if key in payload]
        if len(given) != 1:
            raise VariableError(
                "set-variable needs exactly one of 'value', 'increment', 'append'",
                "invalid_payload",
            )
        current = variable.current()
        if given[0] == "increment":
            step = payload["increment"]
            if variable.type != "number" or not type_matches("number", step):
                raise VariableError(
                    "'increment' needs a number variable and a number", "invalid_variable_value"
                )
            return (current or 0) + step
        if given[0] == "append":
            if variable.type != "list":
                raise VariableError("'append' needs a list variable", "invalid_variable_value")
            return [*(current or []), payload["append"]]
        return payload["value"]

    def _write(
        self,
        workflow_id: str,
        variable: Variable,
        value: Any,
        op: str,
        scope: str,
        run_id: str | None,
        node_id: str | None,
    ) -> Write:
        new = copy.deepcopy(value if op != "manual_reset" else variable.default)
        write = Write(
            id=next(self._ids),
            workflow_id=workflow_id,
            name=variable.name,
            op=op,
            scope=scope,
            old=copy.deepcopy(variable.current()),
            new=new,
            written_at=self._clock.iso(),
            run_id=run_id,
            node_id=node_id,
        )
        variable.value, variable.has_value = copy.deepcopy(new), True
        variable.version += 1
        variable.updated_at = write.written_at
        if run_id is not None:
            variable.last_run_id = run_id
            self._run_writes.setdefault(run_id, []).append(write)
        self._history.setdefault((workflow_id, variable.name), []).append(write)
        return write

    # -- history -------------------------------------------------------------------------------

    def history(
        self, workflow_id: str, name: str, limit: int, offset: int
    ) -> tuple[list[Write], bool]:
        """A page of the variable's writes, newest first (404 if the variable is unknown)."""
        self.get(workflow_id, name)
        writes = self._history.get((workflow_id, name), [])
        end = len(writes) - offset
        start = max(0, end - limit)
        return (list(reversed(writes[start:end])) if end > 0 else []), start > 0

    def run_writes(self, run_id: str, limit: int, offset: int) -> tuple[list[Write], bool]:
        """A page of one run's writes, in the order they happened."""
        writes = self._run_writes.get(run_id, [])
        return writes[offset : offset + limit], offset + limit < len(writes)
