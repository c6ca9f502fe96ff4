"""Tags: every tag an action, trigger or connector type of the catalog carries, with its
categories and weight (higher = more prominent). Counts are computed from the catalog."""

from __future__ import annotations

from typing import Any

# slug -> (name, description, categories, weight)
_TAGS: dict[str, tuple[str, str, tuple[str, ...], int]] = {
    "blockchain": ("Blockchain", "On-chain reads and transactions", ("blockchain",), 100),
    "evm": ("EVM", "Ethereum and EVM-compatible chains", ("blockchain",), 90),
    "tokens": ("Tokens", "Native and ERC-20 tokens", ("blockchain", "finance"), 85),
    "defi": ("DeFi", "Lending, vaults, swaps and bridges", ("blockchain", "finance"), 80),
    "trading": ("Trading", "Orders, markets and positions", ("finance",), 78),
    "perps": ("Perpetuals", "Perpetual futures", ("finance",), 60),
    "prediction-markets": ("Prediction markets", "Polymarket and friends", ("finance",), 62),
    "prices": ("Prices", "Token and asset prices", ("finance", "data"), 75),
    "payments": ("Payments", "Card and crypto payments", ("finance",), 55),
    "analytics": ("Analytics", "Leaderboards and market metrics", ("data",), 40),
    "data": ("Data", "Fetch and reshape data", ("data",), 70),
    "social": ("Social", "Social networks and chat apps", ("social",), 72),
    "messaging": ("Messaging", "Send and receive messages", ("social",), 74),
    "notifications": ("Notifications", "Tell people something happened", ("social",), 68),
    "email": ("E-mail", "Send and receive e-mail", ("social", "App"), 66),
    "productivity": ("Productivity", "Docs, sheets and notes", ("App",), 50),
    "spreadsheets": ("Spreadsheets", "Google Sheets, Airtable", ("App",), 45),
    "ai": ("AI", "Language models and agents", ("App",), 77),
    "news": ("News", "Market-moving events", ("data", "finance"), 35),
    "utility": ("Utility", "Small building blocks", ("core",), 30),
    "logic": ("Logic", "Branches, waits and transforms", ("core",), 65),
    "schedule": ("Schedule", "Time-based triggers and delays", ("core",), 58),
    "webhooks": ("Webhooks", "HTTP callbacks in and out", ("core",), 52),
    "developer": ("Developer", "HTTP, contracts and debugging", ("core",), 48),
    "http": ("HTTP", "Call any HTTP API", ("core",), 47),
}

CREATED_AT = "2025-01-01T00:00:00.000Z"
"""When the catalog's tags were created (a fixed date: the catalog is static)."""


def tag_rows() -> list[dict[str, Any]]:
    """The tags as ``Tag`` JSON without counts (``id``, ``slug``, ``name`` …), weight first."""
    rows: list[dict[str, Any]] = [
        {
            "id": f"tag_{slug.replace('-', '_')}",
            "slug": slug,
            "name": name,
            "description": description,
            "categories": list(categories),
            "weight": weight,
            "createdAt": CREATED_AT,
            "updatedAt": CREATED_AT,
        }
        for slug, (name, description, categories, weight) in _TAGS.items()
    ]
    rows.sort(key=lambda row: (-row["weight"], row["slug"]))
    return rows
