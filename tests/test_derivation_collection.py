"""The derivation collection: a pack of exercises and hundreds of graded learner answers.

`tests/fixtures/derivations/` holds a pack of derivation exercises (chain rule, neurons with
every activation, losses, softmax, a two-layer network, an RNN, residual blocks, L2
regularization, numeric answers) and `answers.toml`: what learners type for each part, with
the verdict each answer deserves and, where one diagnosis is clearly right, the mistake tag.
Every case goes through the real checker; a failure is either a grader bug or a collection
bug, and the case's `note` says what it probes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.answer_collection import AnswerCollection, Case

COLLECTION = AnswerCollection(Path(__file__).resolve().parent / "fixtures" / "derivations")
MIN_EXERCISES = 40
MIN_CASES = 300
MIN_CORRECT = 150
MIN_INCORRECT = 120


def test_collection_loads_as_a_valid_pack() -> None:
    assert COLLECTION.pack.id == "derivation-collection"
    assert len(COLLECTION.exercises) == len(COLLECTION.pack.items())


def test_pack_validate_accepts_the_collection() -> None:
    code, output = COLLECTION.validate_exit_code()
    assert code == 0, output


def test_collection_is_large_enough() -> None:
    expects = Counter(case.expect for case in COLLECTION.cases)
    assert len(COLLECTION.exercises) >= MIN_EXERCISES
    assert len(COLLECTION.cases) >= MIN_CASES
    assert expects["correct"] >= MIN_CORRECT
    assert expects["incorrect"] >= MIN_INCORRECT
    assert expects["invalid"] > 0


def test_cases_are_well_formed() -> None:
    problems = COLLECTION.malformed()
    assert not problems, "\n".join(problems)


def test_every_part_has_a_correct_and_an_incorrect_case() -> None:
    missing = COLLECTION.parts_without("correct", "incorrect")
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("case", COLLECTION.params())
def test_checker_verdict(case: Case) -> None:
    COLLECTION.assert_verdict(case)
