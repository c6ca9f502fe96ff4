"""Catalog-only read-only data actions: prices, markets, leaderboards, yields.

Simulated in the emulator (see the package docstring); all of them may go through the action
proxy's ``query`` (no CU, no side effect).
"""

from __future__ import annotations

from b3os_async.testing._catalog._shape import (
    Entry,
    action,
    arr,
    integer,
    number,
    obj,
    schema,
    string,
)

_ADDRESS = string("An EVM address (0x…)", pattern="^0x[0-9a-fA-F]{40}$")

ACTIONS: list[Entry] = [
    action(
        "coingecko-get-token-price",
        "Get token price (CoinGecko)",
        "The current price of a coin by CoinGecko id, with its 24 h change.",
        category="Data",
        platform="coingecko",
        tags=("data", "prices"),
        payload=schema(
            "coinId",
            coinId=string("CoinGecko id, e.g. bitcoin, ethereum"),
            vsCurrency=string("Quote currency (default usd)"),
        ),
        result=schema(
            coinId=string("Coin"),
            price=number("Price"),
            vsCurrency=string("Quote currency"),
            change24h=number("Change over 24 h, percent"),
        ),
        example_input={"coinId": "ethereum", "vsCurrency": "usd"},
        example_output={
            "coinId": "ethereum",
            "price": 3512.41,
            "vsCurrency": "usd",
            "change24h": 1.82,
        },
        read_only=True,
        weight=88,
    ),
    action(
        "coingecko-get-token-data",
        "Get token data (CoinGecko)",
        "Name, symbol, market cap and price of a token by contract address.",
        category="Data",
        platform="coingecko",
        tags=("data", "prices", "tokens"),
        payload=schema(
            "network", "address", network=string("Network, e.g. eth, base"), address=_ADDRESS
        ),
        result=schema(
            name=string("Name"),
            symbol=string("Symbol"),
            marketCap=number("Market cap, USD"),
            priceUsd=number("Price, USD"),
        ),
        example_input={"network": "base", "address": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"},
        example_output={
            "name": "USD Coin",
            "symbol": "USDC",
            "marketCap": 32_500_000_000,
            "priceUsd": 1.0,
        },
        read_only=True,
    ),
    action(
        "polymarket-search-markets",
        "Search Polymarket markets",
        "Find prediction markets on Polymarket by keyword.",
        category="Prediction markets",
        platform="polymarket",
        tags=("prediction-markets", "data"),
        payload=schema(
            "query", query=string("Keywords", minLength=1), limit=integer("Results", minimum=1)
        ),
        result=schema(markets=arr(obj("market"), "Matching markets")),
        example_input={"query": "election", "limit": 1},
        example_output={
            "markets": [
                {
                    "conditionId": "0x5f1e",
                    "question": "Will it rain?",
                    "outcomePrices": ["0.41", "0.59"],
                }
            ]
        },
        read_only=True,
    ),
    action(
        "polymarket-get-leaderboard",
        "Polymarket leaderboard",
        "Top Polymarket traders by profit or volume.",
        category="Prediction markets",
        platform="polymarket",
        tags=("prediction-markets", "analytics"),
        payload=schema(
            timePeriod=string("Window", enum=["DAY", "WEEK", "MONTH", "ALL"]),
            orderBy=string("Sort", enum=["PNL", "VOL"]),
            limit=integer("Traders", minimum=1, maximum=100),
        ),
        result=schema(traders=arr(obj("trader"), "Ranked traders")),
        example_input={"timePeriod": "WEEK", "orderBy": "PNL", "limit": 1},
        example_output={"traders": [{"rank": 1, "proxyWallet": "0x" + "7a" * 20, "pnl": 182340.5}]},
        read_only=True,
    ),
    action(
        "coinglass-get-coins-markets",
        "Futures markets (Coinglass)",
        "Open interest, funding rates and liquidations per coin.",
        category="Data",
        platform="coinglass",
        tags=("data", "trading", "analytics"),
        payload=schema(coin=string("Symbol, e.g. BTC"), exchange=string("Exchange")),
        result=schema(coins=arr(obj("coin"), "Per-coin metrics")),
        example_input={"coin": "BTC"},
        example_output={
            "coins": [{"symbol": "BTC", "openInterestUsd": 31_200_000_000, "fundingRate": 0.0001}]
        },
        read_only=True,
    ),
    action(
        "hyperliquid-get-markets",
        "Hyperliquid markets",
        "Perpetual markets on Hyperliquid with leverage limits and mid prices.",
        category="Trading",
        platform="hyperliquid",
        tags=("trading", "perps", "data"),
        payload=schema(coin=string("Symbol filter"), dex=string("Venue", enum=["xyz", "flx"])),
        result=schema(markets=arr(obj("market"), "Markets")),
        example_input={"coin": "ETH"},
        example_output={"markets": [{"coin": "ETH", "maxLeverage": 25, "midPrice": "3512.4"}]},
        read_only=True,
    ),
    action(
        "hyperliquid-get-account",
        "Hyperliquid account",
        "Positions, margin and open orders of a Hyperliquid account.",
        category="Trading",
        platform="hyperliquid",
        tags=("trading", "perps"),
        payload=schema("address", address=_ADDRESS, dex=string("Venue")),
        result=schema(positions=arr(obj("position"), ""), marginSummary=obj("Margin")),
        example_input={"address": "0x" + "11" * 20},
        example_output={"positions": [], "marginSummary": {"accountValue": "0.0"}},
        read_only=True,
    ),
    action(
        "morpho-get-best-apy",
        "Best Morpho vault APY",
        "The Morpho vault with the best APY for a token.",
        category="DeFi",
        platform="morpho",
        tags=("defi", "data"),
        payload=schema(
            "tokenAddress",
            tokenAddress=_ADDRESS,
            chainId=integer("Chain"),
            minApyPercent=number("Minimum APY, percent", minimum=0),
        ),
        result=schema(
            vault=string("Vault address"), apy=number("APY, percent"), chainId=integer("")
        ),
        example_input={
            "tokenAddress": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "chainId": 8453,
        },
        example_output={"vault": "0x" + "be" * 20, "apy": 7.42, "chainId": 8453},
        read_only=True,
    ),
]
