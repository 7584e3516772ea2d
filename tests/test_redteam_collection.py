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

from collections import Counter
from pathlib import Path

import pytest

from tests.answer_collection import AnswerCollection, Case

COLLECTION = AnswerCollection(Path(__file__).resolve().parent / "fixtures" / "redteam")
MIN_EXERCISES = 15
MIN_CASES = 250


def test_collection_loads_as_a_valid_pack() -> None:
    assert COLLECTION.pack.id == "derivation-redteam"
    assert len(COLLECTION.exercises) == len(COLLECTION.pack.items())


def test_pack_validate_accepts_the_collection() -> None:
    code, output = COLLECTION.validate_exit_code()
    assert code == 0, output


def test_collection_is_large_enough() -> None:
    expects = Counter(case.expect for case in COLLECTION.cases)
    assert len(COLLECTION.exercises) >= MIN_EXERCISES
    assert len(COLLECTION.cases) >= MIN_CASES
    assert expects["correct"] > 0 and expects["incorrect"] > 0 and expects["invalid"] > 0


def test_cases_are_well_formed() -> None:
    problems = COLLECTION.malformed()
    assert not problems, "\n".join(problems)


def test_every_part_has_a_correct_and_an_incorrect_case() -> None:
    missing = COLLECTION.parts_without("correct", "incorrect")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("case", COLLECTION.params())
def test_checker_verdict(case: Case) -> None:
    COLLECTION.assert_verdict(case)
