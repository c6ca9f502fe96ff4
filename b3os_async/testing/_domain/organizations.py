"""Organizations, API keys and the caller (:class:`Principal`) every request acts as."""

from __future__ import annotations

import attrs


@attrs.define
class Org:
    """An organization; ``user_id`` is the one user every API key of the org acts as."""

    id: str
    name: str
    slug: str
    user_id: str
    created_at: str


@attrs.define
class ApiKey:
    """An API key (``b3sk_…``) bound to one organization, scope ``read`` or ``read-write``."""

    secret: str
    id: str
    org_id: str
    scope: str


@attrs.frozen
class Principal:
    """Who is calling: the API key's organization, scope, key id and acting user id."""

    org_id: str
    scope: str
    key_id: str
    user_id: str
