"""Running the Python examples of the README and the documentation site, for real."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from typing import TYPE_CHECKING

from b3os_async.testing import Emulator

if TYPE_CHECKING:
    from pathlib import Path

_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def code_blocks(markdown: str, language: str) -> list[str]:
    """The bodies of the fenced code blocks of ``language`` in ``markdown``, in order."""
    return [body for lang, body in _BLOCK.findall(markdown) if lang == language]


async def run_example(source: str, workdir: Path, *, seed: int = 0) -> tuple[int, str, str]:
    """Run ``source`` in a fresh interpreter against a fresh emulator: (exit code, out, err).

    The example sees ``B3OS_API_KEY`` / ``B3OS_BASE_URL`` of the emulator, as a reader who
    followed the docs would, and warnings are errors (an unclosed client fails it).
    """
    script = workdir / "example.py"
    script.write_text(source, "utf-8")
    async with Emulator(seed=seed, retry_ms=10) as emu:
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
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
