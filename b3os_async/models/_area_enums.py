"""The open enums of the API areas beyond runs and workflows (variables, executions, templates,
the Caddie, execution hooks, inbound webhooks).

Apart from :mod:`b3os_async.models._enums` (which defines :class:`OpenEnum` and the run and
workflow statuses) so that a program that only lists and streams runs does not build them at
import time.
"""

from __future__ import annotations

from b3os_async.models._enums import OpenEnum

__all__ = [
    "AgentRunPhase",
    "ChatEventType",
    "ChatMode",
    "ChatResultType",
    "DeliveryStatus",
    "ExternalExecutionStatus",
    "HookEndpointStatus",
    "HookEventType",
    "TemplateVisibility",
    "VariableLifetime",
    "VariableOp",
    "VariableScope",
    "VariableType",
    "WebhookEventAction",
    "WebhookEventStatus",
]


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
