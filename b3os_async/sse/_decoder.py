"""Sans-I/O Server-Sent Events decoder: bytes in, events out.

It follows the WHATWG HTML "event stream interpretation" rules exactly (see
``shared/sse-rules.md``). It does no I/O and imports no aiohttp. Outside :mod:`b3os_async.sse` it
imports only :mod:`b3os_async._errors`, a dependency-free leaf; that is the one exception to the
rule "``sse`` imports nothing of ours", so that a size cap can raise the SDK's
:class:`StreamError`.

The SDK's streams use it for you (``b3.runs.stream()``, ``b3.stream(path)``). On its own it takes
bytes and returns the events they complete::

    decoder = SSEDecoder()
    events = decoder.feed(b"id: 7\nevent: ping\ndata: {}\n\n")  # [ServerSentEvent(...)]
    decoder.end()          # a connection's body ended: the unfinished event is dropped
    decoder.last_event_id  # "7": what to send as Last-Event-ID when reconnecting

Theory of operation
-------------------
* **Framing on bytes.** A line ends at CRLF, at LF, or at a CR not followed by LF, and at nothing
  else (not U+2028/2029/0085, ``\\v``, ``\\f`` or ``\\x1c``-``\\x1e``, which ``str.splitlines()``
  would split on). For each chunk two C-level ``rfind`` calls locate its *last* CR or LF.
  Everything up to it is whole lines; what follows is the start of the next line and waits in a
  ``bytearray``. Appending to it is amortised linear and it is never rescanned (each chunk is
  searched on its own), so a 16 MiB line costs one copy and one decode, never a quadratic
  ``bytes +=``.
* **CR at the end of a chunk** ends its line at once: the event it completes is returned by that
  same ``feed()``. A ``skip_lf`` flag then drops one LF if it is the next byte, even when that byte
  starts the next chunk (an empty chunk in between keeps the flag).
* **Decoding.** A chunk's whole lines are decoded in one ``bytes.decode("utf-8", "replace")``
  call. CR and LF bytes never occur inside a UTF-8 multi-byte sequence, so this equals decoding
  line by line; a character split across chunks is still in the partial-line buffer. Invalid
  bytes become U+FFFD and nothing raises. The ``Content-Type`` charset is ignored: always UTF-8.
* **BOM.** One leading EF BB BF is stripped at the start of each connection only. Its three bytes
  may arrive in separate chunks; a later BOM is an ordinary character.
* **Interpretation.** The decoded lines have their terminators normalised to LF and go through
  the spec's table: blank line = dispatch, ``:`` = comment, field name = text before the first
  colon, value minus one leading space. Three buffers (data lines, event type, last-event-ID)
  follow the spec. The last-event-ID *string* (:attr:`SSEDecoder.last_event_id`) is copied from
  its buffer at every blank line, even when nothing is dispatched, and stays until an ``id``
  field changes it. A block without ``data`` lines dispatches nothing.
* **Fast path.** One regex ``split`` per chunk (:data:`_SPLITTER`) cuts the text into either a
  *simple block tail* (an optional ``id: `` line, an optional ``event: `` line, one ``data: ``
  line and the blank line, the shape nearly every server sends) or a single line. A simple block
  is dispatched from the match groups without touching its lines one by one; any other line takes
  the general per-line path. Both paths update the same state and give the same results.
* **Comments stream away.** A partial line that starts with ``:`` keeps only that first byte, so
  keep-alive comments of any length cost no memory. Comments do not count against
  ``max_line_size``.
* **Caps.** A non-comment line longer than ``max_line_size`` *bytes* (terminator excluded), or an
  event whose joined data is longer than ``max_event_size`` *characters*, raises
  :class:`StreamError`. Line caps are checked before any line of the chunk is interpreted. On
  either error the connection state is dropped as by :meth:`SSEDecoder.end`, and
  :attr:`~SSEDecoder.last_event_id` keeps its value from before that ``feed()``. So it always
  names the last dispatch point whose events were handed to the caller, and resuming from it
  loses nothing.
* **Connections.** :meth:`SSEDecoder.end` is the connection boundary. It drops the unfinished
  event and the partial line and re-arms BOM stripping. It keeps
  :attr:`~SSEDecoder.last_event_id`, which seeds the next connection's last-event-ID buffer (as
  browsers do), and :attr:`~SSEDecoder.retry`. There is no separate ``reset()``: ``end()`` is it.
  To start over with another id, build a new decoder with ``last_event_id=``.
"""

from __future__ import annotations

import re

from b3os_async._errors import ConfigurationError, ConfigurationTypeError, StreamError
from b3os_async.sse._event import (
    _SET_DATA,
    _SET_EVENT,
    _SET_ID,
    _SET_RETRY,
    ServerSentEvent,
    _new_event,
)

__all__ = ["SSEDecoder"]

_DEFAULT_MAX_SIZE = 16 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
# `retry` is valid only when it is ASCII digits and nothing else. `int()` and `str.isdigit()`
# accept "+5", "-5", "1_000", " 7" and non-ASCII digits, so neither may decide.
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII).fullmatch
# int(str) refuses more digits than sys.get_int_max_str_digits() (4300 by default, never below
# 640). A reconnection time with more significant digits than this is not a real value: ignored.
_MAX_RETRY_DIGITS = 600
# Cuts LF-terminated text into matches, each either the tail of a simple block (groups 1-3: the
# value of an optional "id: " line, of an optional "event: " line and of the one "data: " line,
# then the blank line) or one other line (group 4). Every line matches the second alternative,
# so the matches cover the text and re.split's gaps are all "". Applying a simple block's lines
# one by one only sets the id buffer, sets the event type, appends one data line and
# dispatches, which the groups give directly. "field:value" without the space, other fields,
# comments, `retry` and multi-line data take the general path (same result, slower). A failed
# simple-block attempt reads at most three lines, so each line is scanned a bounded number of
# times: linear.
_SPLITTER = re.compile(r"(?:id: ([^\n]*)\n|)(?:event: ([^\n]*)\n|)data: ([^\n]*)\n\n|([^\n]*)\n")
# The same for a text that contains a NUL somewhere: an id line with a NUL must be ignored, so it
# may not match the fast path. (Checking the whole text once is cheaper than each id.)
_SPLITTER_NUL = re.compile(
    r"(?:id: ([^\n\x00]*)\n|)(?:event: ([^\n]*)\n|)data: ([^\n]*)\n\n|([^\n]*)\n"
)


class SSEDecoder:
    """Incremental, sans-I/O decoder of a ``text/event-stream`` body.

    Feed it the body's bytes in chunks of any size (including empty ones) with :meth:`feed`;
    call :meth:`end` when a connection's body ends. See the module docstring for the rules.

    ``last_event_id`` seeds the last-event-ID buffer, so events of a resumed connection that
    carry no ``id`` still report the previous one. ``max_line_size`` (bytes, per non-comment
    line) and ``max_event_size`` (characters of an event's joined data) bound memory; going past
    either raises :class:`~b3os_async.StreamError`.
    """

    __slots__ = (
        "_at_start",
        "_block_retry",
        "_buf",
        "_data",
        "_data_len",
        "_event_type",
        "_id_buffer",
        "_last_event_id",
        "_max_event_size",
        "_max_line_size",
        "_retry",
        "_skip_lf",
    )

    def __init__(
        self,
        *,
        last_event_id: str = "",
        max_line_size: int = _DEFAULT_MAX_SIZE,
        max_event_size: int = _DEFAULT_MAX_SIZE,
    ) -> None:
        checked: object = last_event_id  # callers may pass anything: check at runtime
        if not isinstance(checked, str):
            raise ConfigurationTypeError(
                f"last_event_id must be a string, got {type(checked).__name__}"
            )
        if "\0" in last_event_id or "\r" in last_event_id or "\n" in last_event_id:
            # A stream can never set such an id, and it would end up in a Last-Event-ID header.
            raise ConfigurationError("last_event_id must not contain NUL, CR or LF")
        for name, value in (("max_line_size", max_line_size), ("max_event_size", max_event_size)):
            if type(value) is not int or value < 1:  # bool is not accepted either
                raise ConfigurationError(f"{name} must be a positive int, got {value!r}")
        self._max_line_size = max_line_size
        self._max_event_size = max_event_size
        self._last_event_id = last_event_id
        self._retry: int | None = None
        # Per-connection state, (re)initialised by end().
        self._buf = bytearray()  # the partial line: bytes after the last terminator seen
        self._skip_lf = False  # the previous byte was a CR that already ended its line
        self._at_start = True  # no byte of this connection seen yet (BOM not decided)
        self._data: list[str] = []
        self._data_len = 0  # len of the LF-joined data so far, plus one
        self._event_type = ""
        self._id_buffer = last_event_id
        self._block_retry: int | None = None

    @property
    def last_event_id(self) -> str:
        """The last event ID string: what ``Last-Event-ID`` should send on reconnect.

        Updated at every blank line (dispatch point), even when that block dispatched nothing;
        ``""`` means none (send no header).
        """
        return self._last_event_id

    @property
    def retry(self) -> int | None:
        """The last valid ``retry`` value seen, in milliseconds; persists across connections."""
        return self._retry

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[ServerSentEvent]:
        """Decode the next chunk of the body and return the events it completed (maybe none).

        Accepts any bytes-like object. Raises :class:`~b3os_async.StreamError` when a size cap
        is exceeded (after which the connection state is dropped as by :meth:`end`).
        """
        if not isinstance(chunk, (bytes, bytearray)):
            chunk = bytes(chunk)
        if self._at_start:
            chunk = self._strip_bom(chunk)
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
                if not chunk:
                    return []

        last = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        buf = self._buf
        if last < 0:
            # No terminator: the whole chunk continues the current line.
            if not buf:
                if chunk[0] == 0x3A:  # a comment starts: keep only its ":", the mark of one
                    buf.append(0x3A)
                    return []
            elif buf[0] == 0x3A:  # inside a comment: discard as it streams
                return []
            buf += chunk
            if len(buf) > self._max_line_size:
                self._fail_line()
            return []

        end = last + 1
        self._skip_lf = end == len(chunk) and chunk[last] == 0x0D
        if buf:
            buf += memoryview(chunk)[:end]
            whole: bytes | bytearray = buf
        else:
            whole = chunk if end == len(chunk) else chunk[:end]
        if len(whole) > self._max_line_size:
            self._check_lines(whole)
        rest = chunk[end:]
        if rest[:1] == b":":  # a comment line starts: its ":" is all we keep of it
            self._buf = bytearray(b":")
        else:
            if len(rest) > self._max_line_size:
                self._fail_line()
            self._buf = bytearray(rest)

        text = whole.decode("utf-8", "replace")
        # The partial-line buffer never holds a CR or LF, so only this chunk's part can: a long
        # line is not rescanned.
        if chunk.find(b"\r", 0, end) >= 0:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return self._interpret(text)

    def end(self) -> list[ServerSentEvent]:
        """End the current connection's body and get ready for the next connection.

        The unfinished event and any partial line are dropped (the spec never dispatches
        them), so this always returns ``[]``. ``last_event_id`` and ``retry`` are kept; the next
        connection starts with a fresh BOM check and a last-event-ID buffer seeded from
        ``last_event_id``.
        """
        self._reset_connection()
        return []

    # -- internals ---------------------------------------------------------------------------

    def _strip_bom(self, chunk: bytes | bytearray) -> bytes | bytearray:
        """Strip a leading BOM, holding back a chunk that is still only a prefix of one."""
        buf = self._buf  # at the start of a connection it can only hold a BOM prefix
        head = bytes(buf) + chunk if buf else chunk
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._buf = bytearray(head)
            return b""
        self._at_start = False
        self._buf = bytearray()
        return head[len(_BOM) :] if head.startswith(_BOM) else head

    def _interpret(self, text: str) -> list[ServerSentEvent]:
        """Apply the spec's per-line table to ``text`` (whole lines, each ending in LF)."""
        events: list[ServerSentEvent] = []
        append = events.append
        new = object.__new__
        set_event, set_data, set_id, set_retry = _SET_EVENT, _SET_DATA, _SET_ID, _SET_RETRY
        # Hot loop: the state lives in locals and is written back once at the end.
        data = self._data
        data_len = self._data_len
        event_type = self._event_type
        id_buffer = self._id_buffer
        block_retry = self._block_retry
        last_event_id = self._last_event_id
        max_data = self._max_event_size + 1
        # One data line is at most max_line_size bytes, so at most that many characters: the event
        # cap needs checking on the fast path only when the line cap is the larger one.
        check_line = self._max_line_size > self._max_event_size
        # False while the current block has seen no data, event or retry line (so a simple block
        # match is the whole block) and no cap check is needed; True sends fast matches through
        # the general dispatch code.
        pending = check_line or bool(data) or bool(event_type) or block_retry is not None
        cls = ServerSentEvent
        # An id containing NUL must be ignored: when the text has a NUL anywhere (rare), use the
        # splitter whose fast path refuses such id lines, so the general path ignores them.
        splitter = _SPLITTER_NUL if "\0" in text else _SPLITTER
        items = iter(splitter.split(text))
        next(items)  # the text before the first match: always ""
        # Five items per match: its four groups and the (empty) text up to the next match.
        for new_id, new_type, value, line, _ in zip(items, items, items, items, items, strict=True):
            if line is None:
                # Fast path: the tail of a simple block, dispatched from the match groups.
                if new_id is not None:
                    id_buffer = new_id
                last_event_id = id_buffer
                if pending:  # general-path lines of this block came first (or cap checks)
                    if new_type is not None:
                        event_type = new_type
                    if data:
                        data.append(value)
                        value = "\n".join(data)
                        data = []
                        data_len = 0
                    if len(value) >= max_data:
                        self._fail_event()
                    append(_new_event(event_type or "message", value, id_buffer, block_retry))
                    event_type = ""
                    block_retry = None
                    pending = check_line
                    continue
                sse = new(cls)
                set_event(sse, new_type or "message")
                set_data(sse, value)
                set_id(sse, id_buffer)
                set_retry(sse, None)
                append(sse)
                continue
            # General path: one line.
            if not line:  # blank line: dispatch point
                last_event_id = id_buffer  # even when nothing is dispatched
                if data:
                    append(
                        _new_event(event_type or "message", "\n".join(data), id_buffer, block_retry)
                    )
                    data = []
                    data_len = 0
                event_type = ""
                block_retry = None
                pending = check_line
                continue
            if line[0] == ":":
                continue
            name, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
                data_len += len(value) + 1
                if data_len > max_data:
                    self._fail_event()
                pending = True
            elif name == "id":
                if "\0" not in value:
                    id_buffer = value
            elif name == "event":
                event_type = value
                pending = True
            elif name == "retry" and _ASCII_DIGITS(value):
                digits = value.lstrip("0")
                if len(digits) <= _MAX_RETRY_DIGITS:
                    block_retry = self._retry = int(digits or "0")
                    pending = True
        self._data = data
        self._data_len = data_len
        self._event_type = event_type
        self._id_buffer = id_buffer
        self._block_retry = block_retry
        self._last_event_id = last_event_id
        return events

    def _fail_event(self) -> None:
        """Drop the connection state and raise the event-cap error.

        ``self._last_event_id`` still holds its value from before this ``feed()`` (the hot loop
        writes it back only on success), so resuming from it replays the events of this call.
        """
        self._reset_connection()
        raise StreamError(
            f"Server-sent event data longer than max_event_size ({self._max_event_size} "
            f"characters); pass a larger SSEDecoder(max_event_size=...) if such events are expected"
        )

    def _check_lines(self, whole: bytes | bytearray) -> None:
        """Raise if a non-comment line of ``whole`` (complete lines) is over the line cap."""
        # Rare path (only when the chunk's complete lines together exceed the cap): C-level
        # splitting, then a Python loop over the lines' lengths.
        cap = self._max_line_size
        for line in whole.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
            if len(line) > cap and line[:1] != b":":
                self._fail_line()

    def _fail_line(self) -> None:
        """Drop the connection state and raise the line-cap error."""
        self._reset_connection()
        raise StreamError(
            f"Server-sent event line longer than max_line_size ({self._max_line_size} bytes); "
            f"pass a larger SSEDecoder(max_line_size=...) if such lines are expected"
        )

    def _reset_connection(self) -> None:
        """Forget everything about the current connection except the id and retry strings."""
        self._buf = bytearray()
        self._skip_lf = False
        self._at_start = True
        self._data = []
        self._data_len = 0
        self._event_type = ""
        self._id_buffer = self._last_event_id
        self._block_retry = None
