"""Helpers of the organization-scoped routes (``/v1/organizations/{orgId}/…``, ``/v1/orgs/…``).

An API key is bound to one organization: a path naming any other organization is answered 404
(404040), exactly like one that does not exist -- never 403, which would confirm it exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.testing._common import ORG_NOT_FOUND, not_found
from b3os_async.testing._server import context, principal

if TYPE_CHECKING:
    from aiohttp import web

    from b3os_async.testing._domain.organizations import Org, Principal

__all__ = ["own_org"]


def own_org(request: web.Request) -> tuple[Principal, Org]:
    """The caller and the organization of the path's ``orgId`` (404040 unless it is theirs)."""
    who = principal(request)
    org_id = request.match_info["orgId"]
    if org_id != who.org_id:
        raise not_found(ORG_NOT_FOUND, f"organization {org_id!r}")
    return who, context(request).store.orgs[org_id]
