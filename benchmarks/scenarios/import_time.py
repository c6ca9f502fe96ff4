"""Scenario 5: import time of b3os-async vs the floor set by its own dependencies.

Each figure comes from fresh interpreters (``-c`` snippets below), alternating between competitors,
after one discarded warm-up run each (so ``.pyc`` files exist). Inside each process we time the
import statements with ``time.perf_counter`` (interpreter start-up excluded: it is the same for
everyone); the whole process's wall time is reported too.

* ``floor``: ``import aiohttp, attrs, cattrs, backoff`` -- what any SDK built on them pays.
* ``import b3os_async``: the bare package import.
* ``common path``: ``import b3os_async``, build a ``B3OS`` client (no I/O), touch ``b3.runs``, and
  import the modules a first ``runs.list()`` / ``runs.stream()`` call needs (converter, run
  models, pager, streams, SSE decoder) -- everything the common path loads, lazily or not.

Then ``python -X importtime`` of the common path shows which of OUR modules cost what (self and
cumulative), and which modules the common path imports beyond the floor.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import Config, Row, ScenarioResult, Target, add_ratio, rotated

NAME = "import_time"
TITLE = "Import time (fresh processes)"
ROOT = Path(__file__).resolve().parent.parent.parent

FLOOR = "import aiohttp, attrs, cattrs, backoff"
BARE = "import b3os_async"
# Modules a first runs.list()/runs.stream() call imports (lazily or not); missing ones are skipped.
COMMON_MODULES = (
    "b3os_async._convert",
    "b3os_async.models.runs",
    "b3os_async.pagination",
    "b3os_async.streams",
    "b3os_async.sse",
)
COMMON = (
    "import importlib.util\n"
    "import b3os_async\n"
    "from b3os_async._client import B3OS\n"
    "b3 = B3OS(api_key='b3sk_bench_0000000000000000', base_url='http://127.0.0.1:9')\n"
    "b3.runs\n"
    f"for m in {COMMON_MODULES!r}:\n"
    "    if importlib.util.find_spec(m) is not None:\n"
    "        importlib.import_module(m)\n"
)
SNIPPETS = {"floor": FLOOR, "import b3os_async": BARE, "common path": COMMON}


def _timed_source(code: str) -> str:
    body = "\n".join("    " + line for line in code.splitlines())
    return (
        "import time as _t\n_t0 = _t.perf_counter()\n"
        f"if True:\n{body}\n"
        "print(_t.perf_counter() - _t0)\n"
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _one(code: str) -> tuple[float, float]:
    """(seconds spent in the import statements, whole process wall seconds)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _timed_source(code)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd="/",
        timeout=60,
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"snippet failed:\n{code}\n{proc.stderr[-2000:]}")
    return float(proc.stdout.strip().splitlines()[-1]), wall


def importtime_table(code: str, runs: int) -> dict[str, tuple[float, float]]:
    """Median (self µs, cumulative µs) per module from ``-X importtime`` over ``runs`` runs."""
    seen: dict[str, list[tuple[int, int]]] = {}
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            capture_output=True,
            text=True,
            env=_env(),
            cwd="/",
            timeout=60,
        )
        for line in proc.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            # "import time:   self_us |   cumulative_us | <indent>module.name"
            self_us, cumulative, name = line[len("import time:") :].split("|", 2)
            seen.setdefault(name.strip(), []).append((int(self_us), int(cumulative)))
    return {
        name: (statistics.median(s for s, _ in vals), statistics.median(c for _, c in vals))
        for name, vals in seen.items()
    }


def _breakdown(result: ScenarioResult, runs: int) -> None:
    common = importtime_table(COMMON, runs)
    floor = importtime_table(FLOOR, runs)
    ours = {n: v for n, v in common.items() if n.split(".")[0] == "b3os_async"}
    extra = {n: v for n, v in common.items() if n not in floor and n.split(".")[0] != "b3os_async"}
    result.extra["our_modules_ms"] = {
        name: {"self_ms": round(s / 1000, 2), "cumulative_ms": round(c / 1000, 2)}
        for name, (s, c) in sorted(ours.items(), key=lambda kv: -kv[1][0])
    }
    result.extra["our_modules_self_total_ms"] = round(sum(s for s, _ in ours.values()) / 1000, 2)
    top_extra = sorted(extra.items(), key=lambda kv: -kv[1][0])[:15]
    result.extra["beyond_floor_third_party_ms"] = {
        name: {"self_ms": round(s / 1000, 2), "cumulative_ms": round(c / 1000, 2)}
        for name, (s, c) in top_extra
    }
    result.extra["beyond_floor_third_party_self_total_ms"] = round(
        sum(s for s, _ in extra.values()) / 1000, 2
    )


def run(cfg: Config) -> ScenarioResult:
    """Spawn fresh interpreters for each snippet, alternating; compare import seconds."""
    result = ScenarioResult(NAME, TITLE)
    n = cfg.repeats(30, 3)
    result.params.update(processes_per_snippet=n, snippets=dict(SNIPPETS))
    names = list(SNIPPETS)
    for name in names:
        _one(SNIPPETS[name])  # warm-up: compile .pyc files, fill the OS page cache
    inside: dict[str, list[float]] = {name: [] for name in names}
    whole: dict[str, list[float]] = {name: [] for name in names}
    for r in range(n):
        for name in rotated(names, r):
            seconds, wall = _one(SNIPPETS[name])
            inside[name].append(seconds * 1000)
            whole[name].append(wall * 1000)
    for name in names:
        result.rows.append(
            Row("import statements", name, "ms", inside[name], higher_is_better=False)
        )
    for name in names:
        result.rows.append(Row("whole process", name, "ms", whole[name], higher_is_better=False))
    common = add_ratio(
        result,
        "import statements",
        "common path",
        "floor",
        "common path / floor",
        "import ms (lower is better)",
    )
    add_ratio(
        result,
        "import statements",
        "import b3os_async",
        "floor",
        "import b3os_async / floor",
        "import ms (lower is better)",
    )
    add_ratio(
        result,
        "whole process",
        "common path",
        "floor",
        "whole process: common path / floor",
        "ms (lower is better)",
    )
    result.targets.append(Target("common path imports <= 1.15x the floor", "<=", 1.15, common))
    _breakdown(result, runs=1 if cfg.quick else 5)
    info: Any = result.extra["our_modules_ms"]
    result.notes.append(
        "Our modules by self time (ms): "
        + ", ".join(f"{k} {v['self_ms']}" for k, v in list(info.items())[:10])
    )
    return result
