"""The request-shape table: what a row is, how a row is run, which SDK methods exist.

A :class:`Row` is one SDK call, the answer(s) the fake network gives, and the request(s) the call
must send. :func:`run_row` runs the call on a real :class:`~b3os_async.B3OS` whose network is
aioresponses (:class:`~support.mock_api.MockAPI`), consuming whatever it returns (awaiting a
coroutine, iterating a pager, reading a stream or a run handle to its end), and returns what was
sent plus the SDK methods the call used (recorded through a tracing proxy of the client, so a
row cannot claim a method it does not call). :func:`resource_methods` lists every public method
of every resource reachable from a client, which the coverage test compares with the table.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async import B3OS, RetryPolicy
from b3os_async.resources._base import Resource  # what "a resource" is, for introspection
from support.mock_api import API, KEY, SSE_HEADERS, Call, MockAPI
from support.scripted import frame

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["SSE", "Bare", "Outcome", "Req", "Row", "Traced", "resource_methods", "run_row", "sse"]


@attrs.frozen
class Req:
    """An expected request: method, raw path (ids percent-encoded), query, JSON body, headers.

    ``query`` maps each parameter to its values in the order sent (``{"limit": ["20"]}``).
    ``json`` is the decoded body, or None for "no body". ``headers`` lists headers that must be
    sent with these values (case-insensitive names); a value of None means "must not be sent".
    """

    method: str
    path: str
    query: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
    json: Any = None
    headers: Mapping[str, str | None] = attrs.field(factory=dict)


@attrs.frozen
class SSE:
    """A ``text/event-stream`` answer (build it with :func:`sse`)."""

    text: str


@attrs.frozen
class Bare:
    """A JSON answer sent as it is (no envelope), with a status."""

    body: Any
    status: int = 200


def sse(*events: Mapping[str, Any]) -> SSE:
    """An SSE answer carrying ``events`` (``id:`` from each event's ``id``/``seq``, ``event:``
    from its ``type``), then the end of the body."""
    return SSE(b"".join(frame(event) for event in events).decode())


@attrs.frozen
class Row:
    """One SDK call and the request(s) it must send.

    * ``method``: the SDK method the call uses, ``"<resource>.<method>"`` (checked while running);
    * ``call``: ``lambda b3: b3.<resource>.<method>(...)``; what it returns is consumed;
    * ``expect``: the request, or the requests in the order sent;
    * ``reply``: the answer to each expected request (one value per request): JSON ``data``
      (sent in the API's envelope; a minimal valid body), :class:`SSE`, or :class:`Bare`;
    * ``take``: for streams that never end by themselves, close after this many events;
    * ``note``: tells rows of the same method apart in the test id.
    """

    method: str
    call: Callable[[B3OS], object]
    expect: Req | Sequence[Req]
    reply: Any = None
    take: int | None = None
    note: str = ""

    @property
    def id(self) -> str:
        """The pytest id of the row."""
        return f"{self.method}[{self.note}]" if self.note else self.method

    @property
    def requests(self) -> list[Req]:
        """The expected requests as a list."""
        return [self.expect] if isinstance(self.expect, Req) else list(self.expect)

    @property
    def replies(self) -> list[Any]:
        """One answer per expected request."""
        if isinstance(self.expect, Req):
            return [self.reply]
        replies = list(self.reply) if self.reply is not None else []
        if len(replies) != len(self.requests):
            raise ValueError(f"{self.id}: give one reply per expected request")
        return replies


class Traced:
    """A view of a client (or resource) that records the resource methods a call touches."""

    def __init__(self, target: object, prefix: str, used: list[str]) -> None:
        self._target = target
        self._prefix = prefix
        self._used = used

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if isinstance(value, Resource):
            return Traced(value, f"{self._prefix}{name}.", self._used)
        if name == "with_options":
            return lambda *args, **kwargs: Traced(value(*args, **kwargs), self._prefix, self._used)
        if self._prefix and callable(value) and not name.startswith("_"):
            self._used.append(self._prefix + name)
        return value


def resource_methods(client: B3OS) -> set[str]:
    """``"<resource>.<method>"`` for every public method of every resource reachable from
    ``client`` (its attributes that are :class:`Resource` objects, recursively)."""
    found: set[str] = set()

    def walk(obj: object, prefix: str) -> None:
        for name in dir(obj):
            if name.startswith("_"):
                continue
            value = getattr(obj, name)
            if isinstance(value, Resource):
                walk(value, f"{prefix}{name}.")
            elif prefix and callable(value):
                found.add(prefix + name)

    walk(client, "")
    return found


def _script(mock: MockAPI, req: Req, reply: Any) -> None:
    if isinstance(reply, SSE):
        mock.reply(req.method, req.path, body=reply.text, headers=SSE_HEADERS)
    elif isinstance(reply, Bare):
        mock.reply(req.method, req.path, status=reply.status, body=reply.body)
    else:
        mock.reply(req.method, req.path, reply)


async def _consume(result: object, take: int | None) -> object:
    """Await a coroutine, or read an iterable (a pager, a stream, a run handle) to its end."""
    if hasattr(result, "__aiter__"):
        items: list[object] = []
        if hasattr(result, "__aenter__"):  # streams and run handles: closed on the way out
            async with result:  # type: ignore[attr-defined]
                async for item in result:  # type: ignore[attr-defined]
                    items.append(item)
                    if take is not None and len(items) >= take:
                        break
        else:
            async for item in result:  # type: ignore[attr-defined]
                items.append(item)
        return items
    if inspect.isawaitable(result):
        return await result
    raise TypeError(f"a row's call must return an awaitable or an async iterable, got {result!r}")


@attrs.frozen
class Outcome:
    """What running a row gave: the requests sent, the methods used, and the result."""

    calls: list[Call]
    used: list[str]
    sent_before_consuming: list[Call]
    result: object


async def run_row(row: Row) -> Outcome:
    """Run ``row`` against aioresponses answering its expected requests with its replies."""
    with MockAPI() as mock:
        for req, reply in zip(row.requests, row.replies, strict=True):
            _script(mock, req, reply)
        # Nothing is retried or reconnected: a request the row did not expect fails at once.
        async with B3OS(
            api_key=KEY,
            base_url=API,
            retry=RetryPolicy.disabled(),
            reconnect=RetryPolicy.disabled(),
        ) as b3:
            used: list[str] = []
            try:
                pending = row.call(Traced(b3, "", used))  # type: ignore[arg-type]
                before = list(mock.calls)
                result = await _consume(pending, row.take)
            except Exception as exc:
                sent = "\n  ".join(map(repr, mock.calls)) or "(nothing)"
                raise AssertionError(f"{row.id} raised {exc!r}; requests sent:\n  {sent}") from exc
    return Outcome(list(mock.calls), used, before, result)
