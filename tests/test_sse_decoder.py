"""Tests of the sans-I/O SSE decoder (``b3os_async.sse``) against the WHATWG rules.

Every behaviour case goes through :func:`assert_decodes`, which feeds the payload whole, one byte
at a time, split in two at every offset, and split at every offset with an empty chunk between
the halves, and requires the same events (and state) every time.
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import attrs
import pytest

from b3os_async import ConfigurationError, ServerSentEvent, SSEDecoder, StreamError
from b3os_async.sse._event import _new_event

E = ServerSentEvent
_UNSET: Any = object()
BOM = b"\xef\xbb\xbf"


def chunkings(payload: bytes) -> list[tuple[str, list[bytes]]]:
    """Every way of chunking ``payload`` that the tests require, each with a label."""
    ways = [
        ("whole", [payload]),
        ("bytewise", [payload[i : i + 1] for i in range(len(payload))]),
    ]
    for i in range(len(payload) + 1):
        ways.append((f"split at {i}", [payload[:i], payload[i:]]))
        ways.append((f"split at {i} + empty chunk", [payload[:i], b"", payload[i:]]))
    return ways


def decode(chunks: list[bytes], **kwargs: Any) -> tuple[list[ServerSentEvent], SSEDecoder]:
    """Feed ``chunks`` to a new decoder, end the stream, and return the events and decoder."""
    decoder = SSEDecoder(**kwargs)
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    assert decoder.end() == []
    return events, decoder


def assert_decodes(
    payload: bytes,
    expected: list[ServerSentEvent],
    *,
    final_id: Any = _UNSET,
    final_retry: Any = _UNSET,
    **kwargs: Any,
) -> None:
    """Check that every chunking of ``payload`` decodes to ``expected`` (and the final state).

    ``kwargs`` go to :class:`SSEDecoder`; ``final_id``/``final_retry`` are the expected
    ``last_event_id``/``retry`` after the stream.
    """
    for label, chunks in chunkings(payload):
        events, decoder = decode(chunks, **kwargs)
        assert events == expected, label
        if final_id is not _UNSET:
            assert decoder.last_event_id == final_id, label
        if final_retry is not _UNSET:
            assert decoder.retry == final_retry, label


# -- line terminators ------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"], ids=["LF", "CRLF", "CR"])
def test_each_line_terminator_ends_lines(eol: bytes) -> None:
    """LF, CRLF and a lone CR each end a line."""
    payload = b"id: 1" + eol + b"event: e" + eol + b"data: a" + eol + b"data: b" + eol + eol
    assert_decodes(payload, [E(event="e", data="a\nb", id="1")])


def test_mixed_line_terminators_in_one_stream() -> None:
    """LF, CRLF and CR can be mixed freely within one stream."""
    payload = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"
    assert_decodes(payload, [E(data="a\nb\nc"), E(data="d")])


def test_lf_then_cr_is_two_terminators() -> None:
    """LF then CR is two terminators: the LF ends a line and the CR ends an empty line."""
    assert_decodes(b"data: a\n\rdata: b\n\r", [E(data="a"), E(data="b")])


def test_cr_at_chunk_end_dispatches_in_the_same_feed() -> None:
    """A CR ending a chunk ends its line at once: the event comes from that chunk's feed()."""
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\r") == [E(data="a")]
    assert decoder.feed(b"data: b\r\r") == [E(data="b")]


def test_lf_after_chunk_final_cr_is_skipped() -> None:
    """An LF opening the chunk after a chunk-final CR belongs to that CR (CRLF), not a new line."""
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []  # an empty chunk in between changes nothing
    assert decoder.feed(b"\ndata: b\n\n") == [E(data="a\nb")]


def test_cr_lf_split_across_chunks_is_one_terminator() -> None:
    """A CRLF split between two chunks is one terminator, not a line plus a blank line."""
    assert_decodes(b"data: a\r\ndata: b\r\n\r\n", [E(data="a\nb")])


@pytest.mark.parametrize(
    "char",
    ["\u2028", "\u2029", "\u0085", "\v", "\f", "\x1c", "\x1d", "\x1e"],
    ids=["U+2028", "U+2029", "U+0085", "VT", "FF", "FS", "GS", "RS"],
)
def test_unicode_and_ascii_separators_do_not_end_lines(char: str) -> None:
    """U+2028/2029/0085, VT, FF and FS/GS/RS are data characters, not line terminators."""
    payload = f"data: a{char}b\n\n".encode()
    assert_decodes(payload, [E(data=f"a{char}b")])


# -- BOM and decoding -----------------------------------------------------------------------


def test_leading_bom_is_stripped() -> None:
    """One BOM at the very start of the stream is stripped, even split across chunks."""
    assert_decodes(BOM + b"data: x\n\n", [E(data="x")])


def test_bom_bytes_in_separate_chunks_are_stripped() -> None:
    """The BOM's three bytes may arrive in three chunks and are still stripped."""
    decoder = SSEDecoder()
    assert decoder.feed(b"\xef") == []
    assert decoder.feed(b"\xbb") == []
    assert decoder.feed(b"\xbfdata: x\n\n") == [E(data="x")]


def test_second_bom_is_not_stripped() -> None:
    """Only one BOM is stripped: a second one makes the line's field name unknown."""
    assert_decodes(BOM + BOM + b"data: x\n\ndata: y\n\n", [E(data="y")])


def test_bom_later_in_stream_is_an_ordinary_character() -> None:
    """A BOM at the start of a later event is part of its field name, so the line is ignored."""
    assert_decodes(b"data: x\n\n" + BOM + b"data: y\n\n", [E(data="x")])


def test_partial_bom_prefix_is_decoded_as_text() -> None:
    """Bytes that start like a BOM but are not one are kept (and decoded, invalid -> U+FFFD)."""
    assert_decodes(b"\xef\xbbdata: x\n\ndata: y\n\n", [E(data="y")])
    assert_decodes(b"\xef\n\ndata: y\n\n", [E(data="y")])


def test_multibyte_utf8_split_anywhere_decodes() -> None:
    """Multi-byte UTF-8 characters decode correctly whatever chunk boundary splits them."""
    text = "é€😀ü…"
    assert_decodes(f"event: {text}\ndata: {text}\n\n".encode(), [E(event=text, data=text)])


def test_invalid_utf8_becomes_replacement_character() -> None:
    """Invalid UTF-8 becomes U+FFFD; decoding never raises."""
    payload = b"data: a\xffb\xc3(\xe2\x82\n\n"
    assert_decodes(payload, [E(data="a\ufffdb\ufffd(\ufffd")])


def test_charset_is_always_utf8() -> None:
    """Bytes are read as UTF-8 whatever else they could be (E2 80 A6 is an ellipsis)."""
    assert_decodes(b"data: \xe2\x80\xa6\n\n", [E(data="\u2026")])


# -- fields ---------------------------------------------------------------------------------


def test_comments_are_ignored() -> None:
    """Lines starting with a colon are comments and change nothing."""
    payload = b": hello\ndata: a\n:\n: data: b\ndata: c\n\n: ping\n\n"
    assert_decodes(payload, [E(data="a\nc")])


def test_long_comment_is_not_buffered() -> None:
    """A comment far longer than the line cap streams through without being kept in memory."""
    decoder = SSEDecoder(max_line_size=64)
    chunk = b"x" * 65536
    tracemalloc.start()
    try:
        assert decoder.feed(b": ") == []
        for _ in range(128):  # an 8 MiB comment line
            assert decoder.feed(chunk) == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decoder.feed(b"\ndata: after\n\n") == [E(data="after")]
    assert peak < 1024 * 1024


def test_comment_longer_than_line_cap_in_one_chunk_is_allowed() -> None:
    """Comment lines do not count against max_line_size, even inside one big chunk."""
    payload = b": " + b"c" * 200 + b"\ndata: x\n\n: " + b"c" * 200
    assert_decodes(payload, [E(data="x")], max_line_size=32)


def test_field_without_colon_has_empty_value() -> None:
    """A line without a colon is a field name with an empty value (bare `data` adds a line)."""
    assert_decodes(b"data\ndata\n\n", [E(data="\n")])
    assert_decodes(b"data\n\n", [E(data="")])


def test_only_one_leading_space_is_removed() -> None:
    """The value loses exactly one leading space; tabs and further spaces stay."""
    payload = b"data:x\n\ndata:  x\n\ndata:\tx\n\ndata: x \n\n"
    assert_decodes(payload, [E(data="x"), E(data=" x"), E(data="\tx"), E(data="x ")])


def test_value_is_after_the_first_colon() -> None:
    """The field name ends at the first colon; later colons belong to the value."""
    assert_decodes(b"data: a: b:c\n\nevent:x:y\ndata\n\n", [E(data="a: b:c"), E(event="x:y")])


@pytest.mark.parametrize("line", [b"Data: x", b"DATA: x", b"data : x", b" data: x", b"data\0: x"])
def test_field_names_are_case_sensitive_and_exact(line: bytes) -> None:
    """Field names must match exactly: other spellings are unknown fields and are ignored."""
    assert_decodes(line + b"\n\n", [])


def test_unknown_fields_are_ignored() -> None:
    """Unknown field names change nothing."""
    assert_decodes(b"foo: bar\ndata: x\nbaz\n\n", [E(data="x")])


def test_data_lines_are_joined_by_lf() -> None:
    """Several data lines are joined with LF."""
    assert_decodes(b"data: a\ndata: b\ndata: c\n\n", [E(data="a\nb\nc")])


def test_only_one_trailing_lf_is_removed() -> None:
    """At dispatch exactly one trailing LF is removed from the data buffer."""
    assert_decodes(b"data: a\ndata:\n\n", [E(data="a\n")])
    assert_decodes(b"data:\ndata:\ndata:\n\n", [E(data="\n\n")])


def test_event_field_sets_type() -> None:
    """`event` sets the type; the last one in a block wins; an empty one means "message"."""
    payload = b"event: a\nevent: b\ndata: 1\n\nevent:\ndata: 2\n\ndata: 3\n\n"
    assert_decodes(payload, [E(event="b", data="1"), E(data="2"), E(data="3")])


def test_event_type_does_not_carry_over() -> None:
    """The event type is cleared at each dispatch point, even one that dispatched nothing."""
    assert_decodes(b"event: a\n\ndata: x\n\n", [E(data="x")])


def test_field_order_does_not_matter() -> None:
    """Fields in any order give the same event (fast and general paths agree)."""
    expected = [E(event="t", data="d", id="1")]
    for payload in (
        b"id: 1\nevent: t\ndata: d\n\n",
        b"event: t\nid: 1\ndata: d\n\n",
        b"data: d\nevent: t\nid: 1\n\n",
        b"id:1\nevent:t\ndata:d\n\n",
        b"event: t\n: c\nid: 1\ndata: d\n\n",
    ):
        assert_decodes(payload, expected, final_id="1")


# -- ids ------------------------------------------------------------------------------------


def test_id_is_sticky() -> None:
    """Events without an id field carry the last event ID."""
    payload = b"id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"
    expected = [E(data="a", id="1"), E(data="b", id="1"), E(data="c", id="2")]
    assert_decodes(payload, expected, final_id="2")


@pytest.mark.parametrize("line", [b"id: a\0b", b"id:a\0b", b"id: \0", b"id:\0"], ids=str)
def test_id_with_nul_is_ignored(line: bytes) -> None:
    """An id containing NUL is ignored entirely: the previous id stays."""
    payload = b"id: 1\n\n" + line + b"\ndata: x\n\n"
    assert_decodes(payload, [E(data="x", id="1")], final_id="1")


@pytest.mark.parametrize("line", [b"id", b"id:", b"id: "], ids=str)
def test_empty_id_resets(line: bytes) -> None:
    """An empty id field resets the last event ID to ""."""
    payload = b"id: 1\ndata: a\n\n" + line + b"\ndata: b\n\n"
    assert_decodes(payload, [E(data="a", id="1"), E(data="b", id="")], final_id="")


def test_id_keeps_spaces_after_the_first() -> None:
    """An id value keeps everything after the one removed space."""
    assert_decodes(b"id:  7 \ndata: x\n\n", [E(data="x", id=" 7 ")], final_id=" 7 ")


def test_seeded_last_event_id_is_sticky() -> None:
    """A seeded last_event_id is the id of events that carry none (a resumed connection)."""
    assert SSEDecoder(last_event_id="41").last_event_id == "41"
    payload = b"data: x\n\nid: 42\ndata: y\n\n"
    expected = [E(data="x", id="41"), E(data="y", id="42")]
    assert_decodes(payload, expected, final_id="42", last_event_id="41")


def test_id_only_block_updates_last_event_id_without_event() -> None:
    """A block with only an id dispatches nothing but still sets the last event ID."""
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 5\n") == []
    assert decoder.last_event_id == ""  # not before the blank line
    assert decoder.feed(b"\n") == []
    assert decoder.last_event_id == "5"


def test_unfinished_block_id_is_not_committed_at_end() -> None:
    """An id in a block the stream never finished does not become the last event ID."""
    events, decoder = decode([b"id: 1\ndata: a\n\nid: 2\ndata: b\n"])
    assert events == [E(data="a", id="1")]
    assert decoder.last_event_id == "1"


# -- retry ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(b"1000", 1000), (b"0", 0), (b"02000", 2000), (b"00", 0), (b"123456789012", 123456789012)],
    ids=str,
)
def test_valid_retry_sets_reconnection_time(value: bytes, expected: int) -> None:
    """A retry value of ASCII digits only is parsed as base 10 (leading zeros are decimal)."""
    payload = b"retry: " + value + b"\ndata: x\n\n"
    assert_decodes(payload, [E(data="x", retry=expected)], final_retry=expected)


@pytest.mark.parametrize(
    "value",
    [
        b"+5",
        b"-5",
        b"1_000",
        b" 7",  # a second space: the value is " 7"
        b"7 ",
        "\u0661\u0662\u0663".encode(),  # Arabic-Indic digits
        "\uff11".encode(),  # fullwidth digit one
        b"",
        b"1000x",
        b"5.0",
        b"0x10",
        b"1e3",
    ],
    ids=repr,
)
def test_invalid_retry_is_ignored(value: bytes) -> None:
    """A retry value that is not only ASCII digits is ignored (int()/isdigit() would not be)."""
    payload = b"retry: 500\n\nretry: " + value + b"\ndata: x\n\n"
    assert_decodes(payload, [E(data="x")], final_retry=500)


def test_absurdly_long_retry_is_ignored_without_error() -> None:
    """A retry of thousands of digits (past Python's int-from-str limit) is ignored, not raised."""
    payload = b"retry: 7\n\nretry: " + b"9" * 5000 + b"\ndata: x\n\n"
    events, decoder = decode([payload])
    assert events == [E(data="x")]
    assert decoder.retry == 7


def test_retry_persists_but_event_retry_is_per_block() -> None:
    """decoder.retry keeps the last valid value; an event's retry is only its own block's."""
    payload = b"retry: 10\ndata: a\n\ndata: b\n\nretry: 20\n\ndata: c\n\n"
    expected = [E(data="a", retry=10), E(data="b"), E(data="c")]
    assert_decodes(payload, expected, final_retry=20)


def test_retry_only_block_sets_retry_without_event() -> None:
    """A block with only retry dispatches nothing but sets the reconnection time."""
    assert SSEDecoder().retry is None
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 3000\n") == []
    assert decoder.retry == 3000  # set when the field is read, not at the blank line
    assert decoder.feed(b"\n") == []


# -- dispatch -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [b"event: x\n\n", b"id: 1\n\n", b"retry: 5\n\n", b": comment\n\n", b"foo: bar\n\n", b"\n"],
    ids=["event-only", "id-only", "retry-only", "comment-only", "unknown-only", "blank"],
)
def test_block_without_data_dispatches_nothing(block: bytes) -> None:
    """Blocks without any data line dispatch nothing, also after an id was set (no phantoms)."""
    assert_decodes(b"id: 9\ndata: a\n\n" + block + block, [E(data="a", id="9")])


def test_empty_data_field_dispatches_empty_event() -> None:
    """`data:` with an empty value dispatches an event whose data is ""."""
    assert_decodes(b"data:\n\ndata\n\n", [E(data=""), E(data="")])


def test_unfinished_event_at_end_is_dropped() -> None:
    """An event without its closing blank line, or a partial last line, is never dispatched."""
    assert_decodes(b"data: a\n\ndata: b\n", [E(data="a")])
    assert_decodes(b"data: a\n\ndata: b", [E(data="a")])
    assert_decodes(b"data: a\n\ndata: b\r", [E(data="a")])


def test_end_then_reuse_for_next_connection() -> None:
    """After end() the decoder starts a fresh connection: new BOM, no leftovers, same id/retry."""
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 50\nid: 3\ndata: a\n\nid: 4\ndata: lost\ndata: partial") == [
        E(data="a", id="3", retry=50)
    ]
    assert decoder.end() == []
    assert (decoder.last_event_id, decoder.retry) == ("3", 50)
    assert decoder.feed(BOM + b"data: b\n\n") == [E(data="b", id="3")]
    assert decoder.end() == []
    assert decoder.feed(b"\n") == []  # a stale CR/partial line from before would show up here


def test_end_clears_pending_skip_lf() -> None:
    """A chunk-final CR does not make the next connection drop its first LF."""
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    decoder.end()
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"data: b\n\n") == [E(data="b")]


def test_many_events_in_one_chunk() -> None:
    """One chunk can complete many events, returned in order."""
    payload = b"".join(b"id: %d\nevent: e\ndata: %d\n\n" % (i, i) for i in range(100))
    events = SSEDecoder().feed(payload)
    assert [(e.id, e.data) for e in events] == [(str(i), str(i)) for i in range(100)]


def test_feed_accepts_bytearray_and_memoryview() -> None:
    """feed() accepts any bytes-like object."""
    decoder = SSEDecoder()
    assert decoder.feed(bytearray(b"data: a\n")) == []
    assert decoder.feed(memoryview(b"data: b\n\n")) == [E(data="a\nb")]


# -- size caps ------------------------------------------------------------------------------


def test_line_over_cap_raises_stream_error() -> None:
    """A complete line longer than max_line_size raises StreamError naming the argument."""
    with pytest.raises(StreamError, match="max_line_size") as info:
        SSEDecoder(max_line_size=10).feed(b"data: 12345\n\n")  # 11 bytes
    assert "(10 bytes)" in str(info.value)


def test_line_at_cap_is_accepted() -> None:
    """A line of exactly max_line_size bytes is accepted."""
    assert_decodes(b"data: 1234\n\n", [E(data="1234")], max_line_size=10)


def test_partial_line_over_cap_raises_before_it_ends() -> None:
    """A line still growing past max_line_size raises without waiting for its end."""
    decoder = SSEDecoder(max_line_size=16)
    decoder.feed(b"data: 0123456789")
    with pytest.raises(StreamError, match="max_line_size"):
        decoder.feed(b"x")


def test_line_cap_applies_whatever_the_chunking() -> None:
    """The line cap raises for every chunking of an oversized line."""
    for _, chunks in chunkings(b"data: ok\n\ndata: 0123456789\n\n"):
        with pytest.raises(StreamError, match="max_line_size"):
            decode(chunks, max_line_size=12)


def test_event_over_cap_raises_stream_error() -> None:
    """Event data longer than max_event_size raises StreamError naming the argument."""
    for _, chunks in chunkings(b"data: 12345\ndata: 6789\n\n"):  # joined: 10 characters
        with pytest.raises(StreamError, match=r"max_event_size \(9 characters\)"):
            decode(chunks, max_event_size=9)
    assert_decodes(b"data: 12345\ndata: 6789\n\n", [E(data="12345\n6789")], max_event_size=10)


def test_single_line_event_over_cap_raises_when_line_cap_is_larger() -> None:
    """The event cap holds for a one-line event too when max_line_size is the larger cap."""
    with pytest.raises(StreamError, match="max_event_size"):
        SSEDecoder(max_event_size=4, max_line_size=100).feed(b"id: 1\ndata: 12345\n\n")


def test_cap_error_keeps_last_event_id_of_delivered_events() -> None:
    """After a cap error, last_event_id names the last events handed out, so resuming loses none."""
    decoder = SSEDecoder(max_event_size=8)
    assert decoder.feed(b"id: 1\ndata: a\n\n") == [E(data="a", id="1")]
    with pytest.raises(StreamError):
        decoder.feed(b"id: 2\ndata: b\n\nid: 3\ndata: 123456789\n\n")
    assert decoder.last_event_id == "1"  # event 2 was never returned: it will be replayed
    assert decoder.end() == []
    assert decoder.feed(b"id: 2\ndata: b\n\n") == [E(data="b", id="2")]


@pytest.mark.slow
def test_16_mib_event_in_1_kib_chunks() -> None:
    """A 16 MiB single-line event fed in 1 KiB chunks decodes whole with raised caps."""
    size = 16 * 1024 * 1024
    payload = b"id: 1\nevent: blob\ndata: " + b"x" * size + b"\n\n"
    decoder = SSEDecoder(max_line_size=32 * 1024 * 1024, max_event_size=32 * 1024 * 1024)
    events: list[ServerSentEvent] = []
    view = memoryview(payload)
    for start in range(0, len(payload), 1024):
        events.extend(decoder.feed(view[start : start + 1024]))
    assert len(events) == 1
    assert (events[0].event, events[0].id, len(events[0].data)) == ("blob", "1", size)


def test_default_caps_reject_a_16_mib_data_line() -> None:
    """With the default caps a 16 MiB data line (plus its field name) is over max_line_size."""
    decoder = SSEDecoder()
    with pytest.raises(StreamError, match="max_line_size"):
        decoder.feed(b"data: " + b"x" * (16 * 1024 * 1024) + b"\n\n")


# -- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_line_size": 0},
        {"max_event_size": -1},
        {"max_line_size": True},
        {"max_event_size": 1.5},
        {"last_event_id": "a\0b"},
        {"last_event_id": "a\nb"},
        {"last_event_id": "a\rb"},
    ],
    ids=repr,
)
def test_bad_constructor_arguments_raise_configuration_error(kwargs: dict[str, Any]) -> None:
    """Non-positive or non-int caps and seed ids a stream could never set are refused."""
    with pytest.raises(ConfigurationError):
        SSEDecoder(**kwargs)


def test_event_defaults_and_immutability() -> None:
    """ServerSentEvent defaults to an empty "message" event and is frozen."""
    event = ServerSentEvent()
    assert (event.event, event.data, event.id, event.retry) == ("message", "", "", None)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.data = "x"  # type: ignore[misc]


def test_fast_constructor_matches_attrs_init() -> None:
    """The decoder's internal constructor builds events equal to ServerSentEvent(...)."""
    assert [f.name for f in attrs.fields(ServerSentEvent)] == ["event", "data", "id", "retry"]
    fast = _new_event("t", "d", "i", 5)
    normal = ServerSentEvent(event="t", data="d", id="i", retry=5)
    assert type(fast) is ServerSentEvent
    assert fast == normal
    assert hash(fast) == hash(normal)
    assert repr(fast) == repr(normal)
    assert attrs.asdict(fast) == attrs.asdict(normal)
