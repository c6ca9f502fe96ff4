"""The capture slot of :meth:`B3OS.with_raw_response` (see :mod:`b3os_async._transport.raw`).

Apart from ``raw.py`` so that the session, which checks the slot on every response, does not
import the ``RawResponse``/``ResponseMeta`` classes (building them costs import time on every
program, while few programs ask for raw responses).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from b3os_async._transport.raw import ResponseMeta

__all__ = ["Capture", "capture_slot", "capturing", "record_response"]


class Capture:
    """Where the session writes the :class:`ResponseMeta` of the final response of a call."""

    __slots__ = ("meta",)

    def __init__(self) -> None:
        self.meta: ResponseMeta | None = None


capture_slot: ContextVar[Capture | None] = ContextVar("b3os_async_raw_capture", default=None)


def capturing() -> bool:
    """Whether a ``with_raw_response`` is waiting for this task's response metadata."""
    return capture_slot.get() is not None


def record_response(meta: ResponseMeta) -> None:
    """Store ``meta`` in the current capture slot, if a ``with_raw_response`` is active."""
    slot = capture_slot.get()
    if slot is not None:
        slot.meta = meta
