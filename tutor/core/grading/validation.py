"""Proving a pack's code exercises for `pack validate`, as rustlings' `dev check` does:
the reference passes, the starter does not, and every known-buggy solution fails with the
diagnosis its author declared. Each runs in the sandbox like a learner's code."""

from __future__ import annotations

from pathlib import Path

from tutor.core.grading.grader import AuthoringError, Grader
from tutor.core.grading.results import GradeResult
from tutor.core.model import CodeExercise, Pack, Problem


def validate_pack_code(pack: Pack, grader: Grader) -> list[Problem]:
    """Problems with the pack's code exercises (empty when every one is proven)."""
    problems: list[Problem] = []
    for item in pack.items():
        if isinstance(item, CodeExercise):
            problems.extend(validate_code_exercise(item, grader))
    return problems


def validate_code_exercise(exercise: CodeExercise, grader: Grader) -> list[Problem]:
    """Problems with one code exercise's reference, starter and buggy solutions."""
    try:
        reference = _grade_file(grader, exercise, exercise.reference)
    except AuthoringError as error:
        return [Problem(exercise.path, str(error), "reference")]
    problems = []
    if not reference.passed:
        why = reference.diagnosis or reference.status
        problems.append(Problem(exercise.path, f"the reference does not pass: {why}", "reference"))
    if _grade_file(grader, exercise, exercise.starter).passed:
        problems.append(Problem(exercise.path, "the starter already passes", "starter"))
    for index, buggy in enumerate(exercise.buggy):
        result = _grade_file(grader, exercise, buggy.path)
        if not _diagnosed_as(result, buggy.diagnosis):
            got = "it passes" if result.passed else f"got {result.cause}: {result.diagnosis}"
            problems.append(
                Problem(
                    exercise.path,
                    f"{buggy.path.name} should be rejected as '{buggy.diagnosis}', but {got}",
                    f"buggy[{index}].diagnosis",
                )
            )
    return problems


def _grade_file(grader: Grader, exercise: CodeExercise, path: Path) -> GradeResult:
    return grader.grade(exercise, path.read_text(encoding="utf-8"))


def _diagnosed_as(result: GradeResult, diagnosis: str) -> bool:
    """The declared diagnosis is the cause's tag, the status, or a word of the headline.

    `wrong` means "rejected, and no simple cause named" (every headline says "wrong"
    somewhere, so a word match would prove nothing).
    """
    if result.passed:
        return False
    wanted = diagnosis.lower()
    if wanted == "wrong":
        return result.status == "failed" and result.cause in (None, "elements")
    return wanted in (result.cause, result.status) or wanted in result.diagnosis.lower()
