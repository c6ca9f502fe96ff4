"""Fund analysis: which tokens and amounts a definition's nodes would need (nothing runs).

Theory of operation
-------------------
``analyze-funds`` reads node payloads only. The emulator's rules (the API's own catalog of
money-moving actions is not modelled):

* a node whose payload has an ``amount`` needs that amount of a token (``source:
  fundsMovement.sent``): ``chainId`` from the payload or the node's connector, ``tokenAddress``
  from the payload (absent, ``"native"`` or the zero/``0xeee…`` address = the chain's native
  token), the wallet from the connector's ``walletAddress``, else the payload's
  ``walletAddress``/``fromAddress``, else the request's ``defaultWalletAddress``;
* a payload ``requiredTokens`` list (``[{chainId, tokenAddress, amount}]``) adds one requirement
  per item (``source: requiredTokens``).

An amount that is a whole number (or a string of digits) is in raw units; a decimal string is
human readable (``amountIsHumanReadable``). A requirement that cannot be resolved goes to
``unresolved`` with a reason: ``template`` (a ``{{…}}`` expression, known only at run time),
``chainId`` (missing), ``tokenAddress`` (not a string) or ``parseError`` (an amount that is not
a number). Trigger nodes are not analysed. ``balancesFetched`` is always false: the emulator has
no wallets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from b3os_async.testing._common import compact
from b3os_async.testing._graph import nodes_of, trigger_ids

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["analyze_funds"]

CHAINS = {
    1: "Ethereum",
    10: "Optimism",
    137: "Polygon",
    8333: "B3",
    8453: "Base",
    42161: "Arbitrum",
}
_NATIVE = {"", "native", "0x0000000000000000000000000000000000000000"}
_RAW = re.compile(r"[0-9]+", re.ASCII)
_HUMAN = re.compile(r"[0-9]+\.[0-9]+", re.ASCII)


def _templated(value: Any) -> bool:
    return isinstance(value, str) and "{{" in value


def _requirement(
    node_id: str,
    node: Mapping[str, Any],
    source: str,
    spec: Mapping[str, Any],
    default_wallet: str | None,
) -> tuple[dict[str, Any], str | None]:
    """One requirement and, if it cannot be resolved, why."""
    found = node.get("connector")
    connector: Mapping[str, Any] = found if isinstance(found, dict) else {}
    payload: Mapping[str, Any] = node.get("payload") or {}
    chain = spec.get("chainId", connector.get("chainId"))
    token = spec.get("tokenAddress")
    amount = spec.get("amount")
    wallet = connector.get("walletAddress") or payload.get("walletAddress")
    wallet = wallet or payload.get("fromAddress") or default_wallet
    reason = None
    if any(_templated(value) for value in (chain, token, amount)):
        reason = "template"
    elif isinstance(chain, bool) or not isinstance(chain, int):
        reason = "chainId"
    elif token is not None and not isinstance(token, str):
        reason = "tokenAddress"
    text = str(amount) if isinstance(amount, int) and not isinstance(amount, bool) else amount
    human = isinstance(text, str) and bool(_HUMAN.fullmatch(text))
    if reason is None and not (isinstance(text, str) and (_RAW.fullmatch(text) or human)):
        reason = "parseError"
    native = token is None or (isinstance(token, str) and token.lower() in _NATIVE)
    native = native or (isinstance(token, str) and token.lower() == "0x" + "e" * 40)
    row = compact(
        {
            "nodeId": node_id,
            "nodeType": node["type"],
            "nodeName": node.get("titleOverride") or node_id,
            "source": source,
            "walletAddress": wallet if isinstance(wallet, str) else None,
            "chainId": chain if isinstance(chain, int) and not isinstance(chain, bool) else None,
            "chainName": CHAINS.get(chain) if isinstance(chain, int) else None,
            "tokenAddress": token if isinstance(token, str) and not native else None,
            "symbol": spec.get("symbol") if isinstance(spec.get("symbol"), str) else None,
            "decimals": spec.get("decimals") if isinstance(spec.get("decimals"), int) else None,
            "isNative": native,
            "requiredAmount": text if isinstance(text, str) else None,
            "amountIsHumanReadable": human,
            "unresolved": reason is not None,
            "unresolvedReason": reason,
        }
    )
    return row, reason


def analyze_funds(
    definition: Mapping[str, Any],
    *,
    workflow_id: str = "",
    version: int | None = None,
    default_wallet: str | None = None,
) -> dict[str, Any]:
    """The ``AnalyzeFundsResponse`` of a definition (module docstring)."""
    triggers = set(trigger_ids(definition))
    requirements: list[dict[str, Any]] = []
    unresolved: list[dict[str, Any]] = []
    for node_id, node in nodes_of(definition).items():
        if node_id in triggers:
            continue
        payload = node.get("payload") or {}
        specs: list[tuple[str, Mapping[str, Any]]] = []
        if "amount" in payload:
            specs.append(("fundsMovement.sent", payload))
        tokens = payload.get("requiredTokens")
        if isinstance(tokens, list):
            specs.extend(("requiredTokens", item) for item in tokens if isinstance(item, dict))
        for source, spec in specs:
            row, reason = _requirement(node_id, node, source, spec, default_wallet)
            (requirements if reason is None else unresolved).append(row)
    return compact(
        {
            "workflowId": workflow_id,
            "workflowVersion": version,
            "requirements": requirements,
            "unresolved": unresolved,
            "balancesFetched": False,
        }
    )
