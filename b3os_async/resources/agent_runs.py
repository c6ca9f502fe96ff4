"""``b3.agent_runs``: first-party agents (containerised runs), their event logs and artifacts.

``follow()`` reads a run's polled event log like a stream (:mod:`b3os_async._streams.agent_runs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._errors import ConfigurationError
from b3os_async._streams.agent_runs import AgentRunFollower
from b3os_async.models.agent_runs import (
    AgentArtifact,
    AgentRun,
    AgentRunStarted,
    AgentType,
    AgentTypeList,
)
from b3os_async.resources._args import compact, json_object
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping

    from b3os_async.pagination import AsyncPager

__all__ = ["AgentRuns"]


def _seq(since: object, name: str = "since") -> int:
    """A log position: an int >= 0 (a row's ``seq``); anything else is refused before I/O."""
    if type(since) is not int or since < 0:
        raise ConfigurationError(f"{name} must be an integer >= 0 (a row's seq), got {since!r:.60}")
    return since


class AgentRuns(Resource):
    """Agent-run endpoints (``/v1/agent-runs``). Get it as ``b3.agent_runs``."""

    __slots__ = ()

    async def start(
        self,
        agent_type: str,
        prompt: str,
        *,
        conversation_id: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> AgentRunStarted:
        """Start an agent run (not retried: a resend would start a second run).

        Args:
            agent_type: one of :meth:`agents` (``agent_type``); there is no default.
            prompt: what the agent should do.
            conversation_id: thread the run into this conversation (a new one otherwise).
            payload: agent-specific input, passed as is.
        """
        body = compact(
            agentType=agent_type,
            prompt=prompt,
            conversationId=conversation_id,
            payload=json_object(payload, "payload"),
        )
        return await self._post(AgentRunStarted, "/v1/agent-runs", json=body)

    async def get(self, run_id: str, *, since: int | None = None) -> AgentRun:
        """Get a run's state and its event-log rows after ``since`` (a ``seq``; default all)."""
        params = {"since": None if since is None else _seq(since)}
        return await self._get(AgentRun, "/v1/agent-runs/{}", run_id, params=params)

    async def agents(self) -> tuple[AgentType, ...]:
        """The agents the runtime can run (their ``agent_type`` is what :meth:`start` takes)."""
        listed = await self._get(AgentTypeList, "/v1/agent-runs/agents")
        return listed.agents

    def artifacts(
        self, conversation_id: str, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[AgentArtifact]:
        """List the web-app artifacts served by a conversation's finished runs, lazily."""
        return self._list(
            AgentArtifact,
            "/v1/agent-runs/artifacts",
            params={"conversationId": conversation_id},
            page_size=page_size,
            max_items=max_items,
        )

    def follow(self, run_id: str, *, since: int = 0) -> AgentRunFollower:
        """Follow a run's event log until it ends: an async iterator of its rows, polled.

        ``async with b3.agent_runs.follow(run_id) as run: async for event in run: ...``; each
        row comes once, in ``seq`` order; polling slows down while nothing happens and honours
        ``Retry-After``; it ends at a terminal state (``run.state``). ``since``: start after this
        ``seq`` (``run.last_seq`` of an earlier follow).
        """
        return AgentRunFollower(self._req, run_id, since=_seq(since))
