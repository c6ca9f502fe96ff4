"""The emulator is an independent server: it imports nothing from the client side."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import b3os_async.testing

PACKAGE = Path(b3os_async.testing.__file__).parent
ALLOWED_THIRD_PARTY = {"aiohttp", "attrs", "multidict"}
"""aiohttp (and its own multidict types) and attrs; everything else must be stdlib."""


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("*.py") if path.name != "pytest_plugin.py")


@pytest.mark.parametrize("path", _modules(), ids=lambda path: path.name)
def test_emulator_module_imports_only_itself_aiohttp_attrs_and_stdlib(path: Path) -> None:
    """An emulator module imports only b3os_async.testing, aiohttp, attrs and the stdlib."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == "b3os_async":
                assert name == "b3os_async.testing" or name.startswith("b3os_async.testing."), (
                    f"{path.name} imports {name}"
                )
            else:
                assert top in ALLOWED_THIRD_PARTY or top in sys.stdlib_module_names, (
                    f"{path.name} imports {name}"
                )
