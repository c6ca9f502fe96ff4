"""``b3.caddie``: Caddie, the AI workflow builder: chat turns, sessions, history, snapshot, Pulse.

``chat()`` streams one turn over SSE (``agentVersion`` v2, what B3OS's own client uses) and
resumes it after a drop (:mod:`b3os_async._streams.chat`); ``issue_session()`` is the v3 route
of the same endpoint (a Socket.IO session, which this SDK does not speak). History is a keyset
list, newest message first.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from b3os_async._convert.leaves import parse_datetime
from b3os_async._errors import ConfigurationError
from b3os_async._streams.chat import CHAT_PATH, ChatStream
from b3os_async._transport.paths import path
from b3os_async.models.caddie import (
    CaddieSession,
    ChatMessage,
    ChatPreflight,
    ChatSession,
    ConversationSnapshot,
)
from b3os_async.pagination import KeysetPager
from b3os_async.resources._args import compact, definition_json
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from b3os_async._transport.http import QueryValue
    from b3os_async.models._area_enums import ChatMode
    from b3os_async.models.definitions import WorkflowDefinition
    from b3os_async.pagination import AsyncPager

__all__ = ["MAX_MESSAGE_LENGTH", "Caddie"]

#: The longest chat message the API accepts (characters).
MAX_MESSAGE_LENGTH = 10_000

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


def _check_text(value: str | None, name: str, limit: int, *, required: bool = False) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value.strip()):
        raise ConfigurationError(f"{name} must be a non-empty string, got {value!r}")
    if len(value) > limit:
        raise ConfigurationError(f"{name} is {len(value)} characters long; the API takes {limit}")


def _created(item: Any) -> tuple[datetime, str]:
    """A history item's order ``(createdAt, id)``; unreadable timestamps sort oldest."""
    if not isinstance(item, dict):
        return _OLDEST, ""
    created, item_id = item.get("createdAt"), item.get("id")
    try:
        moment = parse_datetime(created) if isinstance(created, str) else _OLDEST
    except ValueError:
        moment = _OLDEST
    return moment, item_id if isinstance(item_id, str) else ""


def _newest_first(items: list[Any]) -> list[Any]:
    return sorted(items, key=_created, reverse=True)


def _older_than(items: Sequence[Any]) -> Mapping[str, QueryValue] | None:
    """The keyset of the page after ``items``: strictly older than its oldest message.

    The timestamp is sent exactly as the server wrote it (re-formatting could round it).
    """
    oldest = items[-1]
    created = oldest.get("createdAt") if isinstance(oldest, dict) else None
    if not isinstance(created, str) or not created:
        return None  # no keyset to go on from
    oldest_id = oldest.get("id")
    return {"before": created, "beforeId": oldest_id if isinstance(oldest_id, str) else None}


class Caddie(Resource):
    """Caddie endpoints (``/v1/ai/*``). Get it as ``b3.caddie``."""

    __slots__ = ()

    def _chat_body(
        self,
        message: str | None,
        *,
        conversation_id: str | None,
        workflow_id: str | None,
        definition: WorkflowDefinition | Mapping[str, Any] | None,
        mode: ChatMode | str | None,
        session_id: str | None,
        request_id: str | None,
        timezone: str | None,
        name: str | None,
        description: str | None,
        images: Sequence[Mapping[str, str]] | None,
        template_search_mode: str | None,
        agent_version: str,
    ) -> dict[str, Any]:
        _check_text(message, "message", MAX_MESSAGE_LENGTH, required=True)
        _check_text(conversation_id, "conversation_id", 255)
        _check_text(request_id, "request_id", 255)
        _check_text(name, "name", 100)
        _check_text(description, "description", 500)
        given: object = images  # callers may pass anything: check at runtime
        if given is not None and (
            not isinstance(given, (list, tuple)) or not all(isinstance(i, dict) for i in given)
        ):
            raise ConfigurationError("images must be a list of {'base64'|'ipfsUrl': ...} dicts")
        return compact(
            message=message,
            conversationId=conversation_id or str(uuid.uuid4()),
            requestId=request_id or str(uuid.uuid4()),
            workflowId=workflow_id,
            sessionId=session_id,
            definition=None if definition is None else definition_json(definition),
            preferredMode=None if mode is None else str(mode),
            agentVersion=agent_version,
            timezone=timezone,
            name=name,
            description=description,
            images=None if images is None else [dict(image) for image in images],
            templateSearchMode=template_search_mode,
        )

    def chat(
        self,
        message: str,
        *,
        conversation_id: str | None = None,
        workflow_id: str | None = None,
        definition: WorkflowDefinition | Mapping[str, Any] | None = None,
        mode: ChatMode | str | None = None,
        session_id: str | None = None,
        request_id: str | None = None,
        timezone: str | None = None,
        name: str | None = None,
        description: str | None = None,
        images: Sequence[Mapping[str, str]] | None = None,
        template_search_mode: str | None = None,
        agent_version: str = "v2",
    ) -> ChatStream:
        """Ask Caddie something: one chat turn, streamed (``POST /v1/ai/workflow/chat/stream``).

        ``async with b3.caddie.chat("every hour fetch ...") as chat:`` then
        ``async for event in chat`` (typed :class:`~b3os_async.models.ChatEvent`, ending at
        ``done``) and/or ``result = await chat.result()``. Nothing is sent before you iterate.
        A dropped connection resumes the same turn (same ``requestId``, ``lastEventIndex``);
        an ``error`` event raises :class:`~b3os_async.CaddieError`. Each turn costs AI credits.

        Args:
            message: what to build or change (at most 10,000 characters).
            conversation_id: continue this conversation (``chat.conversation_id`` of an earlier
                turn); a new UUID4 otherwise.
            workflow_id: the saved workflow the conversation is about (Caddie changes it).
            definition: a definition to change or repair (instead of a saved workflow).
            mode: ``planning``, ``building``, ``repair`` or ``conversation`` (``preferredMode``);
                Caddie picks one when not given.
            session_id: the create-page session that started the conversation (metadata).
            request_id: the turn's id (UUID4 generated otherwise); a turn with a known id is
                resumed, not started again.
            timezone: the user's IANA timezone, for time-aware answers.
            name: a name for a new workflow (at most 100 characters).
            description: a description for a new workflow (at most 500 characters).
            images: attachments, ``{"base64": ...}`` or ``{"ipfsUrl": ...}`` dicts.
            template_search_mode: ``lightweight`` (the server's default) or ``hybrid``.
            agent_version: ``"v2"`` (SSE, the default); ``"v3"`` is Socket.IO: use
                :meth:`issue_session`.
        """
        body = self._chat_body(
            message,
            conversation_id=conversation_id,
            workflow_id=workflow_id,
            definition=definition,
            mode=mode,
            session_id=session_id,
            request_id=request_id,
            timezone=timezone,
            name=name,
            description=description,
            images=images,
            template_search_mode=template_search_mode,
            agent_version=agent_version,
        )
        if agent_version == "v3":
            raise ConfigurationError(
                "agent_version='v3' answers with a Socket.IO session, not a stream: use "
                "b3.caddie.issue_session() (chat() streams v1/v2 over SSE)"
            )
        return ChatStream(self._req, body)

    async def issue_session(
        self,
        message: str,
        *,
        conversation_id: str | None = None,
        workflow_id: str | None = None,
        definition: WorkflowDefinition | Mapping[str, Any] | None = None,
        mode: ChatMode | str | None = None,
        session_id: str | None = None,
        request_id: str | None = None,
        timezone: str | None = None,
    ) -> CaddieSession:
        """Issue a caddie-v3 chat session (``agentVersion: v3``): ``{session_token, socket_url}``.

        The turn then runs over Socket.IO at ``socket_url``, which this SDK does not speak; use
        :meth:`chat` for a streamed turn over SSE. Not retried (a POST). Arguments as :meth:`chat`.
        """
        body = self._chat_body(
            message,
            conversation_id=conversation_id,
            workflow_id=workflow_id,
            definition=definition,
            mode=mode,
            session_id=session_id,
            request_id=request_id,
            timezone=timezone,
            name=None,
            description=None,
            images=None,
            template_search_mode=None,
            agent_version="v3",
        )
        return await self._post(CaddieSession, CHAT_PATH, json=body)

    def sessions(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[ChatSession]:
        """List the organization's chat sessions, latest activity first, lazily (page max 50)."""
        return self._list(
            ChatSession,
            "/v1/ai/workflow/chat/sessions",
            page_size=page_size,
            max_items=max_items,
        )

    def history(
        self,
        *,
        conversation_id: str | None = None,
        workflow_id: str | None = None,
        session_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> KeysetPager[ChatMessage]:
        """The messages of a conversation, a workflow or a session: newest first, lazily.

        Give exactly one of ``conversation_id``, ``workflow_id``, ``session_id``. Pages walk back
        in time with the API's keyset (``before`` + ``beforeId``); ``page_size`` max 100.
        """
        given = {
            "conversationId": conversation_id,
            "workflowId": workflow_id,
            "sessionId": session_id,
        }
        chosen = {key: value for key, value in given.items() if value is not None}
        if len(chosen) != 1:
            raise ConfigurationError(
                "history() needs exactly one of conversation_id, workflow_id, session_id"
            )
        return KeysetPager(
            self._req,
            path("/v1/ai/workflow/chat/history"),
            ChatMessage,
            cursor=_older_than,
            arrange=_newest_first,
            params=chosen,
            page_size=page_size,
            max_items=max_items,
        )

    async def snapshot(self, conversation_id: str) -> ConversationSnapshot:
        """The live state of a conversation: is a turn running, its mode, a pending question."""
        params = {"conversationId": conversation_id}
        return await self._get(ConversationSnapshot, "/v1/ai/workflow/chat/snapshot", params=params)

    async def preflight(self) -> ChatPreflight:
        """Whether the organization may start a turn now (``allowed`` is False without credits)."""
        return await self._get(ChatPreflight, "/v1/ai/workflow/chat/preflight")

    async def pulse(self, *, refresh: bool | None = None, demo: bool | None = None) -> Any:
        """The organization's proactive Pulse feed (situation cards, held-asset signals).

        Its shape is not documented: the JSON object is returned as it is.

        Args:
            refresh: ask the server to recompute the feed.
            demo: a demonstration feed.
        """
        params = {"refresh": refresh, "demo": demo}
        return await self._data("GET", "/v1/ai/pulse", params=params)
