"""``b3os caddie "build me a workflow that ..."``: one Caddie chat turn, shown live.

Each event is one line as it arrives: the mode, Caddie's thinking, each tool call and what it
found, each node as it is added; the explanation (``chunk`` events) is printed sentence by
sentence. The turn's outcome follows: the workflow's size and name, the fields still to fill in,
validation problems, or Caddie's message. ``--create`` saves the workflow as a draft
(``POST /v1/workflows``). ``--json`` prints one JSON line per event, then the outcome.

``--emulator`` starts the embedded emulator (offline, no account) at its realistic pace;
otherwise the connection options / ``B3OS_*`` variables apply, as for every API command. A
dropped connection is resumed by the SDK (noted on stderr); an ``error`` event ends the command
with ``error: ...`` and exit code 1.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import make_client
from b3os_async._cli._output import Styled
from b3os_async.models._area_enums import ChatEventType, ChatResultType

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output
    from b3os_async._client import B3OS
    from b3os_async.models.caddie import ChatEvent, ChatResult
    from b3os_async.streams import ReconnectInfo

__all__ = ["caddie"]

# The end of a sentence in streamed text: print up to here (chunks may be word fragments).
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?=\s)|\n")


async def caddie(args: argparse.Namespace, out: Output) -> int:
    """Run one Caddie turn live; ``--create`` saves the workflow it builds."""
    if not args.emulator:
        return await _turn(args, out, base_url=None, api_key=None)
    from b3os_async.testing import Emulator

    async with Emulator(host="127.0.0.1", port=0) as emu:
        out.note(f"started a local B3OS emulator at {emu.url}")
        return await _turn(args, out, base_url=emu.url, api_key=emu.api_key)


async def _turn(
    args: argparse.Namespace, out: Output, *, base_url: str | None, api_key: str | None
) -> int:
    view = _TurnView(out)
    async with make_client(args, base_url=base_url, api_key=api_key) as b3:
        watched = b3.with_options(on_reconnect=view.on_reconnect)
        async with watched.caddie.chat(
            args.message,
            conversation_id=args.conversation,
            workflow_id=args.workflow,
            mode=args.mode,
        ) as chat:
            async for event in chat:
                view.event(event)
            result = await chat.result()
        view.finish(result)
        if not args.create:
            return 0
        return await _create(b3, args, out, result)


async def _create(b3: B3OS, args: argparse.Namespace, out: Output, result: ChatResult) -> int:
    """Save the turn's workflow as a draft; 1 when the turn produced none."""
    if result.type is not ChatResultType.WORKFLOW or result.definition is None:
        out.error("Caddie answered with a message, not a workflow: nothing to create")
        return 1
    name = args.name or result.name or args.message.strip()[:100]
    workflow = await b3.workflows.create(
        name=name,
        description=result.description or args.message.strip()[:500],
        definition=result.definition,
    )
    if out.json_mode:
        out.json_line({"created": workflow})
    else:
        out.line("created draft workflow ", Styled(workflow.id, "bold"), f"  {workflow.name or ''}")
    return 0


class _TurnView:
    """Prints a turn's events as lines (see the module docstring)."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self._text = ""  # explanation received but not printed yet (no sentence end so far)
        self._said = False  # some explanation was printed

    def on_reconnect(self, info: ReconnectInfo) -> None:
        """Note a reconnect on stderr (the SDK resumes the turn after the last event)."""
        after = info.last_event_id
        where = f"after event {after}" if after is not None else "from the start"
        self.out.note(f"connection lost ({info.reason}); resuming the turn {where}")

    def event(self, event: ChatEvent) -> None:
        """Show one event."""
        if self.out.json_mode:
            self.out.json_line(event.data)
            return
        kind = event.type
        if kind is ChatEventType.CHUNK:
            self._text += event.text or ""
            self._flush(partial=True)
            return
        self._flush(partial=False)
        data = event.data if isinstance(event.data, dict) else {}
        if kind is ChatEventType.MODE_SWITCH:
            self.out.line(Styled("mode", "bold"), "      ", Styled(event.mode or "-", "cyan"))
        elif kind is ChatEventType.THINKING:
            self.out.line(Styled("thinking", "bold"), "  ", Styled(event.text or "", "dim"))
        elif kind is ChatEventType.TOOL_START:
            given = data.get("input")
            query = given.get("query") if isinstance(given, dict) else None
            shown = f'  "{query}"' if isinstance(query, str) else ""
            self.out.line(Styled("tool", "bold"), "      ", event.tool_name or "?", shown)
        elif kind is ChatEventType.TOOL_RESULT:
            self.out.line("          ", Styled("→ " + _summary(data.get("result")), "dim"))
        elif kind is ChatEventType.NODE:
            node = data.get("node")
            node_type = node.get("type") if isinstance(node, dict) else None
            self.out.line(
                Styled("+ node", "green"), "    ", Styled(event.node_id or "?", "bold"),
                f"  ({node_type or '?'})",
            )  # fmt: skip
        elif kind not in (ChatEventType.DONE, ChatEventType.ERROR):
            self.out.line(Styled(str(kind), "bold"), "  ", Styled(_summary(data), "dim"))

    def finish(self, result: ChatResult) -> None:
        """Show the outcome of the turn."""
        if self.out.json_mode:
            self.out.json_line({"result": result})
            return
        self._flush(partial=False)
        if result.type is ChatResultType.WORKFLOW and result.definition is not None:
            count = len(result.definition.nodes)
            named = f"  {result.name}" if result.name else ""
            self.out.line(Styled("workflow", "bold green"), f"  {count} nodes{named}")
            if result.incomplete_fields:
                fields = ", ".join(result.incomplete_fields)
                self.out.line(Styled("fill in", "bold yellow"), f"   {fields}")
            for problem in result.validation_errors:
                where = f"[{problem.node_id}] " if problem.node_id else ""
                self.out.line(Styled("problem", "bold red"), f"   {where}{problem.message}")
        elif result.message and not self._said:
            self.out.line(Styled("caddie", "bold"), "    ", result.message)
        if result.usage is not None:
            used = (result.usage.input_tokens or 0) + (result.usage.output_tokens or 0)
            self.out.note(f"{used} tokens")

    def _flush(self, *, partial: bool) -> None:
        """Print the buffered explanation: complete sentences only while more may come."""
        text = self._text
        cut = len(text)
        if partial:
            ends = [match.end() for match in _SENTENCE_END.finditer(text)]
            cut = ends[-1] if ends else 0
        line, self._text = text[:cut], text[cut:]
        for piece in line.split("\n"):
            if piece.strip():
                self.out.line(Styled("caddie", "bold"), "    ", piece.strip())
                self._said = True


def _summary(value: Any) -> str:
    """A short text of a tool result: its matches, its validity, or compact JSON."""
    if isinstance(value, dict):
        matches = value.get("matches")
        if isinstance(matches, list):
            return ", ".join(str(m) for m in matches) or "nothing found"
        if "valid" in value:
            errors = value.get("errors") or []
            return "valid" if value["valid"] else f"{len(errors)} problem(s)"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"
