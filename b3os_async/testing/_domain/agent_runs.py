"""Agent runs: a fake first-party agent whose event log grows over a few seconds (no tasks).

Theory of operation
-------------------
``POST /v1/agent-runs`` plans the whole run at once and stores it with its start time; like a
Caddie turn (``_domain/caddie.py``), it is then *revealed over time*: event ``seq`` is visible once
``seq * RUN_EVENT_WEIGHT * pace`` seconds have passed (``pace`` = the emulator's
``caddie_pace``). ``GET /v1/agent-runs/{id}?since=N`` shows the events with ``seq > N`` that are
visible now and the run's state: ``phase`` ``queued`` (nothing visible yet), ``running``, then
``completed`` or ``failed`` with ``finishedAt``.

The agents (``GET /v1/agent-runs/agents``): ``workflow-builder`` (builds a definition with the
emulator's Caddie builder; its last event carries it in ``metadata.definition``), and two that
*serve* an artifact (``app-builder``, ``report-writer``): their finished runs appear in
``GET /v1/agent-runs/artifacts`` for their conversation, with ``servedPath``/``servedUrl`` in the
state. A prompt containing ``[fail]`` ends the run ``failed`` (for tests of failure handling).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from b3os_async.testing._caddie_builder import plan_turn
from b3os_async.testing._common import AGENT_RUN_NOT_FOUND, BAD_FIELD, ApiError, iso, not_found, now

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._common import IdSource
    from b3os_async.testing._domain.organizations import Principal

__all__ = ["AGENTS", "AgentRun", "AgentRunBook"]

#: The enabled agents (``GET /v1/agent-runs/agents``).
AGENTS: tuple[dict[str, Any], ...] = (
    {
        "agentType": "workflow-builder",
        "title": "Workflow builder",
        "description": "Builds a workflow definition from a prompt (the emulator's Caddie).",
        "serves": False,
        "skills": ["search_catalog", "build_workflow", "validate_workflow"],
    },
    {
        "agentType": "app-builder",
        "title": "App builder",
        "description": "Builds a small web app for a workflow and serves it.",
        "serves": True,
        "skills": ["scaffold", "build", "serve"],
    },
    {
        "agentType": "report-writer",
        "title": "Report writer",
        "description": "Writes a report and serves it as a web page.",
        "serves": True,
        "skills": ["research", "write", "serve"],
    },
)
_SERVES = {agent["agentType"]: agent["serves"] for agent in AGENTS}

#: Pace units between two events of an agent run (a run of six events: ~3 s at pace 0.1).
RUN_EVENT_WEIGHT = 5.0


@attrs.define
class AgentRun:
    """One run: its planned event log and outcome (see the module docstring)."""

    id: str
    org_id: str
    agent_type: str
    conversation_id: str
    prompt: str
    started: float  # loop clock
    started_at: datetime
    step: float  # seconds between two events
    events: list[dict[str, Any]]
    failed: bool
    assistant_text: str

    def visible(self, now_: float) -> int:
        """How many events are visible at loop time ``now_``."""
        if self.step <= 0:
            return len(self.events)
        return min(len(self.events), int((now_ - self.started) / self.step + 1e-9))

    def at(self, seq: int) -> datetime:
        """When event ``seq`` happened."""
        return self.started_at + timedelta(seconds=seq * self.step)

    def done(self, now_: float) -> bool:
        """Whether the whole log is visible (the run ended)."""
        return self.visible(now_) == len(self.events)

    @property
    def served_path(self) -> str | None:
        """Where the run's artifact is served (serving agents that completed)."""
        return f"/artifacts/{self.id}/" if _SERVES[self.agent_type] and not self.failed else None


class AgentRunBook:
    """Every agent run of one emulator, per organization and per conversation."""

    def __init__(self, ids: IdSource, clock: Callable[[], float], pace: Callable[[], float]):
        self._ids = ids
        self._clock = clock
        self._pace = pace
        self._runs: dict[str, AgentRun] = {}
        self._by_conversation: dict[tuple[str, str], list[AgentRun]] = {}

    def start(
        self, who: Principal, agent_type: str, prompt: str, conversation_id: str | None
    ) -> AgentRun:
        """Plan and store a new run (400 for an agent type that is not enabled)."""
        if agent_type not in _SERVES:
            known = ", ".join(sorted(_SERVES))
            raise ApiError(400, BAD_FIELD, f"unknown agentType {agent_type!r} (enabled: {known})")
        run_id = self._ids.new("arun_", stream="agent-run")
        failed = "[fail]" in prompt
        events: list[dict[str, Any]] = [
            {"type": "run_started", "level": "info", "message": f"{agent_type} started"},
            {"type": "thinking", "level": "info", "message": f"Working on: {prompt[:80]}"},
            {"type": "tool_call", "level": "info", "message": "search_catalog"},
            {"type": "tool_result", "level": "info", "message": "search_catalog: 3 results"},
        ]
        text = f"The {agent_type} finished."
        if failed:
            events.append({"type": "run_failed", "level": "error", "message": "the agent failed"})
            text = "The agent failed (the prompt asked for [fail])."
        elif agent_type == "workflow-builder":
            plan = plan_turn(prompt, mode="building")
            meta = {"definition": plan.definition} if plan.definition is not None else {}
            events.append({"type": "result", "level": "info", "message": plan.reply,
                           "metadata": meta})  # fmt: skip
            events.append({"type": "run_completed", "level": "info", "message": "done"})
            text = plan.reply
        else:
            events.append({"type": "artifact", "level": "info", "message": "artifact served",
                           "metadata": {"path": f"/artifacts/{run_id}/"}})  # fmt: skip
            events.append({"type": "run_completed", "level": "info", "message": "done"})
        for seq, event in enumerate(events, start=1):
            event["seq"] = seq
        run = AgentRun(
            id=run_id,
            org_id=who.org_id,
            agent_type=agent_type,
            conversation_id=conversation_id or self._ids.new("conv_", stream="caddie"),
            prompt=prompt,
            started=self._clock(),
            started_at=now(),
            step=RUN_EVENT_WEIGHT * self._pace(),
            events=events,
            failed=failed,
            assistant_text=text,
        )
        self._runs[run_id] = run
        self._by_conversation.setdefault((who.org_id, run.conversation_id), []).append(run)
        return run

    def get(self, org_id: str, run_id: str) -> AgentRun:
        """The organization's run, or a 404 (also for another organization's run)."""
        run = self._runs.get(run_id)
        if run is None or run.org_id != org_id:
            raise not_found(AGENT_RUN_NOT_FOUND, f"agent run {run_id!r}")
        return run

    def view(self, run: AgentRun, since: int, base_url: str) -> dict[str, Any]:
        """``AgentRunData``: the visible events after ``since`` and the run's state now."""
        now_ = self._clock()
        shown = run.visible(now_)
        events = [
            {**event, "createdAt": iso(run.at(event["seq"]))}
            for event in run.events[max(0, since) : shown]
        ]
        state: dict[str, Any] = {
            "runId": run.id,
            "phase": "queued" if shown == 0 else "running",
            "startedAt": iso(run.started_at),
            "turns": sum(1 for event in run.events[:shown] if event["type"] == "tool_call"),
        }
        if shown:
            state["detail"] = run.events[shown - 1]["message"]
        if run.done(now_):
            state["phase"] = "failed" if run.failed else "completed"
            state["finishedAt"] = iso(run.at(len(run.events)))
            state["assistantText"] = run.assistant_text
            state["usage"] = {
                "model": "emulator-caddie",
                "callCount": state["turns"],
                "promptTokens": 900 + len(run.prompt) // 4,
                "completionTokens": 60 + len(run.assistant_text) // 4,
                "costUsd": 0.0,
            }
            if run.served_path is not None:
                state["servedPath"] = run.served_path
                state["servedUrl"] = base_url + run.served_path
        return {"state": state, "events": events}

    def artifacts(
        self, org_id: str, conversation_id: str, limit: int, offset: int, base_url: str
    ) -> tuple[list[dict[str, Any]], bool]:
        """A page of the conversation's served artifacts (finished serving runs), newest first.

        A conversation holds a handful of runs: this walks its list (not the organization's).
        """
        now_ = self._clock()
        runs = self._by_conversation.get((org_id, conversation_id), [])
        served = [
            {
                "runId": run.id,
                "agentType": run.agent_type,
                "url": base_url + path,
                "createdAt": iso(run.at(len(run.events))),
            }
            for run in reversed(runs)
            if run.done(now_) and (path := run.served_path) is not None
        ]
        return served[offset : offset + limit], offset + limit < len(served)
