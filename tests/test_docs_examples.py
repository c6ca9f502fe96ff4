"""The documentation site: every Python example runs, and every public name is in the reference."""

from __future__ import annotations

import asyncio
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


def test_every_public_name_is_in_the_api_reference() -> None:
    """Each public name of the package, its models and its emulator has a reference entry."""
    public = {f"b3os_async.{name}" for name in b3os_async.__all__ if name != "__version__"}
    public |= {f"b3os_async.models.{name}" for name in b3os_async.models.__all__}
    public |= {f"b3os_async.testing.{name}" for name in b3os_async.testing.__all__}
    referenced = _referenced()
    # A model exported at the top level may be documented under either name.
    missing = {
        name
        for name in public
        if name not in referenced
        and name.replace("b3os_async.models.", "b3os_async.", 1) not in referenced
        and name.replace("b3os_async.", "b3os_async.models.", 1) not in referenced
    }
    assert missing == set()


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


@pytest.mark.slow
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
