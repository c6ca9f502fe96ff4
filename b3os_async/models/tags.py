"""Tag models (``b3.tags``).

(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

from datetime import datetime

import attrs

__all__ = ["Tag"]


@attrs.frozen(kw_only=True)
class Tag:
    """A tag of actions, triggers, connectors and templates; ``count`` depends on the scope
    asked for (templates, actions, triggers, connectors)."""

    id: str | None = None
    slug: str | None = None
    name: str | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    count: int | None = None
    weight: int | None = None
    image_url: str | None = None
    promoted_template_count: int | None = None
    public_template_count: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
