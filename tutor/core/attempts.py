"""The attempt records both faces store: one function per exercise kind.

The CLI's `answer`/`check` and the app's screens record the same things, so a learner's
history reads the same whichever they used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict

from tutor.core.choice import ChoiceResult
from tutor.core.grading.protocol import grade_to_json
from tutor.core.grading.results import GradeResult
from tutor.core.model import ChoiceExercise, CodeExercise, DerivationExercise, Pack
from tutor.core.progress import Attempt
from tutor.core.symbolic.results import CheckResult


def derivation_verdict(result: CheckResult) -> str:
    """`correct`, `undecided` (some part could not be decided) or `incorrect`."""
    if result.correct:
        return "correct"
    if any(part.status == "undecided" for part in result.parts):
        return "undecided"
    return "incorrect"


def derivation_attempt(
    pack: Pack,
    exercise: DerivationExercise,
    answers: Mapping[str, str],
    result: CheckResult,
    duration_s: float,
) -> Attempt:
    """The record of one checked derivation (answers by part id, verdicts per part)."""
    return Attempt(
        pack_id=pack.id,
        pack_version=pack.version,
        item_id=exercise.id,
        kind="derivation",
        answer=json.dumps(dict(answers), ensure_ascii=False),
        verdict=derivation_verdict(result),
        score=result.score,
        duration_s=duration_s,
        detail=json.dumps([asdict(part) for part in result.parts], ensure_ascii=False),
    )


def code_attempt(
    pack: Pack, exercise: CodeExercise, code: str, result: GradeResult, duration_s: float
) -> Attempt:
    """The record of one graded piece of code (the code itself, and the whole grade)."""
    return Attempt(
        pack_id=pack.id,
        pack_version=pack.version,
        item_id=exercise.id,
        kind="code",
        answer=code,
        verdict=result.status,
        score=1.0 if result.passed else 0.0,
        duration_s=duration_s,
        detail=json.dumps(grade_to_json(result), ensure_ascii=False),
    )


def choice_attempt(
    pack: Pack, exercise: ChoiceExercise, result: ChoiceResult, duration_s: float
) -> Attempt:
    """The record of one answered concept check."""
    return Attempt(
        pack_id=pack.id,
        pack_version=pack.version,
        item_id=exercise.id,
        kind="choice",
        answer=result.answer,
        verdict="correct" if result.correct else "incorrect",
        score=1.0 if result.correct else 0.0,
        duration_s=duration_s,
        detail=json.dumps({"feedback": result.feedback}, ensure_ascii=False),
    )
