"""Scenario 8: verifying and parsing execution hooks, vs a hand-written HMAC + ``json.loads``.

Input: distinct signed hook bodies as the emulator sends them (a ``node.completed`` event with
its ids, status, timestamp and a small result; ~300 bytes) with their ``x-b3os-signature``
headers. Per hook:

* ``b3os_async``: ``Verifier(secret).parse(body, headers)`` -> a typed ``HookEvent`` (header
  lookup, constant-time HMAC-SHA256 check, JSON parse, open-enum type, parsed timestamp);
* ``hmac+json.loads``: what a receiver writes by hand:
  ``hmac.compare_digest(hmac.new(key, body, sha256).hexdigest(), headers[...])`` then
  ``json.loads(body)`` -- a plain ``dict``, nothing typed;
* ``b3os_async (stdlib json)``: the SDK without the ``speedups`` extra (diagnostic).

Every subject must verify every hook (a mismatch fails the scenario).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING

from benchmarks import _ours
from benchmarks._harness import Config, Row, ScenarioResult, Target, add_ratio, rotated

if TYPE_CHECKING:
    from collections.abc import Callable

NAME = "hook_verify"
TITLE = "Execution hooks: verify + parse"
CASE = "signed hooks (~300 B), verify + parse"
BASELINE = "hmac+json.loads"
SECRET = "whsec_" + "5f" * 24
HEADER = "x-b3os-signature"

Hook = tuple[bytes, dict[str, str]]


def hooks(count: int) -> list[Hook]:
    """``count`` distinct signed bodies with their headers."""
    key = SECRET.encode()
    out: list[Hook] = []
    for i in range(count):
        body = json.dumps(
            {
                "id": f"evt_{i:016d}",
                "eventType": "node.completed",
                "runId": f"run_{i:024d}",
                "workflowId": "wf_8f2k1m9x0q3w7e5r",
                "nodeId": "fetch_price",
                "status": "success",
                "timestamp": "2025-06-01T12:34:56.789Z",
                "data": {"seq": 5, "result": {"symbol": "ETH", "price": 3100.25, "ok": True}},
            },
            separators=(",", ":"),
        ).encode()
        out.append((body, {HEADER: hmac.new(key, body, hashlib.sha256).hexdigest()}))
    return out


def ours() -> Callable[[list[Hook]], int]:
    """Verify and parse with the SDK (one Verifier, as a receiver builds it once)."""
    from b3os_async.webhooks import Verifier

    parse = Verifier(SECRET).parse

    def run(batch: list[Hook]) -> int:
        count = 0
        for body, headers in batch:
            event = parse(body, headers)
            count += event.run_id is not None
        return count

    return run


def baseline() -> Callable[[list[Hook]], int]:
    """The hand-written receiver: HMAC, constant-time compare, ``json.loads``."""
    key = SECRET.encode()
    new, compare, sha256, loads = hmac.new, hmac.compare_digest, hashlib.sha256, json.loads

    def run(batch: list[Hook]) -> int:
        count = 0
        for body, headers in batch:
            if not compare(new(key, body, sha256).hexdigest(), headers[HEADER]):
                raise AssertionError("baseline: signature mismatch")
            data = loads(body)
            count += data["runId"] is not None
        return count

    return run


def run(cfg: Config) -> ScenarioResult:
    """Time each subject over the same signed hooks, in rotating order."""
    result = ScenarioResult(NAME, TITLE)
    count = cfg.size(20_000, 2_000)
    repeats = cfg.repeats(9, 1)
    batch = hooks(count)
    subjects: dict[str, Callable[[list[Hook]], int]] = {BASELINE: baseline()}
    why = _ours.why_missing("b3os_async.webhooks")
    if why is None:
        subjects["b3os_async"] = ours()
        subjects[_ours.STDLIB_JSON] = subjects["b3os_async"]
    else:
        result.skipped["b3os_async"] = why
    has_speedups = why is None and _ours.speedups_available()
    if not has_speedups:
        subjects.pop(_ours.STDLIB_JSON, None)
        result.notes.append("msgspec is not installed: b3os_async parses with the stdlib")
    result.params.update(hooks=count, repeats=repeats, body_bytes=len(batch[0][0]))
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    for r in range(repeats):
        for name in rotated(list(subjects), r):
            if has_speedups:
                _ours.use_speedups(name != _ours.STDLIB_JSON)
            start = time.perf_counter()
            verified = subjects[name](batch)
            elapsed = time.perf_counter() - start
            if verified != count:
                raise AssertionError(f"{name} verified {verified} of {count} hooks")
            samples[name].append(count / elapsed)
    if has_speedups:
        _ours.use_speedups(True)
    for name, values in samples.items():
        result.rows.append(Row(CASE, name, "hooks/s", values))
    ratio = add_ratio(
        result, CASE, "b3os_async", BASELINE, "b3os_async / hmac+json.loads", "hooks/s"
    )
    result.targets.append(
        Target(">= 0.8x the hand-written hmac + json.loads (typed events)", ">=", 0.8, ratio)
    )
    add_ratio(
        result,
        CASE,
        _ours.STDLIB_JSON,
        BASELINE,
        "b3os_async (stdlib json) / hmac+json.loads",
        "hooks/s",
    )
    return result
