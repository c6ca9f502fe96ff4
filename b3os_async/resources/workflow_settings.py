"""Workflow settings: owner, fund auto-swap, UI metadata, public widget, generated descriptions.

A part of :class:`~b3os_async.resources.workflows.Workflows` (``b3.workflows.enable_widget()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from b3os_async._convert import structure, unstructure
from b3os_async._errors import ConfigurationError
from b3os_async.models.public import PublicWidgetConfig
from b3os_async.models.workflow_settings import (
    FundAutoSwapConfig,
    GeneratedDescriptions,
    OwnershipTransfer,
    UiMetadataUpdate,
)
from b3os_async.resources._args import compact, json_object
from b3os_async.resources._base import Resource

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from b3os_async.models.workflow_settings import FundAutoSwapSource

__all__ = ["WorkflowSettings"]


def _amount(value: int | str | None, name: str) -> str | None:
    """A token amount in base units as the API's string (exact, any size)."""
    if value is None:
        return None
    checked: object = value  # callers may pass anything: check at runtime
    try:
        text = str(checked) if type(checked) is int else checked
    except ValueError:  # more digits than Python converts to text (sys.set_int_max_str_digits)
        raise ConfigurationError(f"{name} has too many digits to send") from None
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        raise ConfigurationError(f"{name} must be a whole number of base units, got {text!r:.60}")
    return text


def _sources(sources: Sequence[FundAutoSwapSource | Mapping[str, Any]] | None) -> Any:
    if sources is None:
        return None
    checked: object = sources  # callers may pass anything: check at runtime
    if isinstance(checked, (str, bytes)) or not hasattr(checked, "__iter__"):
        raise ConfigurationError("sources must be a list of FundAutoSwapSource or dicts")
    return [unstructure(item) if not isinstance(item, dict) else dict(item) for item in sources]


class WorkflowSettings(Resource):
    """Settings of workflows; mixed into ``b3.workflows``."""

    __slots__ = ()

    async def transfer_owner(self, workflow_id: str, owner_user_id: str) -> OwnershipTransfer:
        """Give the workflow to another member of the organization."""
        body = {"ownerUserId": owner_user_id}
        return await self._put(OwnershipTransfer, "/v1/workflows/{}/owner", workflow_id, json=body)

    async def set_fund_auto_swap(
        self,
        workflow_id: str,
        *,
        enabled: bool | None = None,
        max_swap_amount_usd: float | None = None,
        mode: str | None = None,
        sources: Sequence[FundAutoSwapSource | Mapping[str, Any]] | None = None,
    ) -> FundAutoSwapConfig:
        """Configure which tokens the platform may swap to cover the workflow's shortfalls."""
        body = compact(
            enabled=enabled,
            maxSwapAmountUsd=max_swap_amount_usd,
            mode=mode,
            sources=_sources(sources),
        )
        return await self._put(
            FundAutoSwapConfig, "/v1/workflows/{}/fund-auto-swap", workflow_id, json=body
        )

    async def update_ui_metadata(
        self,
        workflow_id: str,
        ui_metadata: Mapping[str, Any],
        *,
        expected_current_version: int | None = None,
    ) -> UiMetadataUpdate:
        """Replace the editor layout (node positions …) in place: no new version is made.

        Args:
            workflow_id: the workflow.
            ui_metadata: the editor's free-form layout data (``nodePositions`` …).
            expected_current_version: optimistic lock (``ConflictError`` if it moved on).
        """
        body = compact(
            uiMetadata=json_object(ui_metadata, "ui_metadata"),
            expectedCurrentVersion=expected_current_version,
        )
        return await self._patch(
            UiMetadataUpdate, "/v1/workflows/{}/ui-metadata", workflow_id, json=body
        )

    async def enable_widget(
        self,
        workflow_id: str,
        *,
        title: str,
        description: str | None = None,
        button_label: str | None = None,
        min_amount: int | str | None = None,
        max_amount: int | str | None = None,
    ) -> PublicWidgetConfig:
        """Enable (or reconfigure) the workflow's public widget.

        The configuration is absolute, so resending it is safe and the call is retried.

        Args:
            workflow_id: the workflow.
            title: the widget's title (1-100 characters).
            description: what the workflow does (up to 500 characters).
            button_label: the button's text (default "Send").
            min_amount: the least amount per trigger, in the token's base units.
            max_amount: the largest amount per trigger, in the token's base units.
        """
        body = compact(
            title=title,
            description=description,
            buttonLabel=button_label,
            minAmount=_amount(min_amount, "min_amount"),
            maxAmount=_amount(max_amount, "max_amount"),
        )
        return await self._post(
            PublicWidgetConfig, "/v1/workflows/{}/widget", workflow_id, json=body, idempotent=True
        )

    async def disable_widget(self, workflow_id: str) -> PublicWidgetConfig | None:
        """Disable the public widget; the widget as it now stands if the server sends it."""
        data = await self._data("DELETE", "/v1/workflows/{}/widget", workflow_id)
        return structure(data, PublicWidgetConfig) if isinstance(data, dict) and data else None

    async def regenerate_descriptions(self, workflow_id: str) -> GeneratedDescriptions:
        """Generate a new name and description for the workflow (not retried)."""
        return await self._post(
            GeneratedDescriptions, "/v1/workflows/{}/regenerate-descriptions", workflow_id
        )
