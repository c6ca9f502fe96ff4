"""``b3os keys list|create|revoke``, ``b3os org show`` and ``b3os org query``.

``keys create`` prints the new key ONCE (it cannot be read again); ``keys revoke`` is
irreversible and needs ``--yes``. ``org query`` runs one SQL statement on the organization's
database with ``--param`` values bound to its ``?`` placeholders (never formatted into the SQL).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from b3os_async._cli._common import fmt_time, make_client, text
from b3os_async._cli._output import Styled, to_jsonable
from b3os_async._errors import ConfigurationError

if TYPE_CHECKING:
    import argparse

    from b3os_async._cli._output import Output

__all__ = ["keys_create", "keys_list", "keys_revoke", "org_query", "org_show", "parse_param"]

_MAX_PAGE = 100


def parse_param(raw: str) -> Any:
    """A ``--param`` value: JSON when it parses as a JSON scalar (``3``, ``true``, ``null``,
    ``"x"``), else the text itself."""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return value if value is None or isinstance(value, (str, int, float, bool)) else raw


async def keys_list(args: argparse.Namespace, out: Output) -> int:
    """List the organization's API keys: id, name, scope, prefix, last use, revoked."""
    async with make_client(args) as b3:
        items = [
            k async for k in b3.api_keys.list(page_size=min(args.limit, _MAX_PAGE),
                                              max_items=args.limit)
        ]  # fmt: skip
    if out.json_mode:
        out.json(items)
        return 0
    rows: list[list[str | Styled]] = [
        [k.id, k.name or "", text(k.scope), f"{k.key_prefix or ''}…", fmt_time(k.last_used_at),
         Styled("revoked", "red") if k.revoked_at else Styled("active", "green")]
        for k in items
    ]  # fmt: skip
    out.table(["id", "name", "scope", "key", "last used", "state"], rows, empty="no API keys")
    return 0


async def keys_create(args: argparse.Namespace, out: Output) -> int:
    """Create a key and print it once."""
    async with make_client(args) as b3:
        created = await b3.api_keys.create(
            args.name,
            scope=args.scope,
            description=args.description,
            service_account_id=args.service_account,
        )
    if out.json_mode:
        out.json({**to_jsonable(created), "key": created.key})
        return 0
    out.line("created key ", Styled(created.id, "bold"), f" ({text(created.scope)}):")
    out.line(created.key)
    out.note("store it now: it is not shown again")
    return 0


async def keys_revoke(args: argparse.Namespace, out: Output) -> int:
    """Revoke a key (irreversible: needs --yes)."""
    if not args.yes:
        raise ConfigurationError(
            f"revoking {args.key_id} is irreversible (every request and stream using it will "
            "fail): add --yes to confirm"
        )
    async with make_client(args) as b3:
        await b3.api_keys.revoke(args.key_id)
    if out.json_mode:
        out.json({"id": args.key_id, "revoked": True})
    else:
        out.line("revoked key ", Styled(args.key_id, "bold"))
    return 0


async def org_show(args: argparse.Namespace, out: Output) -> int:
    """Show the organization, its compute units and its members."""
    async with make_client(args) as b3:
        org = await b3.organizations.current()
        balance = await b3.compute_units.balance(org_id=org.id)
        members = [m async for m in b3.organizations.members(org_id=org.id, page_size=100)]
    if out.json_mode:
        out.json({"organization": org, "computeUnits": balance, "members": members})
        return 0
    out.line(Styled(org.name or org.id, "bold"), f"  {org.id}  tier {org.tier or '-'}")
    threshold = balance.min_threshold if balance.min_threshold is not None else 0
    out.line(f"compute units: {balance.balance:g} (minimum threshold {threshold:g})")
    rows = [
        [m.user_email or m.user_id or "-", text(m.role), fmt_time(m.created_at)] for m in members
    ]
    out.table(["member", "role", "since"], rows, title="members", empty="no members")
    return 0


async def org_query(args: argparse.Namespace, out: Output) -> int:
    """Run one SQL statement on the organization's database and print its rows."""
    params = [parse_param(raw) for raw in args.param or ()]
    async with make_client(args) as b3:
        result = await b3.database.query(args.sql, params)
    if out.json_mode:
        out.json(result.rows)
        return 0
    columns: list[str] = []
    for row in result.rows:
        columns.extend(name for name in row if name not in columns)
    rows = [[_cell(row.get(name)) for name in columns] for row in result.rows]
    out.table(columns, rows, empty="no rows")
    return 0


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    return value if isinstance(value, str) else json.dumps(value)
