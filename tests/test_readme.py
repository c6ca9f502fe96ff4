"""The README's promises: its set-up commands and every Python example, run for real."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from b3os_async.testing import Emulator

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in _BLOCK.findall(README.read_text("utf-8")) if lang == language]


PYTHON_BLOCKS = _blocks("python")


def test_first_two_commands_are_the_set_up_contract() -> None:
    """The README's first two shell commands run the demo and the test suite."""
    commands = [block.strip() for block in _blocks("bash")[:2]]
    assert commands == [
        "pip install -e '.[cli]' && b3os demo",
        "pip install -e '.[test]' && pytest",
    ]


def test_readme_has_python_examples() -> None:
    """The README shows runnable Python examples (so the parametrised test below is not empty)."""
    assert len(PYTHON_BLOCKS) >= 5


@pytest.mark.slow  # one Python subprocess per example
@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
async def test_python_example_runs_against_the_emulator(index: int, tmp_path: Path) -> None:
    """Each README Python example runs to completion against a local emulator."""
    script = tmp_path / f"example_{index}.py"
    script.write_text(PYTHON_BLOCKS[index], "utf-8")
    async with Emulator(seed=index, retry_ms=10) as emu:
        env = {
            **os.environ,
            "B3OS_API_KEY": emu.api_key,
            "B3OS_BASE_URL": emu.url,
            "PYTHONWARNINGS": "error",
        }
        env.pop("B3OS_ORG_ID", None)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=45)
    assert proc.returncode == 0, f"example {index} failed:\n{out.decode()}\n{err.decode()}"
