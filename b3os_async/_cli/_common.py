"""Helpers shared by the CLI commands: the client from the options, times, run outcomes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from b3os_async._cli._output import Styled, format_duration, status_style
from b3os_async._errors import ConfigurationError

if TYPE_CHECKING:
    import argparse
    from datetime import datetime

    from b3os_async._cli._output import Output
    from b3os_async._client import B3OS

__all__ = ["finish_run", "fmt_time", "make_client", "span"]

# Run statuses a watch treats as "it worked" (exit 0).
_OK_STATUSES = frozenset({"success", "partial"})


def make_client(
    args: argparse.Namespace, *, base_url: str | None = None, api_key: str | None = None
) -> B3OS:
    """A client from ``--base-url`` / ``--api-key`` / ``--org-id`` (the client reads the env)."""
    from b3os_async._client import B3OS

    key = api_key if api_key is not None else args.api_key
    # Same resolution as the client (an option, else the variable; empty = missing), but
    # worded for the command line rather than for Python code.
    if not (key if key is not None else os.environ.get("B3OS_API_KEY")):
        raise ConfigurationError(
            "no API key: pass --api-key or set B3OS_API_KEY "
            "(create a key in the B3OS app under organization settings)"
        )
    return B3OS(
        key,
        base_url=base_url if base_url is not None else args.base_url,
        org_id=args.org_id,
    )


def fmt_time(value: datetime | None) -> str:
    """A timestamp in local time, ``2025-01-31 14:05:09``, or ``-``."""
    if value is None:
        return "-"
    if value.tzinfo is not None:
        value = value.astimezone()
    return value.strftime("%Y-%m-%d %H:%M:%S")


def span(started: datetime | None, finished: datetime | None) -> str:
    """The formatted time between two timestamps, or ``-`` when one is missing."""
    if started is None or finished is None:
        return "-"
    return format_duration((finished - started).total_seconds())


def text(value: Any) -> str:
    """The display string of an optional value or open enum (``-`` for None)."""
    if value is None:
        return "-"
    return str(getattr(value, "value", value))


def finish_run(out: Output, run_id: str | None, status: str | None) -> int:
    """Report how a watched run ended and return the exit code (0 for success or partial)."""
    label = run_id or "the run"
    if status is None:
        out.error(f"the event stream of {label} ended before the run finished")
        return 1
    if not out.json_mode:
        out.line(
            "run ", label, " finished: ", Styled(status, f"bold {status_style(status)}".strip())
        )
    if status in _OK_STATUSES:
        return 0
    out.error(f"run {label} ended with status {status}")
    return 1
