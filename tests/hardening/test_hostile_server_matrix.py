"""The hostile-server matrix: every misbehaviour of hostile_server.py against a real client.

For each: the typed error, with a message of bounded length; bounded memory (tracemalloc peak,
which counts every Python allocation, bodies included); no hang (an outer deadline far above the
client's own timeouts); no connection left checked out of the pool, connections with unread bytes
closed; and no warning at all (unclosed sessions, transports or responses would show as
ResourceWarning after gc).
"""

from __future__ import annotations

import asyncio
import gc
import time
import warnings
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from harden_helpers import acquired, leaks, traced_peak

from b3os_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    B3OSError,
    InternalServerError,
    ResponseTooLargeError,
    ResponseValidationError,
    RetryPolicy,
    Timeout,
)

# A full matrix: part of CI, left out of the fast suite (`pytest -m "not slow"`).
pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from collections.abc import Callable

    from hostile_server import HostileServer

    from b3os_async import B3OS

MiB = 1024 * 1024
#: The response limit of the matrix: small, so that passing it costs little time.
LIMIT = 1 * MiB


@attrs.frozen
class Case:
    """One misbehaviour and what the client must make of it."""

    path: str
    error: type[B3OSError]
    #: the tracemalloc peak allowed (bytes)
    peak: int = 4 * LIMIT
    #: whether every connection must end closed (a body left unread, a broken connection)
    closes: bool = True
    #: longest acceptable duration (seconds)
    within: float = 5.0
    options: dict[str, Any] = attrs.field(factory=dict)


CASES = [
    Case("/huge-declared", ResponseTooLargeError, peak=LIMIT),
    Case("/endless", ResponseTooLargeError),
    # Content-Length and chunked framing together: aiohttp refuses the response (a smuggling risk).
    Case("/lying-length", APIConnectionError, peak=LIMIT),
    # aiohttp inflates in pieces of its own choosing (about 4 MiB here); 128 MiB arrive unbounded.
    Case("/gzip-bomb", ResponseTooLargeError, peak=16 * LIMIT),
    Case("/endless-error", InternalServerError, peak=LIMIT),
    Case("/big-error", InternalServerError, peak=LIMIT),
    Case("/drip", APITimeoutError, options={"timeout": Timeout(total=1.0)}),
    Case("/stall", APITimeoutError, options={"timeout": Timeout(total=None, read=0.5)}),
    Case("/garbage", APIConnectionError),
    Case("/long-garbage", APIConnectionError),
    Case("/cut-json", APIConnectionError),
    Case("/reset", APIConnectionError),
    Case("/reset-mid-body", APIConnectionError),
    Case("/malformed-header", APIConnectionError),
    # Complete answers: their connection may go back to the pool (kept alive), not closed.
    Case("/redirect-loop", APIStatusError, peak=LIMIT, closes=False),
    Case("/html-502", InternalServerError, peak=LIMIT, closes=False),
    Case("/html-200", ResponseValidationError, peak=LIMIT, closes=False),
]


async def _provoke(b3: B3OS, case: Case) -> tuple[BaseException, int, float]:
    """Send GET ``case.path``; return the error, the tracemalloc peak and the duration."""
    started = time.monotonic()
    with traced_peak() as peak, pytest.raises(B3OSError) as info:
        await asyncio.wait_for(b3.request("GET", case.path), 30)
    return info.value, peak.bytes, time.monotonic() - started


@pytest.mark.parametrize("case", CASES, ids=[c.path.strip("/") for c in CASES])
async def test_each_misbehaviour_ends_typed_bounded_and_clean(
    case: Case, hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """A hostile answer raises its typed error within time and memory, leaking nothing."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        b3 = hostile_client(max_response_size=LIMIT, **case.options)
        error, peak, took = await _provoke(b3, case)
        checked_out = acquired(b3)
        await b3.aclose()
        gc.collect()
    assert type(error) is case.error or isinstance(error, case.error), repr(error)
    assert peak < case.peak, f"peak {peak / MiB:.1f} MiB"
    assert took < case.within
    assert checked_out == 0
    if case.closes:
        assert await hostile.wait_all_closed()
    assert [str(w.message) for w in caught] == []
    assert leaks(repr(error) + str(error)) == []
    assert len(str(error)) < 2000  # what the server sent is quoted in part only


async def test_retried_hostile_answers_stay_bounded(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """Each retry of a 5xx with an endless body reads that attempt's excerpt only."""
    b3 = hostile_client(max_response_size=LIMIT, retry=RetryPolicy.no_wait(max_attempts=3))
    error, peak, _ = await _provoke(b3, Case("/endless-error", InternalServerError))
    assert isinstance(error, InternalServerError)
    assert error.attempts == 3
    assert peak < LIMIT
    assert acquired(b3) == 0
    await b3.aclose()
    assert await hostile.wait_all_closed()


async def test_big_error_body_gives_a_short_message(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """A 10 MiB error body becomes a message of a few hundred characters, not megabytes."""
    b3 = hostile_client()
    with pytest.raises(InternalServerError) as info:
        await b3.request("GET", "/big-error")
    assert len(str(info.value)) < 1000
    assert "xxxx" in info.value.message  # the excerpt of the body is there
    assert hostile.body_bytes_sent["/big-error"] < 10 * MiB  # and the rest was never waited for


async def test_a_good_answer_after_hostile_ones_reuses_a_clean_pool(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """After refused, cut and reset answers, the same client still gets a good answer."""
    b3 = hostile_client(max_response_size=LIMIT)
    for path in ("/endless", "/huge-declared", "/cut-json", "/reset", "/big-error"):
        with pytest.raises(B3OSError):
            await b3.request("GET", path)
    assert await b3.request("GET", "/ok") == {"id": "wf_1"}
    assert acquired(b3) == 0
