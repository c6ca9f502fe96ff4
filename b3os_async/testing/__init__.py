"""The local B3OS emulator: a real aiohttp server with in-memory state, for tests and demos.

::

    from b3os_async.testing import Emulator, Fault

    async with Emulator(seed=1) as emu:            # emu.url, emu.api_key, emu.org_id
        emu.faults.add(Fault.rate_limit(retry_after=0), path="/v1/workflows", times=1)
        ...

It implements the workflow and run endpoints the SDK uses, templates, the public routes,
external executions and x402 (with demo paid resources: ``emu.x402``), executes workflows for
real (built-in actions, expressions, ``if``/``wait`` nodes, variables), fires scheduled workflows
on a clock tests control (``emu.clock``), streams run and execution events over SSE and injects
faults.
Its server and engine import nothing from the client side of ``b3os_async``. Behaviour, error
codes and every deviation from the OpenAPI document are listed in ``docs/emulator.md``.
"""

from b3os_async.testing._clock import Clock
from b3os_async.testing._emulator import Emulator
from b3os_async.testing._fault_rules import FaultHandle, FaultRegistry
from b3os_async.testing._faults import Fault
from b3os_async.testing._request_log import RecordedRequest, RequestLog
from b3os_async.testing._x402_tools import X402Tools

__all__ = [
    "Clock",
    "Emulator",
    "Fault",
    "FaultHandle",
    "FaultRegistry",
    "RecordedRequest",
    "RequestLog",
    "X402Tools",
]
