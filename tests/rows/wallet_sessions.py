"""Request shapes of ``b3.wallet_sessions`` (row format: ``tests/test_request_shapes.py``)."""

from __future__ import annotations

from datetime import datetime, timezone

from support.table import Bare, Req, Row

from b3os_async.models import SessionInstall
from rows.organizations import LEARN, LEARNT

S = "/v1/organizations/org_1/sessions"
ADDRESS = "0x" + "ef" * 20

ROWS = [
    Row(
        "wallet_sessions.list",
        lambda b3: b3.wallet_sessions.list(),
        [LEARN, Req("GET", S, {"offset": ["0"]})],
        [LEARNT, Bare({"items": [{"id": "ses_1"}], "hasMore": False})],
    ),
    Row(
        "wallet_sessions.create",
        lambda b3: b3.wallet_sessions.create(
            "wal_1",
            session_address=ADDRESS,
            expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc),
            installs=[SessionInstall(chain_id=8453, serialized="0xinstall")],
            policies={"maxValue": "1000"},
            workflow_id="wf_1",
            org_id="org_1",
        ),
        Req(
            "POST",
            S,
            json={
                "walletId": "wal_1",
                "sessionAddress": ADDRESS,
                "expiresAt": "2030-01-01T00:00:00Z",
                "installs": [{"chainId": 8453, "serialized": "0xinstall"}],
                "policies": {"maxValue": "1000"},
                "workflowId": "wf_1",
            },
        ),
        Bare({"sessionGroupId": "g1", "sessions": [{"id": "ses_1", "chainId": 8453}]}),
    ),
    Row(
        "wallet_sessions.revoke",
        lambda b3: b3.wallet_sessions.revoke("ses_1", org_id="org_1"),
        Req("DELETE", f"{S}/ses_1"),
        Bare({"id": "ses_1", "revokedAt": "2030-01-01T00:00:00Z"}),
    ),
]
