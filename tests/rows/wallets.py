"""Request shapes of ``b3.wallets`` (row format: ``tests/test_request_shapes.py``)."""

from __future__ import annotations

from support.table import Bare, Req, Row

from b3os_async.models import WalletAccount
from rows.organizations import LEARN, LEARNT

W = "/v1/organizations/org_1/wallets"
WALLET = {"id": "wal_1", "address": "0x" + "ab" * 20, "isDefault": True, "createdAt": 1}
ADDRESS = "0x" + "cd" * 20
ACCOUNT = {
    "addressFormat": "ADDRESS_FORMAT_ETHEREUM",
    "curve": "CURVE_SECP256K1",
    "path": "m/44'/60'/0'/0/0",
    "pathFormat": "PATH_FORMAT_BIP32",
}

ROWS = [
    Row(
        "wallets.list",
        lambda b3: b3.wallets.list(),
        [LEARN, Req("GET", W, {"offset": ["0"]})],
        [LEARNT, {"items": [WALLET], "hasMore": False}],
    ),
    Row(
        "wallets.create",
        lambda b3: b3.wallets.create("ops", accounts=[WalletAccount()], org_id="org_1"),
        Req("POST", W, json={"name": "ops", "accounts": [ACCOUNT]}),
        Bare(WALLET),
    ),
    Row(
        "wallets.import_wallet",
        lambda b3: b3.wallets.import_wallet(
            "cold", address=ADDRESS, turnkey_private_key_id="pk_1", org_id="org_1"
        ),
        Req(
            "POST",
            f"{W}/import",
            json={"name": "cold", "address": ADDRESS, "turnkeyPrivateKeyId": "pk_1"},
        ),
        Bare(WALLET),
    ),
    Row(
        "wallets.create_polymarket_deposit",
        lambda b3: b3.wallets.create_polymarket_deposit(org_id="org_1"),
        Req("POST", f"{W}/polymarket-deposit"),
        Bare({"walletId": "wal_2", "depositWalletAddress": ADDRESS}),
    ),
    Row(
        "wallets.rename",
        lambda b3: b3.wallets.rename("wal_1", "hot", org_id="org_1"),
        Req("PATCH", f"{W}/wal_1", json={"name": "hot"}),
        Bare({"id": "wal_1", "name": "hot"}),
    ),
    Row(
        "wallets.set_default",
        lambda b3: b3.wallets.set_default("wal_1", org_id="org_1"),
        Req("PUT", f"{W}/wal_1/default"),
        Bare({"id": "wal_1", "isDefault": True}),
    ),
    Row(
        "wallets.archive",
        lambda b3: b3.wallets.archive("wal_2", org_id="org_1"),
        Req("DELETE", f"{W}/wal_2"),
        Bare({"message": "archived", "archivedWorkflowIds": ["wf_1"]}),
    ),
    Row(
        "wallets.withdraw",
        lambda b3: b3.wallets.withdraw(
            "wal_1",
            amount=123_456_789_012_345_678_901_234,  # beyond 64 bits: sent exactly
            chain_id=8453,
            token_address="native",
            recipient_address=ADDRESS,
            org_id="org_1",
        ),
        Req(
            "POST",
            f"{W}/wal_1/withdraw",
            json={
                "amount": "123456789012345678901234",
                "chainId": 8453,
                "tokenAddress": "native",
                "recipientAddress": ADDRESS,
            },
        ),
        Bare({"transactionHash": "0x" + "1" * 64, "blockNumber": 7}),
    ),
]
