"""Deeper checks of derivation exercises for `pack validate`: every expression reads, every
expected answer exists, and every declared known mistake really is wrong.

Kept apart from the loader because it needs SymPy, which the first screen must not pay for.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from tutor.core.model import DerivationExercise, Pack, Problem
from tutor.core.symbolic.checker import PreparedExercise
from tutor.core.symbolic.equivalence import compare
from tutor.core.symbolic.functions import HELPERS
from tutor.core.symbolic.parser import ParseError

MAX_VARIANTS_CHECKED = 64
"""Variants are a product of parameter lists; past this many, a sample is checked."""


def validate_pack_derivations(pack: Pack) -> list[Problem]:
    """Problems in the pack's derivation exercises (empty when all are sound)."""
    problems: list[Problem] = []
    for item in pack.items():
        if isinstance(item, DerivationExercise):
            problems.extend(validate_derivation(item))
    return problems


def validate_derivation(exercise: DerivationExercise) -> list[Problem]:
    """Problems in one derivation exercise, checked in each of its variants."""
    unknown = [name for name in exercise.functions if name not in HELPERS]
    if unknown:
        known = ", ".join(sorted(HELPERS))
        return [
            Problem(
                exercise.path,
                f"unknown helper function(s) {', '.join(unknown)}: use {known}",
                "functions",
            )
        ]
    problems: list[Problem] = []
    for variant in _variants(exercise):
        for problem in _variant_problems(exercise, variant):
            if problem not in problems:
                problems.append(problem)
    return problems


def _variants(exercise: DerivationExercise) -> Iterator[dict[str, str]]:
    names = [name for name, _ in exercise.params]
    combinations = itertools.product(*(values for _, values in exercise.params))
    for combination in itertools.islice(combinations, MAX_VARIANTS_CHECKED):
        yield dict(zip(names, combination, strict=True))


def _variant_problems(exercise: DerivationExercise, variant: dict[str, str]) -> list[Problem]:
    where = f" (variant {variant})" if variant else ""
    try:
        prepared = PreparedExercise(exercise, variant)
    except ParseError as error:
        return [
            Problem(
                exercise.path,
                f"an intermediate or constraint cannot be read{where}: {error.message}",
                "intermediates",
            )
        ]
    problems = []
    for index, part in enumerate(exercise.parts):
        field = f"parts[{index}]"
        try:
            expected = prepared.expected[part.id]
        except ParseError as error:
            what = "expected" if part.expected is not None else "of"
            problems.append(
                Problem(exercise.path, f"cannot read{where}: {error.message}", f"{field}.{what}")
            )
            continue
        for number, mistake in enumerate(part.mistakes):
            mistake_field = f"{field}.mistakes[{number}].answer"
            try:
                wrong = prepared.in_variables(prepared.parse(mistake.answer))
            except ParseError as error:
                problems.append(
                    Problem(exercise.path, f"cannot read{where}: {error.message}", mistake_field)
                )
                continue
            if compare(wrong, expected, prepared.domains).decision != "different":
                problems.append(
                    Problem(
                        exercise.path,
                        f"this known mistake is not proven wrong{where}: it may equal the answer",
                        mistake_field,
                    )
                )
    return problems
