"""The Caddie chat stream (``POST /v1/ai/workflow/chat/stream``): one turn, exactly once.

The API's second streaming protocol. What differs from run streams (the shared rules are in
:mod:`b3os_async._streams`; this class only fills the machine's hooks):

* **the request is a POST** whose JSON body carries the chat (``message``, ``conversationId``,
  ``requestId`` …). ``requestId`` (a UUID4 the SDK generates) names the *turn*: re-POSTing it
  does not start a second turn, the server resumes the first one. That makes every attempt safe
  to resend, so the machine's reconnects (same budget, backoff and timeouts as run streams) are
  allowed for this POST;
* **frames are data-only**: no ``event:``, no ``id:``; the JSON carries ``type`` (``thinking``,
  ``tool_start``, ``tool_result``, ``node``, ``chunk``, ``done``, ``error``, ``mode_switch``,
  ``sheet_data``, or a new one: kept). ``: heartbeat`` comments are skipped by the decoder (they
  still reset the idle timer). Multi-line ``data:`` is joined as SSE says (``\\n``); when that is
  not JSON, the lines are joined without a separator, as B3OS's own client does;
* **resume is in the body**, not in ``Last-Event-ID``: after a dropped connection the next attempt
  re-POSTs the same body with ``lastEventIndex`` = the index of the last event accepted (never
  sent before the first event). Each event's index is the JSON's ``index`` when the server sends
  one, else counted from the previous one (the server replays from ``lastEventIndex + 1``).
  Events at or below the last index are dropped, so none is handed out twice. Indices count from
  0 (``lastEventIndex`` has ``minimum: 0`` in the API: it names an event received);
* **it ends after ``done`` or ``error``** (:meth:`EventStream._end_after_current`). ``done``
  carries the turn's outcome, decoded on demand by :meth:`ChatStream.result`. ``error`` is handed
  out as the last event, then iteration raises :class:`~b3os_async.CaddieError` (so an error never
  passes silently); :meth:`ChatStream.result` raises it too. An ``event: error`` frame (a
  status-bearing failure from the transport, a 503 mid-stream) is the machine's: retryable
  statuses resume, others raise like any HTTP error;
* ``ReconnectInfo.last_event_id`` (``on_reconnect``) shows the last event *index* as text.

Decision: one :class:`~b3os_async.models.ChatEvent` class with typed common fields and the raw
JSON, not a class per type: the API documents the payload of only three types
(``docs/architecture.md``, "Decisions").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure
from b3os_async._errors import CaddieError, StreamError
from b3os_async._streams.lifecycle import Phase
from b3os_async._streams.machine import EventStream
from b3os_async._transport.json_parser import loads
from b3os_async.models._area_enums import ChatEventType
from b3os_async.models.caddie import ChatEvent, ChatResult

if TYPE_CHECKING:
    from b3os_async._transport.session import Requester
    from b3os_async.sse import ServerSentEvent

__all__ = ["CHAT_PATH", "ChatStream", "decode_chat_event"]

CHAT_PATH = "/v1/ai/workflow/chat/stream"

_DONE = ChatEventType.DONE
_ERROR = ChatEventType.ERROR


def _parse(text: str) -> Any:
    """The frame's JSON; multi-line data that is not JSON joined with ``\\n`` is tried without."""
    try:
        return loads(text)
    except ValueError:
        if "\n" in text:
            try:
                return loads(text.replace("\n", ""))
            except ValueError:
                pass
    return text


def _str(value: Any) -> str | None:
    return value if type(value) is str else None


def decode_chat_event(sse: ServerSentEvent, index: int | None) -> ChatEvent:
    """Build a :class:`ChatEvent` from one SSE event; ``index`` is used when the JSON has none.

    Never raises for a bad payload (forward compatible): a field of the wrong JSON type is
    ``None`` and the raw value stays in ``data``; a payload that is not JSON is kept as text.
    """
    obj = _parse(sse.data)
    sse_id = sse.id or None
    if type(obj) is not dict:
        etype = sse.event if sse.event != "message" else "message"
        return ChatEvent(type=ChatEventType(etype), index=index, data=obj, id=sse_id)
    named = obj.get("type")
    etype = named if type(named) is str and named else sse.event
    sent = obj.get("index")
    if type(sent) is int and sent >= 0:
        index = sent
    get = obj.get
    text = _str(get("data")) or _str(get("message")) or _str(get("content")) or _str(get("text"))
    if etype == "error":
        text = _str(get("error")) or _str(get("message")) or text
    return ChatEvent(
        type=ChatEventType(etype),
        index=index,
        text=text,
        tool_name=_str(get("toolName")),
        node_id=_str(get("nodeId")),
        mode=_str(get("mode")),
        data=obj,
        id=sse_id,
    )


class ChatStream(EventStream[ChatEvent]):
    """One Caddie chat turn as an async iterator of :class:`ChatEvent` that survives drops.

    Get one from ``b3.caddie.chat(...)``; nothing is sent until you iterate it (or call
    :meth:`result` / ``connect()``). Use it as ``async with b3.caddie.chat(...) as chat:``;
    ``async for event in chat`` yields the turn's events and stops after ``done``;
    ``await chat.result()`` reads the rest and returns the :class:`ChatResult`.
    """

    __slots__ = ("_body", "_done", "_error", "_index", "_result")

    def __init__(self, requester: Requester, body: dict[str, Any]) -> None:
        super().__init__(requester, CHAT_PATH)
        self._body = body
        self._index: int | None = None  # index of the last event accepted
        self._done: dict[str, Any] | None = None
        self._result: ChatResult | None = None
        self._error: CaddieError | None = None

    @property
    def request_id(self) -> str:
        """The turn's ``requestId`` (UUID4, generated unless given): what a resume re-sends."""
        return str(self._body["requestId"])

    @property
    def conversation_id(self) -> str:
        """The conversation's id: pass it to the next ``chat()`` to continue the conversation."""
        return str(self._body["conversationId"])

    @property
    def last_event_index(self) -> int | None:
        """The index of the last event received (``None`` before the first)."""
        return self._index

    def __repr__(self) -> str:
        return (
            f"ChatStream(request_id={self.request_id!r}, "
            f"conversation_id={self.conversation_id!r}, last_event_index={self._index!r})"
        )

    def __aiter__(self) -> ChatStream:
        return self

    async def __aenter__(self) -> ChatStream:
        return self

    async def __anext__(self) -> ChatEvent:
        try:
            return await super().__anext__()
        except StopAsyncIteration:
            # The turn ended with an `error` event (already handed out): say so, never silently.
            if self._error is not None and self._phase is Phase.ENDED:
                raise self._error from None
            raise

    async def result(self) -> ChatResult:
        """Read the rest of the turn and return its outcome (the ``done`` event, typed).

        Events not read yet are discarded. Raises :class:`~b3os_async.CaddieError` when the turn
        ended with an ``error`` event, :class:`~b3os_async.StreamError` when the stream ended
        without ``done`` (closed early), and the stream's errors otherwise.
        """
        if self._result is not None:
            return self._result
        try:
            async for _ in self:
                pass
        finally:
            await self.aclose()
        done = self._done
        if done is None:
            raise StreamError(
                f"the chat turn {self.request_id} ended without a 'done' event "
                "(the stream was closed before the turn finished)"
            )
        payload = done.get("data")
        outcome = dict(payload) if isinstance(payload, dict) else {"type": "message"}
        outcome["definition"] = outcome.pop("workflow", None)
        outcome["usage"] = done.get("usage")
        outcome["toolUtilization"] = done.get("toolUtilization") or []
        outcome["requestId"] = self.request_id
        outcome["conversationId"] = self.conversation_id
        self._result = structure(outcome, ChatResult)
        return self._result

    # -- hooks -------------------------------------------------------------------------------------

    def _request(self) -> tuple[str, dict[str, str] | None, Any]:
        body = self._body
        if self._index is not None:
            body = {**body, "lastEventIndex": self._index}
        return "POST", None, body

    def _accept(self, sse: ServerSentEvent, event_id: str | None) -> ChatEvent | None:
        if self._done is not None or self._error is not None:
            return None  # nothing belongs to the turn after its end
        last = self._index
        event = decode_chat_event(sse, 0 if last is None else last + 1)
        index = event.index
        if last is not None and index is not None and index <= last:
            return None  # already handed out (a replay that started too early)
        self._index = index
        etype = event.type
        if etype is _DONE:
            self._done = event.data if isinstance(event.data, dict) else {}
            self._end_after_current()
        elif etype is _ERROR:
            self._error = CaddieError(
                f"Caddie ended the turn with an error: {event.text or 'no message'}",
                request_id=self.request_id,
                conversation_id=self.conversation_id,
                data=event.data,
            )
            self._end_after_current()
        return event

    def _progress(self) -> None:
        # The resume point of a chat is an event index, not an SSE id: show it in ReconnectInfo
        # and the reconnect log line (the machine reports `_cursor` there).
        if self._index is not None:
            self._cursor = str(self._index)
        super()._progress()
