"""Scenario 6: decoding a ``Run`` with 50 nodes: our cattrs converter vs pydantic v2 and msgspec.

Input: one realistic ``Run`` (``GET /v1/runs/{id}`` data, ~37 KB of JSON) with 50 nodes in
``executionState`` and a 50-node ``workflowDefinition`` snapshot. Models of the same shape (see
``benchmarks/_rival_*.py``): camelCase keys mapped to snake_case, RFC 3339 timestamps parsed to
``datetime``, statuses to enums, arrays to tuples, unknown keys ignored, frozen instances.

Cases:
* ``from dict``: the already-parsed JSON object -> model (the converter's own work):
  ``structure(data, Run)`` vs ``Run.model_validate(data)`` vs ``msgspec.convert(data, Run)``.
* ``from bytes``: JSON bytes -> model, each library's fastest path: the SDK's own JSON parser
  (``b3os_async._transport.json_parser.loads``: msgspec with the ``speedups`` extra, else
  ``json.loads``) +
  ``structure`` vs ``Run.model_validate_json`` vs ``msgspec.json.decode(..., type=Run)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmarks import _ours, _payloads
from benchmarks._harness import (
    Config,
    Row,
    ScenarioResult,
    Target,
    add_ratio,
    missing,
    rotated,
    time_per_call,
)

if TYPE_CHECKING:
    from collections.abc import Callable

NAME = "model_decode"
TITLE = "Model decoding: a Run with 50 nodes"
FROM_DICT = "from dict"
FROM_BYTES = "from bytes"


def _check(run: Any) -> None:
    """Every competitor must have decoded the same thing, fully."""
    state = run.execution_state
    node = state["node_001"] if state is not None and len(state) == 50 else None
    checks = {
        "executionState": node is not None,
        "node fields": node is not None
        and node.started_at.year == 2025
        and node.status == "success",
        "definition": run.workflow_definition.trigger_node_ids == ("root",),
        "run fields": run.status == "success" and run.total_cu == 12.5,
    }
    wrong = [name for name, ok in checks.items() if not ok]
    if wrong:
        raise AssertionError(f"{type(run).__module__}: not decoded correctly: {wrong}")


def _competitors(result: ScenarioResult) -> dict[str, dict[str, Callable[[], object]]]:
    data = _payloads.run_detail(50)
    raw = _payloads.dumps(data)
    result.params.update(nodes=50, json_bytes=len(raw))
    cases: dict[str, dict[str, Callable[[], object]]] = {FROM_DICT: {}, FROM_BYTES: {}}

    why = _ours.why_missing("b3os_async._convert", "b3os_async.models.runs")
    if why is None:
        structure, loads = _ours.run_structurer(), _ours.json_loads()
        cases[FROM_DICT]["b3os_async"] = lambda: structure(data)
        cases[FROM_BYTES]["b3os_async"] = lambda: structure(loads(raw))
    else:
        result.skipped["b3os_async"] = why

    why = missing("pydantic")
    if why is None:
        from benchmarks._rival_pydantic import Run as PRun

        cases[FROM_DICT]["pydantic"] = lambda: PRun.model_validate(data)
        cases[FROM_BYTES]["pydantic"] = lambda: PRun.model_validate_json(raw)
    else:
        result.skipped["pydantic"] = why

    why = missing("msgspec")
    if why is None:
        import msgspec

        from benchmarks._rival_msgspec import Run as MRun

        cases[FROM_DICT]["msgspec"] = lambda: msgspec.convert(data, MRun)
        cases[FROM_BYTES]["msgspec"] = lambda: msgspec.json.decode(raw, type=MRun)
    else:
        result.skipped["msgspec"] = why
    return cases


def run(cfg: Config) -> ScenarioResult:
    """Time each library on the same object; report µs per object and ratios."""
    result = ScenarioResult(NAME, TITLE)
    cases = _competitors(result)
    for fns in cases.values():
        for fn in fns.values():
            _check(fn())  # also the warm-up (first-call caches, hook generation)
    repeats = cfg.repeats(7, 2)
    min_seconds = 0.05 if cfg.quick else 0.25
    result.params.update(repeats=repeats, min_seconds_per_sample=min_seconds)
    for case, fns in cases.items():
        names = list(fns)
        samples: dict[str, list[float]] = {name: [] for name in names}
        for r in range(repeats):
            for name in rotated(names, r):
                samples[name].append(time_per_call(fns[name], min_seconds) * 1e6)
        for name in names:
            result.rows.append(Row(case, name, "µs/object", samples[name], higher_is_better=False))
        for rival in ("pydantic", "msgspec"):
            add_ratio(
                result,
                case,
                "b3os_async",
                rival,
                f"{case}: b3os_async / {rival}",
                "time (lower is better)",
            )
    vs_pydantic = next(
        (r.value for r in result.ratios if r.name == f"{FROM_DICT}: b3os_async / pydantic"), None
    )
    result.targets.append(Target("from dict: time <= 1.5x pydantic v2", "<=", 1.5, vs_pydantic))
    return result
