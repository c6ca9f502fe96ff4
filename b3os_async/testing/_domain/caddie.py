"""Caddie chat: turns, conversations, history, sessions and AI credits (no I/O, no tasks).

Theory of operation
-------------------
A **turn** is one chat request, keyed by ``(organization, requestId)``. It is planned whole when
it starts (``_caddie_builder.plan_turn``: pure, fast) and then *revealed over time*: event ``i``
is due ``sum(weights[:i+1]) * pace`` seconds after the start (``pace`` = the emulator's
``caddie_pace``). Nothing runs in the background: a chat stream sends each event when it is due,
and a resumed stream (same ``requestId``, ``lastEventIndex``) sends the events after that index
from the same plan, so a resume never repeats or skips one. A turn is *active* until its last
event is due.

What a turn leaves behind is written in two steps. At the start: the user's message in history,
the conversation (created on its first turn) and the AI-credit charge. When it has ended:
the assistant's reply in history, the conversation's mode and its pending interrupt (the fields
the user must fill in). That second step happens on the first read after the end
(:meth:`CaddieBook.settle`, called by every read), dated when the turn ended.

**History** is kept per conversation, per workflow and per create-page session, each a
:class:`Thread` sorted by ``(createdAt, id)``: a keyset page (``before`` + ``beforeId``: strictly
older) is a binary search and one slice, returned oldest first. Each conversation's messages get
strictly increasing timestamps (a reply never ties with its question). **Sessions** (one per
conversation) are kept newest activity first on :class:`~b3os_async.testing._collection.Shelves`.

**AI credits** (:class:`AiCredits`) are the seam to the organization's credit ledger: today a
balance per organization (:data:`DEFAULT_AI_CREDITS`, one credit per turn); ``preflight`` allows a
turn while the balance is above zero. A later organizations/billing area replaces this class.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, insort
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._caddie_builder import Turn, plan_turn
from b3os_async.testing._collection import Shelves
from b3os_async.testing._common import ApiError, now, wrong_state

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Principal

__all__ = [
    "DEFAULT_AI_CREDITS",
    "NO_AI_CREDITS",
    "AiCredits",
    "CaddieBook",
    "ChatRequest",
    "ChatTurn",
    "Conversation",
    "Message",
]

#: AI credits of a new organization; each chat turn costs :data:`TURN_COST`.
DEFAULT_AI_CREDITS = 100
TURN_COST = 1
#: Error code of the 402 a chat turn gets when the organization has no AI credits left.
NO_AI_CREDITS = 402002


class AiCredits:
    """Each organization's AI credits (the seam a billing area will replace; see module doc)."""

    def __init__(self, default: int = DEFAULT_AI_CREDITS) -> None:
        self._default = default
        self._balances: dict[str, int] = {}
        # Per (org, YYYY-MM): credits drawn, and balance changes that were not turns (``set``);
        # GET …/ai-credits/usage reports them (organizations area, ``_domain/plans.py``).
        self._used: dict[tuple[str, str], int] = {}
        self._adjusted: dict[tuple[str, str], int] = {}

    @property
    def default(self) -> int:
        """What a new organization is granted."""
        return self._default

    def usage(self, org_id: str, year_month: str) -> tuple[int, int]:
        """``(used, adjusted)`` credits of the organization in month ``YYYY-MM``."""
        month = (org_id, year_month)
        return self._used.get(month, 0), self._adjusted.get(month, 0)

    def balance(self, org_id: str) -> int:
        """The organization's credits left."""
        return self._balances.get(org_id, self._default)

    def set(self, org_id: str, credits: int) -> None:
        """Set the organization's balance (``Emulator.set_ai_credits``)."""
        month = (org_id, now().strftime("%Y-%m"))
        self._adjusted[month] = self._adjusted.get(month, 0) + int(credits) - self.balance(org_id)
        self._balances[org_id] = int(credits)

    def allowed(self, org_id: str) -> bool:
        """Whether the organization may start a turn (``preflight``)."""
        return self.balance(org_id) > 0

    def charge(self, org_id: str, amount: int) -> None:
        """Draw ``amount`` credits, or raise the 402 a turn gets when none are left."""
        if not self.allowed(org_id):
            raise ApiError(402, NO_AI_CREDITS, "the organization has no AI credits left")
        self._balances[org_id] = self.balance(org_id) - amount
        month = (org_id, now().strftime("%Y-%m"))
        self._used[month] = self._used.get(month, 0) + amount


@attrs.define
class Message:
    """One message of a chat history."""

    id: str
    org_id: str
    conversation_id: str
    role: str  # user | assistant
    content: str
    created: datetime
    session_id: str | None = None
    workflow_id: str | None = None
    agent_version: str | None = None
    turn_id: str | None = None
    tokens_used: int | None = None

    @property
    def key(self) -> tuple[datetime, str]:
        """The history order: ``(createdAt, id)``."""
        return self.created, self.id


class Thread:
    """Messages in ``(createdAt, id)`` order; keyset pages are slices (see module doc)."""

    def __init__(self) -> None:
        self._keys: list[tuple[datetime, str]] = []
        self._messages: dict[tuple[datetime, str], Message] = {}

    def add(self, message: Message) -> None:
        """File a message."""
        insort(self._keys, message.key)
        self._messages[message.key] = message

    def before(self, limit: int, before: datetime | None, before_id: str | None) -> list[Message]:
        """The newest ``limit`` messages strictly older than the cursor, oldest first."""
        end = len(self._keys)
        if before is not None:
            # (t,) sorts before every (t, id): without beforeId, ties at `before` are excluded.
            cursor = (before, before_id) if before_id is not None else (before,)
            end = bisect_left(self._keys, cursor)
        return [self._messages[key] for key in self._keys[max(0, end - limit) : end]]


@attrs.frozen
class ChatRequest:
    """The fields of ``POST /v1/ai/workflow/chat/stream`` the Caddie uses (parsed by the route)."""

    request_id: str | None
    conversation_id: str | None
    message: str | None
    last_event_index: int | None = None
    workflow_id: str | None = None
    session_id: str | None = None
    definition: dict[str, Any] | None = None
    mode: str | None = None
    agent_version: str | None = None


@attrs.define
class ChatTurn:
    """One planned turn and when each of its events is due (see the module docstring)."""

    request_id: str
    org_id: str
    conversation_id: str
    plan: Turn
    started: float  # the loop clock when it started
    started_at: datetime
    offsets: list[float]  # seconds after `started` at which each event is due
    events: list[dict[str, Any]]  # the plan's events with their "index"
    settled: bool = False

    def due(self, index: int) -> float:
        """When event ``index`` is due (loop clock)."""
        return self.started + self.offsets[index]

    @property
    def ends(self) -> float:
        """When its last event is due (loop clock)."""
        return self.started + self.offsets[-1]


@attrs.define
class Conversation:
    """A conversation (one chat session in ``GET …/chat/sessions``)."""

    id: str  # unique in the emulator: org id + conversation id
    org_id: str
    conversation_id: str
    session_id: str | None
    workflow_id: str | None
    preview: str
    stamp: int  # last activity order
    first_at: datetime
    last_at: datetime
    message_count: int = 0
    mode: str | None = None
    pending: dict[str, Any] | None = None
    turn: ChatTurn | None = None


class CaddieBook:
    """Turns, conversations, histories, sessions and credits of one emulator."""

    def __init__(self, ids: IdSource, clock: Callable[[], float]) -> None:
        self._ids = ids
        self._clock = clock
        self.pace = 0.1
        """Seconds per unit of an event's pace weight (``Emulator(caddie_pace=...)``)."""
        self.credits = AiCredits()
        self._turns: dict[tuple[str, str], ChatTurn] = {}
        self._running: dict[tuple[str, str], ChatTurn] = {}
        self._conversations: dict[tuple[str, str], Conversation] = {}
        self._threads: dict[tuple[str, str, str], Thread] = {}
        self._stamps = itertools.count(1)
        self._sessions: Shelves[Conversation] = Shelves(
            {"recent": (lambda c: (c.stamp,), True)}, lambda c: ""
        )

    # -- turns ---------------------------------------------------------------------------------

    def open_turn(
        self,
        who: Principal,
        chat: ChatRequest,
        workflow_definition: Callable[[str], dict[str, Any]],
    ) -> tuple[ChatTurn, int]:
        """The turn a chat request streams and the first event index to send.

        A known ``requestId`` resumes its turn after ``lastEventIndex``; anything else starts a
        new turn (``message`` required; 409 while the conversation has an active turn; 402
        without AI credits). ``workflow_definition(id)`` loads a workflow's definition (404).
        """
        self.settle()
        start = 0 if chat.last_event_index is None else chat.last_event_index + 1
        if chat.request_id is not None:
            known = self._turns.get((who.org_id, chat.request_id))
            if known is not None:
                return known, start
        if not chat.message:
            raise ApiError(400, 400002, "'message' is required to start a turn")
        conversation_id = chat.conversation_id or self._ids.new("conv_", stream="caddie")
        conversation = self._conversations.get((who.org_id, conversation_id))
        turn_now = conversation.turn if conversation is not None else None
        if turn_now is not None and not turn_now.settled:
            raise wrong_state(f"conversation {conversation_id!r} has a turn in progress")
        definition = chat.definition
        if definition is None and chat.workflow_id is not None:
            definition = workflow_definition(chat.workflow_id)
        plan = plan_turn(chat.message, definition=definition, mode=chat.mode)
        self.credits.charge(who.org_id, TURN_COST)
        request_id = chat.request_id or self._ids.new("creq_", stream="caddie")
        started_at = now()
        if conversation is None:
            conversation = Conversation(
                id=f"{who.org_id}/{conversation_id}",
                org_id=who.org_id,
                conversation_id=conversation_id,
                session_id=chat.session_id,
                workflow_id=chat.workflow_id,
                preview=chat.message[:100],
                stamp=next(self._stamps),
                first_at=started_at,
                last_at=started_at,
            )
            self._conversations[who.org_id, conversation_id] = conversation
        offsets = list(itertools.accumulate(w * self.pace for w in plan.weights))
        turn = ChatTurn(
            request_id=request_id,
            org_id=who.org_id,
            conversation_id=conversation_id,
            plan=plan,
            started=self._clock(),
            started_at=started_at,
            offsets=offsets,
            events=[{**event, "index": n} for n, event in enumerate(plan.events)],
        )
        conversation.turn, conversation.pending = turn, None
        self._turns[who.org_id, request_id] = self._running[who.org_id, request_id] = turn
        self._add_message(conversation, "user", chat.message, started_at, chat, turn)
        return turn, start

    def settle(self) -> None:
        """Write what ended turns leave behind (see the module docstring)."""
        now_ = self._clock()
        for key, turn in list(self._running.items()):
            if turn.ends > now_:
                continue
            del self._running[key]
            turn.settled = True
            conversation = self._conversations[turn.org_id, turn.conversation_id]
            ended = turn.started_at + timedelta(seconds=turn.offsets[-1])
            plan = turn.plan
            tokens = plan.usage["inputTokens"] + plan.usage["outputTokens"]
            self._add_message(conversation, "assistant", plan.reply, ended, None, turn, tokens)
            conversation.mode = plan.mode
            if plan.incomplete:
                conversation.pending = {
                    "type": "clarification",
                    "question": "Fill in these fields: " + ", ".join(plan.incomplete),
                    "fields": list(plan.incomplete),
                }

    def _add_message(
        self,
        conversation: Conversation,
        role: str,
        content: str,
        at: datetime,
        chat: ChatRequest | None,
        turn: ChatTurn,
        tokens: int | None = None,
    ) -> None:
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)  # what the API shows: ms
        if conversation.message_count == 0:
            conversation.first_at = at
        elif at <= conversation.last_at:
            at = conversation.last_at + timedelta(milliseconds=1)  # never a tie in a conversation
        message = Message(
            id=self._ids.new("msg_", stream="message"),
            org_id=conversation.org_id,
            conversation_id=conversation.conversation_id,
            role=role,
            content=content,
            created=at,
            session_id=conversation.session_id,
            workflow_id=conversation.workflow_id,
            agent_version=chat.agent_version if chat is not None else None,
            turn_id=turn.request_id,
            tokens_used=tokens,
        )
        conversation.message_count += 1
        conversation.last_at = at
        conversation.stamp = next(self._stamps)
        self._sessions.place(conversation)
        org = conversation.org_id
        for kind, key in (
            ("conversation", conversation.conversation_id),
            ("workflow", conversation.workflow_id),
            ("session", conversation.session_id),
        ):
            if key is not None:
                self._threads.setdefault((org, kind, key), Thread()).add(message)

    # -- reading -------------------------------------------------------------------------------

    def history(
        self,
        org_id: str,
        kind: str,
        key: str,
        limit: int,
        before: datetime | None,
        before_id: str | None,
    ) -> list[Message]:
        """A keyset page of a conversation's, workflow's or session's history, oldest first."""
        self.settle()
        thread = self._threads.get((org_id, kind, key))
        return [] if thread is None else thread.before(limit, before, before_id)

    def sessions(self, org_id: str, limit: int, offset: int) -> tuple[list[Conversation], bool]:
        """A page of the organization's conversations, most recent activity first."""
        self.settle()
        return self._sessions.page(org_id, "", "recent", offset, limit)

    def snapshot(self, org_id: str, conversation_id: str) -> dict[str, Any]:
        """``{isActive, mode, pendingInterrupt}`` of a conversation (idle when unknown)."""
        self.settle()
        conversation = self._conversations.get((org_id, conversation_id))
        if conversation is None:
            return {"isActive": False, "mode": None, "pendingInterrupt": None}
        turn = conversation.turn
        active = turn is not None and not turn.settled
        return {
            "isActive": active,
            "mode": turn.plan.mode if active and turn is not None else conversation.mode,
            "pendingInterrupt": conversation.pending,
        }

    def preflight(self, org_id: str) -> dict[str, bool]:
        """``{allowed}``: whether the organization has AI credits left."""
        self.settle()
        return {"allowed": self.credits.allowed(org_id)}

    def issue_session(self, org_id: str, base_url: str) -> dict[str, str]:
        """A caddie-v3 session: ``{sessionToken, socketUrl}`` (the emulator serves no Socket.IO)."""
        token = self._ids.new("cst_", 32, stream="caddie-session")
        return {"sessionToken": token, "socketUrl": f"{base_url}/caddie-v3/socket.io"}
