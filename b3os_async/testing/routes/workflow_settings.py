"""Area ``workflow_settings``: owner, fund auto-swap, UI metadata, public widget, AI texts.

Each setting is one ``Workflow`` transition (``set_extra``, ``set_widget``, ``set_ui_metadata``);
what they set
shows in the workflow's JSON (``ownerUserId``, ``fundAutoSwapConfig``, ``publicWidgetConfig``,
``aiName``/``aiDescription``; list items show ``publicWidgetEnabled``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from b3os_async.testing._common import bad_field, compact
from b3os_async.testing._graph import nodes_of, trigger_ids
from b3os_async.testing._server import context, json_body, ok, optional, principal, require

if TYPE_CHECKING:
    from collections.abc import Callable

    from b3os_async.testing._domain.workflows import Workflow

ROUTES = web.RouteTableDef()
# A sub-area of workflows: its paths are /v1/workflows/{id}/....
ALSO_SERVES = ("/v1/workflows/",)

_AMOUNT = re.compile(r"[0-9]+", re.ASCII)


def _change(request: web.Request, transition: Callable[[Workflow, str], Any]) -> Workflow:
    who = principal(request)
    book = context(request).store.workflows
    return book.change(who.org_id, request.match_info["id"], lambda w: transition(w, who.user_id))


def _found(request: web.Request) -> Workflow:
    return context(request).store.workflows.get(principal(request).org_id, request.match_info["id"])


@ROUTES.put("/v1/workflows/{id}/owner")
async def transfer_owner(request: web.Request) -> web.Response:
    """``PUT …/owner``: ``{ownerUserId}``, a member of the organization (400 otherwise)."""
    _found(request)
    owner = require(await json_body(request), "ownerUserId", str, "a user id")
    org = context(request).store.orgs[principal(request).org_id]
    if owner != org.user_id:  # the emulator's organizations have one member
        raise bad_field(f"'ownerUserId' {owner!r} is not a member of the organization")
    workflow = _change(request, lambda w, by: w.set_extra(by, ownerUserId=owner))
    return ok(request, {"id": workflow.id, "ownerUserId": owner})


def _sources(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise bad_field("'sources' must be a list of objects")
    for item in value:
        slippage = item.get("slippageBps", 300)
        if (
            isinstance(slippage, bool)
            or not isinstance(slippage, int)
            or not 0 <= slippage <= 10000
        ):
            raise bad_field("'sources[].slippageBps' must be an integer 0-10000")
    return [dict(item) for item in value]


@ROUTES.put("/v1/workflows/{id}/fund-auto-swap")
async def fund_auto_swap(request: web.Request) -> web.Response:
    """``PUT …/fund-auto-swap``: the configuration, replaced; answered as stored."""
    _found(request)
    body = await json_body(request)
    limit = optional(body, "maxSwapAmountUsd", (int, float), "a number")
    if limit is not None and limit < 0:
        raise bad_field("'maxSwapAmountUsd' must not be negative")
    config = compact(
        {
            "enabled": bool(optional(body, "enabled", bool, "a boolean")),
            "maxSwapAmountUsd": limit,
            "mode": optional(body, "mode", str, "a string"),
            "sources": _sources(body["sources"]) if body.get("sources") is not None else None,
        }
    )
    _change(request, lambda w, by: w.set_extra(by, fundAutoSwapConfig=config))
    return ok(request, config)


@ROUTES.patch("/v1/workflows/{id}/ui-metadata")
async def update_ui_metadata(request: web.Request) -> web.Response:
    """``PATCH …/ui-metadata``: in place, no new version; ``{version}``; 409 on a stale lock."""
    workflow = _found(request)
    body = await json_body(request)
    metadata = require(body, "uiMetadata", dict, "an object")
    expected = optional(body, "expectedCurrentVersion", int, "an integer")
    return ok(request, {"version": workflow.set_ui_metadata(metadata, expected)})


def _widget(workflow: Workflow, config: dict[str, Any]) -> dict[str, Any]:
    """``PublicWidgetData``: the stored configuration plus what the trigger says."""
    definition = workflow.current().content["definition"]
    nodes = nodes_of(definition)
    first = trigger_ids(definition)[0]
    payload = nodes[first].get("payload") or {} if first in nodes else {}
    chain = payload.get("chainId")
    recipient = payload.get("toAddress") or payload.get("contractAddress")
    token = payload.get("tokenAddress")
    return compact(
        {
            **config,
            "chainId": chain if isinstance(chain, int) and not isinstance(chain, bool) else None,
            "recipientAddress": recipient if isinstance(recipient, str) else None,
            "tokenAddress": token if isinstance(token, str) else None,
        }
    )


def _text(body: dict[str, Any], name: str, longest: int, *, required: bool = False) -> Any:
    value = (require if required else optional)(body, name, str, "a string")
    if value is not None and ((required and not value.strip()) or len(value) > longest):
        raise bad_field(f"{name!r} must be 1 to {longest} characters")
    return value


@ROUTES.post("/v1/workflows/{id}/widget")
async def enable_widget(request: web.Request) -> web.Response:
    """``POST …/widget``: enable the public widget (``title`` required); ``PublicWidgetData``."""
    _found(request)
    body = await json_body(request)
    config: dict[str, Any] = {
        "enabled": True,
        "title": _text(body, "title", 100, required=True),
        "description": _text(body, "description", 500),
        "buttonLabel": _text(body, "buttonLabel", 50) or "Send",
    }
    for name in ("minAmount", "maxAmount"):
        amount = optional(body, name, str, "a string of digits")
        if amount is not None and not _AMOUNT.fullmatch(amount):
            raise bad_field(f"{name!r} must be a whole number in the token's smallest unit")
        config[name] = amount
    low, high = config["minAmount"], config["maxAmount"]
    if low is not None and high is not None and int(low) > int(high):
        raise bad_field("'minAmount' must not exceed 'maxAmount'")
    stored = compact(config)
    workflow = _change(request, lambda w, by: w.set_widget(stored, by))
    return ok(request, _widget(workflow, stored))


@ROUTES.delete("/v1/workflows/{id}/widget")
async def disable_widget(request: web.Request) -> web.Response:
    """``DELETE …/widget``: disable it (the configuration is kept, ``enabled: false``)."""
    workflow = _found(request)
    stored = {**(workflow.widget or {}), "enabled": False}
    workflow = _change(request, lambda w, by: w.set_widget(stored, by))
    return ok(request, _widget(workflow, stored))


@ROUTES.post("/v1/workflows/{id}/regenerate-descriptions")
async def regenerate_descriptions(request: web.Request) -> web.Response:
    """``POST …/regenerate-descriptions``: a name and description made from the graph.

    The emulator has no AI: the texts are built from the node types, the same every time.
    """
    workflow = _found(request)
    definition = workflow.current().content["definition"]
    nodes = nodes_of(definition)
    triggers = [t for t in trigger_ids(definition) if t in nodes]
    kinds = [nodes[t]["type"] for t in triggers]
    actions = sorted({n["type"] for i, n in nodes.items() if i not in triggers})
    steps = ", ".join(actions) or "nothing"
    name = f"{' / '.join(kinds) or 'manual'} -> {steps}"[:100]
    description = (
        f"When {' or '.join(kinds) or 'a manual run'} fires, runs {len(nodes) - len(triggers)} "
        f"step(s): {steps}."
    )
    _change(request, lambda w, by: w.set_extra(by, aiName=name, aiDescription=description))
    return ok(request, {"aiName": name, "aiDescription": description})
