"""The benchmark scenarios, in the order they run. Each module has ``NAME``, ``TITLE``, ``run``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from benchmarks._harness import Config, ScenarioResult

# name -> module; modules are imported only when their scenario runs (each runs in its own child
# process, so one scenario's imports do not show up in another's figures).
SCENARIOS: dict[str, str] = {
    "request_overhead": "benchmarks.scenarios.request_overhead",
    "sse_decode": "benchmarks.scenarios.sse_decode",
    "stream_e2e": "benchmarks.scenarios.stream_e2e",
    "many_streams": "benchmarks.scenarios.many_streams",
    "import_time": "benchmarks.scenarios.import_time",
    "model_decode": "benchmarks.scenarios.model_decode",
    "emulator_scale": "benchmarks.scenarios.emulator_scale",
    # execution hooks
    "hook_verify": "benchmarks.scenarios.hook_verify",
    "relay_clients": "benchmarks.scenarios.relay_clients",
}


def runner(name: str) -> tuple[str, Callable[[Config], ScenarioResult]]:
    """The title and ``run`` function of scenario ``name``."""
    module = importlib.import_module(SCENARIOS[name])
    return module.TITLE, module.run
