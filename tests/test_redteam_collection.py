"""The red-team collection: exercises the main collection covers lightly, and answers built to
find wrong verdicts.

`tests/fixtures/redteam/` holds a pack of derivation exercises (attention, softmax Jacobian
entries, log-softmax, stable cross-entropy, LayerNorm/BatchNorm, residual + normalisation, ELU,
ReLU6 and clipping, softsign, stable softplus, pseudo-Huber and Huber losses, focal loss, weight
decay, momentum and Adam's bias correction, many-factor products, a five-link chain, symbolic
exponents, and domain traps with |x| and ln) and `answers.toml`: what learners type, the verdict
each answer deserves, optionally a diagnosis it must (`mistake`) or must not (`not_mistake`)
give, and — where the checker gets it wrong — an `xfail` reason. Every expected
verdict was verified independently of the checker (see the header of answers.toml).

A case with `xfail` documents a checker bug: it is marked `xfail(strict=True)`, so the suite
stays green while the bug is open, and turns red (XPASS) once the bug is fixed, to prompt
removing the mark.
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

COLLECTION = Path(__file__).resolve().parent / "fixtures" / "redteam"
ANSWERS = COLLECTION / "answers.toml"
STATUSES = ("correct", "incorrect", "invalid")
MISTAKE_TAGS = (
    "extra-factor",
    "sign",
    "factor",
    "missing-factor",
    "wrong-variable",
    "forward-value",
    "known",
    "zero",
)
MIN_EXERCISES = 15
MIN_CASES = 250


@dataclass(frozen=True)
class Case:
    """One learner answer to one part, with the verdict it deserves."""

    exercise: str
    part: str
    answer: str
    expect: str
    mistake: str | None = None
    note: str | None = None
    not_mistake: str | None = None
    """A diagnosis the checker must not give: its feedback would mislead (a bad-feedback bug)."""
    xfail: str | None = None
    """Why the checker currently gets this case wrong (a bug to fix), or None."""

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
    assert pack.id == "derivation-redteam"
    assert all(isinstance(item, DerivationExercise) for item in pack.items())


def test_pack_validate_accepts_the_collection() -> None:
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
    assert expects["correct"] > 0 and expects["incorrect"] > 0 and expects["invalid"] > 0


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
        if case.not_mistake is not None and (
            case.expect != "incorrect" or case.not_mistake not in MISTAKE_TAGS
        ):
            problems.append(f"{case.id}: not_mistake needs expect = incorrect and a known tag")
        if case.xfail is not None and not case.xfail.strip():
            problems.append(f"{case.id}: an xfail needs a reason")
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


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
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
    if case.not_mistake is not None:
        assert verdict.mistake != case.not_mistake, context
