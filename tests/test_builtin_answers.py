"""The built-in pack's derivations against what learners type: right forms pass, wrong fail.

Answers live in `tests/builtin_answers/<unit>.toml` (the collection format of
`tests/fixtures/derivations/answers.toml`); the pack is the repository's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.answer_collection import AnswerCollection, Case

ROOT = Path(__file__).resolve().parents[1]
COLLECTION = AnswerCollection(ROOT, sorted((ROOT / "tests" / "builtin_answers").glob("*.toml")))


def test_answers_name_real_exercises_and_tags() -> None:
    assert not COLLECTION.malformed()


def test_every_builtin_part_has_right_and_wrong_answers() -> None:
    assert not COLLECTION.parts_without("correct", "incorrect")


@pytest.mark.parametrize("case", COLLECTION.params())
def test_verdict(case: Case) -> None:
    COLLECTION.assert_verdict(case)
