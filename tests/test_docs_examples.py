"""The documentation site: every Python example runs, and every public name is in the reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from examples_runner import code_blocks, run_example

import b3os_async
import b3os_async.models
import b3os_async.testing

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
