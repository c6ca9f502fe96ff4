"""Smoke tests for ``benchmarks/``: the benchmarks run (CI does not judge the figures)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # each test runs the benchmark suite in a subprocess

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "request_overhead",
    "sse_decode",
    "stream_e2e",
    "many_streams",
    "import_time",
    "model_decode",
    "emulator_scale",
    "hook_verify",
    "relay_clients",
}


def _run(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], str]:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=170,
    )
    report = json.loads(out.read_text()) if out.exists() else {}
    return proc.returncode, report, proc.stdout + proc.stderr


@pytest.mark.timeout(180)
def test_quick_run_completes_with_a_full_report(tmp_path: Path) -> None:
    """``python -m benchmarks --quick`` exits 0 and reports every scenario as ok or skipped."""
    code, report, output = _run(tmp_path)
    assert code == 0, output[-4000:]
    by_name = {sc["name"]: sc for sc in report["scenarios"]}
    assert set(by_name) == SCENARIOS
    for name, sc in by_name.items():
        assert sc["status"] in ("ok", "skipped"), (name, sc["reason"], sc["notes"])
        if sc["status"] == "ok":
            assert sc["rows"], name
            assert all(row["samples"] for row in sc["rows"]), name
            assert sc["targets"], name
    assert report["summary"]["failed"] == []
    assert report["machine"]["cpus"]


def test_missing_competitor_is_skipped_not_failed(tmp_path: Path) -> None:
    """A competitor that cannot be imported is reported as skipped and the scenario still runs."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "httpx_sse.py").write_text("raise ImportError('hidden for this test')\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(shadow), env.get("PYTHONPATH")) if p)
    code, report, output = _run(tmp_path, "--only", "sse_decode", env=env)
    assert code == 0, output[-4000:]
    (sc,) = report["scenarios"]
    assert sc["status"] == "ok", sc["reason"]
    assert "httpx-sse" in sc["skipped"]
    assert {row["subject"] for row in sc["rows"]} == {"b3os_async"}
    assert [t["met"] for t in sc["targets"] if "httpx-sse" in t["name"]] == [None]
