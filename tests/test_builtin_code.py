"""The built-in pack's known-buggy code solutions get the diagnosis their authors meant.

`pack validate` accepts a declared diagnosis that is the cause tag, the status or *any word of
the headline*. For `wrong` that is too loose: a factor headline ("… a scale is wrong. Also
wrong: dK.") contains the word. Here, as in the code collection (tests/test_code_collection.py),
a cause tag must be the headline cause, and `wrong` means failed with no named cause (or only
`elements`), so a "no simple pattern" mistake cannot silently turn into a misleading diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tutor.core.grading.grader import Grader
from tutor.core.model import CodeExercise, Pack
from tutor.core.packs import load_pack

ROOT = Path(__file__).resolve().parents[1]
CAUSES = (
    "shape",
    "transposed",
    "sign",
    "factor",
    "batch-sum",
    "zero",
    "elements",
    "nan",
    "order",
    "inplace",
)
UNNAMED_ALLOWED = (None, "elements")


def _buggy() -> list[tuple[CodeExercise, Path, str]]:
    pack = load_pack(ROOT)
    assert isinstance(pack, Pack), pack
    return [
        (item, buggy.path, buggy.diagnosis)
        for item in pack.items()
        if isinstance(item, CodeExercise)
        for buggy in item.buggy
    ]


BUGGY = _buggy()


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    with Grader() as warm:
        yield warm


@pytest.mark.parametrize(
    ("exercise", "path", "diagnosis"), BUGGY, ids=[f"{e.id}/{p.stem}" for e, p, _ in BUGGY]
)
def test_buggy_solution_gets_its_diagnosis(
    grader: Grader, exercise: CodeExercise, path: Path, diagnosis: str
) -> None:
    result = grader.grade(exercise, path.read_text(encoding="utf-8"))
    seen = f"{result.status} / {result.cause}: {result.diagnosis}"
    assert not result.passed, seen
    if diagnosis == "wrong":
        assert result.status == "failed" and result.cause in UNNAMED_ALLOWED, seen
    elif diagnosis in CAUSES:
        assert result.cause == diagnosis, seen
    else:  # a status, or a word of the headline (e.g. "transpose", "batch")
        wanted = diagnosis.lower()
        assert wanted in (result.status, result.cause) or wanted in result.diagnosis.lower(), seen
