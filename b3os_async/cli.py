"""The ``b3os`` command: ``demo``, ``emulator``, ``workflows list|run|schedule|vars``,
``runs list|get|watch``, ``metrics summary``, ``api``, ``caddie``, ``templates list|get|use``,
``executions watch``, ``x402 probe``, ``actions list|get|test``, ``triggers list``,
``connectors list|get``, ``keys list|create|revoke``, ``org show|query``,
``hooks listen|deliveries``.

``main(argv)`` returns the process exit code (the console script does ``sys.exit(main())``):

* 0 — done (for ``workflows run --watch`` / ``runs watch`` / ``demo``: the run succeeded);
* 1 — the API or the network failed, or a watched run ended ``failure`` / ``cancelled``;
* 2 — a usage or configuration error (bad option, bad ``--payload`` JSON, no API key);
* 130 — interrupted with Ctrl-C (``b3os emulator`` exits 0 on Ctrl-C: that is how it stops);
* 141 — stdout was closed by its reader (``b3os demo | head -2``): no message, like other filters.

Errors are printed as ONE line, ``error: <message>``, on stderr — never a traceback (unless
``--debug``), never an API key. rich (extra ``cli``) is imported lazily and only on a terminal;
without it the output is plain. ``import b3os_async`` never imports this module.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from b3os_async._cli._parser import UsageError, build_parser
from b3os_async._errors import B3OSError, ConfigurationError, redact_text

if TYPE_CHECKING:
    from b3os_async._cli._output import Output

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a filter cut off by `head`

# command -> (module, function). Imported on use, so `b3os --help` stays quick and a broken
# optional piece (the emulator) cannot break the other commands.
_COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("b3os_async._cli._demo", "demo"),
    "emulator": ("b3os_async._cli._emulator", "emulator"),
    "workflows.list": ("b3os_async._cli._commands", "workflows_list"),
    "workflows.run": ("b3os_async._cli._commands", "workflows_run"),
    "runs.list": ("b3os_async._cli._commands", "runs_list"),
    "runs.get": ("b3os_async._cli._commands", "runs_get"),
    "runs.watch": ("b3os_async._cli._commands", "runs_watch"),
    # workflows and runs, the rest (issue 17)
    "workflows.schedule": ("b3os_async._cli._workflow_extras", "workflows_schedule"),
    "workflows.vars": ("b3os_async._cli._workflow_extras", "workflows_vars"),
    "metrics.summary": ("b3os_async._cli._metrics", "metrics_summary"),
    "api": ("b3os_async._cli._api", "api_call"),
    # area public
    "templates.list": ("b3os_async._cli._public_area", "templates_list"),
    "templates.get": ("b3os_async._cli._public_area", "templates_get"),
    "templates.use": ("b3os_async._cli._public_area", "templates_use"),
    "executions.watch": ("b3os_async._cli._public_area", "executions_watch"),
    "x402.probe": ("b3os_async._cli._public_area", "x402_probe"),
    "caddie": ("b3os_async._cli._caddie", "caddie"),
    # execution hooks
    "hooks.listen": ("b3os_async._cli._hooks", "hooks_listen"),
    "hooks.deliveries.list": ("b3os_async._cli._hooks", "deliveries_list"),
    "hooks.deliveries.replay": ("b3os_async._cli._hooks", "deliveries_replay"),
    "hooks.deliveries.retry": ("b3os_async._cli._hooks", "deliveries_retry"),
    "actions.list": ("b3os_async._cli._catalog", "actions_list"),
    "actions.get": ("b3os_async._cli._catalog", "actions_get"),
    "actions.test": ("b3os_async._cli._catalog", "actions_test"),
    "triggers.list": ("b3os_async._cli._catalog", "triggers_list"),
    "connectors.list": ("b3os_async._cli._catalog", "connectors_list"),
    "connectors.get": ("b3os_async._cli._catalog", "connectors_get"),
    "keys.list": ("b3os_async._cli._orgs", "keys_list"),
    "keys.create": ("b3os_async._cli._orgs", "keys_create"),
    "keys.revoke": ("b3os_async._cli._orgs", "keys_revoke"),
    "org.show": ("b3os_async._cli._orgs", "org_show"),
    "org.query": ("b3os_async._cli._orgs", "org_query"),
}

Handler = Callable[[argparse.Namespace, "Output"], Coroutine[Any, Any, int]]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``b3os`` command line ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    from b3os_async._cli._output import Output

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        Output(json_mode=False).error(str(exc))
        return EXIT_USAGE
    except SystemExit as exc:  # --help / --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK

    out = Output(json_mode=args.json)
    module_name, func_name = _COMMANDS[args.command]
    try:
        handler: Handler = getattr(importlib.import_module(module_name), func_name)
        return asyncio.run(handler(args, out))
    except KeyboardInterrupt:
        if args.command == "emulator":  # Ctrl-C is how the emulator is meant to stop
            out.note("emulator stopped")
            return EXIT_OK
        if args.command == "hooks.listen":  # ... and a local hook receiver
            out.note("stopped listening")
            return EXIT_OK
        out.note("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`b3os demo | head -2`): stop quietly, like any Unix filter.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except ConfigurationError as exc:
        out.error(str(exc))
        return EXIT_USAGE
    except B3OSError as exc:
        out.error(str(exc))
        return EXIT_FAILURE
    except OSError as exc:  # e.g. the emulator's port is taken
        out.error(redact_text(str(exc)) or type(exc).__name__)
        return EXIT_FAILURE
    except Exception as exc:
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        out.error(f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
        return EXIT_FAILURE


def _silence_stdout() -> None:
    """Send whatever is left in (and later written to) stdout to devnull."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass  # no real stdout (a test's StringIO): nothing to protect
