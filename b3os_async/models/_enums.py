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
    "WebhookEventAction",
    "WebhookEventStatus",
    "AgentRunPhase",
    "ChatEventType",
    "ChatMode",
    "ChatResultType",
    "DeliveryStatus",
    "ExecutionNodeStatus",
    "ExternalExecutionStatus",
    "HookEndpointStatus",
    "HookEventType",
    "OpenEnum",
    "PausedReason",
    "RunStatus",
    "VariableLifetime",
    "VariableOp",
    "VariableScope",
    "VariableType",
    "TemplateVisibility",
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


class VariableType(OpenEnum):
    """Type of a workflow variable's value."""

    NUMBER = "number"
    TEXT = "text"
    BOOLEAN = "boolean"
    LIST = "list"
    OBJECT = "object"


class VariableLifetime(OpenEnum):
    """``persist``: the value carries over between runs; ``reset``: runs start at the default."""

    PERSIST = "persist"
    RESET = "reset"


class VariableOp(OpenEnum):
    """How a variable was written: by a node (``set``) or by hand."""

    SET = "set"
    MANUAL_SET = "manual_set"
    MANUAL_RESET = "manual_reset"


class VariableScope(OpenEnum):
    """Whether a write lasts (``workflow``) or only for its run (``run``)."""

    WORKFLOW = "workflow"
    RUN = "run"


# -- area public ---------------------------------------------------------------------------------


class ExternalExecutionStatus(OpenEnum):
    """Status of an *external execution* (``b3.executions``; not a run, not a node execution).

    ``awaiting_payment`` -> ``payment_confirmed`` (payable workflows) -> ``workflow_queued`` ->
    ``workflow_running`` / ``workflow_waiting`` -> one of the four terminal statuses.
    """

    AWAITING_PAYMENT = "awaiting_payment"
    PAYMENT_CONFIRMED = "payment_confirmed"
    WORKFLOW_QUEUED = "workflow_queued"
    WORKFLOW_RUNNING = "workflow_running"
    WORKFLOW_WAITING = "workflow_waiting"
    WORKFLOW_SUCCEEDED = "workflow_succeeded"
    WORKFLOW_PARTIAL = "workflow_partial"
    WORKFLOW_FAILED = "workflow_failed"
    WORKFLOW_CANCELLED = "workflow_cancelled"

    @property
    def is_terminal(self) -> bool:
        """``True`` once the execution's run ended (succeeded, partial, failed, cancelled).

        An unknown status is not terminal (a stream keeps following rather than stop early).
        """
        return self._value_ in _TERMINAL_EXECUTION_STATUSES


_TERMINAL_EXECUTION_STATUSES = frozenset(
    {"workflow_succeeded", "workflow_partial", "workflow_failed", "workflow_cancelled"}
)


class TemplateVisibility(OpenEnum):
    """Who can see a template: its organization (``org``) or everyone (``public``)."""

    ORG = "org"
    PUBLIC = "public"


# -- Caddie (area 9) -----------------------------------------------------------------------------


class ChatEventType(OpenEnum):
    """Type of a Caddie chat event (``ChatEvent.type``); unknown types are kept."""

    THINKING = "thinking"
    TOOL_START = "tool_start"
    TOOL_RESULT = "tool_result"
    NODE = "node"
    CHUNK = "chunk"
    DONE = "done"
    ERROR = "error"
    MODE_SWITCH = "mode_switch"
    SHEET_DATA = "sheet_data"


class ChatMode(OpenEnum):
    """A Caddie turn's mode (``preferredMode`` of a chat request; ``mode_switch`` events)."""

    PLANNING = "planning"
    BUILDING = "building"
    REPAIR = "repair"
    CONVERSATION = "conversation"


class ChatResultType(OpenEnum):
    """What a finished Caddie turn produced: a workflow definition or a message."""

    WORKFLOW = "workflow"
    MESSAGE = "message"


class AgentRunPhase(OpenEnum):
    """Phase of an agent run. The API documents no values; these are the emulator's.

    An unknown phase is not terminal (``AgentRunState.is_terminal`` also looks at
    ``finished_at``).
    """

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """``True`` for ``completed``, ``failed`` and ``cancelled``."""
        return self._value_ in ("completed", "failed", "cancelled")


# -- execution hooks ---------------------------------------------------------------------------


class HookEndpointStatus(OpenEnum):
    """Whether an execution-hook endpoint receives deliveries."""

    ACTIVE = "active"
    DISABLED = "disabled"


class DeliveryStatus(OpenEnum):
    """State of one webhook delivery record (execution hooks and ``send-webhook`` nodes)."""

    PENDING = "pending"
    SUCCESS = "success"
    FAILURE = "failure"
    RETRYING = "retrying"


class HookEventType(OpenEnum):
    """Type of an execution-hook event.

    The API documents ``run.completed``, ``run.failed`` and ``node.failed`` by name and the
    families "run started / waiting / succeeded / failed / cancelled" and "node started /
    succeeded / failed / skipped"; the other names are the emulator's reading of those families.
    Types this SDK does not know arrive as pseudo-members (``is_known`` is ``False``).
    """

    RUN_STARTED = "run.started"
    RUN_WAITING = "run.waiting"
    RUN_COMPLETED = "run.completed"
    RUN_FAILED = "run.failed"
    RUN_CANCELLED = "run.cancelled"
    NODE_STARTED = "node.started"
    NODE_COMPLETED = "node.completed"
    NODE_FAILED = "node.failed"
    NODE_SKIPPED = "node.skipped"


# -- triggers & webhooks ----------------------------------------------------------------------


class WebhookEventStatus(OpenEnum):
    """Whether an inbound webhook event was processed."""

    PENDING = "pending"
    SUCCESS = "success"
    FAILURE = "failure"


class WebhookEventAction(OpenEnum):
    """What an inbound webhook did: started a run, resumed a waiting one, or nothing."""

    TRIGGERED = "triggered"
    RESUMED = "resumed"
    SKIPPED = "skipped"
