"""The documentation site: every Python example runs, and every public name is in the reference."""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import os
import re
import shlex
import sys
from pathlib import Path

import pytest
from examples_runner import code_blocks, run_example

import b3os_async
import b3os_async.models
import b3os_async.testing
from b3os_async.testing import Emulator

# Every example of the site runs (seconds each): CI runs them, the fast suite leaves them out.
pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[1] / "docs"
EXAMPLES = [
    (path, index, body)
    for path in sorted(DOCS.rglob("*.md"))
    for index, body in enumerate(code_blocks(path.read_text("utf-8"), "python"))
]


def test_the_site_has_examples() -> None:
    """The guides carry runnable Python examples (so the test below is not empty)."""
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(
    ("path", "index", "source"),
    EXAMPLES,
    ids=[f"{p.relative_to(DOCS)}[{i}]" for p, i, _ in EXAMPLES],
)
async def test_docs_example_runs_against_the_emulator(
    path: Path, index: int, source: str, tmp_path: Path
) -> None:
    """Each Python example of the documentation runs to completion against a local emulator."""
    code, out, err = await run_example(source, tmp_path, seed=index)
    assert code == 0, f"{path.name} example {index} failed:\n{out}\n{err}"


def _referenced() -> set[str]:
    names: set[str] = set()
    for page in (DOCS / "reference").glob("*.md"):
        names.update(re.findall(r"^::: ([\w.]+)$", page.read_text("utf-8"), re.MULTILINE))
    return names


#: Public modules whose every name the reference documents (besides the door and the models).
PUBLIC_MODULES = ("testing", "webhooks", "sse", "streams", "fastapi")


def _public_names() -> set[str]:
    public = {f"b3os_async.{name}" for name in b3os_async.__all__ if name != "__version__"}
    public |= {f"b3os_async.models.{name}" for name in b3os_async.models.__all__}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(f"b3os_async.{module_name}")
        public |= {f"{module.__name__}.{name}" for name in module.__all__}
    return public


def _same_object(left: str, right: str) -> bool:
    """Whether two dotted public names are one object (a name re-exported elsewhere)."""

    def resolve(dotted: str) -> object:
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(module), name, None)

    found = resolve(left)
    return found is not None and found is resolve(right)


def test_every_public_name_is_in_the_api_reference() -> None:
    """Each public name of the package, its models, streams, SSE, webhooks, FastAPI kit and
    emulator has a reference entry (under any of the names it is exported as)."""
    public = _public_names()
    referenced = _referenced()
    # A model exported at the top level may be documented under either name.
    missing = {
        name
        for name in public
        if name not in referenced and not any(_same_object(name, ref) for ref in referenced)
    }
    assert missing == set()


def _undocumented(obj: object) -> bool:
    return not (inspect.getdoc(obj) or "").strip()


def _undocumented_methods(cls: type) -> list[str]:
    """Public methods defined by ``cls`` itself that have no docstring."""
    return [
        attr
        for attr, member in vars(cls).items()
        if not attr.startswith("_") and inspect.isfunction(member) and _undocumented(member)
    ]


def test_every_public_name_has_a_docstring() -> None:
    """Every public class and function, and every public method of a public class, says what
    it does (the reference is generated from these docstrings)."""
    missing = []
    for dotted in sorted(_public_names()):
        module, _, name = dotted.rpartition(".")
        obj = getattr(importlib.import_module(module), name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # constants and type aliases are described where they are defined
        if _undocumented(obj):
            missing.append(dotted)
        if inspect.isclass(obj):
            missing += [f"{dotted}.{attr}" for attr in _undocumented_methods(obj)]
    assert missing == []


def test_every_resource_method_has_a_docstring() -> None:
    """Every public method of every API area of the client has a docstring."""
    client = b3os_async.B3OS(api_key="b3sk_docs_check_0000")
    areas = {
        name
        for cls in type(client).__mro__
        for name, attr in vars(cls).items()
        if isinstance(attr, functools.cached_property) and not name.startswith("_")
    }
    missing = []
    for area in sorted(areas):
        for cls in type(getattr(client, area)).__mro__:
            missing += [f"b3.{area}.{attr}" for attr in _undocumented_methods(cls)]
    assert missing == []


CLI_PAGE = DOCS / "guide" / "cli.md"
CLI_COMMANDS = [
    line[2:].strip()
    for block in code_blocks(CLI_PAGE.read_text("utf-8"), "console")
    for line in block.splitlines()
    if line.startswith("$ ")
]


def test_the_cli_page_has_runnable_commands() -> None:
    """The CLI guide lists commands to try (so the test below is not empty)."""
    assert len(CLI_COMMANDS) >= 5


@pytest.mark.parametrize("command", CLI_COMMANDS)
async def test_cli_command_of_the_docs_runs_against_the_emulator(command: str) -> None:
    """Each ``$ b3os ...`` line of the CLI guide exits 0 against a fresh emulator."""
    args = shlex.split(command)
    assert args[0] == "b3os"
    async with Emulator(seed=1) as emu:
        env = {**os.environ, "B3OS_API_KEY": emu.api_key, "B3OS_BASE_URL": emu.url}
        env.pop("B3OS_ORG_ID", None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "b3os_async", *args[1:], env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, f"{command}:\n{out.decode()}\n{err.decode()}"
