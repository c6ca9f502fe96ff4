"""A recording aioresponses for request-shape tests: scripted answers, every request kept raw.

aioresponses replaces the network inside aiohttp (no socket is opened). It sorts and re-encodes
the query before matching, so :class:`MockAPI` records each request *before* that, exactly as
the SDK sent it: method, raw (percent-encoded) path, query in the order sent, JSON body, headers.
"""

from __future__ import annotations

import inspect
import json
import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import aiohttp
import attrs
from aioresponses import aioresponses

from b3os_async import B3OS
from b3os_async.models import WorkflowDefinition, WorkflowNode

if TYPE_CHECKING:
    from yarl import URL

API = "https://api.b3os.org"
KEY = "b3sk_test_0123456789abcdefWXYZ"
WORKFLOW = {"id": "wf_1", "name": "Alert", "status": "draft", "version": 2}
DEFINITION = WorkflowDefinition(
    nodes={
        "root": WorkflowNode(type="manual", payload={}, children=("echo",)),
        "echo": WorkflowNode(type="echo", payload={"value": "{{root.result.x}}"}),
    },
    trigger_node_ids=("root",),
)
DEFINITION_JSON = {
    "nodes": {
        "root": {"type": "manual", "payload": {}, "children": ["echo"]},
        "echo": {"type": "echo", "payload": {"value": "{{root.result.x}}"}},
    },
    "triggerNodeIds": ["root"],
}


def envelope(data: Any, status: int = 200) -> dict[str, Any]:
    """The API's success envelope around ``data``."""
    return {"code": status, "data": data, "message": "OK", "requestId": "r1"}


class _Response(aiohttp.ClientResponse):
    """aioresponses 0.7.9 omits the ``stream_writer`` argument aiohttp >= 3.14 requires."""

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        if "stream_writer" in inspect.signature(aiohttp.ClientResponse.__init__).parameters:
            kwargs.setdefault("stream_writer", SimpleNamespace(output_size=0))
        super().__init__(method, url, **kwargs)


@attrs.frozen
class Call:
    """One request as it reached the (mocked) network."""

    method: str
    path: str  # raw: ids stay percent-encoded, no query
    query: dict[str, list[str]]  # values in the order they were sent
    body: Any  # the decoded JSON body, or None when no body was sent
    headers: dict[str, str]


class _Recording(aioresponses):
    """aioresponses that appends each request, as sent, to ``calls`` before matching it."""

    def __init__(self, calls: list[Call]) -> None:
        super().__init__()
        self._calls = calls

    async def _request_mock(
        self, orig_self: aiohttp.ClientSession, method: str, url: Any, *args: Any, **kwargs: Any
    ) -> aiohttp.ClientResponse:
        sent = orig_self._build_url(url)  # what aiohttp would put on the wire
        raw = kwargs.get("data")
        self._calls.append(
            Call(
                method.upper(),
                sent.raw_path,
                parse_qs(sent.raw_query_string, keep_blank_values=True),
                json.loads(raw) if raw else None,
                dict(kwargs.get("headers") or {}),
            )
        )
        response: aiohttp.ClientResponse = await super()._request_mock(
            orig_self, method, url, *args, **kwargs
        )
        return response


class MockAPI:
    """Scripts answers for API paths and records every request in order.

    Use it as a context manager (``with MockAPI() as mock:``) or through the ``api`` fixture.
    A request nothing was scripted for fails like a refused connection.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.mock = _Recording(self.calls)

    def __enter__(self) -> MockAPI:
        self.mock.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.mock.__exit__(*exc_info)

    def reply(
        self,
        method: str,
        path: str,
        data: Any = None,
        *,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``method path`` (exact raw path, any query) with ``data`` enveloped.

        ``body`` replaces the whole JSON body (error bodies, bare answers); ``bytes``/``str``
        are sent as they are, with the ``Content-Type`` from ``headers``.
        """
        pattern = re.compile(re.escape(API + path) + r"(\?.*)?$")
        if isinstance(body, (bytes, str)):
            content_type = (headers or {}).get("Content-Type", "application/json")
            self.mock.add(
                pattern,
                method=method,
                status=status,
                body=body,
                content_type=content_type,
                headers=headers,
                response_class=_Response,
            )
            return
        payload = body if body is not None else envelope(data, status)
        self.mock.add(
            pattern,
            method=method,
            status=status,
            payload=payload,
            headers=headers,
            response_class=_Response,
        )

    def reply_sse(self, path: str, text: str, *, method: str = "GET") -> None:
        """Answer the next ``method path`` with a ``text/event-stream`` body of ``text``."""
        self.reply(method, path, status=200, body=text, headers=SSE_HEADERS)

    @property
    def last(self) -> Call:
        """The most recent request."""
        return self.calls[-1]


SSE_HEADERS = {"Content-Type": "text/event-stream"}

Api = tuple[MockAPI, B3OS]
