"""The `backprop-tutor` command line: parse arguments, call the core, print text or JSON.

With no subcommand it starts the terminal app. Every subcommand takes `--json`, `--pack DIR`
and `--data-dir DIR`. Exit codes: 0 success, 1 a negative result, 2 a usage or input error.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tutor.commands.context import EXIT_USAGE, CommandError, Context

EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what shell tools report when their reader goes away."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = None
    context = _app_context(arguments)
    if context is None:
        # Imported here: starting the app needs neither argparse nor the commands' modules.
        from tutor.commands.answer import expressions_as_operands
        from tutor.commands.parser import build_parser

        args = build_parser().parse_args(expressions_as_operands(arguments))
        context = Context.from_args(args)
    try:
        if args is None or args.command is None:
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


def _app_context(arguments: list[str]) -> Context | None:
    """The options when `arguments` only start the app, else None (the full parser decides).

    Start-up is the app's most visible cost, and the full parser imports argparse and every
    command's module. This reads the exact spellings of the shared options only; anything
    else (a command, --help, an abbreviation, a missing value) goes to the full parser and
    its messages.
    """
    json, data_dir, pack_dirs = False, None, []
    remaining = iter(arguments)
    for argument in remaining:
        name, has_value, value = argument.partition("=")
        if argument == "--json":
            json = True
            continue
        if name not in ("--data-dir", "--pack"):
            return None
        if not has_value:
            value = next(remaining, "-")
            if value.startswith("-"):  # argparse would not take it as the value either
                return None
        if name == "--pack":
            pack_dirs.append(Path(value))
        else:
            data_dir = value  # the last one counts, as with argparse
    return Context(json=json, data_dir_option=data_dir, pack_dirs=tuple(pack_dirs))


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
