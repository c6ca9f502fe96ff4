"""The trigger catalog (types from the OpenAPI's ``WorkflowType``). ``manual`` fires in the
emulator (a manual run, or an inbound ``POST /v1/webhooks/{secret}``); the others describe what
B3OS watches (chains, apps, prices) and fire in the emulator only through a manual run of the
workflow with a payload shaped like their result."""

from __future__ import annotations

from b3os_async.testing._catalog._shape import (
    Entry,
    arr,
    integer,
    number,
    obj,
    schema,
    string,
    trigger,
)

_ADDRESS = string("An EVM address (0x…)", pattern="^0x[0-9a-fA-F]{40}$")
_CHAIN = integer("Chain id", minimum=1)
_ANY = {"type": "object", "properties": {}, "additionalProperties": True}
_TRANSFER = schema(
    txHash=string("Transaction hash"),
    **{"from": _ADDRESS},
    to=_ADDRESS,
    amount=string("Base units"),
    blockNumber=integer("Block"),
)
_WAIT_TRANSFER = schema(
    "timeoutMs",
    timeoutMs=integer("Give up after this many ms", minimum=1000),
    minAmount=string("Only amounts of at least this many base units", pattern="^[0-9]+$"),
)

TRIGGERS: list[Entry] = [
    trigger(
        "manual",
        "Manual",
        "Start the workflow yourself: from the app, the API (workflows.run) or an inbound "
        "webhook (POST /v1/webhooks/{workflowSecret}, the body readable as {{$trigger.body.*}}). "
        "The run payload is the trigger's result.",
        tags=("utility", "webhooks"),
        payload=_ANY,
        result=_ANY,
        executable=True,
    ),
    trigger(
        "cronjob",
        "Schedule",
        "Run on a schedule (an iCalendar RRULE).",
        tags=("schedule",),
        payload=schema(
            "rrule",
            rrule=string("DTSTART:…Z\\nRRULE:FREQ=…", pattern="RRULE:"),
            timezone=string("IANA time zone"),
        ),
        result=schema(triggeredAt=string("When it fired"), scheduledAt=string("Planned time")),
    ),
    trigger(
        "evm-log",
        "Contract event",
        "Fire when a contract emits an event matching a signature.",
        tags=("blockchain", "evm"),
        payload=schema(
            "chainId",
            "address",
            "eventSignature",
            chainId=_CHAIN,
            address=_ADDRESS,
            eventSignature=string("e.g. Transfer(address,address,uint256)"),
        ),
        result=schema(
            txHash=string(""),
            blockNumber=integer(""),
            args=obj("Decoded event arguments"),
        ),
        wait=schema("timeoutMs", timeoutMs=integer("Give up after (ms)", minimum=1000)),
    ),
    trigger(
        "erc20-receive",
        "ERC-20 received",
        "Fire when a wallet receives an ERC-20 token.",
        tags=("blockchain", "evm", "tokens"),
        payload=schema(
            "chainId",
            "walletAddress",
            chainId=_CHAIN,
            walletAddress=_ADDRESS,
            tokenAddress=_ADDRESS,
        ),
        result=_TRANSFER,
        wait=_WAIT_TRANSFER,
    ),
    trigger(
        "erc20-send",
        "ERC-20 sent",
        "Fire when a wallet sends an ERC-20 token.",
        tags=("blockchain", "evm", "tokens"),
        payload=schema(
            "chainId",
            "walletAddress",
            chainId=_CHAIN,
            walletAddress=_ADDRESS,
            tokenAddress=_ADDRESS,
        ),
        result=_TRANSFER,
        wait=_WAIT_TRANSFER,
    ),
    trigger(
        "eth-receive",
        "Native token received",
        "Fire when a wallet receives the chain's native token.",
        tags=("blockchain", "evm", "tokens"),
        payload=schema("chainId", "walletAddress", chainId=_CHAIN, walletAddress=_ADDRESS),
        result=_TRANSFER,
    ),
    trigger(
        "token-price-cexes",
        "Token price (CEX)",
        "Fire when an asset's price on centralised exchanges crosses a threshold.",
        tags=("prices", "trading"),
        payload=schema(
            "asset",
            "condition",
            "price",
            asset=string("Asset, e.g. ETHUSD (see /v1/token-price-cexes/available-assets)"),
            condition=string("Direction", enum=["above", "below"]),
            price=number("Threshold", minimum=0),
        ),
        result=schema(asset=string(""), price=string("Price that crossed"), at=string("When")),
        wait=schema(
            "timeoutMs", timeoutMs=integer("Give up after (ms)", minimum=1000), price=number("")
        ),
    ),
    trigger(
        "telegram-channel",
        "Telegram message",
        "Fire on every message your Telegram bot receives in a chat.",
        tags=("social", "messaging"),
        platform="telegram",
        connector={"type": "telegram-bot"},
        payload=schema(chatId=string("Only this chat")),
        result=schema(chatId=string(""), text=string(""), messageId=integer("")),
    ),
    trigger(
        "slack-new-message-in-channels",
        "Slack message",
        "Fire on new messages in a Slack channel.",
        tags=("social", "messaging"),
        platform="slack",
        connector={"type": "slack"},
        payload=schema("channel", channel=string("Channel id")),
        result=schema(channel=string(""), user=string(""), text=string(""), ts=string("")),
    ),
    trigger(
        "email-new-email-received",
        "E-mail received",
        "Fire when an e-mail arrives at the workflow's own address (see trigger info).",
        tags=("email",),
        platform="pipedream",
        payload=schema(fromFilter=string("Only from this sender")),
        result=schema(**{"from": string("")}, subject=string(""), text=string("")),
    ),
    trigger(
        "stripe-payment-receive",
        "Stripe payment",
        "Fire when a payment through the workflow's payment link succeeds (see trigger info).",
        tags=("payments",),
        platform="stripe",
        payload=schema(
            "amount", amount=integer("Amount in cents", minimum=50), currency=string("ISO code")
        ),
        result=schema(paymentIntentId=string(""), amount=integer(""), email=string("")),
    ),
    trigger(
        "x-new-tweet",
        "New post on X",
        "Fire when an account posts on X.",
        tags=("social",),
        platform="x",
        payload=schema("username", username=string("Account, without @")),
        result=schema(id=string(""), text=string(""), author=string("")),
    ),
    trigger(
        "situation-fired",
        "Situation",
        "Fire when the situation monitor reports market-moving news for chosen tickers.",
        tags=("news", "trading"),
        payload=schema(
            "tickers", tickers=arr(string("Symbol (see /v1/situation/universe)"), "Tickers")
        ),
        result=schema(situation=obj("The situation"), tickers=arr(string(""), "")),
    ),
    trigger(
        "polymarket-market-close",
        "Polymarket market closed",
        "Fire when a Polymarket market closes.",
        tags=("prediction-markets",),
        platform="polymarket",
        payload=schema("conditionId", conditionId=string("Market condition id")),
        result=schema(conditionId=string(""), outcome=string("")),
    ),
    trigger(
        "hyperliquid-user-fill",
        "Hyperliquid fill",
        "Fire when an order of an account fills on Hyperliquid.",
        tags=("trading", "perps"),
        platform="hyperliquid",
        payload=schema("address", address=_ADDRESS),
        result=schema(coin=string(""), side=string(""), size=string(""), price=string("")),
    ),
]
