"""Open string enums: known values are members, unknown values are kept instead of failing.

The API grows new statuses over time (``partial`` and ``auto_swapping`` were added after the first
spec). A client that crashes on a value it has never seen would break the day the server ships
one, so :class:`OpenEnum` turns an unknown string into a *pseudo-member*: an instance of the same
enum class whose ``value`` is the raw string and whose ``is_known`` is ``False``. Pseudo-members
are cached (up to a bound, so a misbehaving server cannot grow memory without limit), compare and
hash like the string they wrap, and pickle by value. They never appear when iterating the class.
"""

from __future__ import annotations

import enum
from typing import Any

__all__ = [
    "ExecutionNodeStatus",
    "OpenEnum",
    "PausedReason",
    "RunStatus",
    "WorkflowStatus",
    "WorkflowVisibility",
]

# How many distinct unknown values one enum class caches. Past this, pseudo-members are still
# created on demand (and compare equal), they are just not remembered.
_MAX_PSEUDO_MEMBERS = 64


class OpenEnum(str, enum.Enum):
    """A string enum that keeps unknown values as pseudo-members instead of raising."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None  # Enum then raises ValueError, which the converter reports with a path.
        value = str(value)  # a str subclass (another enum) becomes its plain value
        known = cls._value2member_map_.get(value)
        if known is not None:
            return known
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        if len(cls._value2member_map_) < len(cls._member_map_) + _MAX_PSEUDO_MEMBERS:
            # setdefault keeps the first one if two threads race, so identity stays stable.
            return cls._value2member_map_.setdefault(value, pseudo)
        return pseudo

    @property
    def is_known(self) -> bool:
        """``True`` for a value this SDK version knows; ``False`` for a pseudo-member."""
        return type(self)._member_map_.get(self._name_) is self

    def __str__(self) -> str:
        return str(self._value_)

    def __repr__(self) -> str:
        if self.is_known:
            return f"<{type(self).__name__}.{self._name_}: {self._value_!r}>"
        return f"<{type(self).__name__} (unknown): {self._value_!r}>"


class RunStatus(OpenEnum):
    """Status of a run. ``waiting`` means paused on a wait node (resumable)."""

    RUNNING = "running"
    WAITING = "waiting"
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILURE = "failure"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """``True`` once the run has ended: success, partial, failure or cancelled.

        An unknown status is not terminal: a stream or poll loop keeps waiting rather than
        stopping early on a value it cannot interpret.
        """
        return self._value_ in _TERMINAL_RUN_STATUSES


_TERMINAL_RUN_STATUSES = frozenset({"success", "partial", "failure", "cancelled"})


class ExecutionNodeStatus(OpenEnum):
    """Status of one node inside a run's ``execution_state``."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCESS = "success"
    PARTIAL = "partial"
    FAILURE = "failure"
    SKIPPED = "skipped"
    WAITING = "waiting"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    AUTO_SWAPPING = "auto_swapping"


class WorkflowStatus(OpenEnum):
    """Lifecycle state of a workflow."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class WorkflowVisibility(OpenEnum):
    """Who can see (and run) a workflow."""

    PRIVATE = "private"
    ORG = "org"
    PUBLIC_VIEW = "public_view"
    PUBLIC_EXECUTE = "public_execute"


class PausedReason(OpenEnum):
    """Why the platform paused a workflow automatically."""

    CU_EXHAUSTED = "cu_exhausted"
    DISABLED_ACTION = "disabled_action"
    CONSECUTIVE_FAILURES = "consecutive_failures"
    MAX_RUNS_EXHAUSTED = "max_runs_exhausted"
    INVALID_CHAT = "invalid_chat"
    MEMBER_REMOVED = "member_removed"
