"""B3OS error bodies for the errors aiohttp answers before the emulator's middleware runs.

aiohttp refuses some requests while parsing them, before any application code: a malformed
request line or malformed framing, a request line or header over its limits
(``MAX_LINE_BYTES``, ``MAX_HEADERS`` in ``_limits.py``). It answers those through
``RequestHandler.handle_error`` with a plain-text body, which is not the documented
``{code, message, details, requestId}``. That method is the one place aiohttp lets us change
them: :func:`json_errors` makes the server create request handlers whose ``handle_error`` keeps
aiohttp's status, logging and connection handling but answers the error body (code 400090 for a
400, ``status * 1000 + 1`` otherwise).

How: aiohttp builds its ``web.Server`` inside ``AppRunner.setup()``; the server's class is
switched to a subclass that only overrides ``__call__`` (the request-handler factory). A test
(``tests/emulator/test_emu_limits.py``) sends an oversized header over a raw socket, so an
aiohttp change that bypasses this shows at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiohttp import web

from b3os_async.testing import _limits
from b3os_async.testing._common import BAD_REQUEST, ApiError
from b3os_async.testing._server import error_response

if TYPE_CHECKING:
    from aiohttp.web_request import BaseRequest

    from b3os_async.testing._common import IdSource


class _Handler(web.RequestHandler):
    """aiohttp's request handler with B3OS error bodies for its own errors."""

    ids: IdSource

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        plain = super().handle_error(request, status, exc, message)  # logs; may raise
        code = BAD_REQUEST if status == 400 else status * 1000 + 1
        text = (message or getattr(plain, "text", None) or "bad request").strip()
        text = text.splitlines()[0][: _limits.MAX_QUOTED_CHARS] if text else "bad request"
        rid = self.ids.new("req_", 20)
        response = error_response(rid, ApiError(status, code, text))
        response.force_close()
        return response


class _Server(web.Server):
    """A ``web.Server`` whose connections use :class:`_Handler`."""

    ids: IdSource

    def __call__(self) -> web.RequestHandler:
        handler = _Handler(self, loop=self._loop, **self._kwargs)
        handler.ids = self.ids
        return handler


def json_errors(runner: web.AppRunner, ids: IdSource) -> None:
    """Make ``runner``'s server (after ``setup()``) answer aiohttp's own errors as B3OS errors."""
    server = runner.server
    if server is None:
        raise RuntimeError("json_errors() needs a runner that is set up")
    server.__class__ = _Server
    cast("_Server", server).ids = ids
