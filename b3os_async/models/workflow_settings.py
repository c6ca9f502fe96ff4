"""Models of the workflow settings: owner, fund auto-swap, UI metadata, public widget, AI texts.

The public widget's model is :class:`~b3os_async.models.PublicWidgetConfig` (``models/public.py``).
(No ``from __future__ import annotations``: see :mod:`b3os_async.models.workflows`.)
"""

import attrs

__all__ = [
    "FundAutoSwapConfig",
    "FundAutoSwapSource",
    "GeneratedDescriptions",
    "OwnershipTransfer",
    "UiMetadataUpdate",
]


@attrs.frozen(kw_only=True)
class OwnershipTransfer:
    """Result of ``transfer_owner``: the workflow and its new owner."""

    id: str | None = None
    owner_user_id: str | None = None


@attrs.frozen(kw_only=True)
class FundAutoSwapSource:
    """A token the platform may sell to cover a workflow's shortfall (lower priority first)."""

    id: str | None = None
    chain_id: int | None = None
    token_address: str | None = None
    token_decimals: int | None = None
    wallet_id: str | None = None
    priority: int | None = None
    slippage_bps: int | None = None


@attrs.frozen(kw_only=True)
class FundAutoSwapConfig:
    """A workflow's fund auto-swap configuration."""

    enabled: bool | None = None
    max_swap_amount_usd: float | None = None
    mode: str | None = None
    sources: tuple[FundAutoSwapSource, ...] = ()


@attrs.frozen(kw_only=True)
class UiMetadataUpdate:
    """Result of ``update_ui_metadata``: the version that was updated in place."""

    version: int | None = None


@attrs.frozen(kw_only=True)
class GeneratedDescriptions:
    """A name and description generated for a workflow."""

    ai_name: str | None = None
    ai_description: str | None = None
