"""Market data the trigger helpers serve: CEX assets and prices, the situation-monitor universe,
and the chains whose blocks are indexed (block cursors). Static, so answers are deterministic;
block cursors advance with the clock at each chain's block time."""

from __future__ import annotations

from datetime import datetime, timezone

CEX_PRICES: dict[str, str] = {
    "BTCUSD": "97312.554210000000",
    "ETHUSD": "3512.410032000000",
    "SOLUSD": "187.223400000000",
    "BNBUSD": "702.118000000000",
    "XRPUSD": "2.351200000000",
    "DOGEUSD": "0.382100000000",
    "AVAXUSD": "38.902000000000",
    "LINKUSD": "22.415000000000",
    "ARBUSD": "0.812300000000",
    "OPUSD": "1.934000000000",
    "USDCUSD": "1.000100000000",
    "USDTUSD": "0.999800000000",
}
"""Asset -> latest price, a decimal string (as Stork answers), fixed in the emulator."""

# (symbol, name, exchange, asset class), in rank order (the listing's order).
TICKERS: list[tuple[str, str, str, str]] = [
    ("BTC", "Bitcoin", "CRYPTO", "crypto"),
    ("ETH", "Ethereum", "CRYPTO", "crypto"),
    ("NVDA", "NVIDIA Corporation", "NASDAQ", "equity"),
    ("SPX", "S&P 500", "INDEX", "index"),
    ("AAPL", "Apple Inc.", "NASDAQ", "equity"),
    ("MSFT", "Microsoft Corporation", "NASDAQ", "equity"),
    ("SOL", "Solana", "CRYPTO", "crypto"),
    ("TSLA", "Tesla, Inc.", "NASDAQ", "equity"),
    ("NDX", "Nasdaq 100", "INDEX", "index"),
    ("AMZN", "Amazon.com, Inc.", "NASDAQ", "equity"),
    ("GOOGL", "Alphabet Inc.", "NASDAQ", "equity"),
    ("META", "Meta Platforms, Inc.", "NASDAQ", "equity"),
    ("COIN", "Coinbase Global, Inc.", "NASDAQ", "equity"),
    ("MSTR", "MicroStrategy Incorporated", "NASDAQ", "equity"),
    ("XRP", "XRP", "CRYPTO", "crypto"),
    ("DJI", "Dow Jones Industrial Average", "INDEX", "index"),
    ("VIX", "CBOE Volatility Index", "INDEX", "index"),
    ("BNB", "BNB", "CRYPTO", "crypto"),
    ("DOGE", "Dogecoin", "CRYPTO", "crypto"),
    ("HOOD", "Robinhood Markets, Inc.", "NASDAQ", "equity"),
    ("JPM", "JPMorgan Chase & Co.", "NYSE", "equity"),
    ("AMD", "Advanced Micro Devices, Inc.", "NASDAQ", "equity"),
    ("LINK", "Chainlink", "CRYPTO", "crypto"),
    ("AVAX", "Avalanche", "CRYPTO", "crypto"),
    ("RUT", "Russell 2000", "INDEX", "index"),
    ("PLTR", "Palantir Technologies Inc.", "NASDAQ", "equity"),
    ("ARB", "Arbitrum", "CRYPTO", "crypto"),
    ("GS", "The Goldman Sachs Group, Inc.", "NYSE", "equity"),
    ("OP", "Optimism", "CRYPTO", "crypto"),
    ("V", "Visa Inc.", "NYSE", "equity"),
]
ASSET_CLASSES = ("equity", "crypto", "index")

# chain id -> (block number at EPOCH, seconds per block)
CHAINS: dict[int, tuple[int, float]] = {
    1: (21_525_000, 12.0),
    10: (130_000_000, 2.0),
    137: (66_200_000, 2.0),
    8333: (10_000_000, 1.0),
    8453: (24_500_000, 2.0),
    42161: (290_000_000, 0.25),
    84532: (20_000_000, 2.0),
}
CURSOR_TYPES = ("evm-log", "native-transfer")
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def block_cursor(chain_id: int, cursor_type: str, now: datetime) -> tuple[int, datetime] | None:
    """``(last indexed block, when it was indexed)`` for the chain at ``now``; None if unknown.

    The indexer is a block behind the chain; the native-transfer indexer one more.
    """
    chain = CHAINS.get(chain_id)
    if chain is None:
        return None
    base, seconds = chain
    behind = 1 if cursor_type == "evm-log" else 2
    elapsed = max(0.0, (now - EPOCH).total_seconds())
    blocks = max(0, int(elapsed // seconds) - behind)
    return base + blocks, datetime.fromtimestamp(EPOCH.timestamp() + blocks * seconds, timezone.utc)
