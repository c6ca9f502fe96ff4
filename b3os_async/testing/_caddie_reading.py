"""Reading a chat request: the schedule, the steps and the condition it asks for (pure).

Used by :mod:`._caddie_builder` (see its docstring for what the Caddie understands). Names here
are public to the builder only: ``STEP`` (any step at all), ``SCHEDULE``, :func:`trigger`,
:func:`steps` and :class:`Step`.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

__all__ = ["CHANNEL_NAMES", "SCHEDULE", "STEP", "Step", "action", "steps", "trigger"]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


SCHEDULE = _rx(r"\bevery\s+(?:(\d+)\s+)?(minute|min|hour|day|week)s?\b|\b(hourly|daily|weekly)\b")
_AT = _rx(r"\bat\s+(\d{1,2})(?::(\d\d))?\s*(am|pm)?\b")
_FETCH = _rx(
    r"\b(fetch(?:es)?|gets?|checks?|reads?|pulls?|loads?|looks? up|quer(?:y|ies))\s+"
    r"(?:the\s+)?(https?://[^\s,;]+|[^,;.]+?)(?=\s+(?:and|then|when|if|every|to)\b|[,;.]|$)"
)
_PRICE = _rx(r"\b([a-z]{2,6})\s+price\b|\bprice\s+of\s+([a-z]{2,10})\b")
_URL = _rx(r"https?://[^\s,;]+")
_CONDITION = _rx(
    r"\b(?:when|if|whenever|only if)\b[^,;.]*?\b(above|over|greater than|more than|exceeds|"
    r"below|under|less than|equals|equal to)\s+\$?([\d][\d,]*(?:\.\d+)?)"
)
_NOTIFY = _rx(
    r"\b(?:posts?|sends?|notif(?:y|ies)|alerts?|messages?|pings?|tells?)\b[^,;.]*?"
    r"\b(slack|discord|telegram|webhook)\b"
)
_DELAY = _rx(
    r"\b(?:wait|delay|pause|sleep)s?\s+(?:for\s+)?(\d+)\s*"
    r"(second|sec|s|minute|min|m|hour|h)s?\b"
)
_APPROVAL = _rx(r"\b(?:approval|approve|sign[- ]off|confirmation)\b")
_LOG = _rx(r"\b(?:logs?|records?|echo(?:es)?)\b")
STEP = _rx("|".join(p.pattern for p in (_FETCH, _NOTIFY, _DELAY, _APPROVAL, _LOG)))
_OPS = {"above": "$gt", "over": "$gt", "greater than": "$gt", "more than": "$gt",
        "exceeds": "$gt", "below": "$lt", "under": "$lt", "less than": "$lt",
        "equals": "$eq", "equal to": "$eq"}  # fmt: skip
_COINS = {"eth": "ethereum", "btc": "bitcoin", "sol": "solana", "usdc": "usd-coin"}
_CHANNELS = {
    "slack": "https://hooks.slack.com/services/FILL_ME_IN",
    "discord": "https://discord.com/api/webhooks/FILL_ME_IN",
    "telegram": "https://api.telegram.org/botFILL_ME_IN/sendMessage",
    "webhook": "https://example.com/FILL_ME_IN",
}
CHANNEL_NAMES = {
    "slack": "Slack",
    "discord": "Discord",
    "telegram": "Telegram",
    "webhook": "a webhook",
}


@attrs.define
class Step:
    at: int  # where it was found in the message (steps keep the message's order)
    node_id: str
    node: dict[str, Any]
    says: str  # how the explanation describes it
    query: str  # what the catalog was searched for
    gate: bool = False  # an `if` node: later steps become its `then` branch
    resumes: bool = False  # a `wait` node: the next step needs branch "resumed"
    incomplete: tuple[str, ...] = ()


def trigger(text: str) -> tuple[dict[str, Any], str, str]:
    """The trigger node, how the explanation describes it, and the catalog query."""
    found = SCHEDULE.search(text)
    if found is None:
        return {"type": "manual", "payload": {}}, "when you run it", "manual"
    count, unit, adverb = found.groups()
    unit = {"hourly": "hour", "daily": "day", "weekly": "week"}.get(adverb or "", unit)
    every = int(count or 1)
    at = _AT.search(text)
    hour, minute = 9, 0
    if at is not None:
        hour, minute = int(at.group(1)), int(at.group(2) or 0)
        if at.group(3) == "pm" and hour < 12:
            hour += 12
        elif at.group(3) == "am" and hour == 12:
            hour = 0
        hour, minute = hour % 24, minute % 60
    cron = {
        "minute": f"*/{every} * * * *" if every > 1 else "* * * * *",
        "min": f"*/{every} * * * *" if every > 1 else "* * * * *",
        "hour": f"0 */{every} * * *" if every > 1 else "0 * * * *",
        "day": f"{minute} {hour} * * *",
        "week": f"{minute} {hour} * * 1",
    }[unit]
    says = f"every {every} {unit}s" if every > 1 else f"every {unit}"
    node = {"type": "cronjob", "payload": {"cron": cron, "timezone": "UTC"}}
    return node, f"{says} (cron {cron})", found.group(0)


def steps(text: str) -> list[Step]:
    """Every action the request asks for, in the order the message mentions them."""
    steps: list[Step] = []
    payload: dict[str, Any]
    value_of: str | None = None  # what a condition compares: the last fetched value
    value_name = "the value"
    for match in _FETCH.finditer(text):
        what = match.group(2).strip()
        price = _PRICE.search(what)
        url = _URL.search(what)
        if price is not None:
            symbol = (price.group(1) or price.group(2)).lower()
            coin = _COINS.get(symbol, symbol)
            node_id = f"fetch_{symbol}_price"
            payload = {
                "method": "GET",
                "url": f"https://api.coingecko.com/api/v3/simple/price?ids={coin}&vs_currencies=usd",
            }
            value_of = f"{{{{{node_id}.result.body.{coin}.usd}}}}"
            value_name = f"the {symbol.upper()} price"
            says = f"fetches the {symbol.upper()} price in USD from CoinGecko ({node_id})"
            fetch = action("http-request", payload)
            steps.append(Step(match.start(), node_id, fetch, says, what))
            continue
        node_id = f"fetch_{len(steps) + 1}"
        target = url.group(0) if url else "https://api.example.com/FILL_ME_IN"
        value_of = f"{{{{{node_id}.result.body}}}}"
        incomplete = () if url else (f"{node_id}.payload.url",)
        says = f"fetches {target if url else what} ({node_id})"
        step = Step(match.start(), node_id, action("http-request", {"method": "GET",
                     "url": target}), says, what, incomplete=incomplete)  # fmt: skip
        steps.append(step)
    condition = _CONDITION.search(text)
    if condition is not None:
        word, number = condition.group(1).lower(), float(condition.group(2).replace(",", ""))
        right: float | int = int(number) if number.is_integer() else number
        left = value_of or "{{root.result.value}}"
        payload = {"condition": {"left": left, "op": _OPS[word], "right": right}}
        at = max((s.at for s in steps if s.node_id.startswith("fetch")), default=-1) + 1
        says = f"checks whether {value_name} is {word} {right} (check_value)"
        steps.append(Step(at, "check_value", action("if", payload), says, word, gate=True))
    for match in _NOTIFY.finditer(text):
        channel = match.group(1).lower()
        node_id = f"notify_{channel}"
        fetched = value_of or "{{root.result}}"
        body = {"text": f"Update: {fetched}"}
        payload = {"method": "POST", "url": _CHANNELS[channel], "body": body}
        says = f"posts a message to {CHANNEL_NAMES[channel]} ({node_id})"
        steps.append(
            Step(match.start(), node_id, action("http-request", payload), says, match.group(0),
                  incomplete=(f"{node_id}.payload.url",))
        )  # fmt: skip
    for match in _DELAY.finditer(text):
        amount, unit = int(match.group(1)), match.group(2)[0].lower()
        ms = amount * {"s": 1000, "m": 60_000, "h": 3_600_000}[unit]
        says = f"waits {amount} {match.group(2)}{'s' if amount > 1 else ''} (pause)"
        steps.append(Step(match.start(), "pause", action("delay", {"ms": ms}), says, "wait"))
    approval = _APPROVAL.search(text)
    if approval is not None:
        payload = {"timeoutMs": 86_400_000}
        says = "waits up to a day for someone to approve (approval)"
        steps.append(Step(approval.start(), "approval", action("wait", payload), says,
                           "approval", resumes=True))  # fmt: skip
    log = _LOG.search(text)
    if log is not None:
        payload = {"message": f"ran at {{{{root.result.triggeredAt}}}}: {value_of or 'ok'}"}
        steps.append(Step(log.start(), "log", action("echo", payload), "logs the result (log)",
                           "log"))  # fmt: skip
    steps.sort(key=lambda step: step.at)
    return steps


def action(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "payload": payload}
