"""Every number a built-in lesson states is computed by a test (issue 6).

The claims live in `tests/lesson_claims/<lesson>.py`; the rules are in that package's
docstring.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from tests.lesson_claims import Claim, rounding_tolerance, stated_number, to_float

CONTENT = Path(__file__).resolve().parents[1] / "content"
LESSONS = sorted(CONTENT.glob("*.md"))

# A stated number follows "=", "≈" or "→" and is not a coefficient ("= 2x", "= 4(…)").
STATED = re.compile(r"[=≈→]\s*([−-]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[−-]?\d+)?)(?![\w(]|\.\d)")


def claims_of(lesson: Path) -> list[Claim]:
    module_name = lesson.stem.replace("-", "_")
    try:
        module = importlib.import_module(f"tests.lesson_claims.{module_name}")
    except ModuleNotFoundError:
        pytest.fail(f"{lesson.name} has no tests/lesson_claims/{module_name}.py")
    return list(module.CLAIMS)


def covered_spans(text: str, claims: list[Claim]) -> list[tuple[int, int]]:
    spans = []
    for item in claims:
        for match in re.finditer(re.escape(item.text), text):
            spans.append(match.span())
    return spans


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_every_claim_appears_in_its_lesson(lesson: Path) -> None:
    text = lesson.read_text(encoding="utf-8")
    missing = [item.text for item in claims_of(lesson) if item.text not in text]
    assert not missing, f"{lesson.name}: claims not found in the text: {missing}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.name)
def test_every_stated_number_is_claimed(lesson: Path) -> None:
    text = lesson.read_text(encoding="utf-8")
    spans = covered_spans(text, claims_of(lesson))
    unclaimed = []
    for match in STATED.finditer(text):
        start, end = match.span(1)
        if not any(lo <= start and end <= hi for lo, hi in spans):
            line = text.count("\n", 0, start) + 1
            unclaimed.append(f"line {line}: {text.splitlines()[line - 1].strip()!r}")
    assert not unclaimed, f"{lesson.name} states numbers no claim computes:\n" + "\n".join(
        unclaimed
    )


def computed_claims() -> list[tuple[str, Claim]]:
    return [
        (lesson.name, item)
        for lesson in LESSONS
        for item in claims_of(lesson)
        if item.compute is not None
    ]


@pytest.mark.parametrize(
    ("lesson", "item"), computed_claims(), ids=lambda v: v if isinstance(v, str) else v.text
)
def test_stated_value_is_the_computed_one(lesson: str, item: Claim) -> None:
    assert item.compute is not None
    written = stated_number(item)
    computed = float(item.compute())
    tolerance = rounding_tolerance(written) + 1e-12 * abs(computed)
    assert abs(computed - to_float(written)) <= tolerance, (
        f"{lesson}: {item.text!r} states {written}, but it computes to {computed!r}"
    )


def test_the_rule_catches_an_unclaimed_number() -> None:
    text = "At x = 1 we get c = 25, and a = 2x, so d = 7."
    spans = covered_spans(text, [Claim("x = 1", None)])
    flagged = [
        m.group(1)
        for m in STATED.finditer(text)
        if not any(lo <= m.start(1) and m.end(1) <= hi for lo, hi in spans)
    ]
    assert flagged == ["25", "7"]


def test_rounding_is_to_the_digits_shown() -> None:
    assert rounding_tolerance("0.005") == pytest.approx(0.0005)
    assert rounding_tolerance("20") == 0.5
    assert to_float("1,000") == 1000.0
    assert to_float("−0.5") == -0.5
