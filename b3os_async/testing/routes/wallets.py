"""Area ``wallets``: the organization's wallets (create, import, rename, default, archive,
withdraw) and its Polymarket deposit wallet. Rules: ``_domain/wallets.py``.

Two shapes, as the OpenAPI declares them: ``WalletResponse`` (list, create, import; Unix-ms
``createdAt``/``updatedAt``, bare answers) and ``OrganizationWallet`` (rename, set default;
RFC 3339 times). Token amounts travel as decimal strings of base units.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import bad_field, compact, iso
from b3os_async.testing._domain.wallets import NATIVE, is_address
from b3os_async.testing._server import bare, context, json_body, ok, page, paging, require
from b3os_async.testing.routes._orgs import own_org

if TYPE_CHECKING:
    from b3os_async.testing._domain.wallets import Wallet

ROUTES = web.RouteTableDef()

ADDRESS_FORMATS = ("ADDRESS_FORMAT_ETHEREUM", "ADDRESS_FORMAT_SOLANA")
CURVES = ("CURVE_SECP256K1", "CURVE_ED25519")


def _wallet_fields(wallet: Wallet) -> dict[str, Any]:
    """What both wallet shapes show the same way."""
    return {
        "id": wallet.id,
        "organizationId": wallet.org_id,
        "name": wallet.name,
        "address": wallet.address,
        "isDefault": wallet.is_default,
        "isImported": wallet.is_imported,
        "accountType": wallet.account_type,
        "providerType": "turnkey",
        "providerWalletId": wallet.provider_wallet_id,
    }


def wallet_json(wallet: Wallet) -> dict[str, Any]:
    """A ``WalletResponse`` (timestamps in Unix ms)."""
    return compact(
        {
            **_wallet_fields(wallet),
            "turnkeySubOrgId": wallet.turnkey_sub_org_id,
            "createdAt": wallet.created_ms,
            "updatedAt": wallet.updated_ms,
        }
    )


def _ms_iso(ms: int) -> str:
    return iso(datetime.fromtimestamp(ms / 1000, timezone.utc))


def org_wallet_json(wallet: Wallet) -> dict[str, Any]:
    """An ``OrganizationWallet`` (timestamps in RFC 3339)."""
    return compact(
        {
            **_wallet_fields(wallet),
            "providerConfig": {"subOrganizationId": wallet.turnkey_sub_org_id},
            "createdAt": _ms_iso(wallet.created_ms),
            "updatedAt": _ms_iso(wallet.updated_ms),
            "deletedAt": wallet.archived_at,
            "deletedBy": wallet.archived_by,
        }
    )


def _name(body: dict[str, Any]) -> str:
    name = str(require(body, "name", str, "a string")).strip()
    if not 1 <= len(name) <= 100:
        raise bad_field("'name' must be 1-100 characters")
    return name


def _accounts(body: dict[str, Any]) -> None:
    accounts = body.get("accounts")
    if accounts is None:
        return
    if not isinstance(accounts, list):
        raise bad_field("'accounts' must be a list")
    for index, account in enumerate(accounts):
        if not isinstance(account, dict):
            raise bad_field(f"accounts[{index}] must be an object")
        if account.get("addressFormat") not in ADDRESS_FORMATS:
            raise bad_field(f"accounts[{index}].addressFormat must be one of {ADDRESS_FORMATS}")
        if account.get("curve") not in CURVES:
            raise bad_field(f"accounts[{index}].curve must be one of {CURVES}")
        if account.get("pathFormat") != "PATH_FORMAT_BIP32":
            raise bad_field(f"accounts[{index}].pathFormat must be PATH_FORMAT_BIP32")
        if not isinstance(account.get("path"), str):
            raise bad_field(f"accounts[{index}].path is required")


@ROUTES.get("/v1/organizations/{orgId}/wallets")
async def list_wallets(request: web.Request) -> web.Response:
    """``GET …/wallets``: the wallets not archived, oldest first (the default one first)."""
    _, org = own_org(request)
    limit, offset = paging(request)
    wallets = context(request).store.wallets.of_org(org.id)
    return ok(request, page([wallet_json(w) for w in wallets], limit, offset))


@ROUTES.post("/v1/organizations/{orgId}/wallets")
async def create_wallet(request: web.Request) -> web.Response:
    """``POST …/wallets``: a new wallet with a fresh address (bare ``WalletResponse``)."""
    _, org = own_org(request)
    body = await json_body(request)
    name = _name(body)
    _accounts(body)
    return bare(request, wallet_json(context(request).store.wallets.add(org.id, name)))


@ROUTES.post("/v1/organizations/{orgId}/wallets/import")
async def import_wallet(request: web.Request) -> web.Response:
    """``POST …/wallets/import``: register an existing key's address (409041 if known)."""
    _, org = own_org(request)
    body = await json_body(request)
    name = _name(body)
    address = require(body, "address", str, "a 0x address")
    if not is_address(address):
        raise bad_field("'address' must be a 0x-prefixed 20-byte hex address")
    require(body, "turnkeyPrivateKeyId", str, "a string")
    wallet = context(request).store.wallets.import_address(org.id, name, address)
    return bare(request, wallet_json(wallet))


@ROUTES.post("/v1/organizations/{orgId}/wallets/polymarket-deposit")
async def polymarket_deposit(request: web.Request) -> web.Response:
    """``POST …/wallets/polymarket-deposit``: the org's deposit wallet (the same every time)."""
    _, org = own_org(request)
    wallet = context(request).store.wallets.deposit_wallet(org.id)
    return bare(request, {"walletId": wallet.id, "depositWalletAddress": wallet.address})


@ROUTES.patch("/v1/organizations/{orgId}/wallets/{walletId}")
async def rename_wallet(request: web.Request) -> web.Response:
    """``PATCH …/wallets/{walletId}``: a new label (409040 if another wallet has it)."""
    _, org = own_org(request)
    name = _name(await json_body(request))
    wallet = context(request).store.wallets.rename(org.id, request.match_info["walletId"], name)
    return bare(request, org_wallet_json(wallet))


@ROUTES.put("/v1/organizations/{orgId}/wallets/{walletId}/default")
async def set_default(request: web.Request) -> web.Response:
    """``PUT …/wallets/{walletId}/default``."""
    _, org = own_org(request)
    wallet = context(request).store.wallets.set_default(org.id, request.match_info["walletId"])
    return bare(request, org_wallet_json(wallet))


@ROUTES.delete("/v1/organizations/{orgId}/wallets/{walletId}")
async def archive_wallet(request: web.Request) -> web.Response:
    """``DELETE …/wallets/{walletId}``: archive (never the default or the only wallet)."""
    who, org = own_org(request)
    context(request).store.wallets.archive(org.id, request.match_info["walletId"], who.user_id)
    return bare(request, {"message": "wallet archived", "archivedWorkflowIds": []})


def _amount(body: dict[str, Any]) -> int:
    raw = require(body, "amount", str, "a decimal string of base units")
    if not raw.isascii() or not raw.isdigit() or int(raw) <= 0:
        raise bad_field("'amount' must be a positive integer in base units, as a string")
    return int(raw)


@ROUTES.post("/v1/organizations/{orgId}/wallets/{walletId}/withdraw")
async def withdraw(request: web.Request) -> web.Response:
    """``POST …/withdraw``: checks the balance, moves the funds, records the transaction."""
    _, org = own_org(request)
    body = await json_body(request)
    amount = _amount(body)
    chain_id = require(body, "chainId", int, "a chain id")
    if chain_id < 1:
        raise bad_field("'chainId' must be at least 1")
    recipient = require(body, "recipientAddress", str, "a 0x address")
    if not is_address(recipient):
        raise bad_field("'recipientAddress' must be a 0x-prefixed 20-byte hex address")
    token = require(body, "tokenAddress", str, "'native' or a 0x address")
    if token != NATIVE and not is_address(token):
        raise bad_field("'tokenAddress' must be 'native' or a 0x token address")
    tx = context(request).store.wallets.withdraw(
        org.id, request.match_info["walletId"], chain_id=chain_id, token=token, amount=amount,
        to=recipient,
    )  # fmt: skip
    return bare(request, {"transactionHash": tx.hash, "blockNumber": tx.block_number})
