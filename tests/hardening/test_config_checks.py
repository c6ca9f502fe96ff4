"""Items 7-9: header values, base URLs and comma-joined id lists are checked before any request."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from harden_helpers import KEY

from b3os_async import B3OS, ConfigurationError, ConfigurationTypeError, ResponseValidationError

if TYPE_CHECKING:
    from collections.abc import Callable

    from hostile_server import HostileServer

CONTROL = ["\r", "\n", "\x00", "\r\nX-Injected: 1"]


@pytest.mark.parametrize("bad", CONTROL, ids=["cr", "lf", "nul", "crlf-header"])
def test_org_id_with_cr_lf_or_nul_is_refused_at_construction(bad: str) -> None:
    """An org_id that would split the X-Org-ID header is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match="org_id"):
        B3OS(api_key=KEY, org_id=f"org_1{bad}")


@pytest.mark.parametrize("bad", ["\r", "\n", "\r\nX-Injected: 1"], ids=["cr", "lf", "crlf-header"])
def test_org_id_from_the_environment_is_checked_too(
    bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B3OS_ORG_ID gets the same check as the argument (the message says where it came from)."""
    monkeypatch.setenv("B3OS_ORG_ID", f"org_1{bad}")
    with pytest.raises(ConfigurationError, match="B3OS_ORG_ID"):
        B3OS(api_key=KEY)


@pytest.mark.parametrize("bad", CONTROL, ids=["cr", "lf", "nul", "crlf-header"])
def test_user_agent_with_cr_lf_or_nul_is_refused_at_construction(bad: str) -> None:
    """A user_agent that would split the User-Agent header is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match="user_agent"):
        B3OS(api_key=KEY, user_agent=f"my-app/1.0{bad}")


async def test_refused_header_values_never_reach_the_network(
    hostile: HostileServer,
) -> None:
    """Nothing is sent when construction fails; a clean org_id and user_agent are sent as given."""
    with pytest.raises(ConfigurationError):
        B3OS(api_key=KEY, base_url=hostile.url, org_id="org\n1")
    async with B3OS(
        api_key=KEY, base_url=hostile.url, org_id="org_1", user_agent="my-app/1.0"
    ) as b3:
        await b3.request("GET", "/ok")
    [sent] = hostile.requests
    assert sent.headers["x-org-id"] == "org_1"
    assert sent.headers["user-agent"].startswith("my-app/1.0 b3os-async/")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a b",
        "http://127.0.0.1/a\tb",
        "http://127.0.0.1/a\nb",
        "http://127.0.0.1/a\rb",
        "http://127.0.0.1/a\x00b",
        "http://127.0.0.1/a\x7fb",
        "http://127.0.0.1/a\u00a0b",  # no-break space
        "http://127.0.0.1/a\u2028b",  # line separator
        " http://127.0.0.1",
        "http://127.0.0.1\n",
        "http://127.0.0.1:80\t/api",
    ],
)
def test_base_url_with_whitespace_or_control_characters_is_refused(url: str) -> None:
    """The raw string is checked, not urlsplit()'s output (which silently drops TAB, CR, LF)."""
    with pytest.raises(ConfigurationError, match="whitespace or control characters"):
        B3OS(api_key=KEY, base_url=url)


def test_base_url_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """B3OS_BASE_URL with a TAB is refused like the argument."""
    monkeypatch.setenv("B3OS_BASE_URL", "http://127.0.0.1/a\tb")
    with pytest.raises(ConfigurationError, match="base_url"):
        B3OS(api_key=KEY)


def test_a_clean_base_url_with_a_prefix_is_kept_as_given() -> None:
    """A normal base URL (with a path prefix and a trailing slash) is accepted unchanged."""
    assert B3OS(api_key=KEY, base_url="http://127.0.0.1:8080/api/").base_url == (
        "http://127.0.0.1:8080/api"
    )


async def test_node_ids_with_a_comma_inside_an_id_are_refused(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """runs.get(node_ids=["a,b", "c"]) would send three ids: it is refused, nothing is sent."""
    b3 = hostile_client()
    with pytest.raises(ConfigurationError, match="'a,b' in node_ids"):
        await b3.runs.get("run_1", node_ids=["a,b", "c"])
    assert hostile.requests == []


@pytest.mark.parametrize("ids", [["a,b"], ["wf_1", ""], ["wf_1", ",", "wf_2"]])
def test_stream_groups_refuse_commas_and_empty_ids(ids: list[str]) -> None:
    """stream_runs_many() joins 24 ids per connection: a comma or an empty id is refused."""
    b3 = B3OS(api_key=KEY)
    with pytest.raises(ConfigurationError, match="workflow_ids"):
        b3.workflows.stream_runs_many(ids)


async def test_clean_id_lists_are_sent_as_one_comma_joined_value(
    hostile: HostileServer, hostile_client: Callable[..., B3OS]
) -> None:
    """Valid node ids still go out as one value, in order."""
    b3 = hostile_client().with_options(headers={"X-Hostile": "ok"})
    with pytest.raises(ResponseValidationError):  # /ok answers a workflow, not a run: no matter
        await b3.runs.get("run_1", node_ids=["a", "b-2", "c_3"])
    [sent] = hostile.requests
    assert sent.target.endswith("?nodeIds=a%2Cb-2%2Cc_3")


def test_wrong_types_of_settings_are_configuration_type_errors() -> None:
    """retry=3 or api_key=5 raise ConfigurationTypeError: both a B3OS error and a TypeError."""
    with pytest.raises(ConfigurationTypeError) as info:
        B3OS(api_key=KEY, retry=3)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert isinstance(info.value, ConfigurationError)
    with pytest.raises(ConfigurationTypeError, match="api_key must be a string"):
        B3OS(api_key=5)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationTypeError, match=r"aiohttp\.ClientSession"):
        B3OS(api_key=KEY, session="not a session")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="finite number"):
        B3OS(api_key=KEY).with_options(timeout=float("nan"))
