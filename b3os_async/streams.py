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

Each name is imported on first use (like the package's door), so ``import b3os_async.streams``
loads only what is used: a run stream does not load the Caddie or execution stream modules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b3os_async._streams.agent_runs import AgentRunFollower as AgentRunFollower
    from b3os_async._streams.chat import ChatStream as ChatStream
    from b3os_async._streams.chat import decode_chat_event as decode_chat_event
    from b3os_async._streams.config import DEFAULT_RECONNECT as DEFAULT_RECONNECT
    from b3os_async._streams.config import ReconnectCallback as ReconnectCallback
    from b3os_async._streams.config import ReconnectInfo as ReconnectInfo
    from b3os_async._streams.config import StreamTimeouts as StreamTimeouts
    from b3os_async._streams.events import decode_activity_event as decode_activity_event
    from b3os_async._streams.events import decode_run_event as decode_run_event
    from b3os_async._streams.executions import ExecutionEventStream as ExecutionEventStream
    from b3os_async._streams.executions import decode_execution_event as decode_execution_event
    from b3os_async._streams.handle import RunHandle as RunHandle
    from b3os_async._streams.machine import EventStream as EventStream
    from b3os_async._streams.merge import MergedEventStream as MergedEventStream
    from b3os_async._streams.notifications import ActivityStream as ActivityStream
    from b3os_async._streams.notifications import RunNotificationStream as RunNotificationStream
    from b3os_async._streams.raw import RawEventStream as RawEventStream
    from b3os_async._streams.runs import RunEventStream as RunEventStream
    from b3os_async.models.caddie import ChatEvent as ChatEvent
    from b3os_async.models.events import ActivityEvent as ActivityEvent
    from b3os_async.models.events import RunEvent as RunEvent

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "AgentRunFollower": "b3os_async._streams.agent_runs",
    "ChatStream": "b3os_async._streams.chat",
    "decode_chat_event": "b3os_async._streams.chat",
    "DEFAULT_RECONNECT": "b3os_async._streams.config",
    "ReconnectCallback": "b3os_async._streams.config",
    "ReconnectInfo": "b3os_async._streams.config",
    "StreamTimeouts": "b3os_async._streams.config",
    "decode_activity_event": "b3os_async._streams.events",
    "decode_run_event": "b3os_async._streams.events",
    "ExecutionEventStream": "b3os_async._streams.executions",
    "decode_execution_event": "b3os_async._streams.executions",
    "RunHandle": "b3os_async._streams.handle",
    "EventStream": "b3os_async._streams.machine",
    "MergedEventStream": "b3os_async._streams.merge",
    "ActivityStream": "b3os_async._streams.notifications",
    "RunNotificationStream": "b3os_async._streams.notifications",
    "RawEventStream": "b3os_async._streams.raw",
    "RunEventStream": "b3os_async._streams.runs",
    "ChatEvent": "b3os_async.models.caddie",
    "ActivityEvent": "b3os_async.models.events",
    "RunEvent": "b3os_async.models.events",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'b3os_async.streams' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
