"""Workflow variable models: definitions, current values, and recorded writes.

Values are free-form JSON (a number, text, a boolean, a list or an object, as the variable's
``type`` says) and stay plain Python values.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import VariableLifetime, VariableOp, VariableScope, VariableType

__all__ = ["VariableDef", "VariableWrite", "WorkflowVariable"]


@attrs.frozen(kw_only=True)
class VariableDef:
    """A variable's definition: its type, lifetime and default value."""

    name: str | None = None
    type: VariableType | None = None
    lifetime: VariableLifetime | None = None
    default: Any = None
    description: str | None = None


@attrs.frozen(kw_only=True)
class WorkflowVariable:
    """A workflow variable and its current value (``has_value`` False: the default applies)."""

    definition: VariableDef | None = attrs.field(default=None, metadata={"json": "def"})
    has_value: bool | None = None
    value: Any = None
    version: int | None = None
    last_run_id: str | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class VariableWrite:
    """One recorded write of a variable: by which run and node (or by hand), old and new value."""

    id: int | None = None
    workflow_id: str | None = None
    name: str | None = None
    op: VariableOp | None = None
    scope: VariableScope | None = None
    old_value: Any = None
    new_value: Any = None
    run_id: str | None = None
    written_by_node: str | None = None
    written_at: datetime | None = None
