"""Deterministic, realistic B3OS payloads shared by the server and the scenarios.

Everything here is plain JSON-able data or bytes built from a fixed seed, so every competitor in a
scenario sees exactly the same input, and two runs of the benchmark see the same input too.
Field names and shapes follow the OpenAPI entities (``RunListItem``, ``Run``, ``ExecutionNode``)
and the run-stream contract in ``docs/architecture.md``.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any

RUN_STATUSES = ("running", "waiting", "success", "partial", "failure", "cancelled")
_NODE_TYPES = ("transform", "http-request", "if", "delay", "send-erc20-token", "slack-send-message")
_EPOCH = datetime(2025, 3, 14, 9, 26, 53, tzinfo=timezone.utc)


def _ts(offset_ms: int) -> str:
    """An RFC 3339 UTC timestamp ``offset_ms`` after a fixed epoch (as the API formats them)."""
    moment = _EPOCH + timedelta(milliseconds=offset_ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _token(rng: random.Random, n: int = 20) -> str:
    return "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def run_list_item(rng: random.Random, index: int) -> dict[str, Any]:
    """One ``RunListItem`` as the API sends it (camelCase keys, every documented field)."""
    started = index * 61_000
    status = RUN_STATUSES[index % len(RUN_STATUSES)]
    return {
        "id": f"run_{_token(rng)}",
        "workflowId": f"wf_{_token(rng)}",
        "workflowName": f"Daily price alert #{index}",
        "workflowVersion": 1 + index % 7,
        "status": status,
        "triggerSource": "manual",
        "triggeredBy": f"user_{_token(rng, 12)}",
        "triggerNodeId": "root",
        "startedAt": _ts(started),
        "finishedAt": None if status in ("running", "waiting") else _ts(started + 4_250),
        "summary": "Fetched ETH price and posted it to #alerts",
        "totalCu": round(rng.uniform(0.5, 40.0), 3),
        "isSimulation": False,
        "isDustTest": False,
        "sourceRunId": None,
    }


def run_list_envelope(items: int = 20, seed: int = 7) -> dict[str, Any]:
    """A ``GET /v1/runs`` response: envelope A around ``PaginatedData<RunListItem>``."""
    rng = random.Random(seed)
    return {
        "code": 200,
        "message": "OK",
        "requestId": "req_bench_0000000000000001",
        "data": {
            "items": [run_list_item(rng, i) for i in range(items)],
            "limit": items,
            "offset": 0,
            "hasMore": True,
        },
    }


def execution_node(rng: random.Random, index: int) -> dict[str, Any]:
    """One ``ExecutionNode`` of a finished run, with input, result and context."""
    started = 1_000 + index * 85
    return {
        "type": _NODE_TYPES[index % len(_NODE_TYPES)],
        "status": "success" if index % 11 else "skipped",
        "input": {"url": f"http://127.0.0.1/prices/{index}", "method": "GET", "retries": 2},
        "result": {
            "statusCode": 200,
            "body": {"symbol": "ETH", "price": round(rng.uniform(1_000, 5_000), 2), "n": index},
            "durationMs": rng.randint(3, 900),
        },
        "startedAt": _ts(started),
        "finishedAt": _ts(started + 80),
        "connector": {"type": "evm-wallet", "walletAddress": "0x" + _token(rng, 40)},
        "context": {"workflowId": "wf_bench", "inputs": {"symbol": "ETH"}, "loopVars": {}},
        "secretKeys": [],
    }


def run_detail(nodes: int = 50, seed: int = 11, run_id: str = "run_bench_detail") -> dict[str, Any]:
    """A ``Run`` (``GET /v1/runs/{id}`` data) whose ``executionState`` holds ``nodes`` nodes."""
    rng = random.Random(seed)
    state = {("root" if i == 0 else f"node_{i:03d}"): execution_node(rng, i) for i in range(nodes)}
    definition_nodes = {
        node_id: {
            "type": node["type"],
            "payload": {"message": "{{root.result.body.symbol}}"},
            "children": [],
        }
        for node_id, node in state.items()
    }
    return {
        "id": run_id,
        "organizationId": "org_bench",
        "workflowId": "wf_bench",
        "workflowVersion": 3,
        "workflowOwnerUserId": "user_bench",
        "status": "success",
        "executionState": state,
        "workflowDefinition": {"nodes": definition_nodes, "triggerNodeIds": ["root"]},
        "triggerSource": "manual",
        "triggeredBy": "user_bench",
        "triggerNodeId": "root",
        "startedAt": _ts(0),
        "finishedAt": _ts(9_000),
        "summary": "Completed 50 nodes",
        "totalCu": 12.5,
        "propValues": {"threshold": 3000},
        "isSimulation": False,
        "isDustTest": False,
    }


def dumps(obj: Any) -> bytes:
    """Compact JSON bytes, as a Go server sends them."""
    return json.dumps(obj, separators=(",", ":")).encode()


# --- run-stream bytes (framing of docs/architecture.md "Stream contract") ----------------------

RUN_ID_PLACEHOLDER = "run_PLACEHOLDER_00000000"


def stream_event(seq: int, run_id: str, *, terminal: bool = False) -> bytes:
    """One framed run event (``id:`` + ``event:`` + one ``data:`` line + blank line)."""
    payload: dict[str, Any]
    if terminal:
        kind, payload = "run_completed", {"status": "success"}
    elif seq == 1:
        kind, payload = "run_started", {"status": "running"}
    else:
        kind = "node_completed" if seq % 2 else "node_started"
        payload = {
            "nodeId": f"node_{seq % 50:03d}",
            "status": "success" if kind == "node_completed" else "running",
        }
        if kind == "node_completed":
            payload["result"] = {"ok": True, "value": seq}
    data = {"type": kind, "runId": run_id, "seq": seq, **payload, "timestamp": _ts(seq)}
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (seq, kind.encode(), dumps(data))


def run_stream_body(events: int, run_id: str = RUN_ID_PLACEHOLDER) -> list[bytes]:
    """``events`` framed events; the last one is the terminal ``run_completed``."""
    return [stream_event(seq, run_id, terminal=seq == events) for seq in range(1, events + 1)]


def small_events_stream(count: int) -> bytes:
    """``retry:`` then ``count`` small run events (no terminal semantics needed for decoding)."""
    return b"retry: 1000\n\n" + b"".join(run_stream_body(count, "run_bench_decode"))


def large_event_stream(size: int) -> bytes:
    """One event whose single ``data:`` line carries ``size`` bytes of payload."""
    return b"id: 1\nevent: blob\ndata: " + b"x" * size + b"\n\n"


def chunked(data: bytes, chunk_size: int) -> list[bytes]:
    """``data`` cut into ``chunk_size`` pieces (the last one may be shorter)."""
    return [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)]
