"""`answer ID EXPR [EXPR …]`: check a derivation, one expression per part."""

from __future__ import annotations

import argparse
import time
from dataclasses import asdict
from typing import Any

from tutor.commands.context import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, CommandError, Context
from tutor.core.attempts import derivation_attempt
from tutor.core.model import DerivationExercise, Pack, qualified_id
from tutor.core.symbolic.results import CheckResult

SHARED_FLAGS = ("--json",)
SHARED_WITH_VALUE = ("--data-dir", "--pack")
HELP = ("-h", "--help")


def expressions_as_operands(arguments: list[str]) -> list[str]:
    """`answer ID -p1p2 -s^2`: answers often start with a minus sign, which argparse takes
    for an unknown option. After `answer`, the shared options are moved before a `--` and
    everything else (the id, then the expressions) follows it. Other commands, `answer -h`
    and arguments that already contain `--` are left as they are."""
    position = _command_position(arguments)
    if position is None or arguments[position] != "answer":
        return arguments
    rest = arguments[position + 1 :]
    if not rest or rest[0] in HELP or "--" in rest:
        return arguments
    options: list[str] = []
    operands: list[str] = []
    remaining = iter(rest)
    for argument in remaining:
        name, has_value, _ = argument.partition("=")
        if argument in SHARED_FLAGS:
            options.append(argument)
        elif name in SHARED_WITH_VALUE:
            options.append(argument)
            value = None if has_value else next(remaining, None)
            options += [] if value is None else [value]
        else:
            operands.append(argument)
    return [*arguments[: position + 1], *options, "--", *operands]


def _command_position(arguments: list[str]) -> int | None:
    """Where the command is: the first argument that is not a shared option or its value."""
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        if argument in SHARED_WITH_VALUE:
            index += 2
        elif argument.startswith("-"):
            index += 1
        else:
            return index
    return None


def register(commands: Any, shared: list[argparse.ArgumentParser]) -> None:
    """Add `answer` to the parser."""
    answer = commands.add_parser(
        "answer",
        parents=shared,
        help="check a derivation (one expression per part)",
        description="Check your answer to a derivation exercise. Quote each expression, e.g. "
        "backprop-tutor answer core/chain-rule-three-steps '2b' '4(2x+3)'. "
        "Exit 0 correct, 1 not correct, 2 an expression could not be read.",
    )
    answer.add_argument("id", help="a derivation exercise id, as printed by `list`")
    answer.add_argument("expressions", nargs="+", metavar="EXPR", help="your answer to each part")
    answer.set_defaults(run=run_answer)


def run_answer(context: Context, args: argparse.Namespace) -> int:
    """Check, record the attempt (unless unreadable), and report."""
    pack, exercise = context.find_item(args.id, DerivationExercise, "a derivation")
    if len(args.expressions) != len(exercise.parts):
        labels = ", ".join(part.label for part in exercise.parts)
        raise CommandError(
            f"{qualified_id(pack, exercise)} has {len(exercise.parts)} part(s) ({labels}); "
            f"give one expression for each, in that order"
        )
    answers = {part.id: text for part, text in zip(exercise.parts, args.expressions, strict=True)}
    store = context.store()
    from tutor.core.symbolic.service import SymbolicService

    started = time.perf_counter()
    with SymbolicService() as service:
        result = service.check(exercise, answers, context.workspace().learner_key)
    duration = time.perf_counter() - started
    if not result.invalid:
        store.record_attempt(derivation_attempt(pack, exercise, answers, result, duration))
    _report(context, pack, exercise, result)
    if result.invalid:
        return EXIT_USAGE
    return EXIT_OK if result.correct else EXIT_NEGATIVE


def _report(
    context: Context, pack: Pack, exercise: DerivationExercise, result: CheckResult
) -> None:
    parts = [asdict(part) | {"correct": part.correct} for part in result.parts]
    if context.json:
        context.print_json(
            {
                "id": qualified_id(pack, exercise),
                "correct": result.correct,
                "score": result.score,
                "parsed": [part.parsed for part in result.parts],
                "feedback": [part.feedback for part in result.parts],
                "parts": parts,
            }
        )
        return
    for part in result.parts:
        mark = {"correct": "✓", "incorrect": "✗", "invalid": "?", "undecided": "~"}[part.status]
        print(f"{mark} {part.label}")
        if part.parsed is not None:
            print(f"    interpreted as: {part.parsed}")
        if part.feedback:
            print(f"    {part.feedback}")
    if result.invalid:
        print("Not counted as an attempt: fix the expression(s) above and try again.")
