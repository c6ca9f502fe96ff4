"""Caddie memory models: one memory, and the memory toggles.

(No ``from __future__ import annotations``: attrs and cattrs need the real types.)
"""

from datetime import datetime

import attrs

__all__ = ["CaddieMemory", "CaddieMemorySettings"]


@attrs.frozen(kw_only=True)
class CaddieMemory:
    """One thing Caddie remembers about you (``scope``: ``profile`` or ``notes``;
    ``source``: ``user``, ``agent`` or ``reflection``)."""

    scope: str
    key: str
    text: str | None = None
    source: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@attrs.frozen(kw_only=True)
class CaddieMemorySettings:
    """Whether Caddie's memory is on for you (``enabled``) and for the organization
    (``org_enabled``, set by admins; off by default)."""

    enabled: bool | None = None
    org_enabled: bool | None = None
