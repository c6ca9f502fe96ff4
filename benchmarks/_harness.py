"""Result types and measuring helpers shared by every scenario.

A scenario returns a :class:`ScenarioResult`: rows of samples (one sample per repeat, per
competitor), ratios between competitors, and targets. Competitors are measured in rotating order
within each repeat so that slow drift on a noisy machine hits them all alike; ratios are the median
of per-repeat ratios (pairs measured next to each other in time), which is more robust to that
drift than a ratio of medians.
"""

from __future__ import annotations

import importlib
import importlib.util
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

T = TypeVar("T")

Status = Literal["ok", "skipped", "failed"]


@dataclass
class Config:
    """What the command line asked for."""

    quick: bool = False
    repeat: int | None = None  # None: the scenario's own default (smaller in quick mode)

    def repeats(self, full: int, quick: int = 1) -> int:
        """The number of repeats: ``--repeat`` if given, else ``quick`` or ``full``."""
        if self.repeat is not None:
            return max(1, self.repeat)
        return quick if self.quick else full

    def size(self, full: int, quick: int) -> int:
        """A workload size: ``quick`` in quick mode, else ``full``."""
        return quick if self.quick else full


@dataclass
class Row:
    """One measured quantity: a competitor in one case, one sample per repeat."""

    case: str
    subject: str
    unit: str
    samples: list[float]
    higher_is_better: bool = True
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


@dataclass
class Ratio:
    """``numerator / denominator`` of two rows' figures (paired per repeat)."""

    name: str
    value: float
    meaning: str


@dataclass
class Target:
    """A goal from the brief; ``met`` is None when it could not be measured (skipped)."""

    name: str
    op: Literal[">=", "<="]
    threshold: float
    value: float | None
    unit: str = "x"

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.threshold if self.op == ">=" else self.value <= self.threshold


@dataclass
class ScenarioResult:
    """Everything one scenario measured; serialised into the JSON report."""

    name: str
    title: str
    status: Status = "ok"
    reason: str = ""
    seconds: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # competitor -> why it was not run
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self, case: str, subject: str) -> Row | None:
        """The row for ``subject`` in ``case``, if it was measured."""
        for row in self.rows:
            if row.case == case and row.subject == subject:
                return row
        return None

    def to_json(self) -> dict[str, Any]:
        """A plain-JSON dict (medians and target verdicts included)."""
        out = asdict(self)
        for row_json, row in zip(out["rows"], self.rows, strict=True):
            row_json["median"] = row.median
        for target_json, target in zip(out["targets"], self.targets, strict=True):
            target_json["met"] = target.met
        return out


def missing(module: str) -> str | None:
    """Why ``module`` cannot be used (``None`` when it imports)."""
    if importlib.util.find_spec(module.split(".")[0]) is None:
        return f"{module.split('.')[0]} is not installed (pip install 'b3os-async[bench]')"
    try:
        importlib.import_module(module)
    except Exception as exc:  # any import failure means "cannot compete", not "benchmark broken"
        return f"import {module} failed: {type(exc).__name__}: {exc}"
    return None


def rotated(items: Sequence[T], shift: int) -> list[T]:
    """``items`` rotated left by ``shift`` (competitor order for repeat number ``shift``)."""
    if not items:
        return []
    k = shift % len(items)
    return [*items[k:], *items[:k]]


def paired_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """Median of per-repeat ratios ``numerator[i] / denominator[i]``."""
    pairs = [a / b for a, b in zip(numerator, denominator, strict=True) if b]
    if not pairs:
        return float("nan")
    return statistics.median(pairs)


def add_ratio(
    result: ScenarioResult, case: str, ours: str, theirs: str, name: str, meaning: str
) -> float | None:
    """Record ``ours / theirs`` for ``case`` (paired); ``None`` if either row is missing."""
    a, b = result.row(case, ours), result.row(case, theirs)
    if a is None or b is None:
        return None
    value = paired_ratio(a.samples, b.samples)
    result.ratios.append(Ratio(name=name, value=value, meaning=meaning))
    return value


def time_per_call(fn: Callable[[], object], min_seconds: float = 0.2) -> float:
    """Seconds per call of ``fn``: loop count grows until one batch lasts ``min_seconds``."""
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds or loops >= 1 << 22:
            return elapsed / loops
        loops = max(loops * 2, int(loops * min_seconds / max(elapsed, 1e-9) * 1.1))
