"""The emulator is an independent server: it imports nothing from the client side."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import b3os_async.testing

PACKAGE = Path(b3os_async.testing.__file__).parent
PACKAGE_NAME = "b3os_async.testing"
ALLOWED_THIRD_PARTY = {"aiohttp", "attrs", "multidict"}
"""aiohttp (and its own multidict types) and attrs; everything else must be stdlib."""


def _modules() -> list[Path]:
    # Every module, in subpackages too (routes/, _domain/): a new area must obey the rule.
    return sorted(path for path in PACKAGE.rglob("*.py") if path.name != "pytest_plugin.py")


def _package_of(path: Path) -> str:
    """The dotted package a module file belongs to (what its relative imports start from)."""
    parts = path.parent.relative_to(PACKAGE).parts
    return ".".join((PACKAGE_NAME, *parts))


def imported_names(tree: ast.AST, package: str) -> list[str]:
    """Absolute names of the modules (or module members) ``tree`` imports.

    Relative imports are resolved against ``package`` (the importing module's package), so
    ``from .. import _client`` inside ``b3os_async.testing`` becomes ``b3os_async._client``.
    """
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                assert node.module is not None
                names.append(node.module)
                continue
            parts = package.split(".")
            # Beyond the top package the base stays relative ("..."), which is never allowed.
            up = node.level - 1
            base = ".".join(parts[: len(parts) - up]) if up < len(parts) else "." * node.level
            joint = "" if base.endswith(".") else "."
            if node.module:
                names.append(f"{base}{joint}{node.module}")
            else:  # from . import x: each x is a module (or a member) of base
                names.extend(f"{base}{joint}{alias.name}" for alias in node.names)
    return names


def _inside_the_emulator(name: str) -> bool:
    return name == PACKAGE_NAME or name.startswith(PACKAGE_NAME + ".")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from .._client import B3OS", ["b3os_async._client"]),
        ("from .. import _client, _errors", ["b3os_async._client", "b3os_async._errors"]),
        ("from ._common import ApiError", ["b3os_async.testing._common"]),
        ("from . import _engine", ["b3os_async.testing._engine"]),
        ("from ... import x", ["...x"]),
        ("import aiohttp.web", ["aiohttp.web"]),
    ],
)
def test_relative_imports_are_resolved(source: str, expected: list[str]) -> None:
    """imported_names resolves relative imports against b3os_async.testing."""
    assert imported_names(ast.parse(source), PACKAGE_NAME) == expected


@pytest.mark.parametrize(
    "source", ["from .._client import B3OS", "from .. import _errors", "from ... import x"]
)
def test_a_relative_import_leaving_the_emulator_is_caught(source: str) -> None:
    """A relative import out of b3os_async.testing is seen as outside the emulator."""
    assert not any(_inside_the_emulator(n) for n in imported_names(ast.parse(source), PACKAGE_NAME))


def test_subpackage_modules_are_checked_too() -> None:
    """The import check covers the route modules and the domain package, not only the top level."""
    names = {path.relative_to(PACKAGE).as_posix() for path in _modules()}
    assert {"routes/__init__.py", "routes/runs.py", "_domain/workflows.py"} <= names
    assert _package_of(PACKAGE / "routes" / "runs.py") == PACKAGE_NAME + ".routes"


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.relative_to(PACKAGE).as_posix())
def test_emulator_module_imports_only_itself_aiohttp_attrs_and_stdlib(path: Path) -> None:
    """An emulator module imports only b3os_async.testing, aiohttp, attrs and the stdlib."""
    for name in imported_names(ast.parse(path.read_text()), _package_of(path)):
        top = name.split(".")[0]
        if top == "b3os_async" or name.startswith("."):
            assert _inside_the_emulator(name), f"{path.name} imports {name}"
        else:
            assert top in ALLOWED_THIRD_PARTY or top in sys.stdlib_module_names, (
                f"{path.name} imports {name}"
            )
