"""The public door: ``b3os_async.__all__``, docstrings, version and import cost."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import b3os_async

EXPECTED = {
    "APIConnectionError", "APIStatusError", "APITimeoutError", "ActivityEvent", "ActivityStream",
    "AsyncPager", "AuthenticationError", "B3OS", "B3OSError", "BadRequestError",
    "ConfigurationError", "ConflictError", "ConnectorReference", "EventStream", "ExecutionNode",
    "ExecutionNodeStatus", "InsufficientCreditsError", "InternalServerError", "MergedEventStream",
    "NodeResumeResult", "NotFoundError", "OpenEnum", "Page", "PausedReason",
    "PermissionDeniedError", "RateLimitError", "RawResponse", "ReconnectInfo", "ResponseMeta",
    "ResponseValidationError", "RetryPolicy", "Run", "RunCreated", "RunEvent", "RunEventStream",
    "RunHandle", "RunListItem", "RunNotificationStream", "RunStatus", "RunStatusCounts",
    "SSEDecoder", "ServerSentEvent", "StreamError", "StreamTimeouts", "Timeout",
    "ValidationErrorItem", "ValidationResult", "WebhookVerificationError", "Workflow",
    "WorkflowDefinition", "WorkflowInput", "WorkflowListItem", "WorkflowNode", "WorkflowRunCounts",
    "WorkflowStatus", "WorkflowVersionCount", "WorkflowVisibility", "WorkflowVisibilityUpdate",
    "__version__", "new_run_id",
}  # fmt: skip


def test_all_is_the_guarded_list() -> None:
    """``__all__`` holds exactly the reviewed public names (changes are deliberate)."""
    assert set(b3os_async.__all__) == EXPECTED


def test_all_is_sorted_and_unique() -> None:
    """``__all__`` is sorted and has no duplicates."""
    assert b3os_async.__all__ == sorted(set(b3os_async.__all__))


def test_every_public_name_resolves() -> None:
    """Every name in ``__all__`` can be read from the package, lazily imported ones too."""
    missing = [name for name in b3os_async.__all__ if not hasattr(b3os_async, name)]
    assert missing == []


def test_every_public_class_and_function_has_a_docstring() -> None:
    """Each public class and function carries its own docstring."""
    undocumented = [
        name
        for name in b3os_async.__all__
        if (inspect.isclass(obj := getattr(b3os_async, name)) or inspect.isfunction(obj))
        and not (obj.__doc__ or "").strip()
    ]
    assert undocumented == []


def test_unknown_attribute_raises_attribute_error() -> None:
    """A name that is not public raises AttributeError (the lazy loader invents nothing)."""
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = b3os_async.NoSuchThing  # type: ignore[attr-defined]


def test_version_matches_pyproject() -> None:
    """``__version__`` equals the version in pyproject.toml."""
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    found = re.search(r'^version = "([^"]+)"$', pyproject.read_text("utf-8"), re.MULTILINE)
    assert found is not None
    assert b3os_async.__version__ == found.group(1)


def test_import_loads_no_transport_cli_or_emulator() -> None:
    """A fresh ``import b3os_async`` loads neither aiohttp, rich, the CLI nor the emulator."""
    code = (
        "import sys, b3os_async\n"
        "heavy = [m for m in ('aiohttp', 'rich', 'b3os_async.cli', 'b3os_async._cli',"
        " 'b3os_async.testing', 'b3os_async.streams') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
