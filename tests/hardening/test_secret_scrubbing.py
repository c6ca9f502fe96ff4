"""Items 2-4: no credential in anything an error reaches (chained errors, tracebacks, logs, echoes).

The server side is hostile_server.py: a malformed response makes aiohttp raise an exception that
holds the request (headers and URL); ``/echo-auth`` answers 401 echoing the key it received.
"""

from __future__ import annotations

import logging
import pickle
import traceback
from typing import TYPE_CHECKING

import aiohttp
import pytest
import yarl
from aiohttp.client_reqrep import ConnectionKey, RequestInfo
from harden_helpers import KEY, chain, leaks, reachable_text
from multidict import CIMultiDict, CIMultiDictProxy

from b3os_async import (
    APIConnectionError,
    AuthenticationError,
    RetryPolicy,
    StreamError,
)
from b3os_async._errors import redact_url
from b3os_async._transport.http import scrub_exception

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async import B3OS

SECRET = "S3cr3t-resume-VALUE-4242"
MALFORMED = {"X-Hostile": "malformed-header"}


def _everything(err: BaseException) -> str:
    """All the text an error can produce: reachable objects, the traceback, a logged exception."""
    logger = logging.getLogger("test.hardening.capture")
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    try:
        try:
            raise err
        except type(err):
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    formatted = "".join(traceback.format_exception(err))
    return "\n".join([reachable_text(err), formatted, *records])


async def test_malformed_response_chain_holds_no_key(
    hostile_client: Callable[..., B3OS],
) -> None:
    """The aiohttp error behind a malformed response is chained without the bearer key."""
    b3 = hostile_client()
    with pytest.raises(APIConnectionError) as info:
        await b3.request("GET", "/malformed-header")
    cause = info.value.__cause__
    assert isinstance(cause, aiohttp.ClientResponseError)  # still there, type intact
    assert cause.args[0].headers["Authorization"] == "<redacted>"  # the exact path
    assert leaks(_everything(info.value)) == []


async def test_chained_aiohttp_errors_carry_no_traceback(
    hostile_client: Callable[..., B3OS],
) -> None:
    """aiohttp's frames (their locals are the request headers) are dropped from the chain."""
    b3 = hostile_client()
    with pytest.raises(APIConnectionError) as info:
        await b3.request("GET", "/malformed-header")
    below = chain(info.value)[1:]
    assert below
    assert all(e.__traceback__ is None for e in below)


async def test_resume_secret_never_reaches_a_traceback_or_log(
    hostile_client: Callable[..., B3OS],
) -> None:
    """runs.resume_node(secret=S) then a malformed response: S is nowhere, the URL is redacted."""
    b3 = hostile_client().with_options(headers=MALFORMED)
    with pytest.raises(APIConnectionError) as info:
        await b3.runs.resume_node("run_1", "wait", secret=SECRET)
    text = _everything(info.value)
    assert leaks(text, SECRET) == []
    assert "secret=<redacted>" in text  # the URL is still shown, with the value hidden


@pytest.mark.parametrize(
    "name", ["secret", "token", "key", "api_key", "pagination_bypass_key", "code", "signature"]
)
async def test_every_credential_query_value_is_scrubbed(
    name: str, hostile_client: Callable[..., B3OS]
) -> None:
    """Any query parameter the API treats as a credential is redacted through the whole chain."""
    b3 = hostile_client().with_options(headers=MALFORMED)
    with pytest.raises(APIConnectionError) as info:
        await b3.request("GET", "/v1/anything", params={name: SECRET, "q": "visible"})
    text = _everything(info.value)
    assert leaks(text, SECRET) == []
    assert "q=visible" in text


async def test_stream_open_failure_chain_holds_no_key_or_secret(
    hostile_client: Callable[..., B3OS],
) -> None:
    """A stream whose response is malformed fails with nothing secret in its chain."""
    b3 = hostile_client(reconnect=RetryPolicy.disabled()).with_options(headers=MALFORMED)
    async with b3.stream("/v1/public/executions/{}/stream", "ex_1", params={"token": SECRET}) as s:
        with pytest.raises(StreamError) as info:
            await s.__anext__()
    assert leaks(_everything(info.value), SECRET) == []


async def test_echoed_key_is_redacted_in_details_headers_and_message(
    hostile_client: Callable[..., B3OS],
) -> None:
    """A 401 echoing the key back keeps its structure, with every copy of the key redacted."""
    b3 = hostile_client()
    with pytest.raises(AuthenticationError) as info:
        await b3.request("GET", "/echo-auth")
    err = info.value
    assert err.details[0] == {"header": "Authorization", "received": "Bearer <redacted>"}
    assert err.details[1] == {"apiKey": "<redacted>"}
    assert err.details[2]["nested"][0] == {"token": "<redacted>"}
    assert "secret=<redacted>" in err.details[2]["nested"][1]
    assert err.headers["X-Api-Key"] == "<redacted>"
    assert err.headers["X-Echo-Authorization"] == "Bearer <redacted>"
    assert err.request_id == "req_echo"
    everything = _everything(err) + repr(pickle.loads(pickle.dumps(err)).__dict__)
    assert leaks(everything, "S3CR3T", "tok_123") == []


def test_scrub_covers_request_info_history_urls_and_proxy_auth() -> None:
    """Every place aiohttp keeps a credential is cleaned, also deep in the chain."""
    url = yarl.URL(f"https://api.example/v1/r?secret={SECRET}&x=1")
    headers = CIMultiDictProxy(CIMultiDict({"Authorization": f"Bearer {KEY}", "Accept": "*/*"}))
    info = RequestInfo(url, "GET", headers, url)
    response_error = aiohttp.ClientResponseError(
        info, (), status=400, message=f"bad {KEY}", headers=headers
    )
    proxy = yarl.URL(f"http://user:{SECRET}@proxy.example:3128")
    key = ConnectionKey("h", 443, True, True, proxy, ("user", SECRET), None, None)  # type: ignore[arg-type]
    connect_error = aiohttp.ClientConnectorError(key, OSError(111, f"refused {url}"))
    invalid = aiohttp.InvalidURL(str(url))
    response_error.__context__ = connect_error
    connect_error.__cause__ = invalid
    invalid.__context__ = ValueError(f"Bearer {KEY}")
    scrubbed = scrub_exception(response_error)
    assert scrubbed is response_error
    assert response_error.request_info.url == yarl.URL(redact_url(url), encoded=True)
    assert response_error.status == 400
    assert connect_error.host == "h"  # str() of the error still works
    assert leaks(_everything(response_error), SECRET) == []


def test_scrub_survives_cycles_and_odd_exceptions() -> None:
    """A chain that loops, or an exception with strange args, is scrubbed without error."""
    first = RuntimeError(f"Bearer {KEY}", 1, None, b"b3sk_" + KEY[5:].encode())
    second = KeyError({"Authorization": KEY})
    first.__context__ = second
    second.__context__ = first
    scrub_exception(first)
    assert leaks(_everything(first)) == []
