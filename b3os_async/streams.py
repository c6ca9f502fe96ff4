"""Event streams: run events, run handles, notifications, activity (the public names).

Get streams from the client, never by constructing these classes: ``b3.runs.stream(run_id)``,
``b3.workflows.start(...)`` / ``b3.runs.start(...)`` (run handles),
``b3.workflows.stream_runs(...)``, ``b3.workflows.stream_runs_many(...)``,
``b3.activity.stream()``, ``b3.caddie.chat(...)`` (a Caddie chat turn),
``b3.agent_runs.follow(run_id)`` (a polled agent-run log that reads like a stream),
``b3.executions.stream(...)`` / ``b3.public.stream_execution(...)`` (external executions),
and ``b3.stream(path)`` for any other SSE endpoint. The rules every
stream follows (exactly once, reconnects, timeouts, closing) are stated in
:mod:`b3os_async._streams`; the README has the short version.
"""

from __future__ import annotations

from b3os_async._streams.agent_runs import AgentRunFollower
from b3os_async._streams.chat import ChatStream, decode_chat_event
from b3os_async._streams.config import (
    DEFAULT_RECONNECT,
    ReconnectCallback,
    ReconnectInfo,
    StreamTimeouts,
)
from b3os_async._streams.events import decode_activity_event, decode_run_event
from b3os_async._streams.executions import ExecutionEventStream, decode_execution_event
from b3os_async._streams.handle import RunHandle
from b3os_async._streams.machine import EventStream
from b3os_async._streams.merge import MergedEventStream
from b3os_async._streams.notifications import ActivityStream, RunNotificationStream
from b3os_async._streams.raw import RawEventStream
from b3os_async._streams.runs import RunEventStream
from b3os_async.models.caddie import ChatEvent
from b3os_async.models.events import ActivityEvent, RunEvent

__all__ = [
    "DEFAULT_RECONNECT",
    "ActivityEvent",
    "ActivityStream",
    "AgentRunFollower",
    "ChatEvent",
    "ChatStream",
    "EventStream",
    "ExecutionEventStream",
    "MergedEventStream",
    "RawEventStream",
    "ReconnectCallback",
    "ReconnectInfo",
    "RunEvent",
    "RunEventStream",
    "RunHandle",
    "RunNotificationStream",
    "StreamTimeouts",
    "decode_activity_event",
    "decode_execution_event",
    "decode_chat_event",
    "decode_run_event",
]
