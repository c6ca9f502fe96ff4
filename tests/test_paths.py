"""Path building (one encoded segment per id) and run-id helpers."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b3os_async import ConfigurationError, new_run_id
from b3os_async._transport.paths import check_run_id, encode_segment, path


@pytest.mark.parametrize(
    ("ident", "encoded"),
    [
        ("wf_123", "wf_123"),
        ("../admin", "..%2Fadmin"),
        ("a/b", "a%2Fb"),
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("?x", "%3Fx"),
        ("#", "%23"),
        ("a b", "a%20b"),
        ("100%", "100%25"),
        ("é", "%C3%A9"),
        (42, "42"),
    ],
)
def test_path_encodes_each_id_as_one_segment(ident: str | int, encoded: str) -> None:
    """Reserved characters and dot segments in ids are percent-encoded."""
    assert path("/v1/workflows/{}/versions", ident) == f"/v1/workflows/{encoded}/versions"


def test_path_fills_several_placeholders() -> None:
    """Each placeholder gets its own id, in order."""
    assert (
        path("/v1/runs/{}/nodes/{}/resume", "run_1", "n/1") == "/v1/runs/run_1/nodes/n%2F1/resume"
    )


@pytest.mark.parametrize("ident", ["", None, True, 1.5])
def test_empty_or_non_string_ids_refused(ident: object) -> None:
    """An empty id (or one that is not a str/int) raises ConfigurationError."""
    with pytest.raises(ConfigurationError):
        path("/v1/workflows/{}", ident)


def test_placeholder_count_must_match() -> None:
    """Too few or too many ids for the template raise ConfigurationError."""
    with pytest.raises(ConfigurationError, match="placeholders"):
        path("/v1/runs/{}/nodes/{}", "run_1")
    with pytest.raises(ConfigurationError, match="placeholders"):
        path("/v1/runs", "run_1")


@settings(deadline=None)
@given(st.text(min_size=1))
def test_any_text_stays_one_segment(ident: str) -> None:
    """Any id encodes without /, ? or #, never as a dot segment, and decodes back to itself."""
    segment = encode_segment(ident)
    assert not set(segment) & set("/?#")
    assert segment not in (".", "..")
    assert unquote(segment) == ident


def test_new_run_id_shape_and_randomness() -> None:
    """new_run_id returns run_ + 24 hex characters, different each time, and passes the check."""
    ids = {new_run_id() for _ in range(100)}
    assert len(ids) == 100
    for run_id in ids:
        assert re.fullmatch(r"run_[0-9a-f]{24}", run_id)
        assert check_run_id(run_id) == run_id


@pytest.mark.parametrize("run_id", ["run_a", "run_A-b_9", "run_" + "x" * 128])
def test_check_run_id_accepts_valid(run_id: str) -> None:
    """Ids of the form run_[A-Za-z0-9_-]{1,128} are returned unchanged."""
    assert check_run_id(run_id) == run_id


def test_check_run_id_explains_prefix() -> None:
    """An id without the run_ prefix is refused with a message saying it must start with run_."""
    with pytest.raises(ConfigurationError, match="must start with 'run_'"):
        check_run_id("abc123")


@pytest.mark.parametrize(
    "run_id", ["run_", "run_a/b", "run_a b", "run_" + "x" * 129, "run_x\n", "RUN_x", 5]
)
def test_check_run_id_refuses_invalid(run_id: object) -> None:
    """Empty suffixes, delimiters, whitespace, overlong ids and non-strings are refused."""
    with pytest.raises(ConfigurationError):
        check_run_id(run_id)
