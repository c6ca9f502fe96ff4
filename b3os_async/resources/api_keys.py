"""``b3.api_keys``: the organization's API keys and the audit log of requests made with them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from b3os_async.models.api_keys import ApiKey, ApiRequestAudit, CreatedApiKey
from b3os_async.resources._args import compact, rfc3339
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from datetime import datetime

    from b3os_async.models.api_keys import ApiKeyScope
    from b3os_async.pagination import AsyncPager

__all__ = ["ApiKeys"]


class ApiKeys(Resource):
    """API keys (``/v1/api-keys``). Get it as ``b3.api_keys``."""

    __slots__ = ()

    def list(
        self, *, page_size: int | None = None, max_items: int | None = None
    ) -> AsyncPager[ApiKey]:
        """List the organization's keys, newest first (revoked ones too, with ``revoked_at``).

        The keys themselves are never listed, only ``key_prefix``.
        """
        return self._list(ApiKey, "/v1/api-keys", page_size=page_size, max_items=max_items)

    async def create(
        self,
        name: str,
        *,
        scope: ApiKeyScope | str = "read",
        description: str | None = None,
        expires_at: datetime | None = None,
        service_account_id: str | None = None,
    ) -> CreatedApiKey:
        """Create a key; its secret is in ``.key`` of the result, this once only.

        Not retried automatically (a resend would make a second key).

        Args:
            name: what the key is for.
            scope: ``read`` (GET requests only; the default) or ``read-write``.
            description: free text.
            expires_at: when the key stops working (timezone-aware); never, if omitted.
            service_account_id: make it a key of this service account (it then has exactly
                the account's permissions).
        """
        body = compact(
            name=name,
            scope=str(scope),
            description=description,
            expiresAt=rfc3339(expires_at, "expires_at"),
            serviceAccountId=service_account_id,
        )
        return await self._post(CreatedApiKey, "/v1/api-keys", json=body)

    async def get(self, key_id: str) -> ApiKey:
        """Get one key's details (not the key itself)."""
        return await self._get(ApiKey, "/v1/api-keys/{}", key_id)

    async def revoke(self, key_id: str) -> None:
        """IRREVERSIBLE: revoke the key; every request and stream using it fails from then on.

        Never retried automatically.
        """
        await self._data("DELETE", "/v1/api-keys/{}", key_id, idempotent=False)

    def requests(
        self,
        *,
        api_key_id: str | None = None,
        service_account_id: str | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncPager[ApiRequestAudit]:
        """The audit log: requests made with the organization's keys, newest first.

        Each entry has the method, path, status, time and key id (never the key).

        Args:
            api_key_id: only the requests of this key.
            service_account_id: only the requests of this service account's keys.
            page_size: entries per request (``limit``).
            max_items: stop after this many entries.
        """
        params = {"apiKeyId": api_key_id, "serviceAccountId": service_account_id}
        return self._list(
            ApiRequestAudit,
            "/v1/api-keys/requests",
            params=params,
            page_size=page_size,
            max_items=max_items,
        )
