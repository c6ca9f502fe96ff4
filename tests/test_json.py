"""JSON parsing (``_transport.json_parser``): the same results with and without msgspec."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b3os_async._transport import json_parser as _json

if TYPE_CHECKING:
    from collections.abc import Iterator

SETTINGS = settings(max_examples=300, deadline=None)


@pytest.fixture(params=["msgspec", "stdlib"])
def parser(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test once with msgspec parsing and once with the standard library only."""
    previous = _json.use_speedups(request.param == "msgspec")
    try:
        yield request.param
    finally:
        _json.use_speedups(previous)


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, recursively (1 != 1.0, -0.0 != 0.0, nan == nan)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def outcome(parse: Any, document: bytes | str) -> tuple[str, Any]:
    """("ok", value) or ("error", None) for a ValueError; anything else propagates."""
    try:
        return "ok", parse(document)
    except ValueError:
        return "error", None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=30,
)


def test_msgspec_is_installed_with_the_test_extra() -> None:
    """The test extra installs msgspec, so the speedups path is really exercised here."""
    assert _json.speedups_available()


def test_without_msgspec_the_standard_library_parses() -> None:
    """Where msgspec cannot be imported (a plain install), loads() still parses, with json."""
    code = (
        "import sys; sys.modules['msgspec'] = None\n"
        "from b3os_async._transport import json_parser as _json\n"
        "assert not _json.speedups_available()\n"
        "print(_json.loads(b'{\"a\": [1, 2.5, 18446744073709551616]}'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "{'a': [1, 2.5, 18446744073709551616]}"


def test_use_speedups_returns_the_previous_state() -> None:
    """use_speedups() switches the parser and reports what was in use before."""
    first = _json.use_speedups(False)
    try:
        assert _json.use_speedups(True) is False
        assert _json.use_speedups(True) is True
    finally:
        _json.use_speedups(first)


@pytest.mark.slow  # a property test: over a second of examples
@SETTINGS
@given(value=json_values, ascii_only=st.booleans())
def test_valid_documents_parse_exactly_as_json_loads(value: Any, ascii_only: bool) -> None:
    """Every valid document gives json.loads' value, types included, from bytes and from str."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    expected = json.loads(text)
    previous = _json.use_speedups(True)
    try:
        for enabled in (True, False):
            _json.use_speedups(enabled)
            assert same(_json.loads(text.encode()), expected)
            assert same(_json.loads(text), expected)
    finally:
        _json.use_speedups(previous)


@pytest.mark.slow
@SETTINGS
@given(
    document=st.text(
        alphabet=st.sampled_from('{}[]",:. -+eE0123456789tfnrulsaNIy\\\t\n'), max_size=40
    )
)
def test_arbitrary_text_parses_or_fails_like_json_loads(document: str) -> None:
    """Any text, mostly invalid JSON, is accepted or refused (ValueError) as json.loads does."""
    expected = outcome(json.loads, document)
    previous = _json.use_speedups(True)
    try:
        for enabled in (True, False):
            _json.use_speedups(enabled)
            got = outcome(_json.loads, document)
            assert got[0] == expected[0]
            assert same(got[1], expected[1])
    finally:
        _json.use_speedups(previous)


@pytest.mark.parametrize(
    "document",
    [
        b"18446744073709551616",  # 2**64: beyond 64 bits, stays an exact int (wei amounts)
        b"-9223372036854775809",
        b'{"amount": 1000000000000000000000000, "fee": 0.1}',
        b"NaN",
        b"[Infinity, -Infinity]",
        b"1e400",  # beyond the float range: inf, as json.loads gives
        b"\xef\xbb\xbf{}",  # a UTF-8 byte order mark
        json.dumps({"k": "\u00e9"}).encode("utf-16"),  # json.loads detects UTF-16
        b'"\\ud800"',  # a lone surrogate escape
        b'{"b": 1, "a": 2, "b": 3}',  # duplicate keys: the last wins, first position kept
        b"  \n\t[1, 2.5, -0.0, 1E5]  \r\n",
        b'"\\u0000\\n\\"\\/"',
    ],
)
def test_edge_cases_match_json_loads(parser: str, document: bytes) -> None:
    """Documents msgspec and json treat differently still give json.loads' exact value."""
    assert same(_json.loads(document), json.loads(document))


@pytest.mark.parametrize(
    "document",
    [b"", b"{", b"[1,]", b"1 2", b'{"a":1}x', b"\xff", b'"\t"', b"1" * 10_001, b"<html>502</html>"],
)
def test_invalid_documents_raise_value_error(parser: str, document: bytes) -> None:
    """Invalid JSON, invalid UTF-8 and over-long integers raise ValueError, as json.loads does."""
    with pytest.raises(ValueError):
        json.loads(document)
    with pytest.raises(ValueError):
        _json.loads(document)


@pytest.mark.parametrize("document", [b"[" * 100_000, "[" * 100_000, b'{"a":' * 50_000])
def test_nesting_too_deep_is_a_value_error(parser: str, document: bytes | str) -> None:
    """A document nested too deeply raises ValueError, not the parsers' RecursionError."""
    with pytest.raises(ValueError, match="nested too deeply"):
        _json.loads(document)
