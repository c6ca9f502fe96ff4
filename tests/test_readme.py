"""The README's promises: its set-up commands and every Python example, run for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples_runner import code_blocks, run_example

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(language: str) -> list[str]:
    return code_blocks(README.read_text("utf-8"), language)


PYTHON_BLOCKS = _blocks("python")


def test_first_two_commands_are_the_set_up_contract() -> None:
    """The README's first two shell commands run the demo and the test suite."""
    commands = [block.strip() for block in _blocks("bash")[:2]]
    assert commands == [
        "pip install -e '.[cli]' && b3os demo",
        "pip install -e '.[test]' && pytest",
    ]


def test_readme_has_python_examples() -> None:
    """The README shows a runnable quickstart (so the parametrised test below is not empty)."""
    assert len(PYTHON_BLOCKS) >= 1


@pytest.mark.slow  # one Python subprocess per example
@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
async def test_python_example_runs_against_the_emulator(index: int, tmp_path: Path) -> None:
    """Each README Python example runs to completion against a local emulator."""
    code, out, err = await run_example(PYTHON_BLOCKS[index], tmp_path, seed=index)
    assert code == 0, f"example {index} failed:\n{out}\n{err}"
