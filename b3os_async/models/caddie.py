"""Caddie models: chat events and the turn's outcome, sessions, history, snapshot, preflight.

A chat event is ONE class, :class:`ChatEvent`, not a class per event type: the API documents the
types (``thinking``, ``tool_start``, ``tool_result``, ``node``, ``chunk``, ``done``, ``error``,
``mode_switch``, ``sheet_data``) but the payload of only three of them (``tool_start.toolName``,
``done``, ``error.error``), so the event has the typed fields those give plus the raw JSON in
``data``. The outcome of a turn (the ``done`` event) is typed: :class:`ChatResult`.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import ChatEventType, ChatMode, ChatResultType
from b3os_async.models._enums import RunStatus
from b3os_async.models.definitions import WorkflowDefinition

__all__ = [
    "CaddieSession",
    "ChatEvent",
    "ChatMessage",
    "ChatPreflight",
    "ChatResult",
    "ChatSession",
    "ChatUsage",
    "ChatValidationError",
    "ConversationSnapshot",
    "ToolUtilization",
]


@attrs.frozen(kw_only=True)
class ChatEvent:
    """One event of a Caddie chat turn (``async for event in b3.caddie.chat(...)``).

    * ``type``: ``thinking``, ``tool_start``, ``tool_result``, ``node``, ``chunk``, ``done``,
      ``error``, ``mode_switch``, ``sheet_data``, or a type this SDK does not know (kept).
    * ``index``: the event's position in the turn (0, 1, 2 ...): the JSON's ``index`` when the
      server sends one, else counted. A resumed turn continues after the last index handed out.
    * ``text``: the human-readable text: a ``chunk``'s text (``data``), a ``thinking`` message
      (``message``), an ``error``'s message (``error``).
    * ``tool_name`` (``toolName``), ``node_id`` (``nodeId``), ``mode`` (``mode_switch``).
    * ``data``: the whole decoded JSON payload (or the raw text when it was not JSON).

    Typed fields hold their declared types or ``None`` (a wrong JSON type stays in ``data``).
    """

    type: ChatEventType
    index: int | None = None
    text: str | None = None
    tool_name: str | None = None
    node_id: str | None = None
    mode: str | None = None
    data: Any = None
    id: str | None = None
    """The SSE id when the server sent one (the chat stream normally sends none)."""

    @property
    def is_terminal(self) -> bool:
        """``True`` for ``done`` and ``error``: the turn ends with it."""
        return self.type in (ChatEventType.DONE, ChatEventType.ERROR)


@attrs.frozen(kw_only=True)
class ChatUsage:
    """Tokens a Caddie turn used."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None


@attrs.frozen(kw_only=True)
class ChatValidationError:
    """A validation problem of the definition a turn produced."""

    message: str | None = None
    node_id: str | None = None


@attrs.frozen(kw_only=True)
class ToolUtilization:
    """How much a turn used one of Caddie's tools."""

    tool_name: str | None = None
    call_count: int | None = None
    score: float | None = None


@attrs.frozen(kw_only=True)
class ChatResult:
    """The outcome of a Caddie turn (its ``done`` event): ``await chat.result()``.

    ``type`` says what it produced: ``workflow`` (then ``definition`` is set: the event's
    ``data.workflow``, ready for ``b3.workflows.create(definition=...)``) or ``message`` (then
    ``message`` is set). ``incomplete_fields`` name values the user must still supply;
    ``validation_errors`` are problems left in the definition. ``name``/``description`` are
    suggestions when the server sends them. ``request_id``/``conversation_id`` identify the turn
    (pass ``conversation_id`` to the next ``chat()`` to continue the conversation).
    """

    type: ChatResultType
    definition: WorkflowDefinition | None = None
    message: str | None = None
    incomplete_fields: tuple[str, ...] = ()
    validation_errors: tuple[ChatValidationError, ...] = ()
    usage: ChatUsage | None = None
    tool_utilization: tuple[ToolUtilization, ...] = ()
    name: str | None = None
    description: str | None = None
    request_id: str | None = None
    conversation_id: str | None = None


@attrs.frozen(kw_only=True)
class CaddieSession:
    """A caddie-v3 session (``b3.caddie.issue_session()``): a Socket.IO handshake's credentials.

    ``session_token`` is a credential: it is never shown in ``repr()``.
    """

    session_token: str = attrs.field(repr=False)
    socket_url: str | None = None


@attrs.frozen(kw_only=True)
class ChatSession:
    """A chat session of the organization (one conversation)."""

    conversation_id: str | None = None
    session_id: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    context_type: str | None = None
    preview: str | None = None
    message_count: int | None = None
    first_message_at: datetime | None = None
    last_message_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ChatMessage:
    """One message of a chat history (``role``: ``user``, ``assistant``, ``system``, ...)."""

    id: str
    role: str | None = None
    content: str | None = None
    conversation_id: str | None = None
    session_id: str | None = None
    workflow_id: str | None = None
    organization_id: str | None = None
    agent_version: str | None = None
    turn_id: str | None = None
    image_urls: tuple[str, ...] = ()
    structured_payload: Any = None
    tokens_used: int | None = None
    sender_user_id: str | None = None
    linked_run_id: str | None = None
    linked_run_status: RunStatus | None = None
    linked_run_started_at: datetime | None = None
    linked_run_finished_at: datetime | None = None
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class ConversationSnapshot:
    """The live state of a conversation: is a turn running, its mode, a pending question.

    ``pending_interrupt`` is free-form (the card the app shows while waiting for the user).
    """

    is_active: bool | None = None
    mode: ChatMode | None = None
    pending_interrupt: Any = None


@attrs.frozen(kw_only=True)
class ChatPreflight:
    """Whether the organization may start a Caddie turn (``False``: no AI credits left)."""

    allowed: bool | None = None
