"""``b3.service_accounts``: non-human principals with explicit permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async._convert import structure
from b3os_async.models.service_accounts import ServiceAccount
from b3os_async.resources._args import compact, str_list
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Sequence

    from b3os_async.models.service_accounts import Permission
    from b3os_async.pagination import AsyncPager

__all__ = ["ServiceAccounts"]


def _permissions(permissions: Sequence[Permission | str]) -> list[str]:
    """Permission names as the API takes them (a single string is refused, not split)."""
    return [str(p) for p in str_list(permissions, "permissions") or ()]


class ServiceAccounts(Resource):
    """Service accounts (``/v1/service-accounts``). Get it as ``b3.service_accounts``.

    A key made for a service account (``b3.api_keys.create(..., service_account_id=...)``) has
    exactly the account's permissions; disabling the account stops its keys at once.
    """

    __slots__ = ()

    def list(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[ServiceAccount]:
        """List the organization's service accounts, newest first."""
        return self._list(
            ServiceAccount, "/v1/service-accounts", page_size=page_size, max_items=max_items
        )

    async def create(
        self,
        name: str,
        *,
        permissions: Sequence[Permission | str],
        description: str | None = None,
    ) -> ServiceAccount:
        """Create a service account (``ConflictError`` if the name is taken).

        Args:
            name: unique within the organization.
            permissions: e.g. ``["workflow:read", "run:read"]`` (:class:`Permission`).
            description: free text.
        """
        body = compact(name=name, permissions=_permissions(permissions), description=description)
        return await self._post(ServiceAccount, "/v1/service-accounts", json=body)

    async def get(self, account_id: str) -> ServiceAccount:
        """Get a service account."""
        return await self._get(ServiceAccount, "/v1/service-accounts/{}", account_id)

    async def update(
        self,
        account_id: str,
        *,
        name: str,
        permissions: Sequence[Permission | str],
        description: str | None = None,
    ) -> ServiceAccount:
        """Replace a service account's name and permissions (the API requires both).

        Safe to retry: the same update twice leaves the same account.
        """
        body = compact(name=name, permissions=_permissions(permissions), description=description)
        return await self._patch(
            ServiceAccount, "/v1/service-accounts/{}", account_id, json=body, idempotent=True
        )

    async def enable(self, account_id: str) -> ServiceAccount | None:
        """Enable a service account: its (unrevoked) keys work again.

        Returns the account if the API sends it back. Safe to retry (enabling twice is once).
        """
        return await self._maybe_post(account_id, "enable")

    async def disable(self, account_id: str) -> ServiceAccount | None:
        """Disable a service account: its keys stop working at once (open streams end).

        Returns the account if the API sends it back. Safe to retry (disabling twice is once).
        """
        return await self._maybe_post(account_id, "disable")

    async def delete(self, account_id: str) -> None:
        """IRREVERSIBLE: delete the service account for good, revoking all its keys first.

        Never retried automatically.
        """
        await self._data("DELETE", "/v1/service-accounts/{}", account_id, idempotent=False)

    async def _maybe_post(self, account_id: str, action: str) -> ServiceAccount | None:
        data = await self._data(
            "POST", f"/v1/service-accounts/{{}}/{action}", account_id, idempotent=True
        )
        if isinstance(data, dict) and "id" in data:
            return structure(data, ServiceAccount)
        return None
