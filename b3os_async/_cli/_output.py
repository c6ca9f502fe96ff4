"""Everything the CLI prints goes through :class:`Output`.

Theory of operation
-------------------
* **Three modes**, fixed when the command starts:

  - *rich*: stdout is a terminal and rich (extra ``cli``) imports. Tables, colours and the live
    progress display are drawn by rich.
  - *ANSI*: stdout is a terminal but rich is missing. Aligned plain tables, statuses coloured with
    a few hand-written escape codes (none when ``NO_COLOR`` is set or ``TERM=dumb``).
  - *plain*: stdout is not a terminal (a pipe, a file, a test). Aligned tables and one line per
    event, never an escape code.

  ``--json`` is orthogonal: data goes to stdout as JSON (one document, or JSON lines for watches)
  whatever the terminal is.
* **stdout carries data, stderr carries talk.** Errors (``error: …``, one line) and notes (a
  reconnect, "emulator started") go to stderr so ``--json`` output stays parseable.
* **Text is never parsed as markup.** Values from the API are printed as given: rich ``Text``
  segments carry styles, so a node id like ``[red]`` is shown as it is.
* Every write is flushed: watch commands and ``b3os emulator`` are read line by line through pipes.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from b3os_async._convert import format_datetime
from b3os_async._convert.gen import json_key
from b3os_async._errors import redact_text

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "Output",
    "Segment",
    "Styled",
    "format_duration",
    "status_style",
    "to_jsonable",
]


@attrs.frozen
class Styled:
    """A piece of text with a style name in rich syntax (``"green"``, ``"bold red"``, ``"dim"``)."""

    text: str
    style: str = ""


Segment = str | Styled

# Status -> style. Run statuses, node statuses and event words share one palette.
_STATUS_STYLES: dict[str, str] = {
    "success": "green",
    "completed": "green",
    "partial": "yellow",
    "running": "cyan",
    "started": "cyan",
    "resumed": "cyan",
    "pending": "dim",
    "scheduled": "blue",
    "waiting": "magenta",
    "skipped": "dim",
    "failure": "red",
    "failed": "red",
    "cancelled": "red",
    "error": "red",
    "active": "green",
    "draft": "yellow",
    "paused": "magenta",
    "archived": "dim",
}

_ANSI_CODES: dict[str, str] = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
}


def status_style(status: str | None) -> str:
    """Return the style for a status word (``""`` for unknown ones)."""
    if not status:
        return ""
    return _STATUS_STYLES.get(status.lower(), "")


def format_duration(seconds: float | None) -> str:
    """Format a duration for humans: ``-``, ``<1 ms``, ``312 ms``, ``1.25 s``, ``2m 03s``."""
    if seconds is None or seconds < 0:
        return "-"
    if seconds < 0.001:
        return "<1 ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m {secs:02d}s"


def to_jsonable(value: Any) -> Any:
    """Turn models (attrs), enums, datetimes and containers into plain JSON values.

    Models use the API's own camelCase keys and RFC 3339 timestamps: ``--json`` output reads like
    the API's documentation and its raw responses (``b3os api GET ...``), which is what a script
    piping it into ``jq`` is written against. Fields hidden from ``repr`` (``repr=False``:
    secrets such as a workflow's trigger secret) are left out.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        return format_datetime(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if attrs.has(type(value)):
        return {
            json_key(f): to_jsonable(getattr(value, f.name))
            for f in attrs.fields(type(value))
            if f.repr is not False and not f.name.startswith("_")
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.repr and not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    return str(value)


def _load_rich() -> bool:
    """Return True when rich can be imported (it is optional: extra ``cli``)."""
    try:
        import rich.console  # noqa: F401
    except ImportError:
        return False
    return True


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or odd stream objects
        return False


class Output:
    """The CLI's printer: rich, ANSI or plain (see the module docstring), plus JSON and errors."""

    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        *,
        json_mode: bool = False,
        tty: bool | None = None,
        use_rich: bool | None = None,
    ) -> None:
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.json_mode = json_mode
        self.tty = _isatty(self.stdout) if tty is None else tty
        self._err_tty = _isatty(self.stderr) if tty is None else tty
        want_rich = self.tty if use_rich is None else (use_rich and self.tty)
        self.console: Console | None = None
        self._err_console: Console | None = None
        if want_rich and _load_rich():
            from rich.console import Console

            self.console = Console(
                file=self.stdout, highlight=False, force_terminal=True if tty else None
            )
            self._err_console = Console(
                file=self.stderr, highlight=False, force_terminal=True if tty else None
            )
        no_color = bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"
        self._ansi = self.tty and self.console is None and not no_color
        self._err_ansi = self._err_tty and self._err_console is None and not no_color

    # -- mode --------------------------------------------------------------------------------

    @property
    def rich(self) -> bool:
        """True when rich draws the output (stdout is a terminal and rich is installed)."""
        return self.console is not None

    @property
    def live(self) -> bool:
        """True when a live (redrawn) display is appropriate: rich on a terminal, not ``--json``."""
        return self.console is not None and not self.json_mode

    # -- text --------------------------------------------------------------------------------

    def render_plain(self, segments: Iterable[Segment], *, ansi: bool) -> str:
        """Join segments into one string, with ANSI colours when ``ansi`` is true."""
        parts: list[str] = []
        for seg in segments:
            if isinstance(seg, Styled):
                parts.append(_ansi(seg.text, seg.style) if ansi else seg.text)
            else:
                parts.append(seg)
        return "".join(parts)

    def line(self, *segments: Segment) -> None:
        """Print one line of (styled) text to stdout."""
        if self.console is not None:
            from rich.text import Text

            self.console.print(Text.assemble(*_rich_parts(segments)), soft_wrap=True)
        else:
            self._write(self.stdout, self.render_plain(segments, ansi=self._ansi))

    def note(self, *segments: Segment) -> None:
        """Print a dim remark to stderr (progress talk that is not data)."""
        dimmed = [Styled(s, "dim") if isinstance(s, str) else s for s in segments]
        if self._err_console is not None:
            from rich.text import Text

            self._err_console.print(Text.assemble(*_rich_parts(dimmed)), soft_wrap=True)
        else:
            self._write(self.stderr, self.render_plain(dimmed, ansi=self._err_ansi))

    def error(self, message: str) -> None:
        """Print ``error: <message>`` as ONE line to stderr; credentials are redacted."""
        text = " ".join(redact_text(message).split()) or "unknown error"
        if self._err_console is not None:
            from rich.text import Text

            self._err_console.print(
                Text.assemble(("error:", "bold red"), " ", text), soft_wrap=True
            )
        elif self._err_ansi:
            self._write(self.stderr, _ansi("error:", "bold red") + " " + text)
        else:
            self._write(self.stderr, f"error: {text}")

    # -- data --------------------------------------------------------------------------------

    def json(self, value: Any) -> None:
        """Print ``value`` as one indented JSON document."""
        self._write(self.stdout, json.dumps(to_jsonable(value), indent=2, ensure_ascii=False))

    def json_line(self, value: Any) -> None:
        """Print ``value`` as one compact JSON line (for streams of events)."""
        text = json.dumps(to_jsonable(value), separators=(",", ":"), ensure_ascii=False)
        self._write(self.stdout, text)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Segment]],
        *,
        title: str | None = None,
        empty: str = "(none)",
    ) -> None:
        """Print an aligned table (rich on a terminal, padded columns otherwise).

        With no rows, only ``empty`` is printed (a header over nothing reads like a glitch).
        """
        if not rows:
            self.line(Styled(empty, "dim"))
            return
        if self.console is not None:
            from rich import box
            from rich.table import Table
            from rich.text import Text

            table = Table(
                title=title, box=box.SIMPLE_HEAD, title_justify="left", title_style="bold"
            )
            for header in headers:
                table.add_column(header, overflow="fold")
            for row in rows:
                table.add_row(*(Text.assemble(*_rich_parts([cell])) for cell in row))
            self.console.print(table)
            return
        for text in self.table_lines(headers, rows, title=title, ansi=self._ansi):
            self._write(self.stdout, text)

    def table_lines(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Segment]],
        *,
        title: str | None = None,
        ansi: bool = False,
    ) -> list[str]:
        """Lay out a plain table: upper-case headers, columns padded to their widest cell."""
        texts = [[c.text if isinstance(c, Styled) else c for c in row] for row in rows]
        widths = [len(h) for h in headers]
        for raw_row in texts:
            for i, raw_cell in enumerate(raw_row):
                widths[i] = max(widths[i], len(raw_cell))
        lines: list[str] = []
        if title:
            lines.append(title)
        header = "  ".join(h.upper().ljust(widths[i]) for i, h in enumerate(headers))
        lines.append(_ansi(header.rstrip(), "bold") if ansi else header.rstrip())
        for row, raw in zip(rows, texts, strict=True):
            cells: list[str] = []
            for i, cell in enumerate(row):
                pad = " " * (widths[i] - len(raw[i]))
                style = cell.style if isinstance(cell, Styled) else ""
                cells.append((_ansi(raw[i], style) if ansi and style else raw[i]) + pad)
            lines.append("  ".join(cells).rstrip())
        return lines

    def _write(self, stream: TextIO, text: str) -> None:
        stream.write(text + "\n")
        stream.flush()


def _rich_parts(segments: Iterable[Segment]) -> list[tuple[str, str]]:
    return [(s.text, s.style) if isinstance(s, Styled) else (s, "") for s in segments]


def _ansi(text: str, style: str) -> str:
    codes = [_ANSI_CODES[word] for word in style.split() if word in _ANSI_CODES]
    if not codes or not text:
        return text
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"
