"""A recording aioresponses wrapper shared by the request-shape tests, and their constants."""

from __future__ import annotations

import inspect
import json
import re
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import aiohttp
import attrs

from b3os_async._client import B3OS
from b3os_async.models import WorkflowDefinition, WorkflowNode

if TYPE_CHECKING:
    from aioresponses import aioresponses
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
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


class MockAPI:
    """Scripts answers for API paths and records every request in order."""

    def __init__(self, mock: aioresponses) -> None:
        self.mock = mock
        self.calls: list[Call] = []

    def reply(
        self, method: str, path: str, data: Any = None, *, status: int = 200, body: Any = None
    ) -> None:
        """Answer the next ``method path`` (exact raw path, any query) with ``data``."""
        payload = body if body is not None else {"code": status, "data": data, "requestId": "r1"}

        def record(url: URL, **kwargs: Any) -> None:
            raw = kwargs.get("data")
            self.calls.append(
                Call(
                    method,
                    url.raw_path,
                    parse_qs(url.raw_query_string, keep_blank_values=True),
                    json.loads(raw) if raw else None,
                    dict(kwargs.get("headers") or {}),
                )
            )

        self.mock.add(
            re.compile(re.escape(API + path) + r"(\?.*)?$"),
            method=method,
            status=status,
            payload=payload,
            callback=record,
            response_class=_Response,
        )

    @property
    def last(self) -> Call:
        return self.calls[-1]


Api = tuple[MockAPI, B3OS]
