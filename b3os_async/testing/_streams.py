"""Event channels behind the emulator's SSE endpoints (no I/O here; framing is ``_sse.py``).

Theory of operation
-------------------
Two kinds of channel, both owned by the :class:`Broker`:

* :class:`RunChannel` - one per run id, holding *every* event of the run in order. The engine
  publishes into it; an event's ``seq`` (1, 2, 3 …) is its SSE ``id``. A channel can exist before
  its run does: a stream opened on a run id that is not created yet (pre-subscription) makes the
  channel, and :meth:`RunChannel.attach` later records which organization the run belongs to.
  Channels of runs that were never created are dropped when their last subscriber leaves.
* :class:`NotificationLog` - one per organization: run notifications (``run_started``,
  ``run_completed``, ``run_failed``, ``run_cancelled``) and workflow activity (``workflow_created``,
  ``workflow_updated``, ``workflow_published``, ``workflow_paused``, ``workflow_resumed``,
  ``workflow_archived``, ``workflow_unarchived``, ``workflow_rolled_back``,
  ``workflow_draft_discarded``). Its ``seq`` is per organization, so the workflow-run streams
  (a filtered view: run notifications of the chosen workflows) and the activity stream (all of
  it) share one id space and ``Last-Event-ID`` works across any filter. Only the last
  ``capacity`` notifications are kept for replay.

Subscribers get a :class:`Subscription` whose queue receives, in publish order, the events and two
markers: :data:`CREATED` (the run now exists) and :data:`SHUTDOWN` (the emulator is closing; end
the stream). Publishing never blocks: queues are unbounded, and a subscriber that leaves removes
its queue.

Run listeners (:attr:`Broker.run_listeners`, e.g. the execution-hook delivery worker) are called
synchronously with every run event, after its subscribers got it. They must not block: the hook
worker only records deliveries and queues them.

Publishing costs O(interested subscribers), never O(all subscribers): a run's events go to the
streams of that run only, and a run notification goes to the organization's activity streams plus
the streams that follow *that* workflow (a workflow-runs stream subscribes by workflow id), so a
thousand streams on other runs or workflows add nothing to an event's cost.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from typing import TYPE_CHECKING, Any

from b3os_async.testing._clock import Clock

if TYPE_CHECKING:
    from collections.abc import Callable

    RunListener = Callable[["RunChannel", dict[str, Any]], None]

RUN_TERMINAL_EVENTS = frozenset({"run_completed", "run_failed", "run_cancelled"})
RUN_NOTIFICATIONS = frozenset({"run_started", *RUN_TERMINAL_EVENTS})


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


CREATED = _Marker("CREATED")
SHUTDOWN = _Marker("SHUTDOWN")

Item = dict[str, Any] | _Marker


class Subscription:
    """One stream connection's queue on a channel; :meth:`close` unsubscribes."""

    def __init__(self, owners: list[set[Subscription]], on_close: Callable[[], None]) -> None:
        self.queue: asyncio.Queue[Item] = asyncio.Queue()
        self._owners = owners
        self._on_close = on_close
        for owner in owners:
            owner.add(self)

    def close(self) -> None:
        """Stop receiving items."""
        for owner in self._owners:
            owner.discard(self)
        self._owners = []
        self._on_close()


def _nothing() -> None:
    pass


class RunChannel:
    """All events of one run, plus the queues of the streams following it."""

    def __init__(
        self, run_id: str, clock: Clock, listeners: list[RunListener] | None = None
    ) -> None:
        self.run_id = run_id
        self._clock = clock
        self.org_id: str | None = None
        self.events: list[dict[str, Any]] = []
        self.subscribers: set[Subscription] = set()
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        """Called synchronously with every event published (an external execution follows its
        run this way)."""
        self._listeners = listeners if listeners is not None else []  # Broker.run_listeners

    @property
    def exists(self) -> bool:
        """Whether the run has been created."""
        return self.org_id is not None

    @property
    def terminal(self) -> bool:
        """Whether the run's terminal event has been published."""
        return bool(self.events) and self.events[-1]["type"] in RUN_TERMINAL_EVENTS

    def attach(self, org_id: str) -> None:
        """Record that the run now exists in ``org_id`` and tell waiting subscribers."""
        self.org_id = org_id
        for subscription in list(self.subscribers):
            subscription.queue.put_nowait(CREATED)

    def publish(self, event_type: str, status: str, **fields: Any) -> dict[str, Any]:
        """Append the next event (``seq`` = previous + 1) and hand it to every subscriber."""
        event: dict[str, Any] = {
            "type": event_type,
            "runId": self.run_id,
            "seq": len(self.events) + 1,
            "status": status,
        }
        event.update({key: value for key, value in fields.items() if value is not None})
        event["timestamp"] = self._clock.iso()
        self.events.append(event)
        for subscription in list(self.subscribers):
            subscription.queue.put_nowait(event)
        for listener in list(self.listeners):
            listener(event)
        for run_listener in self._listeners:
            run_listener(self, event)
        return event

    def subscribe(self) -> Subscription:
        """A new subscription receiving everything published from now on."""
        return Subscription([self.subscribers], _nothing)


class NotificationLog:
    """One organization's notifications with per-organization ``seq`` and a replay buffer."""

    def __init__(self, capacity: int, clock: Clock | None = None) -> None:
        self._clock = clock or Clock()  # the emulator's (the broker passes it); real time else
        self.seq = 0
        self.buffer: deque[dict[str, Any]] = deque(maxlen=capacity)
        self.subscribers: set[Subscription] = set()
        """Subscribers to every notification (activity streams)."""
        self.by_workflow: dict[str, set[Subscription]] = {}
        """Subscribers to the run notifications of one workflow (workflow-runs streams)."""

    def publish(self, event_type: str, **fields: Any) -> dict[str, Any]:
        """Append a notification (next ``seq``) and hand it to the subscribers it concerns."""
        self.seq += 1
        event: dict[str, Any] = {"type": event_type, "seq": self.seq}
        event.update({key: value for key, value in fields.items() if value is not None})
        event["timestamp"] = self._clock.iso()
        self.buffer.append(event)
        for subscription in list(self.subscribers):
            subscription.queue.put_nowait(event)
        if event_type in RUN_NOTIFICATIONS:
            following = self.by_workflow.get(event.get("workflowId", ""))
            for subscription in list(following or ()):
                subscription.queue.put_nowait(event)
        return event

    def since(self, seq: int) -> list[dict[str, Any]]:
        """Buffered notifications with ``seq`` greater than ``seq``."""
        # seqs in the buffer are consecutive: skip straight to the first one wanted.
        if not self.buffer:
            return []
        skip = max(0, seq - self.buffer[0]["seq"] + 1)
        return list(itertools.islice(self.buffer, skip, None))

    def subscribe(self, workflow_ids: frozenset[str] | None = None) -> Subscription:
        """A subscription from now on: every notification, or the run notifications of
        ``workflow_ids`` only."""
        if workflow_ids is None:
            return Subscription([self.subscribers], _nothing)
        owners = [self.by_workflow.setdefault(workflow_id, set()) for workflow_id in workflow_ids]

        def forget() -> None:
            for workflow_id in workflow_ids:
                if not self.by_workflow.get(workflow_id, True):
                    del self.by_workflow[workflow_id]

        return Subscription(owners, forget)

    def all_subscribers(self) -> list[Subscription]:
        """Every subscription of the log."""
        found = set(self.subscribers)
        for following in self.by_workflow.values():
            found.update(following)
        return list(found)


class Broker:
    """Owns every channel; :meth:`shutdown` ends all open streams."""

    def __init__(self, capacity: int = 1000, clock: Clock | None = None) -> None:
        self._capacity = capacity
        self.clock = clock or Clock()
        """The emulator's clock: event timestamps read it."""
        self.runs: dict[str, RunChannel] = {}
        self.orgs: dict[str, NotificationLog] = {}
        self.closed = False
        self.run_listeners: list[RunListener] = []
        """Called with ``(channel, event)`` for every run event (see the module docstring)."""

    def run_channel(self, run_id: str) -> RunChannel:
        """The channel of ``run_id``, created (empty, not attached) if needed."""
        channel = self.runs.get(run_id)
        if channel is None:
            channel = self.runs[run_id] = RunChannel(run_id, self.clock, self.run_listeners)
        return channel

    def release(self, channel: RunChannel) -> None:
        """Forget a channel whose run never came and that nobody follows any more."""
        if not channel.exists and not channel.subscribers:
            self.runs.pop(channel.run_id, None)

    def notify(self, org_id: str, event_type: str, **fields: Any) -> dict[str, Any]:
        """Publish a notification to the organization's log."""
        return self.org_log(org_id).publish(event_type, **fields)

    def org_log(self, org_id: str) -> NotificationLog:
        """The notification log of ``org_id`` (created if needed)."""
        log = self.orgs.get(org_id)
        if log is None:
            log = self.orgs[org_id] = NotificationLog(self._capacity, self.clock)
        return log

    def shutdown(self) -> None:
        """Tell every subscriber to end its stream."""
        self.closed = True
        subscriptions = [sub for channel in self.runs.values() for sub in channel.subscribers]
        subscriptions += [sub for log in self.orgs.values() for sub in log.all_subscribers()]
        for subscription in subscriptions:
            subscription.queue.put_nowait(SHUTDOWN)
