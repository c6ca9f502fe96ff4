"""Agent-run models: first-party agents, runs with their event log, served artifacts.

The API's answers for these routes are typed in the OpenAPI's components (``AgentRunData``,
``AgentTypeInfo``, ``AgentArtifactItem``, ``StartAgentRunResponse``) although the operations
themselves declare a generic body. Event ``metadata`` is free-form JSON.
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime
from typing import Any

import attrs

from b3os_async.models._area_enums import AgentRunPhase

__all__ = [
    "AgentArtifact",
    "AgentRun",
    "AgentRunEvent",
    "AgentRunStarted",
    "AgentRunState",
    "AgentRunUsage",
    "AgentType",
    "AgentTypeList",
]


@attrs.frozen(kw_only=True)
class AgentRunStarted:
    """The answer to ``b3.agent_runs.start()``: the new run's id and its conversation."""

    run_id: str
    agent_type: str | None = None
    conversation_id: str | None = None


@attrs.frozen(kw_only=True)
class AgentType:
    """An agent the runtime can run; ``serves``: it produces a browser-openable artifact."""

    agent_type: str
    title: str | None = None
    description: str | None = None
    serves: bool | None = None
    skills: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class AgentTypeList:
    """``GET /v1/agent-runs/agents``: the enabled agents."""

    agents: tuple[AgentType, ...] = ()


@attrs.frozen(kw_only=True)
class AgentArtifact:
    """A web-app artifact served by a finished run of a conversation."""

    run_id: str | None = None
    agent_type: str | None = None
    url: str | None = None
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class AgentRunEvent:
    """One row of a run's append-only event log; ``seq`` orders them (1, 2, 3 ...)."""

    seq: int
    type: str | None = None
    level: str | None = None
    message: str | None = None
    metadata: dict[str, Any] | None = None
    created_at: datetime | None = None


@attrs.frozen(kw_only=True)
class AgentRunUsage:
    """What a run consumed."""

    model: str | None = None
    call_count: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None


@attrs.frozen(kw_only=True)
class AgentRunState:
    """A run's state: its ``phase``, last ``detail``, final text and served artifact."""

    run_id: str | None = None
    phase: AgentRunPhase | None = None
    detail: str | None = None
    assistant_text: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    turns: int | None = None
    served_path: str | None = None
    served_url: str | None = None
    usage: AgentRunUsage | None = None

    @property
    def is_terminal(self) -> bool:
        """``True`` once the run ended: a terminal ``phase``, or a ``finished_at``."""
        return self.finished_at is not None or (self.phase is not None and self.phase.is_terminal)


@attrs.frozen(kw_only=True)
class AgentRun:
    """``GET /v1/agent-runs/{id}``: the run's state and the log rows after ``since``."""

    state: AgentRunState | None = None
    events: tuple[AgentRunEvent, ...] = ()
