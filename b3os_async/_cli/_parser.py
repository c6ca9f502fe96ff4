"""The ``b3os`` argument parser (argparse, stdlib only).

Connection options (``--base-url``, ``--api-key``, ``--org-id``) and ``--json`` are accepted both
before and after the sub-command (``b3os --json runs list`` and ``b3os runs list --json``): the
sub-parsers repeat them with ``default=SUPPRESS`` so they only override what was actually given.
Their defaults are ``None``: the client itself falls back to ``B3OS_API_KEY`` / ``B3OS_BASE_URL`` /
``B3OS_ORG_ID``, and ``b3os demo`` can tell "given on the command line" from "set in the env".

Usage errors raise :class:`UsageError` instead of printing usage and exiting, so ``main()`` prints
one ``error: …`` line and returns 2.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, NoReturn

from b3os_async._version import __version__

__all__ = ["RUN_STATUSES", "UsageError", "build_parser", "parse_payload"]

RUN_STATUSES = ("running", "waiting", "success", "partial", "failure", "cancelled")
WORKFLOW_STATUSES = ("active", "paused", "draft", "archived")
CHAT_MODES = ("planning", "building", "repair", "conversation")


class UsageError(Exception):
    """The command line is wrong (exit code 2)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def parse_payload(text: str, flag: str = "--payload") -> dict[str, Any]:
    """Parse ``--payload`` (or ``flag``): a JSON object, or ``@FILE`` holding one."""
    source = flag
    if text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise argparse.ArgumentTypeError(
                f"cannot read payload file {str(path)!r}: {exc.strerror}"
            ) from None
        source = f"payload file {str(path)!r}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"{source} must be a JSON object, like '{{\"key\": 1}}'")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


MAX_DELAY_MS = 60_000


def _delay_ms(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value <= MAX_DELAY_MS:
        raise argparse.ArgumentTypeError(f"must be 0-{MAX_DELAY_MS} ms, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0-65535, got {value}")
    return value


def _add_common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Add the connection/output options; on sub-parsers they must not reset earlier values."""
    group = parser.add_argument_group("connection and output")

    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help="API base URL (default: $B3OS_BASE_URL, else https://api.b3os.org)",
    )
    group.add_argument(
        "--api-key",
        metavar="KEY",
        default=default(None),
        help="API key b3sk_… (default: $B3OS_API_KEY)",
    )
    group.add_argument(
        "--org-id",
        metavar="ID",
        default=default(None),
        help="organization id sent as X-Org-ID (default: $B3OS_ORG_ID)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print JSON for scripts (one document; JSON lines for watches)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="show a traceback for unexpected errors",
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the full ``b3os`` parser; each leaf sets ``command`` (e.g. ``"runs.watch"``)."""
    parser = _Parser(
        prog="b3os",
        description="Command-line client for the B3OS workflow-automation API.",
        epilog="Try 'b3os demo' to see a workflow run live against a local emulator.",
    )
    parser.add_argument("--version", action="version", version=f"b3os-async {__version__}")
    _add_common(parser, top=True)
    commands = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)

    def leaf(
        sub: argparse._SubParsersAction[Any], name: str, command: str, help_text: str
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
        _add_common(p, top=False)
        p.set_defaults(command=command)
        return p

    demo = leaf(
        commands,
        "demo",
        "demo",
        "run a multi-node workflow with live progress (local emulator unless "
        "--base-url/--api-key are given)",
    )
    demo.add_argument(
        "--delay-ms",
        type=_delay_ms,
        default=400,
        metavar="MS",
        help=f"how long the demo's delay node waits, 0-{MAX_DELAY_MS} (default: 400)",
    )

    emu = leaf(commands, "emulator", "emulator", "run a local B3OS emulator until Ctrl-C")
    emu.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1); with 0.0.0.0 or :: the printed URL is "
        "the loopback one, and other machines need HTTPS in front",
    )
    emu.add_argument("--port", type=_port, default=8080, help="port (default: 8080; 0 = any)")
    emu.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for deterministic ids and API key (default: 0 on a loopback host, "
        "random on any other)",
    )

    wf = commands.add_parser("workflows", help="list and run workflows", description="Workflows.")
    wf_sub = wf.add_subparsers(dest="action", metavar="ACTION", required=True)
    wf_list = leaf(wf_sub, "list", "workflows.list", "list workflows")
    wf_list.add_argument("--status", choices=WORKFLOW_STATUSES, help="only this status")
    wf_list.add_argument(
        "--limit", type=_positive_int, default=50, help="at most this many (default: 50)"
    )
    wf_run = leaf(wf_sub, "run", "workflows.run", "run a workflow once")
    wf_run.add_argument("workflow_id", metavar="ID", help="workflow id (wf_…)")
    wf_run.add_argument(
        "--payload",
        type=parse_payload,
        default=None,
        metavar="JSON",
        help="trigger payload: a JSON object, or @FILE",
    )
    wf_run.add_argument(
        "--watch", action="store_true", help="stream the run's events until it ends"
    )

    runs = commands.add_parser("runs", help="list, inspect and watch runs", description="Runs.")
    runs_sub = runs.add_subparsers(dest="action", metavar="ACTION", required=True)
    runs_list = leaf(runs_sub, "list", "runs.list", "list recent runs")
    runs_list.add_argument("--status", choices=RUN_STATUSES, help="only runs with this status")
    runs_list.add_argument(
        "--limit", type=_positive_int, default=50, help="at most this many (default: 50)"
    )
    runs_get = leaf(runs_sub, "get", "runs.get", "show one run and its nodes")
    runs_get.add_argument("run_id", metavar="RUN_ID", help="run id (run_…)")
    runs_watch = leaf(runs_sub, "watch", "runs.watch", "follow a run's events live")
    runs_watch.add_argument("run_id", metavar="RUN_ID", help="run id (run_…)")
    from b3os_async._cli._wfruns_parser import add_wfruns_commands

    add_wfruns_commands(commands, wf_sub, leaf)
    _add_org_commands(commands, leaf)
    _add_public_area(commands, leaf)

    # Caddie (area 9)
    cad = leaf(
        commands,
        "caddie",
        "caddie",
        "ask Caddie, the AI workflow builder, and watch the turn live (--create saves the "
        "workflow it builds)",
    )
    cad.add_argument("message", metavar="MESSAGE", help='e.g. "build me a workflow that ..."')
    cad.add_argument(
        "--create", action="store_true", help="save the workflow Caddie builds as a draft"
    )
    cad.add_argument("--name", help="name of the workflow --create saves (default: Caddie's)")
    cad.add_argument("--conversation", metavar="ID", help="continue this conversation")
    cad.add_argument("--workflow", metavar="ID", help="the saved workflow (wf_…) to change")
    cad.add_argument("--mode", choices=CHAT_MODES, help="the turn's mode (default: Caddie picks)")
    cad.add_argument(
        "--emulator",
        action="store_true",
        help="run against an embedded local emulator (offline, no account needed)",
    )

    # execution hooks
    hooks = commands.add_parser(
        "hooks", help="receive execution hooks; list and resend deliveries", description="Hooks."
    )
    hooks_sub = hooks.add_subparsers(dest="action", metavar="ACTION", required=True)
    listen = leaf(
        hooks_sub,
        "listen",
        "hooks.listen",
        "receive execution hooks locally and print each verified delivery, until Ctrl-C",
    )
    listen.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    listen.add_argument("--port", type=_port, default=8787, help="port (default: 8787; 0 = any)")
    listen.add_argument(
        "--secret",
        action="append",
        metavar="SECRET",
        help="the endpoint's signing secret; repeat while rotating (default: $B3OS_HOOK_SECRET, "
        "comma-separated, which other users of the machine cannot see)",
    )
    listen.add_argument("--path", default="/b3os/hooks", help="path (default: /b3os/hooks)")
    listen.add_argument(
        "--header", default="x-b3os-signature", help="signature header (default: x-b3os-signature)"
    )
    deliveries = hooks_sub.add_parser(
        "deliveries", help="list, replay and retry deliveries", description="Deliveries."
    )
    deliveries_sub = deliveries.add_subparsers(dest="what", metavar="ACTION", required=True)
    d_list = leaf(deliveries_sub, "list", "hooks.deliveries.list", "list recent deliveries")
    d_list.add_argument("--endpoint", metavar="ID", help="only this endpoint's (whk_…)")
    d_list.add_argument(
        "--limit", type=_positive_int, default=50, help="at most this many (default: 50)"
    )
    d_replay = leaf(
        deliveries_sub, "replay", "hooks.deliveries.replay", "send a delivery again, as a new one"
    )
    d_replay.add_argument("delivery_id", metavar="DELIVERY_ID", help="delivery id (whd_…)")
    d_retry = leaf(
        deliveries_sub, "retry", "hooks.deliveries.retry", "requeue a failed delivery (the same)"
    )
    d_retry.add_argument("delivery_id", metavar="DELIVERY_ID", help="delivery id (whd_…)")
    _add_catalog(commands, leaf)
    return parser


def _add_org_commands(commands: Any, leaf: Any) -> None:
    """``b3os keys list|create|revoke`` and ``b3os org show|query`` (issue 14)."""
    keys = commands.add_parser(
        "keys", help="list, create and revoke API keys", description="API keys."
    )
    keys_sub = keys.add_subparsers(dest="action", metavar="ACTION", required=True)
    keys_list = leaf(keys_sub, "list", "keys.list", "list the organization's API keys")
    keys_list.add_argument(
        "--limit", type=_positive_int, default=50, help="at most this many (default: 50)"
    )
    create = leaf(keys_sub, "create", "keys.create", "create an API key (printed once)")
    create.add_argument("name", help="what the key is for")
    create.add_argument(
        "--scope", choices=("read", "read-write"), default="read", help="default: read"
    )
    create.add_argument("--description", default=None, help="free text")
    create.add_argument(
        "--service-account", metavar="ID", default=None, help="a key of this service account"
    )
    revoke = leaf(keys_sub, "revoke", "keys.revoke", "revoke an API key (irreversible)")
    revoke.add_argument("key_id", metavar="KEY_ID", help="key id (key_…), not the key itself")
    revoke.add_argument("--yes", action="store_true", help="confirm: revoking cannot be undone")

    org = commands.add_parser(
        "org", help="the organization: balance, members, database", description="Organization."
    )
    org_sub = org.add_subparsers(dest="action", metavar="ACTION", required=True)
    leaf(org_sub, "show", "org.show", "show the organization, its compute units and members")
    query = leaf(org_sub, "query", "org.query", "run one SQL statement on the org database")
    query.add_argument("sql", metavar="SQL", help='e.g. "select * from customers where id = ?"')
    query.add_argument(
        "--param",
        action="append",
        metavar="VALUE",
        help="a value for the next ? (JSON scalar or text); repeat for several",
    )


def _prop(text: str) -> tuple[str, Any]:
    from b3os_async._cli._public_area import parse_prop

    try:
        return parse_prop(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_public_area(commands: argparse._SubParsersAction[Any], leaf: Any) -> None:
    """Area public: ``templates list|get|use``, ``executions watch``, ``x402 probe``."""
    tpl = commands.add_parser(
        "templates", help="list, show and use templates", description="Workflow templates."
    )
    tpl_sub = tpl.add_subparsers(dest="action", metavar="ACTION", required=True)
    tpl_list = leaf(tpl_sub, "list", "templates.list", "list templates")
    tpl_list.add_argument(
        "--category",
        choices=("all", "org", "public", "promoted"),
        help="whose templates (default: all you can see)",
    )
    tpl_list.add_argument("--tag", action="append", metavar="TAG", help="only with this tag")
    tpl_list.add_argument(
        "--limit", type=_positive_int, default=50, help="at most this many (default: 50)"
    )
    tpl_get = leaf(tpl_sub, "get", "templates.get", "show a template and its props")
    tpl_get.add_argument("template_id", metavar="ID", help="template id (tpl_…)")
    tpl_use = leaf(tpl_sub, "use", "templates.use", "create a workflow from a template")
    tpl_use.add_argument("template_id", metavar="ID", help="template id (tpl_…)")
    tpl_use.add_argument("--name", help="the workflow's name (default: the template's)")
    tpl_use.add_argument(
        "--prop",
        type=_prop,
        action="append",
        metavar="KEY=VALUE",
        help="a prop value (JSON when it parses, else text); repeatable",
    )
    tpl_use.add_argument(
        "--props", type=parse_payload, metavar="JSON", help="prop values as a JSON object, or @FILE"
    )

    exe = commands.add_parser(
        "executions",
        help="follow external executions",
        description="External executions (not runs).",
    )
    exe_sub = exe.add_subparsers(dest="action", metavar="ACTION", required=True)
    watch = leaf(exe_sub, "watch", "executions.watch", "follow an external execution live")
    watch.add_argument("execution_id", metavar="ID", help="execution id (exe_…)")
    watch.add_argument("--token", help="the client token of a public execution (no key needed)")

    x402 = commands.add_parser("x402", help="paid HTTP resources", description="x402.")
    x402_sub = x402.add_subparsers(dest="action", metavar="ACTION", required=True)
    probe = leaf(x402_sub, "probe", "x402.probe", "show what a paid resource asks, unpaid")
    probe.add_argument("url", metavar="URL", help="the resource URL")
    probe.add_argument(
        "--method",
        choices=("GET", "POST", "PUT", "PATCH", "DELETE"),
        help="ask with this method (default: POST, then GET)",
    )


def _add_catalog(commands: argparse._SubParsersAction[Any], leaf: Any) -> None:
    """``actions list|get|test``, ``triggers list``, ``connectors list|get``."""
    actions = commands.add_parser(
        "actions", help="browse and test actions", description="The action catalog."
    )
    actions_sub = actions.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions_list = leaf(actions_sub, "list", "actions.list", "list the action catalog")
    actions_list.add_argument("--tags", metavar="A,B", help="only actions with ALL these tags")
    actions_get = leaf(actions_sub, "get", "actions.get", "show an action and its inputs")
    actions_get.add_argument("action_type", metavar="TYPE", help="action type, e.g. echo")
    actions_test = leaf(
        actions_sub, "test", "actions.test", "execute an action once (charges its CU cost)"
    )
    actions_test.add_argument("action_type", metavar="TYPE", help="action type, e.g. echo")
    actions_test.add_argument(
        "--inputs",
        type=lambda text: parse_payload(text, "--inputs"),
        default=None,
        metavar="JSON",
        help="the action's inputs: a JSON object, or @FILE",
    )
    actions_test.add_argument("--connector", metavar="ID", help="connector id (conn_…) to use")

    triggers = commands.add_parser(
        "triggers", help="browse triggers", description="The trigger catalog."
    )
    triggers_sub = triggers.add_subparsers(dest="action", metavar="ACTION", required=True)
    triggers_list = leaf(triggers_sub, "list", "triggers.list", "list the trigger catalog")
    triggers_list.add_argument("--tags", metavar="A,B", help="only triggers with ALL these tags")

    connectors = commands.add_parser(
        "connectors", help="list and show connectors", description="Connectors."
    )
    connectors_sub = connectors.add_subparsers(dest="action", metavar="ACTION", required=True)
    connectors_list = leaf(connectors_sub, "list", "connectors.list", "list connectors")
    connectors_list.add_argument(
        "--limit", type=_positive_int, default=50, help="at most this many (default: 50)"
    )
    connectors_get = leaf(
        connectors_sub, "get", "connectors.get", "show a connector (credentials masked)"
    )
    connectors_get.add_argument("connector_id", metavar="ID", help="connector id (conn_…)")
