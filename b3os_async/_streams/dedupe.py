"""Which event keys a stream has seen: a small pure object, and how ids become keys.

Numeric keys (event ids of ASCII digits, a run's ``seq``) only grow on a well-behaved server, so
their maximum is enough: a key at or below it was seen. Other keys are opaque strings, remembered
in a bounded window of the most recent ones (a server with string ids replays at most a few).
"""

from __future__ import annotations

from collections import deque

__all__ = ["RECENT_IDS", "DedupeWindow", "id_key"]

#: How many non-numeric keys are remembered.
RECENT_IDS = 64


def id_key(event_id: str) -> int | str:
    """Numeric ids compare as numbers (``"10" > "9"``); any other id is an opaque string."""
    if event_id.isascii() and event_id.isdigit() and len(event_id) < 20:
        return int(event_id)
    return event_id


class DedupeWindow:
    """Keys seen so far (see the module docstring); :meth:`seen` checks and remembers."""

    __slots__ = ("_recent", "high")

    def __init__(self) -> None:
        self.high: int | None = None
        self._recent: deque[str] | None = None

    def seen(self, key: int | str) -> bool:
        """Whether ``key`` was seen before; remembers it when not."""
        if type(key) is int:
            high = self.high
            if high is not None and key <= high:
                return True
            self.high = key
            return False
        recent = self._recent
        if recent is not None and key in recent:
            return True
        self.remember(key)
        return False

    def remember(self, key: int | str) -> None:
        """Note ``key`` as seen (a resume point given by the caller, say)."""
        if isinstance(key, int):
            self.high = key if self.high is None else max(self.high, key)
            return
        if self._recent is None:
            self._recent = deque(maxlen=RECENT_IDS)
        self._recent.append(key)
