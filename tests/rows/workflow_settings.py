"""Request shapes of the settings methods of ``b3.workflows``."""

from __future__ import annotations

from support.table import Req, Row

from b3os_async.models import FundAutoSwapSource

WF = "/v1/workflows/wf_1"
SOURCE = FundAutoSwapSource(id="s1", chain_id=8453, token_address="native", slippage_bps=50)
SOURCE_JSON = {"id": "s1", "chainId": 8453, "tokenAddress": "native", "slippageBps": 50}

ROWS = [
    Row(
        "workflows.transfer_owner",
        lambda b3: b3.workflows.transfer_owner("wf_1", "usr_2"),
        Req("PUT", f"{WF}/owner", json={"ownerUserId": "usr_2"}),
        {"id": "wf_1", "ownerUserId": "usr_2"},
    ),
    Row(
        "workflows.set_fund_auto_swap",
        lambda b3: b3.workflows.set_fund_auto_swap(
            "wf_1", enabled=True, max_swap_amount_usd=25.5, mode="auto", sources=[SOURCE]
        ),
        Req(
            "PUT",
            f"{WF}/fund-auto-swap",
            json={
                "enabled": True,
                "maxSwapAmountUsd": 25.5,
                "mode": "auto",
                "sources": [SOURCE_JSON],
            },
        ),
        {"enabled": True, "sources": [SOURCE_JSON]},
    ),
    Row(
        "workflows.set_fund_auto_swap",
        lambda b3: b3.workflows.set_fund_auto_swap("wf_1", enabled=False, sources=[{"id": "s2"}]),
        Req("PUT", f"{WF}/fund-auto-swap", json={"enabled": False, "sources": [{"id": "s2"}]}),
        {"enabled": False},
        note="sources as dicts",
    ),
    Row(
        "workflows.update_ui_metadata",
        lambda b3: b3.workflows.update_ui_metadata(
            "wf_1", {"nodePositions": {"root": {"x": 1, "y": 2}}}, expected_current_version=3
        ),
        Req(
            "PATCH",
            f"{WF}/ui-metadata",
            json={
                "uiMetadata": {"nodePositions": {"root": {"x": 1, "y": 2}}},
                "expectedCurrentVersion": 3,
            },
        ),
        {"version": 3},
    ),
    Row(
        "workflows.enable_widget",
        lambda b3: b3.workflows.enable_widget(
            "wf_1",
            title="Tip",
            description="tips",
            button_label="Go",
            min_amount=10**30,
            max_amount="2000000000000000000000000000000",
        ),
        Req(
            "POST",
            f"{WF}/widget",
            json={
                "title": "Tip",
                "description": "tips",
                "buttonLabel": "Go",
                "minAmount": str(10**30),
                "maxAmount": "2000000000000000000000000000000",
            },
        ),
        {"enabled": True, "title": "Tip"},
    ),
    Row(
        "workflows.disable_widget",
        lambda b3: b3.workflows.disable_widget("wf_1"),
        Req("DELETE", f"{WF}/widget"),
        {"enabled": False},
    ),
    Row(
        "workflows.regenerate_descriptions",
        lambda b3: b3.workflows.regenerate_descriptions("wf_1"),
        Req("POST", f"{WF}/regenerate-descriptions"),
        {"aiName": "n", "aiDescription": "d"},
    ),
]
