"""`check ID FILE`: grade a backward() implementation against numerical gradients."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from tutor.commands.context import EXIT_NEGATIVE, EXIT_OK, CommandError, Context
from tutor.core.attempts import code_attempt
from tutor.core.grading.protocol import grade_to_json
from tutor.core.grading.results import GradeResult
from tutor.core.model import CodeExercise, Pack, qualified_id

MAX_SOLUTION_BYTES = 256_000
"""A backward() is a page of code; a bigger file is a mistake (or a test of our patience)."""


def register(commands: Any, shared: list[argparse.ArgumentParser]) -> None:
    """Add `check` to the parser."""
    check = commands.add_parser(
        "check",
        parents=shared,
        help="grade your backward() for a code exercise",
        description="Run your code in a sandbox and compare its gradients with numerical ones. "
        "Exit 0 passed, 1 not passed, 2 a usage error or unreadable file.",
    )
    check.add_argument("id", help="a code exercise id, as printed by `list`")
    check.add_argument("file", type=Path, help="the Python file with your function")
    check.set_defaults(run=run_check)


def run_check(context: Context, args: argparse.Namespace) -> int:
    """Grade, record the attempt and the code, and report."""
    pack, exercise = context.find_item(args.id, CodeExercise, "a code exercise")
    code = _read_solution(args.file)
    store = context.store()
    from tutor.core.grading.grader import AuthoringError, Grader

    started = time.perf_counter()
    with Grader() as grader:
        try:
            result = grader.grade(exercise, code)
        except AuthoringError as error:
            raise CommandError(
                f"{qualified_id(pack, exercise)} cannot be graded: {error}"
            ) from None
    duration = time.perf_counter() - started
    store.save_draft(pack.id, exercise.id, code)
    store.record_attempt(code_attempt(pack, exercise, code, result, duration))
    _report(context, pack, exercise, result)
    return EXIT_OK if result.passed else EXIT_NEGATIVE


def _read_solution(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_SOLUTION_BYTES:
            raise CommandError(f"{path} is larger than {MAX_SOLUTION_BYTES // 1000} kB")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder; give the Python file") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None


def _report(context: Context, pack: Pack, exercise: CodeExercise, result: GradeResult) -> None:
    if context.json:
        context.print_json({"id": qualified_id(pack, exercise), **grade_to_json(result)})
        return
    print("✓ passed" if result.passed else f"✗ {result.status}")
    for gradient in result.gradients:
        got = "—" if gradient.got_shape is None else str(gradient.got_shape)
        error = "—" if gradient.relative_error is None else f"{gradient.relative_error:.1e}"
        mark = "✓" if gradient.passed else "✗"
        print(
            f"  {mark} d{gradient.name:<8} expected {gradient.expected_shape!s:<12} "
            f"got {got:<12} rel. error {error}"
        )
        if gradient.message:
            print(f"      {gradient.message}")
        if gradient.mismatch_map:
            print("      " + gradient.mismatch_map.replace("\n", "\n      "))
    if result.diagnosis and not result.gradients:
        print(f"  {result.diagnosis}")
    if result.error:
        print("\n" + result.error.rstrip())
    if result.stdout:
        note = "  (truncated)" if result.stdout_truncated else ""
        print(f"\nYour code printed{note}:\n{result.stdout.rstrip()}")
