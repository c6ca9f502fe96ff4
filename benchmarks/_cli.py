"""Command line: run the scenarios (each in a fresh child process), print a table, write JSON.

Why a child process per scenario: memory (RSS, tracemalloc), the garbage collector's state and
the set of imported modules are then the scenario's own, not left over from the one before. The
competitors of one scenario always run together in that one child, against the same server and
bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks._harness import Config, ScenarioResult
from benchmarks.scenarios import SCENARIOS, runner

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"
ROOT = Path(__file__).resolve().parent.parent
_VERSIONED = (
    "b3os-async",
    "aiohttp",
    "attrs",
    "cattrs",
    "backoff",
    "httpx",
    "httpx-sse",
    "pydantic",
    "msgspec",
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="b3os-async benchmarks: every scenario runs the competitors in one process, "
        "on the same local server and bytes, and reports ratios.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small workloads, few repeats (CI: < 60 s)"
    )
    parser.add_argument(
        "--only", metavar="NAME[,NAME]", help=f"scenarios to run: {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--repeat", type=int, metavar="N", help="repeats per scenario (median)")
    parser.add_argument(
        "--json", metavar="PATH", type=Path, default=DEFAULT_JSON, help="where to write results"
    )
    parser.add_argument(
        "--markdown", action="store_true", help="also print the results as Markdown tables"
    )
    parser.add_argument(
        "--in-process", action="store_true", help="run scenarios in this process (debugging)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: run one scenario
    args = parser.parse_args(argv)
    names = [n.strip() for n in (args.only or ",".join(SCENARIOS)).split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(
            f"unknown scenario(s) {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}"
        )
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    args.names = names
    return args


def run_scenario(name: str, cfg: Config) -> ScenarioResult:
    """Run one scenario in this process; an exception becomes a ``failed`` result."""
    title, run = runner(name)
    start = time.perf_counter()
    try:
        result = run(cfg)
    except Exception as exc:
        result = ScenarioResult(name, title, status="failed")
        result.reason = f"{type(exc).__name__}: {exc}"
        result.notes.append(traceback.format_exc())
    result.seconds = time.perf_counter() - start
    return result


def _run_child(name: str, cfg: Config) -> dict[str, Any]:
    """Run one scenario in a fresh interpreter; return its JSON (or a ``failed`` record)."""
    timeout = 120 if cfg.quick else 1800
    with tempfile.TemporaryDirectory(prefix="b3os-bench-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "benchmarks", "--child", name, "--json", str(out)]
        if cfg.quick:
            cmd.append("--quick")
        if cfg.repeat is not None:
            cmd += ["--repeat", str(cfg.repeat)]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
            )
            problem = "" if out.exists() else f"exit code {proc.returncode}, no result written"
            stderr = proc.stderr
        except subprocess.TimeoutExpired as exc:
            # (TimeoutExpired carries bytes even with text=True)
            raw: bytes | str | None = exc.stderr
            stderr = raw.decode(errors="replace") if isinstance(raw, bytes) else raw or ""
            problem = f"timed out after {timeout} s"
        if not problem:
            loaded: dict[str, Any] = json.loads(out.read_text())
            return loaded
    title, _ = runner(name)
    failed = ScenarioResult(name, title, status="failed", reason=problem)
    failed.seconds = time.perf_counter() - start
    failed.notes.append(stderr[-4000:])
    return failed.to_json()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for dist in _VERSIONED:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value != value:  # NaN
        return "nan"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _verdict(met: bool | None) -> str:
    return {True: "met ", False: "MISS", None: "skip"}[met]


def render_text(report: dict[str, Any]) -> str:
    """The human table printed at the end of a run."""
    lines: list[str] = []
    for sc in report["scenarios"]:
        lines.append("")
        lines.append(f"== {sc['name']}: {sc['title']}  [{sc['status']}, {sc['seconds']:.1f} s]")
        if sc["reason"]:
            lines.append(f"   reason: {sc['reason']}")
        for subject, why in sc["skipped"].items():
            lines.append(f"   skipped {subject}: {why}")
        if sc["rows"]:
            width = max(len(r["case"]) for r in sc["rows"])
            subj = max(len(r["subject"]) for r in sc["rows"])
            for r in sc["rows"]:
                spread = f"({_fmt(min(r['samples']))} .. {_fmt(max(r['samples']))})"
                lines.append(
                    f"   {r['case']:<{width}}  {r['subject']:<{subj}}  "
                    f"{_fmt(r['median']):>12} {r['unit']:<9} {spread}"
                )
        for ratio in sc["ratios"]:
            lines.append(f"   ratio {ratio['name']}: {_fmt(ratio['value'])}x  ({ratio['meaning']})")
        for key, value in sc["extra"].items():
            if isinstance(value, (int, float)):
                lines.append(f"   {key}: {_fmt(value)}")
        for t in sc["targets"]:
            shown = "-" if t["value"] is None else f"{_fmt(t['value'])}{t['unit']}"
            lines.append(f"   [{_verdict(t['met'])}] {t['name']}: {shown}")
        for note in sc["notes"]:
            lines.append("   note: " + note.replace("\n", "\n   "))
    s = report["summary"]
    lines.append("")
    lines.append(
        f"targets: {s['met']} met, {s['missed']} missed, {s['skipped']} skipped; "
        f"scenarios failed: {', '.join(s['failed']) or 'none'}"
    )
    return "\n".join(lines)


def render_markdown(report: dict[str, Any]) -> str:
    """The results as Markdown (what ``benchmarks/README.md`` records)."""
    out: list[str] = []
    for sc in report["scenarios"]:
        out.append(f"\n#### {sc['name']}: {sc['title']} ({sc['status']})\n")
        if sc["rows"]:
            out.append("| case | subject | median | unit | min .. max |")
            out.append("|---|---|---:|---|---|")
            for r in sc["rows"]:
                out.append(
                    f"| {r['case']} | {r['subject']} | {_fmt(r['median'])} | {r['unit']} | "
                    f"{_fmt(min(r['samples']))} .. {_fmt(max(r['samples']))} |"
                )
        if sc["ratios"] or sc["targets"]:
            out.append("")
        for ratio in sc["ratios"]:
            out.append(f"- ratio {ratio['name']}: **{_fmt(ratio['value'])}x** ({ratio['meaning']})")
        for t in sc["targets"]:
            out.append(
                f"- target {t['name']}: "
                + ("-" if t["value"] is None else f"{_fmt(t['value'])}{t['unit']}")
                + f" — {_verdict(t['met'])}"
            )
        for subject, why in sc["skipped"].items():
            out.append(f"- skipped {subject}: {why}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``; returns the exit code (1 if a scenario failed)."""
    args = _parse(argv)
    cfg = Config(quick=args.quick, repeat=args.repeat)
    if args.child:
        result = run_scenario(args.child, cfg)
        args.json.write_text(json.dumps(result.to_json(), indent=1))
        return 0
    started = datetime.now(timezone.utc)
    scenarios: list[dict[str, Any]] = []
    for name in args.names:
        print(f"running {name} ...", flush=True)
        if args.in_process:
            scenarios.append(run_scenario(name, cfg).to_json())
        else:
            scenarios.append(_run_child(name, cfg))
    verdicts = [t["met"] for sc in scenarios for t in sc["targets"]]
    report: dict[str, Any] = {
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": started.isoformat(timespec="seconds"),
        "quick": cfg.quick,
        "repeat": cfg.repeat,
        "machine": machine(),
        "versions": _versions(),
        "scenarios": scenarios,
        "summary": {
            "met": verdicts.count(True),
            "missed": verdicts.count(False),
            "skipped": verdicts.count(None),
            "failed": [sc["name"] for sc in scenarios if sc["status"] == "failed"],
        },
    }
    report["command"] = report["command"].rstrip()
    print(render_text(report))
    if args.markdown:
        print(render_markdown(report))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nwrote {args.json}")
    return 1 if report["summary"]["failed"] else 0
