"""``b3.wallets`` against the emulator: deterministic addresses, the default wallet, archive,
withdrawals that check balances and are never retried."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from area_helpers import client, paths

from b3os_async import B3OS, BadRequestError, ConfigurationError, ConflictError, NotFoundError
from b3os_async.testing import Emulator, Fault

if TYPE_CHECKING:
    from b3os_async.models import Wallet

BASE_SEPOLIA = 84532
RECIPIENT = "0x" + "ab" * 20
HUGE = 3 * 2**70  # base units beyond 64 bits


async def _default_wallet(b3: B3OS) -> Wallet:
    wallets = [w async for w in b3.wallets.list()]
    return next(w for w in wallets if w.is_default)


async def _default(b3: B3OS) -> str:
    return (await _default_wallet(b3)).id


async def test_every_organization_has_a_funded_default_wallet(emu: Emulator, b3: B3OS) -> None:
    """The default wallet is listed, marked default, and holds test funds."""
    wallets = [w async for w in b3.wallets.list()]
    assert [w.is_default for w in wallets] == [True]
    assert emu.wallet_balance(wallets[0].address or "", chain_id=BASE_SEPOLIA) > 0


async def test_addresses_are_deterministic_per_seed() -> None:
    """The same seed and calls give the same addresses; another seed gives others."""
    addresses = []
    for seed in (5, 5, 6):
        async with Emulator(seed=seed) as emu, client(emu, emu.api_key) as b3:
            created = await b3.wallets.create("ops")
            addresses.append(created.address)
    assert addresses[0] == addresses[1] != addresses[2]


async def test_create_rename_and_set_default(b3: B3OS) -> None:
    """A new wallet can be renamed and made the default (the old default stops being it)."""
    created = await b3.wallets.create("ops")
    renamed = await b3.wallets.rename(created.id, "treasury")
    assert (renamed.name, renamed.address) == ("treasury", created.address)
    await b3.wallets.set_default(created.id)
    assert await _default(b3) == created.id


async def test_a_taken_name_is_a_conflict(b3: B3OS) -> None:
    """Renaming a wallet to another wallet's name is a ConflictError."""
    created = await b3.wallets.create("ops")
    with pytest.raises(ConflictError):
        await b3.wallets.rename(created.id, "Default wallet")


async def test_the_default_wallet_cannot_be_archived(b3: B3OS) -> None:
    """Archiving the default wallet is a BadRequestError and it stays."""
    default = await _default(b3)
    with pytest.raises(BadRequestError, match="default wallet"):
        await b3.wallets.archive(default)
    assert await _default(b3) == default


async def test_an_archived_wallet_is_gone(b3: B3OS) -> None:
    """An archived wallet leaves the list and answers NotFoundError."""
    created = await b3.wallets.create("old")
    await b3.wallets.archive(created.id)
    assert created.id not in [w.id async for w in b3.wallets.list()]
    with pytest.raises(NotFoundError):
        await b3.wallets.rename(created.id, "again")


async def test_withdraw_moves_exact_amounts_and_records_them(emu: Emulator, b3: B3OS) -> None:
    """A withdrawal beyond 64 bits moves exactly that amount and is recorded."""
    wallet = await _default_wallet(b3)
    address = wallet.address or ""
    emu.fund_wallet(address, HUGE, chain_id=8453)
    result = await b3.wallets.withdraw(
        wallet.id, amount=HUGE - 1, chain_id=8453, token_address="native",
        recipient_address=RECIPIENT,
    )  # fmt: skip
    assert emu.wallet_balance(address, chain_id=8453) == 1
    assert emu.wallet_balance(RECIPIENT, chain_id=8453) == HUGE - 1
    [record] = emu.withdrawals()
    assert (record["transactionHash"], record["amount"]) == (result.transaction_hash, HUGE - 1)


async def test_withdraw_beyond_the_balance_moves_nothing(emu: Emulator, b3: B3OS) -> None:
    """A withdrawal the balance does not cover is a BadRequestError and nothing moves."""
    default = await _default(b3)
    with pytest.raises(BadRequestError, match="insufficient balance"):
        await b3.wallets.withdraw(
            default, amount=1, chain_id=1, token_address="native", recipient_address=RECIPIENT
        )
    assert emu.withdrawals() == []
    assert emu.wallet_balance(RECIPIENT, chain_id=1) == 0


async def test_withdraw_is_never_retried(emu: Emulator, b3: B3OS) -> None:
    """A withdrawal answered 503 is raised, not resent (one POST), and moves nothing."""
    default = await _default(b3)
    emu.faults.add(Fault.status(503), method="POST", path="/v1/*/withdraw", times=1)
    with pytest.raises(Exception, match="503"):
        await b3.wallets.withdraw(
            default, amount=5, chain_id=BASE_SEPOLIA, token_address="native",
            recipient_address=RECIPIENT,
        )  # fmt: skip
    assert len(paths(emu, "POST", "/v1/organizations/")) == 1
    assert emu.withdrawals() == []


async def test_a_float_amount_is_refused_before_sending(emu: Emulator, b3: B3OS) -> None:
    """A float amount (precision loss) is a ConfigurationError before any request."""
    emu.requests.clear()
    with pytest.raises(ConfigurationError, match="base units"):
        await b3.wallets.withdraw(
            "wal_x", amount=1.5, chain_id=1, token_address="native",  # type: ignore[arg-type]
            recipient_address=RECIPIENT, org_id=emu.org_id,
        )  # fmt: skip
    assert list(emu.requests) == []


async def test_importing_a_known_address_twice_is_a_conflict(b3: B3OS) -> None:
    """An imported address is registered once; importing it again is a ConflictError."""
    address = "0x" + "cd" * 20
    imported = await b3.wallets.import_wallet("cold", address=address, turnkey_private_key_id="k")
    assert imported.is_imported is True
    with pytest.raises(ConflictError):
        await b3.wallets.import_wallet("cold2", address=address, turnkey_private_key_id="k")


async def test_the_polymarket_deposit_wallet_is_made_once(b3: B3OS) -> None:
    """Asking twice for the Polymarket deposit wallet gives the same wallet."""
    first = await b3.wallets.create_polymarket_deposit()
    second = await b3.wallets.create_polymarket_deposit()
    assert first.wallet_id == second.wallet_id
    assert first.deposit_wallet_address in [w.address async for w in b3.wallets.list()]
