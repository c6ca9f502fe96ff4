"""The SSE encoder: exact bytes for the common frames, refusals, and decode(encode(x)) == x."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b3os_async.sse import ServerSentEvent, SSEDecoder, encode_comment, encode_event

SETTINGS = settings(max_examples=200, deadline=None)


def test_json_event_is_one_simple_block() -> None:
    """An event with id, type and one-line data is written as id, event, data and a blank line."""
    frame = encode_event('{"a":1}', event="node_completed", id="7")
    assert frame == b'id: 7\nevent: node_completed\ndata: {"a":1}\n\n'


def test_multi_line_data_becomes_several_data_lines() -> None:
    """LF, CRLF and CR inside data each start a new ``data:`` line."""
    assert encode_event("a\nb\r\nc\rd") == b"data: a\ndata: b\ndata: c\ndata: d\n\n"


def test_retry_goes_first() -> None:
    """A retry value is written before the other fields."""
    assert encode_event("x", retry=1500, id="1") == b"retry: 1500\nid: 1\ndata: x\n\n"


def test_comment_is_ignored_by_the_decoder() -> None:
    """A keep-alive comment decodes to no event at all."""
    assert encode_comment("keep-alive") == b": keep-alive\n\n"
    assert SSEDecoder().feed(encode_comment("two\nlines")) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "a\nb"}, "id cannot contain NUL, CR or LF"),
        ({"id": "a\0b"}, "id cannot contain NUL, CR or LF"),
        ({"event": "a\rb"}, "event type cannot contain CR or LF"),
        ({"retry": -1}, "retry must be a non-negative int"),
        ({"retry": True}, "retry must be a non-negative int"),
    ],
)
def test_unrepresentable_fields_are_refused(kwargs: dict[str, object], message: str) -> None:
    """A field SSE cannot carry raises ValueError instead of writing a corrupt stream."""
    with pytest.raises(ValueError, match=re.escape(message)):
        encode_event("x", **kwargs)  # type: ignore[arg-type]


def test_lone_surrogate_is_refused() -> None:
    """Text that is not valid Unicode cannot be written as UTF-8."""
    with pytest.raises(UnicodeEncodeError):
        encode_event("\ud800")


# Event types and ids: any text without the characters SSE cannot carry in them.
_LINE_TEXT = st.text().filter(lambda s: "\r" not in s and "\n" not in s)
_IDS = _LINE_TEXT.filter(lambda s: "\0" not in s)
_EVENTS = st.builds(
    ServerSentEvent,
    event=_LINE_TEXT.filter(bool) | st.just("message"),
    data=st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\r\n\0 :")),
    id=_IDS,
    retry=st.none() | st.integers(min_value=0, max_value=10**12),
)


@pytest.mark.slow
@SETTINGS
@given(events=st.lists(_EVENTS, max_size=8), cuts=st.lists(st.integers(0, 10_000), max_size=6))
def test_decoding_what_was_encoded_gives_the_same_events(
    events: list[ServerSentEvent], cuts: list[int]
) -> None:
    """Any events (CR, LF, NUL, spaces and colons in data) survive encode -> decode, at any
    chunking; CR and CRLF in data arrive as LF, the one change SSE forces."""
    payload = b"".join(encode_event(e.data, event=e.event, id=e.id, retry=e.retry) for e in events)
    bounds = sorted({0, len(payload), *(c % (len(payload) + 1) for c in cuts)})
    decoder = SSEDecoder()
    decoded: list[ServerSentEvent] = []
    for start, end in itertools.pairwise(bounds):
        decoded.extend(decoder.feed(payload[start:end]))
    expected = [
        ServerSentEvent(
            event=e.event,
            data=e.data.replace("\r\n", "\n").replace("\r", "\n"),
            id=e.id,
            retry=e.retry,
        )
        for e in events
    ]
    assert decoded == expected
