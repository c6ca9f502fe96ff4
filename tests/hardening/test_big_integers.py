"""Item 6: integers beyond Python's 4,300-digit default stay exact, up to a stated 10,000 digits."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import pytest

from b3os_async import ResponseValidationError
from b3os_async._transport import json_parser
from b3os_async._transport.limits import MAX_INT_DIGITS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from b3os_async import B3OS


@pytest.fixture(params=["msgspec", "stdlib"])
def parser(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test with each JSON parser (results must not depend on it)."""
    previous = json_parser.use_speedups(request.param == "msgspec")
    yield request.param
    json_parser.use_speedups(previous)


@pytest.mark.parametrize("digits", [4_301, 5_000, MAX_INT_DIGITS])
async def test_a_long_integer_in_a_response_is_exact(
    digits: int, parser: str, hostile_client: Callable[..., B3OS]
) -> None:
    """A response holding a 5,000-digit integer decodes to exactly that integer."""
    b3 = hostile_client()
    data = await b3.request("GET", "/big-int", params={"digits": digits})
    assert data["amount"] == -(7 * (10**digits - 1) // 9)  # -777…7, built without text


def test_limit_is_ten_thousand_digits() -> None:
    """The documented limit: 10,000 digits (uint256 needs 78)."""
    assert MAX_INT_DIGITS == 10_000


async def test_an_integer_past_the_limit_is_a_clear_validation_error(
    parser: str, hostile_client: Callable[..., B3OS]
) -> None:
    """10,001 digits raise ResponseValidationError saying the SDK's digit limit was passed."""
    b3 = hostile_client()
    with pytest.raises(ResponseValidationError, match="limit of 10,000 digits"):
        await b3.request("GET", "/big-int", params={"digits": MAX_INT_DIGITS + 1})


@pytest.mark.parametrize("digits", [1, 600, 601, 4_300, 4_301, 9_999, 10_000])
def test_text_and_int_round_trip_exactly(digits: int) -> None:
    """int_from_text and int_to_text are inverse for every length up to the limit, both signs."""
    cases = {"9" * digits: 10**digits - 1, "-1" + "0" * (digits - 1): -(10 ** (digits - 1))}
    for text, value in cases.items():
        assert json_parser.int_from_text(text) == value
        assert json_parser.int_to_text(value) == text


_HAS_LIMIT = pytest.mark.skipif(
    not hasattr(sys, "get_int_max_str_digits"), reason="Python < 3.11 has no int-digits limit"
)


@_HAS_LIMIT
def test_process_wide_int_limit_is_left_alone(parser: str) -> None:
    """Parsing long integers never changes sys.get_int_max_str_digits() for the process."""
    before = sys.get_int_max_str_digits()
    assert json_parser.loads(b"[" + b"1" * 5_000 + b"]")[0] % 10 == 1
    assert sys.get_int_max_str_digits() == before


@_HAS_LIMIT
def test_a_lowered_process_limit_is_still_handled() -> None:
    """With the process limit at its minimum (640), 5,000 digits still parse exactly."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        value = json_parser.loads("2" * 5_000)
        assert json_parser.int_to_text(value) == "2" * 5_000
    finally:
        sys.set_int_max_str_digits(before)


def test_stream_event_text_with_a_long_integer_is_exact(parser: str) -> None:
    """Event data (a str) takes the same path: exact long integers."""
    assert json_parser.loads('{"wei": ' + "3" * 6_000 + "}")["wei"] % 1000 == 333
