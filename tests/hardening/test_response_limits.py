"""Item 1: ``max_response_size`` caps what a response may cost; error bodies are read in part."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

import pytest
from harden_helpers import KEY, acquired, traced_peak
from hostile_server import ENDLESS_CAP, HUGE_DECLARED

from b3os_async import (
    B3OS,
    ConfigurationError,
    InternalServerError,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
)
from b3os_async._options import CallOptions
from b3os_async._transport.limits import DEFAULT_MAX_RESPONSE_SIZE, ERROR_BODY_LIMIT

if TYPE_CHECKING:
    from collections.abc import Callable

    from hostile_server import HostileServer

MiB = 1024 * 1024


def test_default_limit_is_64_mib() -> None:
    """A client reads at most 64 MiB of a response unless told otherwise."""
    assert 64 * MiB == DEFAULT_MAX_RESPONSE_SIZE
    assert CallOptions().max_response_size == 64 * MiB
    assert B3OS(api_key=KEY)._options.max_response_size == 64 * MiB


@pytest.mark.parametrize("bad", [0, -1, "5", 1.5, True])
def test_nonsense_limits_are_refused(bad: Any) -> None:
    """A limit that is not a positive integer (or None) is a ConfigurationError, at once."""
    with pytest.raises(ConfigurationError, match="max_response_size"):
        B3OS(api_key=KEY, max_response_size=bad)
    with pytest.raises(ConfigurationError, match="max_response_size"):
        B3OS(api_key=KEY).with_options(max_response_size=bad)


@pytest.mark.slow
async def test_declared_size_above_the_default_is_refused_unread(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """A Content-Length of 200 MiB is refused from the headers, before the body is read."""
    b3 = hostile_client()
    with traced_peak() as peak, pytest.raises(ResponseTooLargeError) as info:
        await b3.request("GET", "/huge-declared")
    err = info.value
    assert (err.limit, err.size, err.status) == (64 * MiB, HUGE_DECLARED, 200)
    assert peak.bytes < 2 * MiB
    assert await hostile.wait_all_closed()  # closed, not put back with unread bytes


@pytest.mark.slow
async def test_endless_chunked_body_stops_at_the_default_limit(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """An endless chunked body is cut once 64 MiB arrived (it would run to the timeout)."""
    b3 = hostile_client()
    with pytest.raises(ResponseTooLargeError) as info:
        await b3.request("GET", "/endless")
    assert info.value.size > 64 * MiB
    assert hostile.body_bytes_sent["/endless"] < ENDLESS_CAP // 2
    assert await hostile.wait_all_closed()


async def test_the_error_says_which_setting_to_change(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """The message names max_response_size, the per-call override and None for no limit."""
    b3 = hostile_client(max_response_size=MiB)
    with pytest.raises(ResponseTooLargeError) as info:
        await b3.request("GET", "/endless")
    text = str(info.value)
    assert "GET /endless" in text.replace(hostile.url, "")
    assert "max_response_size" in text
    assert "with_options(max_response_size=" in text
    assert "None: no limit" in text


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_of_exactly_the_limit_passes_one_byte_more_does_not(
    chunked: bool, hostile_client: Callable[..., B3OS]
) -> None:
    """The limit is inclusive, for declared and for counted bodies alike."""
    size = 200_000
    params = {"n": size, "chunked": int(chunked)}
    exact = hostile_client(max_response_size=size)
    data = await exact.request("GET", "/sized", params=params)
    assert len(data["data"]) == size - len('{"data":""}')
    with pytest.raises(ResponseTooLargeError) as info:
        await hostile_client(max_response_size=size - 1).request("GET", "/sized", params=params)
    assert info.value.limit == size - 1
    assert acquired(exact) == 0


async def test_with_options_none_lifts_the_limit_for_some_calls_only(
    hostile_client: Callable[..., B3OS],
) -> None:
    """with_options(max_response_size=None) reads a large body; the client itself still refuses."""
    b3 = hostile_client(max_response_size=MiB)
    unlimited = b3.with_options(max_response_size=None)
    data = await unlimited.request("GET", "/sized", params={"n": 2 * MiB, "chunked": 1})
    assert len(data["data"]) > MiB
    with pytest.raises(ResponseTooLargeError):
        await b3.request("GET", "/sized", params={"n": 2 * MiB, "chunked": 1})


async def test_with_options_can_raise_the_limit_and_views_keep_it(
    hostile_client: Callable[..., B3OS],
) -> None:
    """A raised limit applies to the view and to views made from it that leave it out."""
    b3 = hostile_client(max_response_size=MiB)
    roomy = b3.with_options(max_response_size=4 * MiB).with_options(timeout=30)
    assert roomy._options.max_response_size == 4 * MiB
    data = await roomy.request("GET", "/sized", params={"n": 2 * MiB})
    assert len(data["data"]) > MiB


async def test_head_answers_declaring_a_huge_length_are_not_refused(
    hostile_client: Callable[..., B3OS],
) -> None:
    """HEAD carries no body: the length it declares (200 MiB) is not held against the limit."""
    b3 = hostile_client(max_response_size=MiB).with_options(headers={"X-Hostile": "huge-declared"})
    assert await b3.request("HEAD", "/anything") is None


async def test_too_large_is_never_retried(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """The same answer would come again: a GET with retries left is sent once."""
    b3 = hostile_client(max_response_size=MiB, retry=RetryPolicy.no_wait(max_attempts=5))
    with pytest.raises(ResponseValidationError):  # ResponseTooLargeError is one
        await b3.request("GET", "/endless")
    assert [r.path for r in hostile.requests] == ["/endless"]


@pytest.mark.slow
async def test_error_bodies_are_read_up_to_64_kib_only(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """A 10 MiB error body costs 64 KiB: the rest is left unread and the connection closed."""
    b3 = hostile_client()
    with traced_peak() as peak, pytest.raises(InternalServerError) as info:
        await b3.request("GET", "/big-error")
    assert ERROR_BODY_LIMIT == 64 * 1024
    assert peak.bytes < 1 * MiB
    assert info.value.message.startswith('non-JSON body: \'{"data":"xxx')
    assert await hostile.wait_all_closed()


def test_too_large_error_pickles_with_its_fields() -> None:
    """ResponseTooLargeError crosses process boundaries with limit, size and status."""
    err = ResponseTooLargeError("too large", limit=10, size=11, status=200, request_id="r")
    back = pickle.loads(pickle.dumps(err))
    assert (type(back), back.limit, back.size, back.status, str(back)) == (
        ResponseTooLargeError,
        10,
        11,
        200,
        "too large",
    )
