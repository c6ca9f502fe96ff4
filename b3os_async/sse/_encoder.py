"""Sans-I/O Server-Sent Events encoder: events in, bytes out (the inverse of the decoder).

A relay that forwards events to browsers (``b3os_async.fastapi``) writes them with it; a property
test checks that :class:`~b3os_async.sse.SSEDecoder` gives back what :func:`encode_event` wrote.

Rules
-----
* Fields go out in the order ``retry``, ``id``, ``event``, ``data``, each as ``name: value``: the
  one space after the colon is the one the decoder strips, so a value that starts with a space
  keeps it. That order is also the decoder's fast path.
* ``data`` is cut at CRLF, LF and CR; each piece is one ``data:`` line and the decoder joins them
  with LF. SSE has no way to carry a CR, so CR and CRLF inside data arrive as LF: the only change
  a round trip makes. NUL and every other character pass unchanged. Empty data is one empty
  ``data:`` line (such an event is still dispatched).
* ``event`` and ``id`` are single lines: CR or LF in them raises :class:`ValueError`, and so does
  NUL in an id (every decoder ignores such an id line). ``id=""`` is written (it resets the
  receiver's last event id); ``None`` leaves it out (the receiver keeps its previous id).
* ``retry`` is a non-negative ``int`` of milliseconds.
* The output is UTF-8; a lone surrogate raises :class:`UnicodeEncodeError` (a ``ValueError``).
* Comments (:func:`encode_comment`) are keep-alives: the decoder ignores them.
"""

from __future__ import annotations

import re

__all__ = ["encode_comment", "encode_event"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _single_line(name: str, value: str, *, nul: bool = True) -> str:
    if "\n" in value or "\r" in value or (not nul and "\0" in value):
        forbidden = "CR or LF" if nul else "NUL, CR or LF"
        raise ValueError(f"an SSE {name} cannot contain {forbidden}: {value[:40]!r}")
    return value


def encode_event(
    data: str = "",
    *,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
) -> bytes:
    """One event as ``text/event-stream`` bytes, ending with the blank line that dispatches it.

    ``encode_event('{"a": 1}', event="node_completed", id="7")`` is
    ``b'id: 7\\nevent: node_completed\\ndata: {"a": 1}\\n\\n'``. See the module docstring for
    what each field may hold.
    """
    head = ""
    if retry is not None:
        if type(retry) is not int or retry < 0:
            raise ValueError(f"an SSE retry must be a non-negative int, got {retry!r}")
        head = f"retry: {retry}\n"
    if id is not None:
        head += f"id: {_single_line('id', id, nul=False)}\n"
    if event:
        head += f"event: {_single_line('event type', event)}\n"
    if "\n" in data or "\r" in data:
        body = "".join(f"data: {line}\n" for line in _LINE_BREAK.split(data))
    else:  # the common case (JSON): one line, no regex
        body = f"data: {data}\n"
    return f"{head}{body}\n".encode()


def encode_comment(text: str = "") -> bytes:
    """A comment block (``: text``), e.g. a keep-alive; one comment line per line of ``text``."""
    return "".join(f": {line}\n" for line in _LINE_BREAK.split(text)).encode() + b"\n"
