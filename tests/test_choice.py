"""Concept checks: the numbers learners type, the tolerance rule, and the options they pick."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tutor.core.choice import NumberError, check_number, check_options, parse_number
from tutor.core.model import ChoiceExercise
from tutor.core.packs import builtin_pack_dir, load_pack

ASK_FOR_A_NUMBER = "type a number, such as 0.25, -3, 1e-3 or 1/4"
ASK_FOR_A_FINITE_NUMBER = "type a finite number"


def numeric(answer: float, tolerance: float) -> ChoiceExercise:
    """A numeric concept check with this answer and relative tolerance."""
    return ChoiceExercise(
        id="numeric",
        title="A number",
        prompt="What is it?",
        options=(),
        correct=(),
        numeric_answer=answer,
        tolerance=tolerance,
        explanation="Because.",
        hints=(),
        path=Path("numeric.toml"),
    )


def select_all(correct: tuple[int, ...], options: int = 5) -> ChoiceExercise:
    """A "select all that apply" check with `options` statements, `correct` of them true."""
    return ChoiceExercise(
        id="select-all",
        title="Select all",
        prompt="Which are true?",
        options=tuple(f"statement {n}" for n in range(options)),
        correct=correct,
        numeric_answer=None,
        tolerance=1e-3,
        explanation="Because.",
        hints=(),
        path=Path("select-all.toml"),
    )


@pytest.fixture(scope="module")
def single_answer() -> ChoiceExercise:
    """The built-in "backprop is not gradient descent" check: option 2 (index 1) is right."""
    pack = load_pack(builtin_pack_dir(), "builtin")
    assert not isinstance(pack, list), pack
    [exercise] = [item for item in pack.items() if item.id == "backprop-vs-descent"]
    assert isinstance(exercise, ChoiceExercise)
    assert exercise.correct == (1,) and len(exercise.options) == 4
    return exercise


# --- parse_number: what learners type -------------------------------------------------------

NUMBERS = [
    ("0.25", 0.25),
    (".5", 0.5),
    ("5.", 5.0),
    ("−0.5", -0.5),  # U+2212, what many keyboards and copy-pastes give
    ("-0.5", -0.5),
    ("+2", 2.0),
    ("1e-3", 0.001),
    ("2E3", 2000.0),
    ("−1e-3", -0.001),
    ("1/4", 0.25),
    ("−1/4", -0.25),
    ("1 / 4", 0.25),
    ("2/3", 2 / 3),
    ("0/5", 0.0),
    (" 3 ", 3.0),
    ("\t3\n", 3.0),
    ("1\u2009000", 1000.0),  # a thin space between thousands
    ("0.000001", 1e-6),
    ("1" * 300, float("1" * 300)),  # long, but still a float
    ("0." + "3" * 1000, 1 / 3),
    ("1" * 300 + "/" + "1" * 300, 1.0),
]


@pytest.mark.parametrize(("text", "value"), NUMBERS, ids=[repr(t[:16]) for t, _ in NUMBERS])
def test_numbers_learners_type_are_read(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value, rel=1e-15, abs=0)


NOT_NUMBERS = [
    ("", ASK_FOR_A_NUMBER),
    ("   ", ASK_FOR_A_NUMBER),
    ("abc", ASK_FOR_A_NUMBER),
    ("1/0", ASK_FOR_A_NUMBER),
    ("-3/0", ASK_FOR_A_NUMBER),
    ("nan", ASK_FOR_A_NUMBER),
    ("NaN", ASK_FOR_A_NUMBER),
    ("inf", ASK_FOR_A_NUMBER),
    ("-Infinity", ASK_FOR_A_NUMBER),
    ("0x10", ASK_FOR_A_NUMBER),
    ("1,5", ASK_FOR_A_NUMBER),
    ("2/3/4", ASK_FOR_A_NUMBER),
    ("1/4.0", ASK_FOR_A_NUMBER),
    ("1_000", ASK_FOR_A_NUMBER),
    ("1e", ASK_FOR_A_NUMBER),
    ("--1", ASK_FOR_A_NUMBER),
    ("2x", ASK_FOR_A_NUMBER),
    ("sqrt(2)", ASK_FOR_A_NUMBER),
    ("²", ASK_FOR_A_NUMBER),
    ("1e400", ASK_FOR_A_FINITE_NUMBER),
    ("9" * 400, ASK_FOR_A_FINITE_NUMBER),
    ("9" * 5000, ASK_FOR_A_FINITE_NUMBER),
    # Fractions of huge integers: once an OverflowError / a ValueError about int's
    # 4300-digit limit escaped here instead of a NumberError.
    ("1" * 400 + "/1", ASK_FOR_A_NUMBER),
    ("1" * 5000 + "/" + "1" * 5000, ASK_FOR_A_NUMBER),
    ("1/" + "0" * 5000, ASK_FOR_A_NUMBER),
]


@pytest.mark.parametrize(
    ("text", "message"), NOT_NUMBERS, ids=[repr(t[:16]) for t, _ in NOT_NUMBERS]
)
def test_anything_else_asks_for_a_number(text: str, message: str) -> None:
    with pytest.raises(NumberError) as raised:
        parse_number(text)
    assert str(raised.value) == message


def test_a_number_error_is_a_value_error() -> None:
    # Callers that already handle ValueError for bad input keep working.
    with pytest.raises(ValueError, match="type a number"):
        parse_number("one quarter")


@pytest.mark.parametrize(
    "text",
    ["1" * 1_000_000 + "x", "1" * 1_000_000 + "/", "1/" + "1" * 1_000_000, "1e" * 500_000],
    ids=["digits-then-letter", "digits-then-slash", "huge-denominator", "1e-repeated"],
)
def test_a_pasted_megabyte_is_refused_at_once(text: str) -> None:
    # No catastrophic regex backtracking and no huge-integer arithmetic on learner text.
    started = time.perf_counter()
    with pytest.raises(NumberError):
        parse_number(text)
    assert time.perf_counter() - started < 1.0


# --- check_number: the tolerance rule |g − a| ≤ tol · max(1, |a|) ----------------------------

# Boundaries are exact binary fractions so the rule, not float rounding, decides.
TOLERANCE_CASES = [
    # answer, tolerance, typed, right?
    (0.5, 0.25, "0.75", True),  # |0.25| ≤ 0.25 · 1: on the boundary is right
    (0.5, 0.25, "0.25", True),
    (0.5, 0.25, "0.765625", False),  # just past it
    (0.5, 0.25, "1/4", True),
    (0.5, 0.25, "-0.5", False),  # the sign matters
    # Small answers: the bound is absolute (tol · 1), not relative to the answer.
    (0.001, 0.01, "0.0105", True),
    (0.001, 0.01, "0", True),
    (0.001, 0.01, "0.0125", False),
    (0.0, 1e-3, "1e-3", True),
    (0.0, 1e-3, "-0.0009", True),
    (0.0, 1e-3, "0.002", False),
    # Large answers: the bound grows with the answer (tol · |a|).
    (1024.0, 0.125, "1152", True),  # |128| ≤ 0.125 · 1024
    (1024.0, 0.125, "896", True),
    (1024.0, 0.125, "1153", False),
    (1e6, 1e-3, "1000900", True),
    (1e6, 1e-3, "1001100", False),
    (1e6, 1e-3, "1e6", True),
    (-1024.0, 0.125, "-1152", True),  # a negative answer uses |a|
    (-1024.0, 0.125, "−1153", False),
    (-1024.0, 0.125, "1024", False),
    # No tolerance: only the exact value.
    (0.25, 0.0, "1/4", True),
    (0.25, 0.0, ".25", True),
    (0.25, 0.0, "0.2500001", False),
]


@pytest.mark.parametrize(("answer", "tolerance", "typed", "right"), TOLERANCE_CASES)
def test_a_number_is_right_within_the_tolerance(
    answer: float, tolerance: float, typed: str, right: bool
) -> None:
    result = check_number(numeric(answer, tolerance), typed)
    assert result.correct is right
    if right:
        assert result.feedback == "Right."
    else:
        assert result.feedback.startswith("Not quite: ")
        assert result.answer in result.feedback  # says back the value it read


@pytest.mark.parametrize(
    ("typed", "stored"), [("1/4", "0.25"), ("−1e-3", "-0.001"), (" 2E3 ", "2000"), ("5.", "5")]
)
def test_the_answer_is_stored_as_the_number_read(typed: str, stored: str) -> None:
    assert check_number(numeric(7.0, 1e-3), typed).answer == stored


def test_wrong_number_feedback_names_what_was_read() -> None:
    result = check_number(numeric(0.25, 1e-3), "1/2")
    assert not result.correct
    assert result.feedback == "Not quite: 0.5 is not the value asked for."


def test_unreadable_number_is_an_error_not_a_wrong_answer() -> None:
    # A typo must not be recorded as a wrong attempt: the caller gets NumberError to show.
    with pytest.raises(NumberError, match="type a number"):
        check_number(numeric(0.25, 1e-3), "0,25")


# --- check_options ---------------------------------------------------------------------------


def test_single_answer_right(single_answer: ChoiceExercise) -> None:
    result = check_options(single_answer, [1])
    assert (result.correct, result.answer, result.feedback) == (True, "2", "Right.")


@pytest.mark.parametrize(("picked", "stored"), [([0], "1"), ([3], "4"), ([0, 1], "1,2"), ([], "")])
def test_single_answer_wrong(single_answer: ChoiceExercise, picked: list[int], stored: str) -> None:
    result = check_options(single_answer, picked)
    assert (result.correct, result.answer, result.feedback) == (False, stored, "Not this one.")


SELECT_ALL = [
    # picked (0-based), stored answer (1-based), right?, feedback
    ([0, 2, 3], "1,3,4", True, "Right."),
    ([3, 0, 2], "1,3,4", True, "Right."),  # the order of clicks does not matter
    ([0, 0, 2, 3], "1,3,4", True, "Right."),  # nor a repeated pick
    ([0, 2], "1,3", False, "Not quite: 1 true statement not picked."),
    ([0], "1", False, "Not quite: 2 true statements not picked."),
    ([], "", False, "Not quite: 3 true statements not picked."),
    ([0, 1, 2, 3], "1,2,3,4", False, "Not quite: 1 of your choices is not true."),
    ([0, 1, 2, 3, 4], "1,2,3,4,5", False, "Not quite: 2 of your choices are not true."),
    (
        [0, 1],
        "1,2",
        False,
        "Not quite: 1 of your choices is not true and 2 true statements not picked.",
    ),
    (
        [1, 4],
        "2,5",
        False,
        "Not quite: 2 of your choices are not true and 3 true statements not picked.",
    ),
]


@pytest.mark.parametrize(("picked", "stored", "right", "feedback"), SELECT_ALL)
def test_select_all_needs_every_true_statement_and_no_other(
    picked: list[int], stored: str, right: bool, feedback: str
) -> None:
    result = check_options(select_all(correct=(0, 2, 3)), picked)
    assert (result.correct, result.answer, result.feedback) == (right, stored, feedback)
