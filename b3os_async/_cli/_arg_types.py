"""Argument types of the ``b3os`` commands that take times, query pairs and JSON bodies.

Standard library only, like ``_parser.py`` (``b3os --help`` imports nothing heavy).
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

__all__ = ["parse_data", "parse_param", "parse_since"]

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"([1-9][0-9]*)([mhdw])", re.ASCII)


def parse_since(value: str) -> datetime:
    """``--since``: ``7d`` (a duration back from now) or an RFC 3339 moment with a zone."""
    match = _DURATION.fullmatch(value.strip())
    if match:
        step = timedelta(**{_UNITS[match[2]]: int(match[1])})
        return datetime.now(timezone.utc) - step
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"--since wants a duration like 7d, 12h, 90m, 2w or an RFC 3339 time, got {value!r}"
        )
    return moment


def parse_param(text: str) -> tuple[str, str]:
    """``--param key=value``."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"--param wants key=value, got {text!r}")
    return key, value


def parse_data(text: str) -> Any:
    """``--data``: any JSON value, or ``@FILE`` holding one."""
    source = "--data"
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise argparse.ArgumentTypeError(
                f"cannot read data file {str(path)!r}: {exc.strerror}"
            ) from None
        source = f"data file {str(path)!r}"
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{source} is not valid JSON: {exc}") from None
