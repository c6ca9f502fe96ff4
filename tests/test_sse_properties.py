"""Property tests of the SSE decoder: chunking invariance, no crashes, agreement with the spec.

The reference interpreter below is deliberately naive (decode everything, split with a regex,
walk the lines), so it shares no code or technique with the decoder's byte framing and fast path.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b3os_async import ServerSentEvent, SSEDecoder

E = ServerSentEvent
BOM = b"\xef\xbb\xbf"
SETTINGS = settings(max_examples=200, deadline=None)
TERMINATORS = st.sampled_from(["\n", "\r\n", "\r"])


def reference(payload: bytes, seed_id: str = "") -> tuple[list[ServerSentEvent], str, int | None]:
    """Decode a whole stream the naive way; return (events, last event ID, retry)."""
    if payload.startswith(BOM):
        payload = payload[len(BOM) :]
    lines = re.split(r"\r\n|\r|\n", payload.decode("utf-8", "replace"))
    lines.pop()  # an unterminated last line is dropped at end of stream
    events: list[ServerSentEvent] = []
    data: list[str] = []
    event_type, id_buffer, last_id = "", seed_id, seed_id
    retry: int | None = None
    block_retry: int | None = None
    for line in lines:
        if line == "":
            last_id = id_buffer
            if data:
                events.append(E(event=event_type or "message", data="\n".join(data),
                                id=last_id, retry=block_retry))  # fmt: skip
            data, event_type, block_retry = [], "", None
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\0" not in value:
            id_buffer = value
        elif name == "retry" and value and all(c in "0123456789" for c in value):
            retry = block_retry = int(value)
    return events, last_id, retry


def cut(payload: bytes, points: list[int]) -> list[bytes]:
    """Split ``payload`` at the given offsets (duplicates give empty chunks)."""
    bounds = [0, *sorted(points), len(payload)]
    return [payload[a:b] for a, b in itertools.pairwise(bounds)]


def run(chunks: list[bytes], **kwargs: Any) -> tuple[list[ServerSentEvent], str, int | None]:
    """Feed ``chunks`` to a new decoder and end the stream; return (events, last id, retry)."""
    decoder = SSEDecoder(**kwargs)
    events: list[ServerSentEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    assert decoder.end() == []
    return events, decoder.last_event_id, decoder.retry


# -- random well-formed events ------------------------------------------------------------

LINE_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"))


@st.composite
def event_blocks(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[ServerSentEvent]]:
    """Random blocks as (field, value) lines in random order, plus the events they mean."""
    lines: list[tuple[str, str]] = []
    expected: list[ServerSentEvent] = []
    last_id = ""
    for _ in range(draw(st.integers(0, 4))):
        fields: list[tuple[str, str]] = [("data", v) for v in draw(st.lists(LINE_TEXT, max_size=3))]
        event_type = draw(st.none() | LINE_TEXT)
        if event_type is not None:
            fields.append(("event", event_type))
        new_id = draw(st.none() | LINE_TEXT.filter(lambda s: "\0" not in s))
        if new_id is not None:
            fields.append(("id", new_id))
        retry = draw(st.none() | st.integers(0, 10**12))
        if retry is not None:
            fields.append(("retry", str(retry)))
        if draw(st.booleans()):
            fields.append((":", draw(LINE_TEXT)))  # a comment
        fields = draw(st.permutations(fields))
        lines.extend(fields)
        lines.append(("", ""))  # the blank line
        if new_id is not None:
            last_id = new_id
        data = [v for f, v in fields if f == "data"]
        if data:
            expected.append(E(event=event_type or "message", data="\n".join(data), id=last_id,
                              retry=retry))  # fmt: skip
    return lines, expected


@st.composite
def serialized(draw: st.DrawFn, lines: list[tuple[str, str]]) -> bytes:
    """Serialize (field, value) lines with random, mixed terminators and separators."""
    out: list[str] = []
    previous = ""
    for field, value in lines:
        if field == "":
            text = ""
        elif field == ":":
            text = ":" + value
        elif value.startswith(" ") or draw(st.booleans()):
            text = f"{field}: {value}"
        else:
            text = f"{field}:{value}"
        eol = draw(TERMINATORS)
        if previous == "\r" and text == "" and eol == "\n":
            eol = "\r\n"  # CR then LF would be one CRLF and swallow this blank line
        out.append(text + eol)
        previous = eol
    return "".join(out).encode()


@pytest.mark.slow  # a property test: over a second of examples
@SETTINGS
@given(st.data())
def test_random_chunking_gives_the_events_of_a_whole_feed(data: st.DataObject) -> None:
    """Random events with mixed terminators decode the same, and correctly, in any chunking."""
    lines, expected = data.draw(event_blocks())
    payload = data.draw(serialized(lines))
    points = data.draw(st.lists(st.integers(0, len(payload)), max_size=12))
    whole = run([payload])
    assert whole[0] == expected
    assert run(cut(payload, points)) == whole


# -- arbitrary bytes ----------------------------------------------------------------------

PIECES = st.sampled_from(
    [b"data", b"id", b"event", b"retry", b":", b": ", b" ", b"\r", b"\n", b"\r\n", BOM, b"\x00",
     b"\xff", b"\xe2\x80", b"\xa6", b"7", b"x", "é".encode(), "\u2028".encode(), b"\x85"]
)  # fmt: skip
STREAMS = st.binary(max_size=300) | st.lists(PIECES, max_size=80).map(b"".join)


@pytest.mark.slow
@SETTINGS
@given(STREAMS, st.data())
def test_arbitrary_bytes_never_raise_and_ignore_chunking(
    payload: bytes, data: st.DataObject
) -> None:
    """Any bytes below the caps decode without raising, identically in any chunking."""
    points = data.draw(st.lists(st.integers(0, len(payload)), max_size=12))
    assert run(cut(payload, points)) == run([payload])


@pytest.mark.slow
@SETTINGS
@given(STREAMS, st.data())
def test_decoder_agrees_with_naive_reference(payload: bytes, data: st.DataObject) -> None:
    """The decoder (framing, fast path, general path) agrees with a naive reading of the spec."""
    seed = data.draw(st.sampled_from(["", "41"]))
    points = data.draw(st.lists(st.integers(0, len(payload)), max_size=6))
    assert run(cut(payload, points), last_event_id=seed) == reference(payload, seed)


LINES = st.lists(
    st.tuples(
        st.sampled_from(["data", "id", "event", "retry", "", "Data", "data ", "foo"]),
        st.sampled_from(["", ":", ": ", ":  "]),
        st.text(st.sampled_from("ab 0\0\t:é\u2028"), max_size=6),
        st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\r\r", "\n\r"]),
    ),
    max_size=30,
)


@pytest.mark.slow  # a property test: over a second of examples
@SETTINGS
@given(LINES, st.data())
def test_line_soup_agrees_with_naive_reference(
    lines: list[tuple[str, ...]], data: st.DataObject
) -> None:
    """Random field lines (odd names, separators, NULs, blank lines) decode as the spec says."""
    payload = "".join("".join(parts) for parts in lines).encode()
    points = data.draw(st.lists(st.integers(0, len(payload)), max_size=6))
    assert run(cut(payload, points)) == reference(payload)


# -- data round trip ----------------------------------------------------------------------


@pytest.mark.slow
@SETTINGS
@given(st.lists(LINE_TEXT, min_size=1, max_size=5), TERMINATORS, st.data())
def test_data_without_terminators_round_trips(
    values: list[str], eol: str, data: st.DataObject
) -> None:
    """Data lines made of any non-CR/LF characters come back exactly, joined by LF."""
    payload = "".join(f"data: {v}{eol}" for v in values).encode() + (
        b"\r\n" if eol == "\r" else eol.encode()
    )
    points = data.draw(st.lists(st.integers(0, len(payload)), max_size=8))
    events, _, _ = run(cut(payload, points))
    assert events == [E(data="\n".join(values))]
