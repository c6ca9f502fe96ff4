"""The execution-hook receiver: verified, deduplicated, dispatched by event type.

Theory of operation
-------------------
One ``POST`` route (:attr:`HookReceiver.router`). For each request:

1. The raw body is read as bytes (at most ``max_body``; more is ``413`` before any parsing), and
   verified with :class:`~b3os_async.webhooks.Verifier` *before* it is parsed: a missing, malformed
   or wrong signature is ``401``; a genuine body that is not a hook event is ``400``. The answer
   names the failed check, never a secret.
2. Redeliveries: B3OS may deliver an event more than once (and retries every non-2xx answer), so
   an event already handled (:class:`~b3os_async.webhooks.HookDeduper`, keyed as the API docs
   advise) is answered ``204`` without calling any handler. The same event arriving while its
   first delivery is still being handled waits for that outcome: handled -> ``204``; failed ->
   it is handled now. An event counts as handled only once every handler returned.
3. Dispatch: the handlers registered for the event's type (:meth:`HookReceiver.on`), else the
   catch-all handlers (``on()`` without types), run in registration order; ``async`` handlers are
   awaited, plain functions run in the thread pool. All returned: ``204``. One raised: ``500``
   (logged on ``b3os_async``), the event is not marked handled, so B3OS's retry delivers it
   again. No handler for the type: ``204`` (accepted, nothing to do).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from b3os_async._errors import WebhookVerificationError
from b3os_async.webhooks import SIGNATURE_HEADER, HookDeduper, Verifier

if TYPE_CHECKING:
    from b3os_async.models._area_enums import HookEventType
    from b3os_async.models.execution_hooks import HookEvent
    from b3os_async.webhooks import Secrets

__all__ = ["HookHandler", "HookReceiver"]

logger = logging.getLogger("b3os_async")

HookHandler = Callable[..., Any]
"""``(event)`` or ``(event, request)``, plain or ``async``."""


class _Handler:
    __slots__ = ("call", "is_async", "wants_request")

    def __init__(self, call: HookHandler) -> None:
        self.call = call
        self.is_async = inspect.iscoroutinefunction(call)
        positional = [
            p
            for p in inspect.signature(call).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        if not 1 <= len(positional) <= 2:
            raise TypeError(
                f"a hook handler takes (event) or (event, request); {call!r} takes "
                f"{len(positional)} positional parameters"
            )
        self.wants_request = len(positional) == 2

    async def __call__(self, event: HookEvent, request: Request) -> None:
        args = (event, request) if self.wants_request else (event,)
        if self.is_async:
            result = self.call(*args)
            if isinstance(result, Awaitable):
                await result
        else:
            await run_in_threadpool(self.call, *args)


class HookReceiver:
    """An execution-hook endpoint for a FastAPI app (see the module docstring)::

        hooks = HookReceiver(os.environ["B3OS_HOOK_SECRET"])

        @hooks.on("run.failed", "node.failed")
        async def alert(event: HookEvent) -> None:
            ...

        app.include_router(hooks.router)  # POST /b3os/hooks

    Args:
        secret: the endpoint's signing secret, or several while you rotate (old and new).
        path: the route's path.
        header: the signature header (B3OS documents ``x-b3os-signature``).
        deduper: remembers handled events (default: the last 10,000); ``dedupe=False`` turns
            redelivery detection off.
        max_body: the largest body accepted, in bytes.
    """

    def __init__(
        self,
        secret: Secrets,
        *,
        path: str = "/b3os/hooks",
        header: str = SIGNATURE_HEADER,
        deduper: HookDeduper | None = None,
        dedupe: bool = True,
        max_body: int = 1024 * 1024,
    ) -> None:
        self.verifier = Verifier(secret, header=header)
        self.deduper = (deduper or HookDeduper()) if dedupe else None
        self.max_body = max_body
        self._handlers: dict[str, list[_Handler]] = {}
        self._fallback: list[_Handler] = []
        self._inflight: dict[str, asyncio.Future[bool]] = {}
        self.router = APIRouter()
        """The router to include: ``app.include_router(hooks.router)``."""
        self.router.add_api_route(path, self._receive, methods=["POST"], include_in_schema=False)

    def __repr__(self) -> str:
        return f"HookReceiver({self.verifier!r}, types={sorted(self._handlers)!r})"

    def set_secrets(self, secret: Secrets) -> None:
        """Verify with these secret(s) from now on (rotation without a restart)."""
        self.verifier = Verifier(secret, header=self.verifier.header)

    def on(self, *types: HookEventType | str) -> Callable[[HookHandler], HookHandler]:
        """Register the decorated function for these event types (none: every other type)."""

        def register(call: HookHandler) -> HookHandler:
            handler = _Handler(call)
            if not types:
                self._fallback.append(handler)
            for kind in types:
                self._handlers.setdefault(str(kind), []).append(handler)
            return call

        return register

    async def _read(self, request: Request) -> bytes | None:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return None
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.max_body:
                return None
        return bytes(body)

    async def _receive(self, request: Request) -> Response:
        body = await self._read(request)
        if body is None:
            return _problem(413, "body_too_large", f"the body is over {self.max_body} bytes")
        try:
            event = self.verifier.parse(body, request.headers)
        except WebhookVerificationError as exc:
            return _problem(400 if exc.reason == "invalid_payload" else 401, exc.reason, str(exc))
        handlers = self._handlers.get(event.type.value) or self._fallback
        deduper = self.deduper
        if deduper is None:
            return await self._handle(event, request, handlers)
        key = event.dedupe_key
        while True:
            if event in deduper:
                return Response(status_code=204)  # a redelivery: acknowledged, not handled again
            running = self._inflight.get(key)
            if running is None:
                break
            if await asyncio.shield(running):
                return Response(status_code=204)
            # The first delivery's handler failed: handle this one (unless another took over).
        outcome = asyncio.get_running_loop().create_future()
        self._inflight[key] = outcome
        try:
            response = await self._handle(event, request, handlers)
            if response.status_code < 300:
                deduper.add(event)
                outcome.set_result(True)
            return response
        finally:
            if not outcome.done():
                outcome.set_result(False)
            if self._inflight.get(key) is outcome:
                del self._inflight[key]

    async def _handle(
        self, event: HookEvent, request: Request, handlers: list[_Handler]
    ) -> Response:
        for handler in handlers:
            try:
                await handler(event, request)
            except Exception:
                logger.exception(
                    "execution hook handler %r failed on %s (event %s)",
                    handler.call,
                    event.type.value,
                    event.dedupe_key,
                )
                return _problem(500, "handler_failed", "the event was not accepted; retry later")
        return Response(status_code=204)


def _problem(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)
