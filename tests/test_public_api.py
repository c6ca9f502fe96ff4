"""The public door: ``b3os_async.__all__``, docstrings, version and import cost."""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import b3os_async
import b3os_async.models
import b3os_async.streams

EXPECTED = {
    "APIConnectionError", "APIStatusError", "APITimeoutError", "ActivityEvent", "ActivityStream",
    "AsyncPager", "AuthenticationError", "B3OS", "B3OSError", "BadRequestError",
    "ConfigurationError", "ConfigurationTypeError",
    "ConflictError", "EventStream", "InsufficientCreditsError",
    "InternalServerError", "MergedEventStream", "NotFoundError", "Page", "PermissionDeniedError",
    "RateLimitError", "RawEventStream", "RawResponse", "ReconnectInfo", "ResponseMeta",
    "ResponseTooLargeError",
    "ResponseValidationError", "RetryPolicy", "Run", "RunEvent", "RunEventStream", "RunHandle",
    "RunNotificationStream", "RunStatus", "SSEDecoder", "ServerSentEvent", "StreamError",
    "StreamTimeouts", "Timeout", "WebhookVerificationError", "Workflow", "WorkflowDefinition",
    "WorkflowNode", "WorkflowStatus", "__version__", "new_run_id",
    # Caddie (area 9)
    "AgentRunFollower", "CaddieError", "ChatEvent", "ChatResult", "ChatStream", "KeysetPager",
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


def _type_checking_imports(module: Any) -> dict[str, str]:
    """``name -> module`` of the imports inside ``if TYPE_CHECKING:`` of a package ``__init__``."""
    tree = ast.parse(Path(module.__file__).read_text("utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                assert stmt.module is not None
                for alias in stmt.names:
                    assert alias.asname == alias.name, "re-export as `import X as X`"
                    found[alias.name] = stmt.module
    return found


@pytest.mark.parametrize(
    "package",
    [b3os_async, b3os_async.models, b3os_async.streams],
    ids=["door", "models", "streams"],
)
def test_export_table_matches_type_checking_imports(package: Any) -> None:
    """The one export table and the imports type checkers read name the same modules."""
    assert _type_checking_imports(package) == package._EXPORTS


def test_every_model_is_in_the_models_table() -> None:
    """Every attrs class and enum defined in b3os_async.models.* is exported by the table."""
    defined: dict[str, str] = {}
    for info in pkgutil.iter_modules(b3os_async.models.__path__):
        module = importlib.import_module(f"b3os_async.models.{info.name}")
        for name, obj in vars(module).items():
            is_model = inspect.isclass(obj) and (attrs.has(obj) or issubclass(obj, enum.Enum))
            if is_model and obj.__module__ == module.__name__ and not name.startswith("_"):
                defined[name] = module.__name__
    assert defined == b3os_async.models._EXPORTS


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
