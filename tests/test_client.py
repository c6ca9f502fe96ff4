"""The B3OS facade: configuration, lifecycle, loop binding, leak warnings."""

from __future__ import annotations

import asyncio
import gc
import importlib
import subprocess
import sys
import time
import warnings
from typing import TYPE_CHECKING

import aiohttp
import pytest
from support.scripted import Reply, ScriptedServer

from b3os_async import B3OS, ConfigurationError, RetryPolicy, Timeout

if TYPE_CHECKING:
    from collections.abc import Iterator

KEY = "b3sk_test_0123456789abcdefQRST"
DEFAULT_BASE_URL = "https://api.b3os.org"
OK = Reply(200, {"code": 200, "data": {"ok": True}, "requestId": "r"})


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test without B3OS_* variables from the developer's environment."""
    for name in ("B3OS_API_KEY", "B3OS_BASE_URL", "B3OS_ORG_ID"):
        monkeypatch.delenv(name, raising=False)


def _ok_server() -> ScriptedServer:
    """A scripted server (not started) answering GET /v1/ok."""
    server = ScriptedServer()
    server.script("/v1/ok", OK, method="GET")
    return server


@pytest.fixture
def url(scripted: ScriptedServer) -> str:
    """Base URL of a server on 127.0.0.1 answering GET /v1/ok."""
    scripted.script("/v1/ok", OK, method="GET")
    return scripted.url


# -- configuration -----------------------------------------------------------------------------


def test_missing_key_says_how_to_set_it() -> None:
    """Without api_key or B3OS_API_KEY construction fails with a hint naming B3OS_API_KEY."""
    with pytest.raises(ConfigurationError, match="B3OS_API_KEY"):
        B3OS()


def test_empty_env_key_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty B3OS_API_KEY is treated as not set."""
    monkeypatch.setenv("B3OS_API_KEY", "")
    with pytest.raises(ConfigurationError, match="B3OS_API_KEY"):
        B3OS()


def test_key_with_whitespace_refused_without_echo() -> None:
    """A key with a newline is refused, and the error does not repeat the key."""
    with pytest.raises(ConfigurationError) as info:
        B3OS(api_key="b3sk_secretpart\n")
    assert "secretpart" not in str(info.value)


def test_env_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """B3OS_API_KEY, B3OS_BASE_URL and B3OS_ORG_ID configure a client built without arguments."""
    monkeypatch.setenv("B3OS_API_KEY", KEY)
    monkeypatch.setenv("B3OS_BASE_URL", "https://api.example.test/")
    monkeypatch.setenv("B3OS_ORG_ID", "org_env")
    b3 = B3OS()
    assert (b3.base_url, b3.org_id) == ("https://api.example.test", "org_env")


def test_arguments_override_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Explicit arguments win over the environment."""
    monkeypatch.setenv("B3OS_BASE_URL", "https://env.example.test")
    monkeypatch.setenv("B3OS_ORG_ID", "org_env")
    b3 = B3OS(KEY, base_url="https://arg.example.test", org_id="org_arg")
    assert (b3.base_url, b3.org_id) == ("https://arg.example.test", "org_arg")


def test_defaults() -> None:
    """The default base URL is the production API and no org is set."""
    b3 = B3OS(api_key=KEY)
    assert (b3.base_url, b3.org_id) == (DEFAULT_BASE_URL, None)


@pytest.mark.parametrize(
    "base_url", ["http://api.b3os.org", "http://10.0.0.5:8080", "http://[2001:db8::1]"]
)
def test_plain_http_refused_for_remote_hosts(base_url: str) -> None:
    """http:// to a non-loopback host is refused (the key would travel in clear)."""
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        B3OS(api_key=KEY, base_url=base_url)


def test_plain_http_allowed_with_flag() -> None:
    """allow_insecure_http=True permits http:// to any host."""
    assert B3OS(api_key=KEY, base_url="http://10.0.0.5", allow_insecure_http=True).base_url == (
        "http://10.0.0.5"
    )


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8080", "http://127.9.8.7", "http://[::1]:80", "http://localhost:1/api"],
)
def test_plain_http_allowed_on_loopback(base_url: str) -> None:
    """Loopback hosts (127.0.0.0/8, ::1, localhost) may use http://."""
    assert B3OS(api_key=KEY, base_url=base_url).base_url == base_url


@pytest.mark.parametrize(
    "base_url", ["ftp://api.b3os.org", "api.b3os.org", "https://u:p@api.b3os.org", "https://h/?a=1"]
)
def test_bad_base_urls_refused(base_url: str) -> None:
    """Non-http(s) schemes, missing hosts, credentials and queries in base_url are refused."""
    with pytest.raises(ConfigurationError):
        B3OS(api_key=KEY, base_url=base_url)


def test_repr_redacts_key() -> None:
    """repr(client) shows base URL, org and b3sk_… plus the last 4 characters only."""
    text = repr(B3OS(api_key=KEY, org_id="org_1"))
    assert KEY not in text
    assert "b3sk_…QRST" in text
    assert "org_1" in text
    assert DEFAULT_BASE_URL in text


def test_timeout_number_is_total() -> None:
    """A plain number passed as timeout sets Timeout.total and keeps the other defaults."""
    b3 = B3OS(api_key=KEY, timeout=5)
    assert b3._options.timeout == Timeout(total=5.0, connect=10.0, read=None)


def test_retry_must_be_policy() -> None:
    """A retry argument that is not a RetryPolicy is rejected at construction."""
    with pytest.raises(TypeError):
        B3OS(api_key=KEY, retry=3)  # type: ignore[arg-type]


def test_import_stays_cheap() -> None:
    """Importing the client module loads neither aiohttp nor any resource module."""
    code = (
        "import sys, b3os_async._client\n"
        "bad = [m for m in sys.modules if m == 'aiohttp' or m.startswith('b3os_async.resources')]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert out.stdout.strip() == "[]"


def drop(holder: list[B3OS]) -> None:
    """Release the last reference to a client and collect garbage."""
    holder.clear()
    gc.collect()


# -- lifecycle ---------------------------------------------------------------------------------


async def test_context_manager_and_idempotent_aclose(url: str) -> None:
    """async with closes the client; further aclose() calls are no-ops."""
    async with B3OS(api_key=KEY, base_url=url) as b3:
        assert await b3._requester.request("GET", "/v1/ok") == {"ok": True}
    assert b3.closed
    await b3.aclose()
    await b3.aclose()
    assert b3.closed


async def test_aclose_before_any_request() -> None:
    """A client that never made a request closes without error and reports closed."""
    b3 = B3OS(api_key=KEY)
    await b3.aclose()
    assert b3.closed
    assert b3._manager.pools.request_session is None


async def test_use_after_close_is_clear(url: str) -> None:
    """Using a closed client raises ConfigurationError that says it is closed."""
    b3 = B3OS(api_key=KEY, base_url=url)
    await b3.aclose()
    with pytest.raises(ConfigurationError, match="closed"):
        await b3._requester.request("GET", "/v1/ok")


@pytest.fixture
def loops() -> Iterator[tuple[asyncio.AbstractEventLoop, asyncio.AbstractEventLoop]]:
    """Two independent event loops, closed afterwards."""
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_other_event_loop_refused_quickly(
    loops: tuple[asyncio.AbstractEventLoop, asyncio.AbstractEventLoop],
) -> None:
    """A client whose session was made in one loop raises our error at once in another loop."""
    first, second = loops
    server = _ok_server()
    first.run_until_complete(server.start())
    b3 = B3OS(api_key=KEY, base_url=server.url)
    try:
        first.run_until_complete(b3._requester.request("GET", "/v1/ok"))
        started = time.monotonic()
        with pytest.raises(ConfigurationError, match="different event loop"):
            second.run_until_complete(b3._requester.request("GET", "/v1/ok"))
        assert time.monotonic() - started < 1.0
    finally:
        first.run_until_complete(b3.aclose())
        first.run_until_complete(server.close())
    assert b3.closed


@pytest.mark.slow
def test_aclose_from_another_loop_still_closes(
    loops: tuple[asyncio.AbstractEventLoop, asyncio.AbstractEventLoop],
) -> None:
    """A client used from the wrong loop can be closed from it: no error, no unclosed warnings."""
    first, second = loops
    server = _ok_server()
    first.run_until_complete(server.start())
    b3 = B3OS(api_key=KEY, base_url=server.url)
    first.run_until_complete(b3._requester.request("GET", "/v1/ok"))
    with pytest.raises(ConfigurationError, match="different event loop"):
        second.run_until_complete(b3._requester.request("GET", "/v1/ok"))
    second.run_until_complete(b3.aclose())  # the way out
    first.run_until_complete(server.close())
    assert b3.closed
    session = b3._manager.pools.request_session
    assert session is not None
    assert session.closed
    del b3, session
    gc.collect()  # an unclosed session or connector would warn here (warnings are errors)


def test_closed_loop_named_in_error(
    loops: tuple[asyncio.AbstractEventLoop, asyncio.AbstractEventLoop],
) -> None:
    """Reuse after the first loop was closed names that cause, not 'Event loop is closed'."""
    first, second = loops
    server = _ok_server()
    first.run_until_complete(server.start())
    b3 = B3OS(api_key=KEY, base_url=server.url)
    first.run_until_complete(b3._requester.request("GET", "/v1/ok"))
    session = b3._manager.pools.request_session
    assert session is not None
    first.run_until_complete(session.close())  # what a loop's teardown would have to do
    first.run_until_complete(server.close())
    first.close()
    with pytest.raises(ConfigurationError, match="that loop is closed"):
        second.run_until_complete(b3._requester.request("GET", "/v1/ok"))
    second.run_until_complete(b3.aclose())  # nothing left to close: just marks it closed
    assert b3.closed


@pytest.mark.slow
async def test_unclosed_client_warns_with_creation_site(url: str) -> None:
    """A client that opened a session and was never closed warns, naming where it was created."""
    line = sys._getframe().f_lineno + 1
    b3 = B3OS(api_key=KEY, base_url=url)
    await b3._requester.request("GET", "/v1/ok")
    session = b3._manager.pools.request_session
    assert session is not None
    await session.close()  # close aiohttp's session ourselves so only our warning is left
    del session
    holder = [b3]
    del b3
    with pytest.warns(ResourceWarning, match=rf"test_client\.py:{line} in "):
        drop(holder)


@pytest.mark.slow
async def test_unopened_client_does_not_warn() -> None:
    """A client that never opened a session can be dropped without a warning."""
    b3 = B3OS(api_key=KEY)
    holder = [b3]
    del b3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drop(holder)
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


@pytest.mark.slow
async def test_closed_client_does_not_warn(url: str) -> None:
    """A client that was closed properly leaves no ResourceWarning behind."""
    b3 = B3OS(api_key=KEY, base_url=url, retry=RetryPolicy.no_wait())
    await b3._requester.request("GET", "/v1/ok")
    await b3.aclose()
    holder = [b3]
    del b3
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drop(holder)
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_caller_session_from_other_loop_refused(
    loops: tuple[asyncio.AbstractEventLoop, asyncio.AbstractEventLoop],
) -> None:
    """A caller-owned session made in another loop is refused with our error, not aiohttp's."""
    first, second = loops

    async def make_session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    own = first.run_until_complete(make_session())
    try:
        b3 = B3OS(api_key=KEY, base_url="http://127.0.0.1:9", session=own)
        with pytest.raises(ConfigurationError, match="different event loop"):
            second.run_until_complete(b3._requester.request("GET", "/v1/ok"))
    finally:
        first.run_until_complete(own.close())


@pytest.mark.parametrize(
    ("attr", "module", "cls"),
    [
        ("workflows", "b3os_async.resources.workflows", "Workflows"),
        ("runs", "b3os_async.resources.runs", "Runs"),
        ("activity", "b3os_async.resources.activity", "Activity"),
    ],
)
def test_resource_properties_cached(attr: str, module: str, cls: str) -> None:
    """Each resource property builds its resource once, from the resource module, and caches it."""
    resource_module = importlib.import_module(module)
    b3 = B3OS(api_key=KEY)
    first = getattr(b3, attr)
    assert isinstance(first, getattr(resource_module, cls))
    assert getattr(b3, attr) is first
