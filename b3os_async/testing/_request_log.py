"""``emu.requests``: the requests the emulator received, bounded in count and in bytes.

Only requests with valid credentials are recorded (a known API key, or the resume route's valid
``?secret=``), whatever the answer (a fault, a 404, a 403...), so an unauthenticated process
cannot make the emulator hold its bodies. The log keeps the newest requests within
``REQUEST_LOG_ENTRIES`` entries and ``REQUEST_LOG_BYTES`` bytes (body, headers, path and query
counted), dropping the oldest first; ``Emulator(record_requests=False)`` (or
``emu.requests.enabled = False``) records nothing.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple, overload

from b3os_async.testing import _limits

if TYPE_CHECKING:
    from multidict import CIMultiDictProxy, MultiDictProxy


class RecordedRequest(NamedTuple):
    """One request as the emulator received it (``emu.requests`` holds these, oldest first)."""

    method: str
    path: str
    """The raw (still percent-encoded) path, without the query string."""
    query: MultiDictProxy[str]
    headers: CIMultiDictProxy[str]
    """Request headers except ``Authorization``."""
    body: bytes


_OVERHEAD = 256  # bytes counted per entry besides its text (the objects around it)


def _size(request: RecordedRequest) -> int:
    text = sum(len(key) + len(value) for key, value in request.headers.items())
    text += sum(len(key) + len(value) for key, value in request.query.items())
    return _OVERHEAD + len(request.body) + len(request.path) + len(request.method) + text


class RequestLog(Sequence[RecordedRequest]):
    """The recorded requests, oldest first (a sequence: ``len``, index, iterate; ``clear()``)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        """Whether new requests are recorded (already recorded ones stay)."""
        self._items: deque[tuple[RecordedRequest, int]] = deque()
        self._bytes = 0

    @property
    def size(self) -> int:
        """The bytes the log holds now (at most ``REQUEST_LOG_BYTES``)."""
        return self._bytes

    def append(self, request: RecordedRequest) -> None:
        """Record ``request`` (if enabled), dropping the oldest beyond the log's bounds."""
        if not self.enabled:
            return
        size = _size(request)
        self._items.append((request, size))
        self._bytes += size
        while self._items and (
            len(self._items) > _limits.REQUEST_LOG_ENTRIES
            or self._bytes > _limits.REQUEST_LOG_BYTES
        ):
            _, dropped = self._items.popleft()
            self._bytes -= dropped

    def clear(self) -> None:
        """Forget every recorded request."""
        self._items.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return (request for request, _ in self._items)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...

    @overload
    def __getitem__(self, index: slice) -> list[RecordedRequest]: ...

    def __getitem__(self, index: int | slice) -> RecordedRequest | list[RecordedRequest]:
        if isinstance(index, slice):
            return [request for request, _ in list(self._items)[index]]
        return self._items[index][0]

    def __repr__(self) -> str:
        return f"<RequestLog: {len(self)} requests, {self._bytes:,} bytes>"
