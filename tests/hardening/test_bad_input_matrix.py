"""The bad-input matrix: every public method, every parameter, hostile values, a real server.

Methods are found by introspection: every public method of every resource reachable from a
``B3OS`` client (its ``functools.cached_property`` areas), plus the client's own ``request`` and
``stream`` escape hatches, its constructor and ``with_options``. A new method or parameter joins
the matrix by itself; a parameter whose name has no hostile values here fails
``test_every_parameter_has_hostile_values`` until it gets some.

Each parameter in turn gets each hostile value of its kind while the others keep valid values
(real objects of the emulator, so that a hostile value reaches the server's own validation rather
than a 404). The outcome must be success, or a :class:`B3OSError`: a ``ConfigurationError`` raised
before any request reached the server, or an error from the server (``APIStatusError``,
``StreamError``...). Never a bare ``TypeError``/``ValueError``/``UnicodeError``/aiohttp error,
never a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import decimal
import functools
import inspect
from typing import TYPE_CHECKING, Any

import pytest

from b3os_async import (
    B3OS,
    AsyncPager,
    B3OSError,
    ConfigurationError,
    RetryPolicy,
    RunHandle,
    StreamTimeouts,
)
from b3os_async._keyless import PublicAccess
from b3os_async.models import SessionInstall
from b3os_async.resources._base import Resource
from b3os_async.testing import Emulator

# A full matrix: part of CI, left out of the fast suite (`pytest -m "not slow"`).
pytestmark = pytest.mark.slow

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

DEFINITION = {"nodes": {"root": {"type": "manual", "payload": {}}}}


def _deep(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    current = root
    for _ in range(depth):
        current["a"] = {}
        current = current["a"]
    return root


def _circular() -> dict[str, Any]:
    loop: dict[str, Any] = {"x": 1}
    loop["self"] = loop
    return loop


LONG = "a" * 10 * 1024
NAIVE = dt.datetime(2024, 1, 1)

IDS = ["", "../admin", "a/b", "x\n", None, 123, LONG, "\ud800", True, 1.5, ["wf_1"], "%2e%2e"]
ID_LISTS = [["a,b"], "abc", [1], [""], [None], [LONG], ["\ud800"], {"a": 1}, 5]
STR_LISTS = ["abc", [1], [None], ["\ud800"], [LONG], 5]
PAYLOADS = [
    {"x": {1, 2}},
    {"x": float("nan")},
    {"x": b"bytes"},
    {"x": NAIVE},
    _circular(),
    _deep(5_000),
    {"x": "\ud800"},
    {"x": 10**20_000},
    {"x": object()},
    {(1, 2): "tuple key"},
    "not a dict",
    [1, 2],
    5,
    {"x": decimal.Decimal("Infinity")},
]
DEFINITIONS = [
    "nope",
    5,
    {"nodes": {1, 2}},
    {"nodes": {"root": {"type": "manual", "payload": {"x": float("inf")}}}},
    _circular(),
    _deep(5_000),
    {},
    {"nodes": "x\n"},
]
INTS = [-1, 0, "1", 1.5, True, 2**70, 10**5_000, float("nan"), [1], "\ud800"]
BOOLS = ["yes", 2, [True], "\ud800"]
WRONG_TYPES = [123, ["a"]]
STRS = ["x\n", "\ud800", LONG, "", "x\r\nX-Injected: 1", "\x00", *WRONG_TYPES]
DATETIMES = [NAIVE, "2024-01-01", 5, dt.date(2024, 1, 1)]
ADDRESSES = [*STRS, "0x" + "g" * 40, "0x" + "a" * 39]
MODEL_LISTS = [5, "abc", [1], [None], {"a": 1}, [[]]]
URLS = [*STRS, "ftp://x", "http://example.com/paid", "http://127.0.0.1:9/x"]
RUN_IDS = ["bad", "run_\n", "run_" + "a" * 200, "run_../x", 5, "\ud800"]

#: Hostile values of every parameter, by name (the matrix fails for a name missing here).
HOSTILE: dict[str, list[Any]] = {
    **dict.fromkeys(("workflow_id", "node_id"), IDS),
    "run_id": IDS + RUN_IDS,
    **dict.fromkeys(("node_ids", "workflow_ids"), ID_LISTS),
    **dict.fromkeys(("actions", "connectors"), STR_LISTS),
    **dict.fromkeys(
        ("payload", "data", "prop_values", "for_each_context", "ui_metadata"), PAYLOADS
    ),
    "definition": DEFINITIONS,
    **dict.fromkeys(
        (
            "version",
            "target_version",
            "cooldown_ms",
            "max_runs",
            "expected_current_version",
            "expected_version",
            "page_size",
            "max_items",
        ),
        INTS,
    ),
    **dict.fromkeys(("summary", "made_by_me", "simulate", "dust_test", "history"), BOOLS),
    **dict.fromkeys(
        (
            "name",
            "description",
            "q",
            "status",
            "type",
            "sort",
            "owner",
            "template_id",
            "visibility",
            "trigger_node_id",
            "secret",
            "last_event_id",
        ),
        STRS,
    ),
    "since": DATETIMES + INTS,  # a datetime for runs.status_counts, a seq for agent runs
    # the escape hatches
    "method": ["BREW", "", None, 5, "GET\n"],
    "path": ["v1/x", "", "/v1/{}", None, "/a b", "/\ud800", "/v1/x?y=1#z", "//evil.example/x"],
    "ids": [("",), ("../admin",), (None,), ("\ud800",), (LONG,), ("a", "b", "c")],
    "params": [{"q": object()}, {"q": "\ud800"}, {"q": float("nan")}, {1: 2}, "x", {"q": [NAIVE]}],
    "json": PAYLOADS,
    "idempotent": ["yes", 1],
    # workflows and runs, the rest (issue 17)
    **dict.fromkeys(
        (
            "remain_runs",
            "release_version",
            "workflow_version",
            "limit",
            "top_errors_limit",
            "recent_activity_limit",
        ),
        INTS,
    ),
    **dict.fromkeys(
        (
            "owner_user_id",
            "title",
            "button_label",
            "default_wallet_address",
            "granularity",
            "lifetime",
        ),
        STRS,
    ),
    **dict.fromkeys(("default", "value"), PAYLOADS),
    "min_amount": [*INTS, "1.5", "1e3"],
    "max_amount": [*INTS, "1.5", "1e3"],
    "tx_hashes": ID_LISTS,
    # -- organizations, API keys & service accounts (issue 14) --
    **dict.fromkeys(
        (
            "org_id",
            "key_id",
            "api_key_id",
            "service_account_id",
            "account_id",
            "wallet_id",
        ),
        IDS,
    ),
    **dict.fromkeys(
        ("scope", "year_month", "mode", "turnkey_private_key_id", "sql", "text", "key"), STRS
    ),
    **dict.fromkeys(
        ("address", "token_address", "recipient_address", "session_address"), ADDRESSES
    ),
    **dict.fromkeys(("expires_at", "start", "end"), DATETIMES),
    **dict.fromkeys(("amount", "chain_id", "min_threshold", "max_swap_amount_usd"), INTS),
    "enabled": BOOLS,
    "permissions": STR_LISTS,
    "policies": PAYLOADS,
    **dict.fromkeys(("sources", "accounts", "installs"), MODEL_LISTS),
    # Caddie and agent runs (area 9)
    **dict.fromkeys(
        (
            "message",
            "conversation_id",
            "session_id",
            "request_id",
            "timezone",
            "mode",
            "template_search_mode",
            "agent_version",
            "agent_type",
            "prompt",
        ),
        STRS,
    ),
    "images": ["x", [1], [{"base64": "\ud800"}], [{"x": object()}], 5, {"base64": "x"}],
    **dict.fromkeys(("refresh", "demo"), BOOLS),
    # templates, public routes, external executions, x402 (area public)
    **dict.fromkeys(
        ("template_id", "execution_id", "endpoint_id", "tx_hash", "source_workflow_id"), IDS
    ),
    **dict.fromkeys(("tags",), STR_LISTS),
    "template_props": ["who", [1], [{"key": object()}], [{"key": "\ud800"}], {"key": "x"}, 5],
    **dict.fromkeys(
        (
            "request_payload",
            "client_safe_metadata",
            "table_schemas",
            "query_params",
            "body_params",
            "header_params",
            "output_schema",
            "input_schema",
            "example_query_params",
            "example_body",
            "example_output",
            "body",
        ),
        PAYLOADS,
    ),
    **dict.fromkeys(("limit", "token_decimals"), INTS),
    **dict.fromkeys(("start", "end"), DATETIMES),
    "price": [-1, "1.5", "", True, 1.5, "\ud800", 10**5_000, [1]],
    **dict.fromkeys(
        (
            "category",
            "slug",
            "strategy",
            "source_system",
            "source_entity_type",
            "source_entity_id",
            "external_ref",
            "idempotency_key",
            "granularity",
            "token",
            "search",
            "network",
            "pay_to",
            "token_address",
            "token_symbol",
            "mime_type",
            "wallet_address",
            "payment_header",
        ),
        STRS,
    ),
    **dict.fromkeys(("resource_url", "url", "base_url"), URLS),
    # triggers, actions, connectors, search, tags (keys above are shared: tags, limit, start,
    # end, category, search, granularity, wallet_address)
    **dict.fromkeys(
        (
            "action_type",
            "trigger_type",
            "event_id",
            "connector_id",
            "connector_type",
            "server_id",
            "resource_type",
            "resource_id",
            "node_type",
            "org_id",
        ),
        IDS,
    ),
    **dict.fromkeys(("types", "tokens"), STR_LISTS),
    "assets": ID_LISTS,
    "inputs": PAYLOADS,
    "connector": [5, "x", ["a"], {"id": object()}, {"id": "\ud800"}, {"type": float("nan")}],
    **dict.fromkeys(("chain_id", "offset"), INTS),
    "sort_by_count": BOOLS,
    **dict.fromkeys(("wallet_id", "cursor_type", "asset_class", "scope"), STRS),
    # execution hooks (endpoint_id and url: above)
    "delivery_id": IDS,
    "subscribed_event_types": [*STR_LISTS, ["run.exploded"], [""]],
    "max_retries": INTS,
    # both a wallet session key's id (a path segment) and a Caddie chat session
    "session_id": [*IDS, *STRS],
    # a withdrawal's token and an x402 endpoint's: "native" or an address, checked before I/O
    "token_address": ADDRESSES,
}


#: Parameters given a valid value when another one is under test (fixtures fill the ids).
VALID: dict[str, Any] = {
    "definition": DEFINITION,
    "remain_runs": 3,
    "owner_user_id": "usr_matrix",
    "ui_metadata": {},
    "title": "matrix",
    "tx_hashes": ["0xmatrix"],
    "lifetime": "persist",
    "value": 1,
    "release_version": 1,
    "workflow_version": 1,
    "name": "matrix",
    "description": "",
    "target_version": 1,
    "version": 1,
    "visibility": "org",
    "method": "GET",
    "path": "/v1/workflows",
    # -- organizations, API keys & service accounts (issue 14) --
    "permissions": ["run:read"],
    "year_month": "2026-01",
    "min_threshold": 1,
    "address": "0x" + "cd" * 20,
    "turnkey_private_key_id": "pk",
    "amount": 1,
    "chain_id": 84532,
    "recipient_address": "0x" + "ab" * 20,
    "session_address": "0x" + "ef" * 20,
    "expires_at": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1),
    "installs": [SessionInstall(chain_id=8453, serialized="0x01")],
    "policies": {},
    "sql": "SELECT 1",
    "scope": "notes",
    "key": "k",
    "text": "t",
    "enabled": True,
    # Caddie and agent runs (area 9)
    "message": "every hour log it",
    "conversation_id": "conv_matrix",
    "agent_type": "app-builder",
    "prompt": "an app",
    # area public (ids of real objects come from the world fixture)
    "tags": [],
    "source_system": "matrix",
    "source_entity_type": "test",
    "start": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
    "end": dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
    "network": "base-sepolia",
    "pay_to": "0x" + "1" * 40,
    "price": "1000",
    "token_address": "0x" + "2" * 40,
    "payment_header": "eyJ4NDAyVmVyc2lvbiI6MX0=",
    # triggers, actions, connectors, search, tags (ids that do not exist answer 404: still typed)
    "action_type": "echo",
    "trigger_type": "manual",
    "event_id": "whe_matrix",
    "cursor_type": "evm-log",
    "assets": ["BTCUSD"],
    "payload": {},
    "wallet_id": "w_matrix",
    "node_type": "action",
    "connector_id": "conn_matrix",
    "type": "slack",
    "data": {"botToken": "xoxb-matrix-0000"},
    "connector_type": "slack",
    "server_id": "github",
    "q": "slack",
    "resource_type": "action",
    "resource_id": "echo",
}

#: The client's own methods in the matrix (the resources' are found by introspection).
CLIENT_METHODS = ("request", "stream")


def _areas() -> list[str]:
    """Names of the API areas of B3OS: its attributes that give a Resource on a client (cached
    properties, and ``public``, which is also ``B3OS.public()`` on the class)."""
    client = B3OS(api_key="b3sk_matrix_discovery_key")
    attributes = {name: attr for cls in B3OS.__mro__ for name, attr in vars(cls).items()}
    return sorted(
        name
        for name, attr in attributes.items()
        if isinstance(attr, (functools.cached_property, PublicAccess))
        and isinstance(getattr(client, name), Resource)
    )


def _resource(client: Any, area: str) -> Any:
    """The resource at ``area``: an area (``runs``) or a sub-resource (``workflows.variables``)."""
    for part in area.split("."):
        client = getattr(client, part)
    return client


def _sub_areas(area: str) -> list[str]:
    """An area's sub-resources: its properties that return a Resource (``workflows.variables``)."""
    resource = _resource(B3OS(api_key="b3sk_matrix_discovery_key"), area)
    return [
        f"{area}.{name}"
        for name, attr in inspect.getmembers(type(resource))
        if isinstance(attr, property) and isinstance(getattr(resource, name), Resource)
    ]


def _methods() -> list[tuple[str, str]]:
    """``(area, method)`` for every public method of every area and sub-resource, then the
    client's own."""
    areas = [found for area in _areas() for found in (area, *_sub_areas(area))]
    found = [
        (area, name)
        for area in areas
        for name, _ in inspect.getmembers(
            type(_resource(B3OS(api_key="b3sk_matrix_discovery_key"), area)), inspect.isfunction
        )
        if not name.startswith("_")
    ]
    return found + [("", name) for name in CLIENT_METHODS]


METHODS = _methods()


def _ids(methods: list[tuple[str, str]]) -> list[str]:
    return [f"{area or 'b3'}.{name}" for area, name in methods]


def _parameters(area: str, name: str) -> list[inspect.Parameter]:
    owner = type(_resource(B3OS(api_key="b3sk_matrix_discovery_key"), area)) if area else B3OS
    signature = inspect.signature(getattr(owner, name))
    return [p for p in signature.parameters.values() if p.name != "self"]


def test_discovery_finds_every_area_and_method() -> None:
    """Introspection sees the areas, sub-resources and main methods (the matrix is not empty)."""
    assert _areas() == [
        "actions", "activity", "agent_runs", "api_keys", "caddie", "caddie_memory",
        "compute_units", "connectors", "database", "execution_hooks", "executions", "metrics",
        "organizations", "outbound_webhooks", "public", "runs", "search", "service_accounts",
        "tags", "templates", "triggers", "wallet_sessions", "wallets", "workflows", "x402",
    ]  # fmt: skip
    assert _sub_areas("workflows") == ["workflows.releases", "workflows.variables"]
    assert {("workflows", "create"), ("runs", "resume_node"), ("activity", "stream")} <= set(
        METHODS
    )
    assert len(METHODS) >= 30


def test_every_parameter_has_hostile_values() -> None:
    """Each parameter of each method has hostile values here (new ones must be added)."""
    missing = {
        p.name for area, name in METHODS for p in _parameters(area, name) if p.name not in HOSTILE
    }
    assert missing == set()


class World:
    """An emulator, a client on it, and real objects for the valid values."""

    def __init__(self, emu: Emulator, b3: B3OS, ids: dict[str, Any]) -> None:
        self.emu = emu
        self.b3 = b3
        self.ids = ids


@pytest.fixture
async def world() -> AsyncIterator[World]:
    """A running emulator with one workflow (published) and one run of it."""
    async with (
        Emulator(seed=7) as emu,
        B3OS(
            api_key=emu.api_key,
            base_url=emu.url,
            retry=RetryPolicy.no_wait(),
            reconnect=RetryPolicy.disabled(),
            stream_timeouts=StreamTimeouts(first_byte=2.0, idle=2.0),
        ) as b3,
    ):
        wf = await b3.workflows.create(name="m", description="", definition=DEFINITION)
        await b3.workflows.set_visibility(wf.id, "public_execute")
        await b3.workflows.publish(wf.id)
        account = await b3.service_accounts.create("matrix", permissions=["run:read"])
        key = await b3.api_keys.create("matrix")
        wallet = (await b3.wallets.list().first_page()).items[0]
        session = await b3.wallet_sessions.create(
            wallet.id,
            session_address=VALID["session_address"],
            expires_at=VALID["expires_at"],
            installs=VALID["installs"],
            policies={},
        )
        # An execution hook (nothing listens at its URL) so the run makes a delivery record.
        await b3.execution_hooks.create(
            "m", "http://127.0.0.1:9/hook", subscribed_event_types=["run.started"], max_retries=0
        )
        created = await b3.workflows.run(wf.id, payload={"txHash": "0xmatrix"})
        template = await b3.templates.create(
            name="m", description="", definition=DEFINITION, tags=[], visibility="org"
        )
        execution = await b3.executions.create(wf.id, source_system="m", source_entity_type="t")
        url = emu.x402.resource_url()
        endpoint = await b3.x402.create(
            base_url=url, network="base-sepolia", pay_to="0x" + "1" * 40, price=1000,
            token_address="0x" + "2" * 40,
        )  # fmt: skip
        delivery = await b3.execution_hooks.deliveries().first_page()
        ids = {
            "workflow_id": wf.id,
            "run_id": created.run_id,
            "node_id": "root",
            "workflow_ids": [wf.id],
            "ids": (),
            "key_id": key.id,
            "account_id": account.id,
            "wallet_id": wallet.id,
            "session_id": session.sessions[0].id,
            "template_id": template.id,
            "execution_id": execution.execution.id,
            "token": execution.client_token,
            "tx_hash": "0xmatrix",
            "endpoint_id": endpoint.id,
            "delivery_id": delivery.items[0].id,
            "resource_url": url,
            "url": url,
            "base_url": emu.x402.resource_url("echo"),
        }
        yield World(emu, b3, ids)


def _show(value: Any) -> str:
    """A short repr, also of values whose repr fails (a 5,000-digit int)."""
    try:
        return f"{value!r:.50}"
    except (ValueError, RecursionError):
        return f"<{type(value).__name__} too long to show>"


def _valid(world: World, param: inspect.Parameter) -> Any:
    if param.name in world.ids:
        return world.ids[param.name]
    return VALID[param.name]


async def _consume(result: Any) -> None:
    """Drive what a method returned far enough to make it talk to the server."""
    if isinstance(result, RunHandle):
        try:
            await asyncio.wait_for(result.start(), 10)
        finally:
            await result.aclose()
        return
    if isinstance(result, AsyncPager):
        await asyncio.wait_for(result.first_page(), 10)
        return
    if hasattr(result, "__anext__") and hasattr(result, "__aenter__"):  # an event stream
        async with result:
            # A stream may rightly wait (a run that has not started, a quiet organization):
            # waiting is not a failure; an error other than ours is.
            with contextlib.suppress(asyncio.TimeoutError, StopAsyncIteration):
                await asyncio.wait_for(result.__anext__(), 0.3)
        return
    if inspect.isawaitable(result):
        await asyncio.wait_for(result, 10)


async def _call(world: World, area: str, name: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    """Call one method; return "" when the outcome is acceptable, else what went wrong."""
    target = _resource(world.b3, area) if area else world.b3
    before = len(world.emu.requests)
    try:
        await _consume(getattr(target, name)(*args, **kwargs))
    except ConfigurationError as exc:
        sent = len(world.emu.requests) - before
        handle = name == "start"  # a run handle subscribes before it builds the trigger's body
        # templates.use checks prop names against the template, which it must read first.
        props = name == "use" and "has no prop(s)" in str(exc)
        if sent and not handle and not props:
            return f"ConfigurationError after {sent} request(s): {exc}"
    except B3OSError:
        pass
    except asyncio.TimeoutError:
        return "hung (no answer within 10 s)"
    except Exception as exc:  # the point of the matrix: nothing else may escape
        return f"{type(exc).__name__}: {str(exc)[:120]}"
    return ""


def _arguments(
    world: World, params: list[inspect.Parameter], hostile: inspect.Parameter, value: Any
) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in params:
        if param is hostile:
            chosen = value
        elif param.default is not inspect.Parameter.empty:
            continue  # optional and not under test: left out
        else:
            chosen = _valid(world, param)
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(chosen)
        elif param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[param.name] = chosen
        else:
            args.append(chosen)
    return args, kwargs


@pytest.mark.parametrize(("area", "name"), METHODS, ids=_ids(METHODS))
async def test_hostile_arguments_give_typed_errors_only(world: World, area: str, name: str) -> None:
    """Every hostile value of every parameter ends in success or a B3OSError, never else."""
    params = _parameters(area, name)
    failures = []
    for param in params:
        for value in HOSTILE[param.name]:
            args, kwargs = _arguments(world, params, param, value)
            problem = await _call(world, area, name, args, kwargs)
            if problem:
                failures.append(f"{param.name}={_show(value)}: {problem}")
    assert failures == [], "\n".join(failures)


CONSTRUCTOR_HOSTILE: dict[str, list[Any]] = {
    "api_key": ["", "b3sk_\n", 5, "b3sk_ spaced", "b3sk_é", "\ud800", ["b3sk_x"]],
    "base_url": ["", "ftp://h", "http://h/a b", "http://10.0.0.1", "https://u:p@h", 5, "\ud800"],
    "org_id": ["org\n", 5, "\ud800", "", LONG],
    "timeout": ["x", -1, float("nan"), True, [1]],
    "retry": [3, "x"],
    "stream_timeouts": [5, "x"],
    "reconnect": ["x", 5],
    "on_reconnect": [5, "x"],
    "max_event_size": [0, -1, "1", 1.5],
    "headers": [{"a\n": "b"}, {"a": "b\n"}, [("a", "b")], {"a": 5}, {"": "x"}, {"a:b": "c"}],
    "max_response_size": [0, -1, "1", 1.5, True],
    "max_connections": [0, "5", 1.5],
    "max_streams": [0, "5", None],
    "session": ["x", 5],
    "user_agent": ["ua\r\n", 5, "\x00"],
    "allow_insecure_http": ["no", 1],
}


@pytest.mark.parametrize("param", sorted(CONSTRUCTOR_HOSTILE))
async def test_hostile_settings_fail_at_construction_or_work(world: World, param: str) -> None:
    """B3OS(...) and with_options(...) refuse a hostile setting with a B3OSError, or it works."""
    with_options = set(inspect.signature(B3OS.with_options).parameters) - {"self"}
    failures = []
    for value in CONSTRUCTOR_HOSTILE[param]:
        settings = {"api_key": world.emu.api_key, "base_url": world.emu.url, param: value}
        builders: list[Callable[[], B3OS]] = [functools.partial(B3OS, **settings)]
        if param in with_options:
            builders.append(functools.partial(world.b3.with_options, **{param: value}))
        for build in builders:
            client: B3OS | None = None
            try:
                client = build()
                await asyncio.wait_for(client.request("GET", "/v1/workflows"), 10)
            except B3OSError:
                pass
            except Exception as exc:
                failures.append(f"{param}={_show(value)}: {type(exc).__name__}: {exc!s:.100}")
            finally:
                if client is not None and client is not world.b3:
                    await client.aclose()
    assert failures == [], "\n".join(failures)


def test_constructor_matrix_covers_every_setting() -> None:
    """Every argument of B3OS(...) has hostile values in the constructor matrix."""
    assert set(inspect.signature(B3OS).parameters) == set(CONSTRUCTOR_HOSTILE)
