"""The delivery worker: sends execution hooks and ``send-webhook`` deliveries for real.

Theory of operation
-------------------
One worker per emulator; the records and their rules are the book's
(``_domain/execution_hooks.py``).

* **Never blocking the engine.** The engine publishes run events through the broker; the worker's
  :meth:`HookWorker.on_run_event` is one of the broker's run listeners and runs inside that
  publish, synchronously: it asks the book for the records to create (one per subscribed
  endpoint) and puts them on a bounded queue with ``put_nowait``. Nothing there awaits. When the
  queue is full (:data:`QUEUE_SIZE` records waiting) the record becomes ``failure`` at once
  ("delivery queue full"), to be retried by hand later, rather than make the engine wait.
* **Senders.** ``concurrency`` tasks (started on first use) take records from the queue and make
  one attempt each: the record's JSON body (the same bytes every attempt), ``Content-Type:
  application/json``, ``User-Agent``, the node's own headers (``send-webhook``) and, for hooks,
  :data:`SIGNATURE_HEADER` = lowercase hex HMAC-SHA256 of the body bytes keyed with the endpoint's
  *current* secret (a regenerated secret signs the next attempt). ``timeout`` seconds per attempt,
  no redirects, at most 64 KiB of the answer read (4 KiB kept).
* **Outcome.** A 2xx answer is ``success``. Anything else -- another status, a timeout, a refused
  connection -- is ``retrying`` while ``retry_count < max_retries`` (the next attempt at
  ``retry_delay * 2 ** retry_count`` seconds, at most 60 s, on a timer that puts the record back
  on the queue), else ``failure``. A hook whose endpoint was disabled meanwhile, and any target
  that is not a loopback host, fail at once without retries.
* **Closing** (:meth:`HookWorker.close`): senders and timers are cancelled, the HTTP session is
  closed; records keep their last state.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from b3os_async.testing._actions import NodeFailure, is_loopback_host
from b3os_async.testing._common import ApiError, dumps, iso, now, now_iso
from b3os_async.testing._domain.execution_hooks import Attempt, check_max_retries

if TYPE_CHECKING:
    from b3os_async.testing._domain.execution_hooks import Delivery, HookBook
    from b3os_async.testing._domain.runs import Run
    from b3os_async.testing._store import Store
    from b3os_async.testing._streams import RunChannel

logger = logging.getLogger("b3os_async.testing")

SIGNATURE_HEADER = "x-b3os-signature"
USER_AGENT = "b3os-emulator-hooks/1"
QUEUE_SIZE = 10_000
MAX_DELAY = 60.0
_READ_LIMIT = 64 * 1024
_KEEP = 4096
_METHODS = ("POST", "PUT", "PATCH", "DELETE", "GET")


def sign(secret: str, body: bytes) -> str:
    """The signature B3OS documents: lowercase hex HMAC-SHA256 of the raw body bytes."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HookWorker:
    """Sends the book's delivery records (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        *,
        timeout: float = 10.0,
        retry_delay: float = 1.0,
        concurrency: int = 8,
    ) -> None:
        self._store = store
        self._book: HookBook = store.hooks
        self._book.enqueue = self._enqueue
        self.timeout = timeout
        self.retry_delay = retry_delay
        self._concurrency = concurrency
        self._queue: asyncio.Queue[Delivery] | None = None
        self._senders: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    # -- feeding ---------------------------------------------------------------------------------

    def on_run_event(self, channel: RunChannel, event: dict[str, Any]) -> None:
        """Broker run listener: record (and queue) the deliveries this event causes."""
        if channel.org_id is None:
            return
        run = self._store.runs.get(channel.run_id)
        workflow_id = run.workflow_id if run is not None else ""
        self._book.run_event(channel.org_id, workflow_id, event)

    async def send_webhook(self, run: Run, node_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ``send-webhook`` action: record an outbound delivery; the node does not wait."""
        url = payload.get("url")
        if not isinstance(url, str) or not url:
            raise NodeFailure("send-webhook needs a 'url'", "invalid_payload")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not is_loopback_host(parts.hostname):
            raise NodeFailure(
                "send-webhook: the emulator only calls loopback http(s) URLs (localhost, "
                f"127.0.0.1, ::1); refused {url[:200]!r}",
                "loopback_only",
            )
        method = str(payload.get("method") or "POST").upper()
        if method not in _METHODS:
            raise NodeFailure(f"send-webhook: unsupported method {method!r}", "invalid_payload")
        headers = payload.get("headers") or {}
        body = payload.get("body")
        if not isinstance(headers, dict) or not isinstance(body, (dict, type(None))):
            raise NodeFailure(
                "send-webhook: 'headers' and 'body' must be objects", "invalid_payload"
            )
        try:
            retries = check_max_retries(payload.get("maxRetries"))
        except ApiError as exc:
            raise NodeFailure(f"send-webhook: {exc.message}", "invalid_payload") from None
        delivery = self._book.new_outbound(
            org_id=run.org_id,
            run_id=run.id,
            workflow_id=run.workflow_id,
            node_id=node_id,
            url=url,
            method=method,
            headers={str(key): str(value) for key, value in headers.items()},
            body=body or {},
            max_retries=retries,
        )
        return {"deliveryId": delivery.id, "status": delivery.status}

    def _enqueue(self, delivery: Delivery) -> None:
        if self._closed:
            return
        queue = self._start()
        try:
            queue.put_nowait(delivery)
        except asyncio.QueueFull:
            self._finish(delivery, "failure", error="emulator delivery queue full")

    def _start(self) -> asyncio.Queue[Delivery]:
        if self._queue is None:
            self._queue = asyncio.Queue(QUEUE_SIZE)
            loop = asyncio.get_running_loop()
            self._senders = [
                loop.create_task(self._sender(self._queue)) for _ in range(self._concurrency)
            ]
        return self._queue

    # -- sending ---------------------------------------------------------------------------------

    async def _sender(self, queue: asyncio.Queue[Delivery]) -> None:
        while True:
            delivery = await queue.get()
            try:
                await self._attempt(delivery)
            except Exception:  # an emulator bug: log it, keep the worker alive
                logger.exception("emulator hook delivery %s failed unexpectedly", delivery.id)
                self._finish(delivery, "failure", error="emulator internal error")

    async def _attempt(self, delivery: Delivery) -> None:
        if delivery.status not in ("pending", "retrying"):
            return  # changed meanwhile (e.g. queued twice): nothing to do
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        headers.update(delivery.headers)
        data = dumps(delivery.body).encode()
        if delivery.kind == "hook":
            endpoint = self._book.endpoint_of(delivery)
            if endpoint is None or endpoint.status != "active":
                self._finish(delivery, "failure", error="the endpoint was disabled")
                return
            headers[SIGNATURE_HEADER] = sign(endpoint.secret, data)
        delivery.attempted += 1
        if delivery.attempted > 1:
            delivery.retry_count += 1
        delivery.request_headers = headers
        if not is_loopback_host(urlsplit(delivery.url).hostname):
            # Never reaches the network; retrying could not change that.
            delivery.retry_count = max(delivery.retry_count, delivery.max_retries)
            self._record(delivery, None, None, None, 0, "the emulator only calls loopback hosts")
            return
        started = time.monotonic()
        status: int | None = None
        text: str | None = None
        answer_headers: dict[str, str] | None = None
        error: str | None = None
        try:
            async with self._http().request(
                delivery.method,
                delivery.url,
                data=data,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                status = response.status
                answer_headers = dict(response.headers.items())
                raw = await response.content.read(_READ_LIMIT)
                text = raw.decode("utf-8", "replace")[:_KEEP]
        except asyncio.TimeoutError:
            error = f"no answer within {self.timeout:g} s"
        except aiohttp.ClientError as exc:
            error = f"connection failed: {type(exc).__name__}: {exc}"[:500]
        duration = int((time.monotonic() - started) * 1000)
        self._record(delivery, status, text, answer_headers, duration, error)

    def _record(
        self,
        delivery: Delivery,
        status: int | None,
        text: str | None,
        headers: dict[str, str] | None,
        duration: int,
        error: str | None,
    ) -> None:
        delivery.response_status = status
        delivery.response_body = text
        delivery.response_headers = headers
        delivery.duration_ms = duration
        if error is None and status is not None and not 200 <= status < 300:
            error = f"the endpoint answered {status}"
        delivery.attempts.append(Attempt(now_iso(), status, duration, error))
        if error is None:
            self._finish(delivery, "success")
        elif delivery.retry_count < delivery.max_retries:
            delay = min(self.retry_delay * 2**delivery.retry_count, MAX_DELAY)
            delivery.status = "retrying"
            delivery.error_message = error
            delivery.next_retry_at = iso(now() + timedelta(seconds=delay))
            delivery.updated_at = now_iso()
            self._later(delay, delivery)
        else:
            self._finish(delivery, "failure", error=error)

    def _finish(self, delivery: Delivery, status: str, *, error: str | None = None) -> None:
        delivery.status = status
        delivery.error_message = error
        delivery.next_retry_at = None
        delivery.updated_at = now_iso()

    def _later(self, delay: float, delivery: Delivery) -> None:
        def due() -> None:
            self._timers.discard(handle)
            if delivery.status == "retrying":
                self._enqueue(delivery)

        handle = asyncio.get_running_loop().call_later(delay, due)
        self._timers.add(handle)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=100), auto_decompress=True
            )
        return self._session

    # -- closing ---------------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop sending: cancel senders and timers, close the HTTP session (idempotent)."""
        self._closed = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        for task in self._senders:
            task.cancel()
        for task in self._senders:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._senders = []
        if self._session is not None:
            await self._session.close()
            self._session = None
