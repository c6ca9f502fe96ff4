"""The :class:`Emulator`: a real local B3OS server (aiohttp.web) with in-memory state.

Theory of operation
-------------------
Construction creates the state (store, broker, engine, fault registry, seeded ids) and a default
organization with a read-write key; nothing listens yet. ``start()`` (or ``async with``) binds
``host:port`` (port 0 = a free port) and serves; ``close()`` ends every open stream (SHUTDOWN
marker), cancels executing runs and in-flight requests (stalled ones included) and stops the
server. The emulator is single-use: after ``close()`` it cannot start again.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing import _limits, routes
from b3os_async.testing._auth import record_audit
from b3os_async.testing._clock import Clock
from b3os_async.testing._common import ApiError, IdSource
from b3os_async.testing._domain.organizations import ApiKey, Org
from b3os_async.testing._domain.runs import TERMINAL
from b3os_async.testing._domain.wallets import DEMO_ASSET
from b3os_async.testing._emulator_orgs import OrgControls
from b3os_async.testing._engine import Engine
from b3os_async.testing._fault_rules import FaultRegistry
from b3os_async.testing._hook_delivery import HookWorker
from b3os_async.testing._middleware import middleware
from b3os_async.testing._protocol import json_errors
from b3os_async.testing._render import run_json
from b3os_async.testing._request_log import RequestLog
from b3os_async.testing._scheduler import Scheduler
from b3os_async.testing._server import CONTEXT, Context, mark_started
from b3os_async.testing._store import Store
from b3os_async.testing._streams import Broker
from b3os_async.testing._variable_action import SET_VARIABLE, set_variable_action
from b3os_async.testing._x402_tools import X402Tools
from b3os_async.testing.routes._execution_views import launch

if TYPE_CHECKING:
    from datetime import datetime
    from types import TracebackType

SCOPES = ("read", "read-write")


def build_app(ctx: Context) -> web.Application:
    """The aiohttp application with the routes of every area (``routes/<area>.py``)."""
    app = web.Application(middlewares=[middleware], client_max_size=_limits.MAX_BODY_BYTES)
    app[CONTEXT] = ctx
    app.on_response_prepare.append(mark_started)
    app.on_response_prepare.append(record_audit)  # the API request audit log (_auth.py)
    for table in routes.discover():
        app.add_routes(table)
    return app


class Emulator(OrgControls):
    """A local B3OS API server for tests and demos.

    ``async with Emulator(seed=0) as emu:`` serves at ``emu.url`` (no ``/v1``) and offers a
    read-write key ``emu.api_key`` for organization ``emu.org_id``.

    :param seed: seeds every generated id (``wf_…``, ``run_…``, ``req_…``, keys) and fault
        probabilities: the same seed and the same calls give the same ids.
    :param host: interface to bind (default loopback).
    :param port: TCP port; 0 picks a free one.
    :param heartbeat_interval: seconds of silence after which streams send ``: heartbeat``.
    :param retry_ms: the ``retry:`` value sent first on every stream.
    :param replay: ``False`` serves streams without ``id:`` lines and ignores ``Last-Event-ID``.
    :param record_requests: ``False`` keeps ``emu.requests`` empty (nothing is recorded).
    :param frozen_at: start with the clock frozen at this (timezone-aware) moment; default:
        real time. See :attr:`clock`.
    :param caddie_pace: seconds per pace unit of the Caddie's chat events and agent runs (a chat
        turn is ~40 units, an agent run ~30); ``0`` sends everything at once (fast tests).
    :param hook_timeout: seconds an execution-hook (or ``send-webhook``) attempt may take.
    :param hook_retry_delay: seconds before the first retry of a failed delivery; each further
        retry waits twice as long (at most 60 s).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        heartbeat_interval: float = 15.0,
        retry_ms: int = 1000,
        replay: bool = True,
        record_requests: bool = True,
        frozen_at: datetime | None = None,
        caddie_pace: float = 0.1,
        hook_timeout: float = 10.0,
        hook_retry_delay: float = 1.0,
    ) -> None:
        if heartbeat_interval <= 0:
            raise ValueError("heartbeat_interval must be positive")
        if retry_ms < 0:
            raise ValueError("retry_ms must not be negative")
        if not caddie_pace >= 0:
            raise ValueError("caddie_pace must not be negative")
        self._host = host
        self._port = port
        ids = IdSource(seed)
        self.clock = Clock(frozen_at)
        """The emulator's time: ``emu.clock.freeze()``, ``await emu.clock.advance(hours=1)``."""
        broker = Broker(clock=self.clock)
        store = Store(ids, broker.notify, self.clock)
        engine = Engine(store, broker)
        store.caddie.pace = caddie_pace
        self.faults = FaultRegistry(ids.rng("faults"))
        """The fault registry: ``emu.faults.add(Fault.rate_limit(), path="/v1/runs")``."""
        self._ctx = Context(
            store=store,
            engine=engine,
            broker=broker,
            faults=self.faults,
            ids=ids,
            retry_ms=retry_ms,
            heartbeat=heartbeat_interval,
            replay=replay,
            requests=RequestLog(enabled=record_requests),
            scheduler=Scheduler(store, engine, self.clock),
        )
        # Execution hooks: run events reach the delivery worker through the broker.
        self._hooks = HookWorker(store, timeout=hook_timeout, retry_delay=hook_retry_delay)
        broker.run_listeners.append(self._hooks.on_run_event)
        self._ctx.engine.extra_actions["send-webhook"] = self._hooks.send_webhook
        self._ctx.engine.extra_actions[SET_VARIABLE] = set_variable_action(store)
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._closed = False
        self.org_id, self.api_key = self.create_org("Emulator Org")

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and start serving."""
        if self._closed or self._runner is not None:
            raise RuntimeError("an Emulator starts once")
        runner = web.AppRunner(
            build_app(self._ctx),
            handler_cancellation=True,
            access_log=None,
            shutdown_timeout=1.0,
            max_line_size=_limits.MAX_LINE_BYTES,
            max_field_size=_limits.MAX_LINE_BYTES,
            max_headers=_limits.MAX_HEADERS,
        )
        await runner.setup()
        json_errors(runner, self._ctx.ids)  # aiohttp's own 400s get B3OS error bodies
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        assert self._ctx.scheduler is not None
        self._ctx.scheduler.start()
        host, port = runner.addresses[0][:2]
        shown = f"[{host}]" if ":" in host else host
        self._url = f"http://{shown}:{port}"

    async def close(self) -> None:
        """End streams, cancel runs and in-flight requests, stop the server (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._ctx.broker.shutdown()
        if self._ctx.scheduler is not None:
            await self._ctx.scheduler.close()
        await self._hooks.close()
        await self._ctx.engine.close()
        self._ctx.store.databases.close()
        await asyncio.sleep(0)  # let streams see the SHUTDOWN marker and finish normally
        for task in list(self._ctx.inflight):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- what tests look at ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (without ``/v1``)."""
        if self._url is None:
            raise RuntimeError("the Emulator is not started (use 'async with Emulator() as emu')")
        return self._url

    @property
    def open_streams(self) -> int:
        """How many stream connections are open right now."""
        return self._ctx.open_streams

    @property
    def requests(self) -> RequestLog:
        """Requests with valid credentials, oldest first (bounded; ``emu.requests.clear()``)."""
        return self._ctx.requests

    def create_org(self, name: str) -> tuple[str, str]:
        """A new organization and a read-write key for it: ``(org_id, api_key)``."""
        ids = self._ctx.ids
        org_id = ids.new("org_", 12)
        slug = "-".join(name.lower().split()) or org_id
        self._ctx.store.orgs[org_id] = Org(
            org_id, name, slug, ids.new("usr_", 12, stream="user"), self.clock.iso()
        )
        return org_id, self.create_api_key("read-write", org_id=org_id)

    def create_api_key(self, scope: str = "read-write", org_id: str | None = None) -> str:
        """A new API key (``b3sk_…``) with ``scope`` ``read`` or ``read-write``."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be 'read' or 'read-write', got {scope!r}")
        org = org_id or self.org_id
        if org not in self._ctx.store.orgs:
            raise ValueError(f"unknown organization {org!r}")
        ids = self._ctx.ids
        secret = ids.new("b3sk_", 32, stream="key")
        self._ctx.store.keys[secret] = ApiKey(
            secret, ids.new("key_", 12, stream="keyid"), org, scope
        )
        return secret

    # -- area public: payable workflows, payments, x402 ------------------------------------------

    @property
    def x402(self) -> X402Tools:
        """The payer's side of x402: demo resource URLs, wallets, balances, a signer."""
        return X402Tools(self._ctx.store, lambda: self.url, self.org_id)

    def make_payable(
        self,
        workflow_id: str,
        *,
        price: int = 1000,
        token: str = DEMO_ASSET,
        chain_id: int = 84532,
        recipient: str | None = None,
    ) -> None:
        """Give a workflow an ``x402Config``: its external executions then await payment."""
        workflow = self._ctx.store.workflows.find(workflow_id)
        if workflow is None:
            raise ValueError(f"unknown workflow {workflow_id!r}")
        address = recipient or self._ctx.store.wallets.default_for(workflow.org_id).address
        workflow.x402_config = {
            "chainId": chain_id,
            "price": str(price),
            "token": token,
            "recipient": address,
            "discoverable": False,
        }

    def confirm_payment(self, execution_id: str) -> None:
        """Confirm the payment of an execution ``awaiting_payment`` and start its run.

        Stands in for the payment provider's callback (a checkout completing), which is not
        part of the public API. Call it from the event loop the emulator runs in.
        """
        store = self._ctx.store
        execution = store.executions.find(execution_id)
        if execution is None:
            raise ValueError(f"unknown execution {execution_id!r}")
        workflow = store.workflows.find(execution.workflow_id)
        try:
            store.executions.confirm_payment(execution)
        except ApiError as error:
            raise ValueError(error.message) from None
        if workflow is None:  # pragma: no cover - workflows are never deleted
            store.executions.fail(execution, "the workflow no longer exists")
            return
        launch(self._ctx, execution, workflow)

    @property
    def caddie_pace(self) -> float:
        """Seconds per pace unit of Caddie turns and agent runs (settable; 0 = all at once)."""
        return self._ctx.store.caddie.pace

    @caddie_pace.setter
    def caddie_pace(self, value: float) -> None:
        if not value >= 0:
            raise ValueError("caddie_pace must not be negative")
        self._ctx.store.caddie.pace = value

    def set_ai_credits(self, credits: int, org_id: str | None = None) -> None:
        """Set an organization's AI credits (Caddie chat turns cost one; 0 blocks new turns)."""
        org = org_id or self.org_id
        if org not in self._ctx.store.orgs:
            raise ValueError(f"unknown organization {org!r}")
        self._ctx.store.caddie.credits.set(org, credits)

    async def wait_for_run(
        self, run_id: str, status: str | None = None, *, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Wait until the run reaches ``status`` (default: any terminal status); its ``Run`` JSON.

        Raises ``TimeoutError`` when that does not happen within ``timeout`` seconds (also when
        the run does not exist by then).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        wanted = {status} if status is not None else set(TERMINAL)
        while True:
            run = self._ctx.store.runs.get(run_id)
            if run is not None and run.status in wanted:
                return run_json(run)
            remaining = deadline - loop.time()
            if remaining <= 0:
                state = "does not exist" if run is None else f"is still {run.status}"
                raise TimeoutError(f"run {run_id} {state} after {timeout} s")
            await self._ctx.engine.changed(min(remaining, 0.5))
