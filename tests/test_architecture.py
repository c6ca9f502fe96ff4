"""The package's shape: no import cycles between modules, and the layers import downwards."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from pathlib import Path

import pytest

import b3os_async

PACKAGE = Path(b3os_async.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache  # the package is parsed once for all the tests below
def _imports_at_import_time(path: Path, *, ours_only: bool = True) -> set[str]:
    """Modules ``path`` imports when it is imported (not under TYPE_CHECKING, not in functions)."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                # `from pkg import module` imports the submodule too
                found.update(f"{node.module}.{alias.name}" for alias in node.names)

    visit(tree.body)
    if not ours_only:
        return found
    return {name for name in found if name.startswith("b3os_async")}


@functools.cache
def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {dep for dep in _imports_at_import_time(path) if dep in modules}
    return graph


def test_no_import_cycles() -> None:
    """No module imports, at import time, a module that (transitively) imports it back."""
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if dep == node or dep in node:  # a package and its own __init__ re-exports
                continue
            if state.get(dep) == 1:
                cycles.append([*trail[trail.index(dep) :], dep] if dep in trail else [node, dep])
            elif dep not in state:
                walk(dep, [*trail, dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_the_door_imports_nothing_heavy() -> None:
    """``b3os_async/__init__.py`` imports no module of ours at import time (all lazy)."""
    assert _imports_at_import_time(PACKAGE / "__init__.py") == set()


def test_subsystem_headers_import_nothing() -> None:
    """``_transport`` and ``_streams`` package headers import nothing (cheap, cycle-free)."""
    for package in ("_transport", "_streams"):
        assert _imports_at_import_time(PACKAGE / package / "__init__.py") == set()


def test_models_import_only_models() -> None:
    """Model modules import nothing of ours but other model modules."""
    for path in (PACKAGE / "models").glob("*.py"):
        outside = {
            m for m in _imports_at_import_time(path) if not m.startswith("b3os_async.models")
        }
        assert outside == set(), path.name


def test_the_client_side_never_imports_the_cli_or_the_emulator() -> None:
    """Nothing outside testing/, _cli/, cli.py, fastapi/ and the pytest plugin imports them."""
    graph = _graph()
    apart = (
        "b3os_async.testing",
        "b3os_async._cli",
        "b3os_async.cli",
        "b3os_async._pytest_plugin",
        "b3os_async.fastapi",
    )

    def is_apart(module: str) -> bool:
        return any(module == top or module.startswith(top + ".") for top in apart)

    offenders = {
        module: sorted(dep for dep in deps if is_apart(dep))
        for module, deps in graph.items()
        if not is_apart(module) and module != "b3os_async.__main__"
    }
    assert {m: d for m, d in offenders.items() if d} == {}


def test_sse_imports_only_the_errors_leaf() -> None:
    """``b3os_async.sse`` (decoder, encoder) imports nothing of ours but ``_errors``."""
    for path in (PACKAGE / "sse").glob("*.py"):
        outside = {
            m
            for m in _imports_at_import_time(path)
            if not m.startswith(("b3os_async.sse", "b3os_async._errors"))
        }
        assert outside == set(), path.name


def test_only_the_fastapi_package_imports_fastapi_or_starlette() -> None:
    """The web frameworks are imported by ``b3os_async/fastapi/`` alone (an optional extra)."""
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "fastapi":
            continue
        found = _imports_at_import_time(path, ours_only=False)
        web = {m for m in found if m.split(".")[0] in ("fastapi", "starlette", "uvicorn")}
        if web:
            offenders[_module_name(path)] = web
    assert offenders == {}


@pytest.mark.slow
def test_webhooks_and_sse_load_no_aiohttp() -> None:
    """Importing ``b3os_async.webhooks`` or ``b3os_async.sse`` loads neither aiohttp nor FastAPI."""
    code = (
        "import sys, b3os_async.webhooks, b3os_async.sse; "
        "print(sorted(m for m in ('aiohttp', 'fastapi', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


#: The guide says "split past ~400 lines"; this is the hard stop that keeps "about" honest.
MAX_MODULE_LINES = 450


def test_no_module_is_too_long_to_read_in_one_sitting() -> None:
    """Every module of the package stays under the length limit (split it by concern instead)."""
    long = {
        str(path.relative_to(PACKAGE)): count
        for path in PACKAGE.rglob("*.py")
        if (count := len(path.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


@pytest.mark.slow
def test_tests_take_public_names_from_public_modules() -> None:
    """A test imports a public name from ``b3os_async`` (or its public module), never from ``_x``.

    Moving a file inside the package then breaks no test; only unit tests of a private piece
    (the reconnect budget, the JSON parser ...) import private modules, for their private names.
    """
    public = set(b3os_async.__all__)
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            private = any(part.startswith("_") for part in node.module.split("."))
            if node.module.startswith("b3os_async.") and private:
                names = {alias.name for alias in node.names} & public
                offenders += [
                    f"{path.relative_to(tests)}: {node.module}.{n}" for n in sorted(names)
                ]
    assert offenders == []
