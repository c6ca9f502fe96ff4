"""``main(argv)`` in-process: option parsing, usage errors, exit codes, no tracebacks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from b3os_async._cli._parser import build_parser
from b3os_async.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """``b3os --help`` prints usage listing the commands and returns 0."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("demo", "emulator", "workflows", "runs"):
        assert command in out


def test_bad_payload_json_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """Invalid ``--payload`` JSON gives one ``error:`` line on stderr and exit code 2."""
    code = main(["workflows", "run", "wf_1", "--payload", "{not json", "--api-key", "b3sk_x"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: argument --payload: --payload is not valid JSON")
    assert err.count("\n") == 1


def test_payload_must_be_an_object(capsys: pytest.CaptureFixture[str]) -> None:
    """A ``--payload`` that is JSON but not an object is refused with exit code 2."""
    assert main(["workflows", "run", "wf_1", "--payload", "[1, 2]"]) == 2
    assert "must be a JSON object" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown sub-command gives one error line and exit code 2."""
    assert main(["nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: argument COMMAND: invalid choice")
    assert err.count("\n") == 1


def test_missing_api_key_is_a_config_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --api-key or B3OS_API_KEY, a command exits 2 with one clear line, no traceback."""
    monkeypatch.delenv("B3OS_API_KEY", raising=False)
    assert main(["runs", "list"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no API key: pass --api-key or set B3OS_API_KEY")
    assert "B3OS(" not in err  # the SDK's wording is for Python code, not for the command line
    assert "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("value", ["-5", "60001", "soon"])
def test_demo_delay_ms_out_of_range_is_a_usage_error(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --delay-ms`` outside 0..60000 (or not a number) is a usage error: exit 2."""
    assert main(["demo", "--delay-ms", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: argument --delay-ms: ")
    assert err.count("\n") == 1


def test_demo_delay_ms_bounds_are_accepted() -> None:
    """``demo --delay-ms`` accepts 0 and 60000."""
    parser = build_parser()
    assert [parser.parse_args(["demo", "--delay-ms", v]).delay_ms for v in ("0", "60000")] == [
        0,
        60000,
    ]


def test_insecure_base_url_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A plain-http base URL to a non-loopback host is refused before any I/O (exit 2)."""
    code = main(["runs", "list", "--api-key", "b3sk_x", "--base-url", "http://example.com"])
    assert code == 2
    assert capsys.readouterr().err.startswith("error: refusing plain http://")


def test_common_options_work_before_and_after_the_command() -> None:
    """Connection options and --json may come before or after the sub-command."""
    parser = build_parser()
    before = parser.parse_args(["--json", "--api-key", "k1", "runs", "list"])
    after = parser.parse_args(["runs", "list", "--json", "--api-key", "k1"])
    neither = parser.parse_args(["runs", "list"])
    assert (before.json, before.api_key) == (True, "k1")
    assert (after.json, after.api_key) == (True, "k1")
    assert (neither.json, neither.api_key, neither.base_url) == (False, None, None)


def test_payload_from_file(tmp_path: Path) -> None:
    """``--payload @FILE`` reads the JSON object from a file."""
    path = tmp_path / "p.json"
    path.write_text('{"symbol": "ETH"}', encoding="utf-8")
    args = build_parser().parse_args(["workflows", "run", "wf_1", "--payload", f"@{path}"])
    assert args.payload == {"symbol": "ETH"}
