"""The derivation collection: a pack of exercises and hundreds of graded learner answers.

`tests/fixtures/derivations/` holds a pack of derivation exercises (chain rule, neurons with
every activation, losses, softmax, a two-layer network, an RNN, residual blocks, L2
regularization, numeric answers) and `answers.toml`: what learners type for each part, with
the verdict each answer deserves and, where one diagnosis is clearly right, the mistake tag.
Every case goes through the real checker; a failure is either a grader bug or a collection
bug, and the case's `note` says what it probes.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tutor.core.model import DerivationExercise, Pack
from tutor.core.packs import load_pack
from tutor.core.symbolic.checker import check_exercise

COLLECTION = Path(__file__).resolve().parent / "fixtures" / "derivations"
ANSWERS = COLLECTION / "answers.toml"
STATUSES = ("correct", "incorrect", "invalid")
MISTAKE_TAGS = (
    "sign",
    "factor",
    "missing-factor",
    "wrong-variable",
    "forward-value",
    "known",
    "zero",
)
MIN_EXERCISES = 40
MIN_CASES = 300
MIN_CORRECT = 150
MIN_INCORRECT = 120


@dataclass(frozen=True)
class Case:
    """One learner answer to one part, with the verdict it deserves."""

    exercise: str
    part: str
    answer: str
    expect: str
    mistake: str | None = None
    note: str | None = None

    @property
    def id(self) -> str:
        return f"{self.exercise}/{self.part}/{self.answer}"


def read_cases() -> list[Case]:
    """Every `[[case]]` of answers.toml, in file order."""
    with ANSWERS.open("rb") as file:
        table = tomllib.load(file)
    return [Case(**entry) for entry in table["case"]]


@cache
def collection() -> Pack:
    """The fixture pack, loaded once."""
    pack = load_pack(COLLECTION)
    assert isinstance(pack, Pack), "\n".join(str(problem) for problem in pack)
    return pack


@cache
def exercises() -> dict[str, DerivationExercise]:
    """The pack's derivation exercises by id."""
    return {item.id: item for item in collection().items() if isinstance(item, DerivationExercise)}


CASES = read_cases()


def test_collection_loads_as_a_valid_pack() -> None:
    pack = collection()
    assert pack.id == "derivation-collection"
    assert all(isinstance(item, DerivationExercise) for item in pack.items())


def test_pack_validate_accepts_the_collection() -> None:
    """`pack validate` also parses every expression and proves every known mistake wrong."""
    completed = subprocess.run(
        [sys.executable, "-m", "tutor", "pack", "validate", str(COLLECTION)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_collection_is_large_enough() -> None:
    expects = Counter(case.expect for case in CASES)
    assert len(exercises()) >= MIN_EXERCISES
    assert len(CASES) >= MIN_CASES
    assert expects["correct"] >= MIN_CORRECT
    assert expects["incorrect"] >= MIN_INCORRECT
    assert expects["invalid"] > 0


def test_cases_are_well_formed() -> None:
    problems = []
    for case in CASES:
        exercise = exercises().get(case.exercise)
        if exercise is None:
            problems.append(f"{case.id}: no exercise {case.exercise!r}")
        elif case.part not in {part.id for part in exercise.parts}:
            problems.append(f"{case.id}: exercise has no part {case.part!r}")
        if case.expect not in STATUSES:
            problems.append(f"{case.id}: expect must be one of {STATUSES}")
        if case.mistake is not None and (
            case.expect != "incorrect" or case.mistake not in MISTAKE_TAGS
        ):
            problems.append(
                f"{case.id}: a mistake tag needs expect = incorrect and one of {MISTAKE_TAGS}"
            )
    duplicates = [
        key for key, n in Counter((c.exercise, c.part, c.answer) for c in CASES).items() if n > 1
    ]
    problems.extend(f"{'/'.join(key)}: listed twice" for key in duplicates)
    assert not problems, "\n".join(problems)


def test_every_part_has_a_correct_and_an_incorrect_case() -> None:
    seen = Counter((case.exercise, case.part, case.expect) for case in CASES)
    missing = [
        f"{exercise.id}/{part.id}: no {expect} case"
        for exercise in exercises().values()
        for part in exercise.parts
        for expect in ("correct", "incorrect")
        if not seen[(exercise.id, part.id, expect)]
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_checker_verdict(case: Case) -> None:
    exercise = exercises()[case.exercise]
    result = check_exercise(exercise, {case.part: case.answer})
    assert [part.part_id for part in result.parts] == [case.part]
    verdict = result.parts[0]
    context = (
        f"answer {case.answer!r} read as {verdict.parsed!r}: {verdict.status}"
        f" ({verdict.mistake}) {verdict.feedback!r}" + (f"; note: {case.note}" if case.note else "")
    )
    assert verdict.status == case.expect, context
    if case.mistake is not None:
        assert verdict.mistake == case.mistake, context
