"""Events delivered by the SDK's streams: :class:`RunEvent` and :class:`ActivityEvent`.

These classes are built directly by the stream loop from each event's JSON (no cattrs on that hot
path), so they stay plain frozen attrs classes with optional fields. The wire vocabulary is our
documented assumption (see ``docs/architecture.md``, "Stream contract"); unknown event types and
unknown fields are kept (``type`` is any string, ``data`` holds the whole raw JSON).
(No ``from __future__ import annotations``, like the other model modules: the annotations stay
real objects for ``typing.get_type_hints``.)
"""

from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "RUN_EVENT_TYPES",
    "TERMINAL_RUN_EVENT_TYPES",
    "ActivityEvent",
    "RunEvent",
]

#: Event types that end a run: its stream closes after one of them.
TERMINAL_RUN_EVENT_TYPES: frozenset[str] = frozenset(
    {"run_completed", "run_failed", "run_cancelled"}
)

#: Every run event type this SDK version knows; others are still delivered as they are.
RUN_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "run_started",
        "node_started",
        "node_completed",
        "node_failed",
        "node_skipped",
        "run_waiting",
        "run_resumed",
        *TERMINAL_RUN_EVENT_TYPES,
    }
)


@attrs.frozen(kw_only=True)
class RunEvent:
    """One event of a run (``b3.runs.stream()``) or one run notification (``stream_runs()``).

    * ``type``: ``run_started``, ``node_started``, ``node_completed``, ``node_failed``,
      ``node_skipped``, ``run_waiting``, ``run_resumed``, ``run_completed``, ``run_failed``,
      ``run_cancelled``, or any type this SDK does not know yet (kept, never an error). It comes
      from the SSE ``event:`` field, else from the ``type`` key of the JSON data.
    * ``id``: the SSE event id (what ``Last-Event-ID`` resumes from); ``None`` when the server sent
      none, and always ``None`` for synthetic events.
    * ``seq``: the per-run sequence number (1, 2, 3 ...) when the server sent one.
    * ``status``: the node's or the run's status as a raw string (``"success"``, ``"failure"``...).
    * ``result`` / ``error``: the node's result and error (``{"message", "code"}``), raw JSON.
    * ``timestamp``: when the server recorded the event (timezone-aware), if it said.
    * ``data``: the whole decoded JSON payload (or the raw text when it was not JSON).
    * ``synthetic``: ``True`` when the SDK produced the event itself after a reconnect to a server
      that could not replay what was missed, from the run's state (``GET /v1/runs/{id}``). A
      synthetic event describes the state a node or the run had *reached*, not every step.

    The typed fields always hold their declared types: when the server sends a value of another
    JSON type (``"nodeId": 3``), the field is ``None`` and the raw value is still in ``data``;
    the event is delivered, never an error.
    """

    type: str
    id: str | None = None
    run_id: str | None = None
    workflow_id: str | None = None
    seq: int | None = None
    status: str | None = None
    node_id: str | None = None
    result: Any = None
    error: Any = None
    timestamp: datetime | None = None
    data: Any = None
    synthetic: bool = False

    @property
    def is_terminal(self) -> bool:
        """``True`` for ``run_completed``, ``run_failed`` and ``run_cancelled``."""
        return self.type in TERMINAL_RUN_EVENT_TYPES


@attrs.frozen(kw_only=True)
class ActivityEvent:
    """One organization-wide notification from ``b3.activity.stream()``.

    ``type`` is e.g. ``workflow_created``, ``workflow_published``, ``run_started`` or
    ``run_completed`` (unknown types are kept); ``workflow_id`` / ``run_id`` / ``status`` are set
    when the notification concerns a workflow or a run; ``data`` is the whole raw JSON payload.
    A field whose JSON value has another type than declared is ``None`` (the raw value stays in
    ``data``).
    """

    type: str
    id: str | None = None
    seq: int | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    status: str | None = None
    timestamp: datetime | None = None
    data: Any = None
