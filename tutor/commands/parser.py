"""The full argument parser: every command with its options and help.

Imported only when the arguments are more than "start the app" (see `tutor.cli`): building
it imports argparse and every command's module.
"""

from __future__ import annotations

import argparse

from tutor import __version__
from tutor.commands import answer, check, items, packs, progress

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
