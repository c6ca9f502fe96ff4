"""Conformance scenario of workflows and runs, the rest (issue 17): variables, releases,
schedules on the emulator's clock, settings, insights, metrics, sync runs.

Called by ``test_conformance.py`` (its ``Checker`` validates every answer against the OpenAPI);
kept here so the area's calls do not crowd the shared scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emu_helpers import linear

if TYPE_CHECKING:
    from b3os_async.testing import Emulator

OPERATIONS = {
    ("POST", "/v1/workflows/analyze-funds"),
    ("POST", "/v1/workflows/batch-meta"),
    ("POST", "/v1/workflows/batch-stats"),
    ("GET", "/v1/workflows/counts"),
    ("GET", "/v1/workflows/owner-counts"),
    ("GET", "/v1/workflows/{id}/analyze-funds"),
    ("PUT", "/v1/workflows/{id}/fund-auto-swap"),
    ("GET", "/v1/workflows/{id}/incoming-links"),
    ("PUT", "/v1/workflows/{id}/owner"),
    ("POST", "/v1/workflows/{id}/refill"),
    ("POST", "/v1/workflows/{id}/regenerate-descriptions"),
    ("POST", "/v1/workflows/{id}/release"),
    ("GET", "/v1/workflows/{id}/releases"),
    ("POST", "/v1/workflows/{id}/releases/{releaseVersion}/revert"),
    ("GET", "/v1/workflows/{id}/resolve"),
    ("POST", "/v1/workflows/{id}/revert-to-version"),
    ("GET", "/v1/workflows/{id}/schedule"),
    ("GET", "/v1/workflows/{id}/trigger-aggregates"),
    ("PATCH", "/v1/workflows/{id}/ui-metadata"),
    ("DELETE", "/v1/workflows/{id}/widget"),
    ("POST", "/v1/workflows/{id}/widget"),
    ("GET", "/v1/workflows/{workflowId}/variables"),
    ("DELETE", "/v1/workflows/{workflowId}/variables/{name}"),
    ("PUT", "/v1/workflows/{workflowId}/variables/{name}"),
    ("GET", "/v1/workflows/{workflowId}/variables/{name}/history"),
    ("POST", "/v1/workflows/{workflowId}/variables/{name}/reset"),
    ("POST", "/v1/workflows/{workflowId}/variables/{name}/value"),
    ("GET", "/v1/metrics/failure-rate"),
    ("GET", "/v1/metrics/recent-activity"),
    ("GET", "/v1/metrics/runs-timeseries"),
    ("GET", "/v1/metrics/summary"),
    ("GET", "/v1/metrics/top-errors"),
    ("GET", "/v1/runs/status-counts/by-workflow"),
    ("POST", "/v1/runs/sync"),
    ("POST", "/v1/runs/tx-attribution"),
    ("GET", "/v1/runs/{runId}/variable-writes"),
}


async def scenario(emu: Emulator, check: Any) -> None:
    """Variables, releases, schedules, settings, insights, metrics, sync runs (issue 17)."""
    cron = {"type": "cronjob", "payload": {"schedule": "*/15 * * * *"}, "children": ["inc"]}
    definition = {
        "nodes": {
            "root": cron,
            "inc": {
                "type": "set-variable",
                "payload": {"name": "n", "increment": 1},
                "children": ["pay", "boom"],
            },
            "pay": {"type": "echo", "payload": {"amount": "5", "chainId": 1, "txHash": "0x1"}},
            "boom": {"type": "fail", "payload": {"message": "nope"}},
        },
        "triggerNodeIds": ["root"],
    }
    body = {"name": "wfruns", "description": "d", "definition": definition, "maxRuns": 2}
    wf = await check("POST", "/v1/workflows", "/v1/workflows", json=body)
    w = f"/v1/workflows/{wf['id']}"
    v = "/v1/workflows/{workflowId}/variables"
    var = {"type": "number", "lifetime": "persist", "default": 0, "description": "runs"}
    await check("PUT", v + "/{name}", f"{w}/variables/n", json=var)
    await check("PUT", v + "/{name}", f"{w}/variables/n", 400, json={"type": "number"})
    await check("PUT", v + "/{name}", f"{w}/variables/gone", json=var)
    await check("DELETE", v + "/{name}", f"{w}/variables/gone")
    await check("DELETE", v + "/{name}", f"{w}/variables/gone", 404)
    await check("POST", "/v1/workflows/{id}/publish", f"{w}/publish", json={})
    await check("GET", "/v1/workflows/{id}/schedule", f"{w}/schedule")
    await check("GET", "/v1/workflows/{id}/schedule", "/v1/workflows/wf_nope/schedule", 404)
    fired = await emu.clock.advance(minutes=30)
    await check("GET", v, f"{w}/variables")
    await check("GET", v + "/{name}/history", f"{w}/variables/n/history")
    await check("GET", v + "/{name}/history", f"{w}/variables/x/history", 404)
    await check("POST", v + "/{name}/value", f"{w}/variables/n/value", json={"value": 7})
    await check("POST", v + "/{name}/value", f"{w}/variables/n/value", 400, json={"value": "x"})
    await check("POST", v + "/{name}/reset", f"{w}/variables/n/reset")
    await check("POST", v + "/{name}/reset", f"{w}/variables/x/reset", 404)
    writes = "/v1/runs/{runId}/variable-writes"
    await check("GET", writes, f"/v1/runs/{fired[0]}/variable-writes")
    await check("GET", writes, "/v1/runs/run_nope/variable-writes", 404)
    await check("GET", "/v1/workflows/{id}/trigger-aggregates", f"{w}/trigger-aggregates")
    await check("POST", "/v1/workflows/{id}/refill", f"{w}/refill", json={"remainRuns": 3})
    await check("POST", "/v1/workflows/{id}/refill", f"{w}/refill", 400, json={"remainRuns": 0})
    await check("GET", "/v1/workflows/counts", "/v1/workflows/counts", params={"type": "cronjob"})
    await check("GET", "/v1/workflows/owner-counts", "/v1/workflows/owner-counts")
    ids = {"workflowIds": [wf["id"]]}
    await check("POST", "/v1/workflows/batch-meta", "/v1/workflows/batch-meta", json=ids)
    await check("POST", "/v1/workflows/batch-meta", "/v1/workflows/batch-meta", 400, json={})
    await check("POST", "/v1/workflows/batch-stats", "/v1/workflows/batch-stats", json=ids)
    await check("POST", "/v1/workflows/batch-stats", "/v1/workflows/batch-stats", 400, json={})
    await check("GET", "/v1/workflows/{id}/incoming-links", f"{w}/incoming-links")
    await check("GET", "/v1/workflows/{id}/resolve", f"{w}/resolve")
    funds = "/v1/workflows/analyze-funds"
    await check("POST", funds, funds, json={"definition": definition, "defaultWalletAddress": "0x"})
    await check("POST", funds, funds, 400, json={})
    await check("GET", "/v1/workflows/{id}/analyze-funds", f"{w}/analyze-funds")
    await check("GET", "/v1/workflows/{id}/analyze-funds", f"{w}/analyze-funds?version=9", 404)
    await check("POST", "/v1/workflows/{id}/release", f"{w}/release", json={})
    await check(
        "POST", "/v1/workflows/{id}/release", f"{w}/release", 409, json={"expectedVersion": 9}
    )
    await check("GET", "/v1/workflows/{id}/releases", f"{w}/releases")
    revert = "/v1/workflows/{id}/releases/{releaseVersion}/revert"
    await check("POST", revert, f"{w}/releases/1/revert")
    await check("POST", revert, f"{w}/releases/9/revert", 404)
    to_version = "/v1/workflows/{id}/revert-to-version"
    await check("POST", to_version, f"{w}/revert-to-version", json={"workflowVersion": 1})
    await check("POST", to_version, f"{w}/revert-to-version", 400, json={})
    widget = "/v1/workflows/{id}/widget"
    await check("POST", widget, f"{w}/widget", json={"title": "Pay", "minAmount": "1"})
    await check("POST", widget, f"{w}/widget", 400, json={})
    await check("DELETE", widget, f"{w}/widget")
    swap = {"enabled": True, "maxSwapAmountUsd": 5.5, "mode": "auto", "sources": []}
    await check("PUT", "/v1/workflows/{id}/fund-auto-swap", f"{w}/fund-auto-swap", json=swap)
    await check(
        "PUT", "/v1/workflows/{id}/fund-auto-swap", f"{w}/fund-auto-swap", 400, json={"sources": 1}
    )
    ui = {"uiMetadata": {"nodePositions": {"root": {"x": 1, "y": 2}}}}
    await check("PATCH", "/v1/workflows/{id}/ui-metadata", f"{w}/ui-metadata", json=ui)
    stale = {**ui, "expectedCurrentVersion": 99}
    await check("PATCH", "/v1/workflows/{id}/ui-metadata", f"{w}/ui-metadata", 409, json=stale)
    regen = "/v1/workflows/{id}/regenerate-descriptions"
    await check("POST", regen, f"{w}/regenerate-descriptions")
    await check("POST", regen, "/v1/workflows/wf_nope/regenerate-descriptions", 404)
    user = (await check("GET", "/v1/workflows/{id}", w))["createdBy"]
    owner = "/v1/workflows/{id}/owner"
    await check("PUT", owner, f"{w}/owner", json={"ownerUserId": user})
    await check("PUT", owner, f"{w}/owner", 400, json={"ownerUserId": "usr_other"})
    await check("GET", "/v1/workflows/{id}", w)
    await check("GET", "/v1/workflows", "/v1/workflows")
    now = emu.clock.unix_ms()
    span = {"from": str(now - 3_600_000), "to": str(now)}
    for name in ("failure-rate", "top-errors"):
        await check("GET", f"/v1/metrics/{name}", f"/v1/metrics/{name}", params=span)
        await check("GET", f"/v1/metrics/{name}", f"/v1/metrics/{name}", 400, params={"to": "1"})
    hourly = {**span, "granularity": "hourly"}
    for name in ("runs-timeseries", "summary"):
        await check("GET", f"/v1/metrics/{name}", f"/v1/metrics/{name}", params=hourly)
        await check("GET", f"/v1/metrics/{name}", f"/v1/metrics/{name}", 400, params=span)
    recent = "/v1/metrics/recent-activity"
    await check("GET", recent, recent, params={"status": "failure"})
    await check("GET", recent, recent, 400, params={"limit": "0"})
    by_workflow = "/v1/runs/status-counts/by-workflow"
    await check("GET", by_workflow, by_workflow)
    await check("GET", by_workflow, by_workflow, 400, params={"since": "x"})
    tx = "/v1/runs/tx-attribution"
    await check("POST", tx, tx, json={"txHashes": ["0x1", "0x2"]})
    await check("POST", tx, tx, 400, json={"txHashes": []})
    sync = {"definition": linear(("e", "echo", {"x": 1})), "payload": {"a": 1}}
    await check("POST", "/v1/runs/sync", "/v1/runs/sync", json=sync)
    await check(
        "POST",
        "/v1/runs/sync",
        "/v1/runs/sync",
        400,
        json={"definition": linear(("w", "wait", {}))},
    )
