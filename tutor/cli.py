"""The `backprop-tutor` command line: parse arguments, call the core, print text or JSON.

With no subcommand it starts the terminal app. Every subcommand takes `--json`, `--pack DIR`
and `--data-dir DIR`. Exit codes: 0 success, 1 a negative result, 2 a usage or input error.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from tutor import __version__
from tutor.commands.context import EXIT_USAGE, CommandError, Context

EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what shell tools report when their reader goes away."""

DESCRIPTION = """\
An offline terminal tutor for backpropagation: lessons, derivations checked symbolically,
and backward() code graded against numerical gradients. Run with no command to start the app.
"""

EPILOG = """\
Item ids look like `core/linear-backward` (as printed by `list`); a bare id works when unique.
Progress lives in the platform's user data folder unless --data-dir or BACKPROP_TUTOR_HOME
says otherwise. Exit codes: 0 success, 1 a negative result, 2 a usage or input error.
"""


def _common_options() -> argparse.ArgumentParser:
    # SUPPRESS keeps a subcommand's defaults from overwriting options given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print machine-readable JSON on stdout",
    )
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where progress is stored (default: $BACKPROP_TUTOR_HOME or the user data dir)",
    )
    return common


def _pack_dir_option(dest: str) -> argparse.ArgumentParser:
    # Separate dests before and after the subcommand: argparse would otherwise replace the
    # list given before it with the one given after it.
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--pack",
        metavar="DIR",
        action="append",
        dest=dest,
        default=argparse.SUPPRESS,
        help="also load the pack in DIR (repeatable)",
    )
    return option


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; each command module adds its own subcommands."""
    # Imported here: starting the app needs none of them (see `_app_options`).
    from tutor.commands import answer, check, items, packs, progress

    shared = [_common_options(), _pack_dir_option("pack_dirs")]
    parser = argparse.ArgumentParser(
        prog="backprop-tutor",
        description=DESCRIPTION,
        epilog=EPILOG,
        parents=[_common_options(), _pack_dir_option("pack_dirs_before_command")],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"backprop-tutor {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    items.register(commands, shared)
    answer.register(commands, shared)
    check.register(commands, shared)
    progress.register(commands, [_common_options()], shared)
    packs.register(commands, shared)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = _app_options(arguments) or build_parser().parse_args(arguments)
    context = Context.from_args(args)
    try:
        if args.command is None:
            return _start_app(context)
        code: int = args.run(context, args)
        return code
    except CommandError as error:
        context.error(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped listening (`| head`, `| grep -q`): not an error worth a traceback.
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    finally:
        context.close()


def _app_options(arguments: list[str]) -> argparse.Namespace | None:
    """The options when `arguments` only start the app, else None (the full parser decides).

    Start-up is the app's most visible cost; this skips importing every command's module.
    Anything unusual (a command, --help, a mistake) goes to the full parser and its messages.
    """
    parser = argparse.ArgumentParser(
        add_help=False,
        parents=[_common_options(), _pack_dir_option("pack_dirs_before_command")],
        exit_on_error=False,
    )
    try:
        args, rest = parser.parse_known_args(arguments)
    except argparse.ArgumentError:
        return None
    if rest:
        return None
    args.command = None
    return args


def _start_app(context: Context) -> int:
    if context.json:
        context.error("--json needs a command; the app itself has no JSON output")
        return EXIT_USAGE
    # Start-up creates a few hundred thousand objects that live as long as the app; the
    # collections they set off cost 50 ms of it. The app collects again once it is drawn.
    gc.disable()
    # Imported here so that scripted commands never pay for Textual.
    from tutor.ui.app import run_app

    # The app shows pack problems itself; printed here they would linger behind it.
    return run_app(context.workspace(report_problems=False))


if __name__ == "__main__":
    sys.exit(main())
